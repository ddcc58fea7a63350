import Router from '@koa/router';
import type { Context } from 'koa';
import { countries, formatRubles, parseRubles, serviceById, services } from '../../actors/index.ts';
import { agentNameRule, issueAgentToken } from '../agents/index.ts';
import { atLeast, caller } from './auth.ts';
import { ApiError } from './errors.ts';
import type { ApiDeps } from './routes.ts';
import { ledgerPageShown } from './user-routes.ts';

/**
 * The admin page's reads and the manual top-up: every account with its
 * balance, an account's ledger, and money credited through the ledger with an
 * idempotency key (a double click or a retried request credits once); the
 * tokens of remote modem hosts (agents), as `getsms agent token` makes them.
 */
export function adminRoutes(deps: ApiDeps): Router {
  const router = new Router({ prefix: '/api/admin' });
  router.use(caller(deps.store), atLeast('admin'));
  const { store } = deps;

  router.get('/prices', async (ctx) => {
    const prices = await store.prices();
    ctx.body = {
      services: services.map((s) => ({ id: s.id, name: s.name })),
      countries: countries.map((c) => ({ id: c.id, name: { en: c.eng, ru: c.rus } })),
      prices: prices.filter((p) => serviceById(p.service)).map((p) => ({ service: p.service, country: p.country, price: formatRubles(p.price) })),
    };
  });

  router.get('/accounts', async (ctx) => {
    ctx.body = {
      accounts: (await store.accounts()).map((a) => ({
        id: a.id, email: a.email, role: a.role, balance: formatRubles(a.balance), createdAt: new Date(a.createdAt).toISOString(),
      })),
    };
  });

  router.get('/accounts/:id/ledger', async (ctx) => {
    const id = accountId(ctx);
    const account = await store.accountById(id);
    if (!account) throw new ApiError(404, 'no such account');
    ctx.body = {
      account: { id: account.id, email: account.email, balance: formatRubles(account.balance) },
      ...(await ledgerPageShown(store, id, ctx.query)),
    };
  });

  router.post('/accounts/:id/topup', async (ctx) => {
    const id = accountId(ctx);
    const body = (ctx.request as { body?: unknown }).body as Record<string, unknown> | undefined;
    const amount = parseRubles(String(body?.amount ?? ''));
    if (amount === undefined || amount <= 0 || amount > 100_000_000) throw new ApiError(422, '"amount" must be rubles above zero, such as "250" or "249.50"');
    const key = String(body?.key ?? '');
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(key)) throw new ApiError(422, '"key" must be 8 to 64 letters, digits, - or _: one per top-up, so a retry credits once');
    const note = String(body?.note ?? '').trim().slice(0, 200);
    const r = await store.moveMoney({
      accountId: id, amount, reason: 'topup', ref: `admin:${ctx.state.account.id}`, key: `web-topup:${key}`,
      note: note || 'manual top-up', at: Date.now(),
    });
    if (!r.ok) throw new ApiError(404, 'no such account');
    ctx.status = r.applied ? 201 : 200;
    ctx.body = { balance: formatRubles(r.balance), applied: r.applied };
  });

  // Never the token or its hash: a token is shown once, in the answer that made it.
  router.get('/agent-tokens', async (ctx) => {
    ctx.body = {
      tokens: (await store.agentTokens()).map((a) => ({
        name: a.name, createdAt: new Date(a.createdAt).toISOString(), revokedAt: a.revokedAt === null ? null : new Date(a.revokedAt).toISOString(),
      })),
    };
  });

  router.post('/agent-tokens', async (ctx) => {
    const body = (ctx.request as { body?: unknown }).body as Record<string, unknown> | undefined;
    const name = typeof body?.name === 'string' ? body.name.trim() : '';
    const made = await issueAgentToken(store, name, Date.now());
    if (!made.ok && made.code === 'badName') throw new ApiError(422, `"name": ${agentNameRule}`, 'badAgentName');
    if (!made.ok) throw new ApiError(409, `agent ${name} already has a working token: revoke it first`, 'agentTaken');
    ctx.status = 201;
    ctx.body = { name: made.name, token: made.token, createdAt: new Date(made.createdAt).toISOString() };
  });

  router.delete('/agent-tokens/:name', async (ctx) => {
    const name = String(ctx.params.name);
    if (!(await store.revokeAgentToken(name, Date.now()))) throw new ApiError(404, `agent ${name} has no working token`);
    ctx.body = { name, revoked: true };
  });

  return router;
}

function accountId(ctx: Context): number {
  const id = Number(ctx.params.id);
  if (!Number.isSafeInteger(id) || id < 1) throw new ApiError(404, 'no such account');
  return id;
}
