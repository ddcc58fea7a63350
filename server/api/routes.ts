import Router from '@koa/router';
import type { ActivationRegistry, Store } from '../../actors/index.ts';
import { formatRubles } from '../../actors/index.ts';
import type { SimulatedFarm } from '../../modems/index.ts';
import { atLeast, bearer } from './auth.ts';
import { ApiError } from './errors.ts';

export interface ApiDeps {
  store: Store;
  registry: ActivationRegistry;
  /** Present in simulation mode only. */
  simulator: SimulatedFarm | undefined;
}

/** The JSON API under /api: for the web application, operators and tests. */
export function apiRoutes(deps: ApiDeps): Router {
  const router = new Router({ prefix: '/api' });
  router.use(bearer(deps.store));

  router.get('/me', async (ctx) => {
    const a = ctx.state.account;
    const fresh = (await deps.store.accountById(a.id))!;
    ctx.body = { id: fresh.id, email: fresh.email, role: fresh.role, dialect: fresh.dialect, balance: formatRubles(fresh.balance) };
  });

  router.post('/simulator/sms', atLeast('operator'), async (ctx) => {
    if (!deps.simulator) throw new ApiError(409, 'the farm is real (MODEM_PORTS is set): there is no simulator to send through');
    const { to, from, text } = simulatedSms((ctx.request as { body?: unknown }).body);
    const delivered = await deps.simulator.deliver(to, from, text);
    if (!delivered) throw new ApiError(404, `no simulated SIM has the number ${to}`);
    ctx.status = 202;
    ctx.body = { delivered: true, to, from };
  });

  router.get('/admin/activations', atLeast('admin'), async (ctx) => {
    ctx.body = {
      activations: deps.registry.live().map((a) => ({
        id: a.id, accountId: a.accountId, phone: a.phone, service: a.service, country: a.country,
        state: a.state, code: a.code, createdAt: new Date(a.createdAt).toISOString(),
        expiresAt: new Date(a.expiresAt).toISOString(),
      })),
    };
  });

  router.get('/sims', atLeast('operator'), async (ctx) => {
    ctx.body = { sims: await deps.store.sims() };
  });

  return router;
}

function simulatedSms(body: unknown): { to: string; from: string; text: string } {
  if (body === null || typeof body !== 'object') throw new ApiError(400, 'send JSON {"to","from","text"}');
  const { to, from, text } = body as Record<string, unknown>;
  if (typeof to !== 'string' || !/^\+?\d{5,15}$/.test(to)) throw new ApiError(422, '"to" must be a phone number: digits with the country code');
  if (typeof from !== 'string' || from.trim() === '' || from.length > 32) throw new ApiError(422, '"from" must be a sender of 1 to 32 characters');
  if (typeof text !== 'string' || text.length === 0 || text.length > 1600) throw new ApiError(422, '"text" must be 1 to 1600 characters');
  return { to: to.replace(/^\+/, ''), from: from.trim(), text };
}
