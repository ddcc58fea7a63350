import type Router from '@koa/router';
import type { ForwardingRecord, Store } from '../../actors/index.ts';
import { ApiError } from './errors.ts';

/**
 * Call forwarding the caller asked for (setStatus `forward=`): `GET
 * /api/forwardings[?phone=]` lists it, newest first; `GET
 * /api/forwardings/:activationId` shows one, with whether the network took it.
 */
export function forwardingRoutes(router: Router, store: Store) {
  router.get('/forwardings', async (ctx) => {
    const phone = typeof ctx.query.phone === 'string' ? ctx.query.phone.replace(/^\+/, '') : undefined;
    if (phone !== undefined && !/^\d{5,15}$/.test(phone)) throw new ApiError(422, '"phone" must be digits with the country code');
    const list = await store.forwardings({ accountId: ctx.state.account.id as number, ...(phone ? { phone } : {}), limit: 200 });
    ctx.body = { forwardings: list.map(forwardingJson) };
  });

  router.get('/forwardings/:activationId', async (ctx) => {
    const id = Number(ctx.params.activationId);
    const f = Number.isInteger(id) && id > 0 ? await store.forwarding(id) : undefined;
    // Someone else's is answered like a missing one.
    if (!f || f.accountId !== ctx.state.account.id) throw new ApiError(404, 'no call forwarding was asked for on that activation');
    ctx.body = { forwarding: forwardingJson(f) };
  });
}

function forwardingJson(f: ForwardingRecord) {
  return {
    activationId: f.activationId, phone: f.phone, to: f.to, state: f.state, error: f.error, attempts: f.attempts,
    requestedAt: new Date(f.requestedAt).toISOString(), doneAt: f.doneAt === null ? null : new Date(f.doneAt).toISOString(),
  };
}
