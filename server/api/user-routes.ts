import Router from '@koa/router';
import type { Context } from 'koa';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import {
  apiKeyHash, countries, country as countryById, formatRubles, hashPassword, newApiKey, serviceById, services, sessionTokenHash, verifyPassword,
  type ActivationFilter, type ActivationState, type ActivationView, type Store, type ClientCommand, type LedgerEntry,
} from '../../actors/index.ts';
import type { ApiDeps } from './routes.ts';
import { caller } from './auth.ts';
import { ApiError } from './errors.ts';
import { acceptablePassword } from '../sessions/index.ts';
import { languageOf, languageSetting } from './session-routes.ts';

/** The web page's words for setStatus, as domain commands. */
const commands = {
  ready: 'client.ready',
  retry: 'client.retry',
  finish: 'client.finish',
  cancel: 'client.cancel',
  used: 'client.numberUsed',
} as const satisfies Record<string, ClientCommand>;
type WebCommand = keyof typeof commands;

/** The buttons each state offers (the getsms lifecycle, as the gateway's setStatus allows it). */
const offered: Record<ActivationState, readonly WebCommand[]> = {
  waitingForReady: ['ready', 'cancel', 'used'],
  waitingForCode: ['retry', 'cancel', 'used'],
  waitingForResend: ['ready', 'cancel', 'used'],
  codeArrived: ['finish', 'retry'],
  waitingForRetry: ['finish'],
  cancelling: [], rejecting: [], expiring: [], finishing: [],
  cancelled: [], rejected: [], expired: [], finished: [],
};

const historyPages = { default: 20, max: 100 } as const;
const ledgerPages = { default: 50, max: 500 } as const;

/**
 * What a signed-in user does on the web page: the catalogue with live prices
 * and counts, orders, the activations with their buttons, History, and
 * Settings. Orders and buttons go through the same ActivationRegistry as the
 * gateways, so the web and the API see one activation.
 */
export function userRoutes(deps: ApiDeps): Router {
  const router = new Router({ prefix: '/api' });
  router.use(caller(deps.store));
  const { store, registry } = deps;

  router.get('/catalogue', async (ctx) => {
    const c = countryById(String(ctx.query.country ?? 'ru'));
    if (!c) throw new ApiError(422, `"country" must be one of ${countries.map((x) => x.id).join(', ')}`);
    const operator = typeof ctx.query.operator === 'string' && ctx.query.operator !== '' ? ctx.query.operator : undefined;
    if (operator && !c.operators.includes(operator)) throw new ApiError(422, `"operator" must be one of ${c.operators.join(', ')}`);
    const [prices, free] = await Promise.all([
      store.prices(),
      store.availability({ accountId: ctx.state.account.id, filter: { country: c.id, ...(operator ? { operators: [operator] } : {}) } }),
    ]);
    ctx.body = {
      countries: countries.map((x) => ({ id: x.id, code: x.getsms, name: { en: x.eng, ru: x.rus }, operators: x.operators })),
      services: services.map((s) => ({ id: s.id, name: s.name, code: s.getsms?.at(-1) ?? null })),
      country: c.id,
      operator: operator ?? null,
      offers: prices
        .filter((p) => p.country === c.id && serviceById(p.service))
        .map((p) => ({ service: p.service, price: formatRubles(p.price), count: free.get(p.service)?.any ?? 0 })),
    };
  });

  router.post('/activations', async (ctx) => {
    const body = bodyOf(ctx);
    const service = serviceById(String(body.service ?? ''));
    if (!service) throw new ApiError(422, '"service" must be a service id, such as "telegram"');
    const c = countryById(String(body.country ?? ''));
    if (!c) throw new ApiError(422, '"country" must be a country id, such as "ru"');
    const operator = typeof body.operator === 'string' && body.operator !== '' ? body.operator : undefined;
    if (operator && !c.operators.includes(operator)) throw new ApiError(422, `"operator" must be one of ${c.operators.join(', ')}`);
    const r = await registry.order({
      accountId: ctx.state.account.id, service: service.id, filter: { country: c.id, ...(operator ? { operators: [operator] } : {}) },
      forwarding: false, dialect: 'getsms', count: 1,
    });
    if (!r.ok && r.code === 'noBalance') throw new ApiError(409, 'not enough money on the balance for this number', 'noBalance');
    if (!r.ok) throw new ApiError(409, 'no free numbers for this service and country now', 'noNumbers');
    ctx.status = 201;
    ctx.body = { activation: shown(r.activation) };
  });

  router.get('/activations', async (ctx) => {
    const q = ctx.query;
    const which = q.state === 'live' || q.state === 'ended' ? q.state : 'all';
    const service = typeof q.service === 'string' && q.service !== '' ? q.service : undefined;
    const from = instant(q.from, 0);
    const to = instant(q.to, 86_400_000);
    const { page, size } = pageOf(q, historyPages);
    const filter: ActivationFilter = {
      accountId: ctx.state.account.id,
      ...(which === 'all' ? {} : { live: which === 'live' }),
      ...(service === undefined ? {} : { service }),
      ...(from === undefined ? {} : { createdFrom: from }),
      ...(to === undefined ? {} : { createdBefore: to }),
    };
    const [activations, total] = await Promise.all([
      store.activations({ ...filter, offset: page * size, limit: size }),
      store.countActivations(filter),
    ]);
    ctx.body = { activations: activations.map(shown), page, pageSize: size, total };
  });

  router.get('/activations/:id', async (ctx) => {
    const a = await registry.view(ctx.state.account.id, idOf(ctx.params.id));
    if (!a) throw new ApiError(404, 'no such activation', 'noActivation');
    ctx.body = { activation: shown(a) };
  });

  router.post('/activations/:id/status', async (ctx) => {
    const word = String(bodyOf(ctx).command ?? '');
    if (!(word in commands)) throw new ApiError(422, `"command" must be one of ${Object.keys(commands).join(', ')}`);
    const r = await registry.command(ctx.state.account.id, idOf(ctx.params.id), commands[word as WebCommand]);
    if (!r.ok && r.code === 'noActivation') throw new ApiError(404, 'no such activation', 'noActivation');
    if (!r.ok) throw new ApiError(409, 'this activation cannot do that now', 'notAllowed');
    ctx.body = { activation: shown(r.activation) };
  });

  router.get('/me/ledger', async (ctx) => {
    ctx.body = await ledgerPageShown(store, ctx.state.account.id, ctx.query);
  });

  // Settings: a new API key replaces the old one at once and is shown only in this answer.
  router.post('/me/key', async (ctx) => {
    const key = newApiKey();
    await store.setApiKeyHash(ctx.state.account.id, apiKeyHash(key));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { apiKey: key };
  });

  // A wrong current password counts against the account, so a stolen session cannot guess it for use elsewhere.
  const wrongCurrent = new RateLimiterMemory({ points: 5, duration: 15 * 60 });
  router.put('/me/password', async (ctx) => {
    const body = bodyOf(ctx);
    const id = ctx.state.account.id as number;
    if (!acceptablePassword(body.password)) throw new ApiError(422, '"password" must be 8 to 200 characters', 'badPassword');
    const stored = await store.passwordHash(id);
    if (stored) {
      const tries = await wrongCurrent.get(String(id));
      if (tries && tries.consumedPoints >= 5) throw new ApiError(429, 'too many attempts: wait a few minutes and try again', 'tooMany');
      if (typeof body.current !== 'string' || !(await verifyPassword(body.current, stored))) {
        await wrongCurrent.penalty(String(id));
        throw new ApiError(403, 'the current password is wrong', 'wrongCurrentPassword');
      }
    }
    // An account made with a key only (the CLI's) sets its first password here with no current one.
    await store.setPasswordHash(id, await hashPassword(body.password));
    // Whoever else was signed in (perhaps why the password changed) is signed out; this browser stays.
    const current = ctx.state.sessionToken as string | undefined;
    await store.endSessions(id, current === undefined ? undefined : sessionTokenHash(current));
    ctx.status = 204;
  });

  router.put('/me/language', async (ctx) => {
    const language = languageOf(bodyOf(ctx).language);
    if (!language) throw new ApiError(422, '"language" must be "en" or "ru"');
    await store.setSetting(languageSetting(ctx.state.account.id), language);
    ctx.body = { language };
  });

  return router;
}

/** An activation as the web page shows it: money as rubles, times as ISO strings, and the buttons it offers now. */
export function shown(a: ActivationView) {
  return {
    id: a.id, service: a.service, serviceName: serviceById(a.service)?.name ?? a.service, phone: a.phone,
    country: a.country, operator: a.operator, price: formatRubles(a.price), state: a.state, live: a.live, code: a.code,
    messages: a.messages.map((m) => ({ from: m.from, text: m.text, code: m.code, at: new Date(m.at).toISOString() })),
    createdAt: new Date(a.createdAt).toISOString(), expiresAt: new Date(a.expiresAt).toISOString(),
    commands: a.live ? offered[a.state] : [],
  };
}

/** Which page a list request asks for (`page` from 0, `limit` rows), within bounds. */
function pageOf(q: Context['query'], sizes: { default: number; max: number }) {
  const size = Math.min(sizes.max, Math.max(1, Math.floor(Number(q.limit)) || sizes.default));
  const page = Math.min(1_000_000, Math.max(0, Math.floor(Number(q.page) || 0)));
  return { page, size };
}

/** A page of an account's ledger as the Refill and Admin pages show it: newest first, with the total for the pager. */
export async function ledgerPageShown(store: Store, accountId: number, q: Context['query']) {
  const { page, size } = pageOf(q, ledgerPages);
  const { entries, total } = await store.ledgerPage(accountId, { offset: page * size, limit: size });
  return { entries: entries.map(ledgerShown), page, pageSize: size, total };
}

/** A ledger entry as pages show it: rubles and ISO times. */
export function ledgerShown(e: LedgerEntry) {
  return {
    id: e.id, amount: formatRubles(e.amount), balanceAfter: formatRubles(e.balanceAfter), reason: e.reason, ref: e.ref,
    note: e.note, at: new Date(e.at).toISOString(),
  };
}

function idOf(raw: string | undefined): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 1) throw new ApiError(404, 'no such activation', 'noActivation');
  return id;
}

/**
 * A History bound: an ISO instant (the page sends the user's local midnights),
 * or a `YYYY-MM-DD` day in UTC plus `dayOffset` (0 for "from", a day for the
 * exclusive "to"); undefined for anything else.
 */
function instant(raw: unknown, dayOffset: number): number | undefined {
  if (typeof raw !== 'string' || raw.length > 40) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) {
    const t = Date.parse(`${raw}T00:00:00Z`);
    return Number.isNaN(t) ? undefined : t + dayOffset;
  }
  if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(raw)) return undefined;
  const t = Date.parse(raw);
  return Number.isNaN(t) ? undefined : t;
}

function bodyOf(ctx: Context): Record<string, unknown> {
  const body = (ctx.request as { body?: unknown }).body;
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}
