import type { Context, Next } from 'koa';
import { apiKeyHash, sessionTokenHash, type KeyOwner, type Role, type Store } from '../../actors/index.ts';
import { csrfMatches, fromOwnOrigin, readCookie, sessionCookie } from '../sessions/index.ts';
import { ApiError } from './errors.ts';

/**
 * Who is calling: `Authorization: Bearer <api key>`, else a browser session
 * cookie → ctx.state.account; refuses with 401 before any handler runs. A
 * cookie is ambient (the browser sends it whoever made the page), so a
 * state-changing request on a session must also come from our own origin and
 * carry the session's CSRF token in `X-CSRF-Token` (GET /api/session gives it).
 */
export function caller(store: Store) {
  return async (ctx: Context, next: Next) => {
    const header = ctx.get('authorization');
    const token = header ? undefined : readCookie(ctx.get('cookie'), sessionCookie);
    if (token !== undefined) {
      const account = await store.sessionOwner(sessionTokenHash(token), Date.now());
      if (!account) throw new ApiError(401, 'your session has ended: sign in again', 'signedOut');
      if (!safeMethods.has(ctx.method)) {
        if (!fromOwnOrigin({ origin: ctx.get('origin'), referer: ctx.get('referer'), host: ctx.get('host') })) {
          throw new ApiError(403, 'refused: the request did not come from this site\'s own pages', 'crossSite');
        }
        if (!csrfMatches(token, ctx.get('x-csrf-token'))) throw new ApiError(403, 'refused: missing or stale X-CSRF-Token; reload the page', 'csrf');
      }
      ctx.state.account = account;
      ctx.state.sessionToken = token;
      return next();
    }
    const m = /^Bearer\s+(\S{1,256})$/i.exec(header);
    if (!m) throw new ApiError(401, 'sign in, or send your API key as "Authorization: Bearer <key>"');
    const account = await store.keyOwner(apiKeyHash(m[1]!));
    if (!account) throw new ApiError(401, 'unknown API key');
    ctx.state.account = account;
    await next();
  };
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

const rank: Record<Role, number> = { user: 0, operator: 1, admin: 2 };

/** Only accounts of at least this role get through. */
export function atLeast(role: Role) {
  return async (ctx: Context, next: Next) => {
    const account = ctx.state.account as KeyOwner;
    if (rank[account.role] < rank[role]) throw new ApiError(403, `this needs the ${role} role`);
    await next();
  };
}
