import Router from '@koa/router';
import type { Context } from 'koa';
import { csrfTokenOf, formatRubles, type KeyOwner, type Store } from '../../actors/index.ts';
import {
  csrfMatches, fromOwnOrigin, readCookie, sessionCookie, sessionCookieValue, sessionTtlMs, type BrowserSessions,
} from '../sessions/index.ts';
import { ApiError } from './errors.ts';

/** The languages the web application speaks; the first is the default. */
export const languages = ['en', 'ru'] as const;
export type Language = (typeof languages)[number];

/** Where an account's language is kept: a per-account row of the settings table. */
export const languageSetting = (accountId: number) => `language:${accountId}`;

/**
 * Sign-up, sign-in and sign-out for browsers: `/api/session`. Open to anyone,
 * so these routes check the origin themselves (a sign-in forced by another
 * site would log the victim into the attacker's account).
 */
export function sessionRoutes(deps: { store: Store; sessions: BrowserSessions }): Router {
  const router = new Router({ prefix: '/api/session' });
  const { store, sessions } = deps;

  router.get('/', async (ctx) => {
    const token = readCookie(ctx.get('cookie'), sessionCookie);
    const account = token ? await sessions.owner(token) : undefined;
    if (!token || !account) throw new ApiError(401, 'not signed in', 'signedOut');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await sessionBody(store, account, token);
  });

  router.post('/', async (ctx) => {
    ownOrigin(ctx);
    const body = bodyOf(ctx);
    const r = await sessions.signIn(body.email, body.password, ctx.ip);
    if (!r.ok && r.code === 'tooMany') throw tooMany(ctx, r.retryAfterMs);
    if (!r.ok) throw new ApiError(401, 'wrong email or password', 'wrongPassword');
    await opened(ctx, sessions, r.token);
    ctx.body = await sessionBody(store, r.account, r.token);
  });

  router.post('/sign-up', async (ctx) => {
    ownOrigin(ctx);
    const body = bodyOf(ctx);
    const r = await sessions.signUp(body.email, body.password, ctx.ip);
    if (!r.ok) {
      if (r.code === 'tooMany') throw tooMany(ctx, r.retryAfterMs);
      if (r.code === 'badEmail') throw new ApiError(422, '"email" must be an email address', r.code);
      if (r.code === 'badPassword') throw new ApiError(422, '"password" must be 8 to 200 characters', r.code);
      throw new ApiError(409, 'an account with this email exists: sign in instead', r.code);
    }
    const language = languageOf(body.language);
    if (language) await store.setSetting(languageSetting(r.account.id), language);
    await opened(ctx, sessions, r.token);
    ctx.status = 201;
    ctx.body = await sessionBody(store, r.account, r.token);
  });

  router.delete('/', async (ctx) => {
    const token = readCookie(ctx.get('cookie'), sessionCookie);
    // A session that is already gone has nothing to protect: its cookie is just cleared.
    if (token && (await sessions.owner(token))) {
      ownOrigin(ctx);
      if (!csrfMatches(token, ctx.get('x-csrf-token'))) throw new ApiError(403, 'refused: missing or stale X-CSRF-Token; reload the page', 'csrf');
      await sessions.signOut(token);
    }
    ctx.set('Set-Cookie', sessionCookieValue('', { secure: ctx.secure, maxAgeMs: 0 }));
    ctx.status = 204;
  });

  return router;
}

/** What a signed-in page needs first: the account, its balance and language, and the CSRF token for its writes. */
async function sessionBody(store: Store, owner: KeyOwner, token: string) {
  const account = (await store.accountById(owner.id))!;
  const language = languageOf(await store.setting(languageSetting(owner.id)));
  return {
    account: { id: account.id, email: account.email, role: account.role, balance: formatRubles(account.balance), language: language ?? null },
    csrfToken: csrfTokenOf(token),
  };
}

/** Sets the new session's cookie; a session the browser still held is ended (one session per sign-in). */
async function opened(ctx: Context, sessions: BrowserSessions, token: string) {
  const previous = readCookie(ctx.get('cookie'), sessionCookie);
  if (previous) await sessions.signOut(previous);
  ctx.set('Set-Cookie', sessionCookieValue(token, { secure: ctx.secure, maxAgeMs: sessionTtlMs }));
  ctx.set('Cache-Control', 'no-store');
}

function ownOrigin(ctx: Context) {
  if (!fromOwnOrigin({ origin: ctx.get('origin'), referer: ctx.get('referer'), host: ctx.get('host') })) {
    throw new ApiError(403, 'refused: the request did not come from this site\'s own pages', 'crossSite');
  }
}

function tooMany(ctx: Context, retryAfterMs: number) {
  ctx.set('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  return new ApiError(429, 'too many attempts: wait a few minutes and try again', 'tooMany');
}

function bodyOf(ctx: Context): Record<string, unknown> {
  const body = (ctx.request as { body?: unknown }).body;
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

export function languageOf(raw: unknown): Language | undefined {
  return (languages as readonly unknown[]).includes(raw) ? (raw as Language) : undefined;
}
