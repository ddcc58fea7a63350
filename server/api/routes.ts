import Router from '@koa/router';
import type { ActivationRegistry, ChannelSupervisor, FarmNewsListener, RentRegistry, Store } from '../../actors/index.ts';
import {
  formatRubles, getsmsCountry, parseRubles, recordSimMove, serviceByCode, serviceById, tellSimNumber,
} from '../../actors/index.ts';
import type { FarmSimulator } from '../../modems/index.ts';
import { atLeast, caller } from './auth.ts';
import { ApiError } from './errors.ts';
import { webhookRoutes } from './webhook.ts';
import { forwardingRoutes } from './forwarding.ts';
import { partnerRoutes } from './partner.ts';

export interface ApiDeps {
  store: Store;
  registry: ActivationRegistry;
  /** Rented numbers (the web's Rent page goes through the same registry as the gateways). */
  rents: RentRegistry;
  /** Told of SIM moves operators ask for (the live channel's `sims` topic). */
  farmNews?: FarmNewsListener;
  /** Present in simulation mode only (either farm: in memory or AT on pseudo-terminals). */
  simulator: FarmSimulator | undefined;
  /** Present when MODEM_PORTS is set. */
  channels: ChannelSupervisor | undefined;
  /** Webhook URLs may name loopback, private and link-local addresses (WEBHOOK_ALLOW_PRIVATE). */
  allowPrivateWebhooks?: boolean;
  /** Other processes share the store (SHARED_STORE): the channels they run are shown from their stored pictures. */
  sharedStore?: boolean;
}

/** What anyone may read, signed in or not: the announcements the site's banner shows. */
export function publicRoutes(deps: Pick<ApiDeps, 'store'>): Router {
  const router = new Router({ prefix: '/api' });
  router.get('/announcements', async (ctx) => {
    ctx.body = { announcements: await deps.store.announcements() };
  });
  return router;
}

/** The JSON API under /api: for the web application, operators and tests. */
export function apiRoutes(deps: ApiDeps): Router {
  const router = new Router({ prefix: '/api' });
  router.use(caller(deps.store));

  router.get('/me', async (ctx) => {
    const a = ctx.state.account;
    const fresh = (await deps.store.accountById(a.id))!;
    ctx.body = { id: fresh.id, email: fresh.email, role: fresh.role, dialect: fresh.dialect, balance: formatRubles(fresh.balance) };
  });

  webhookRoutes(router, deps.store, deps.allowPrivateWebhooks ?? false);
  forwardingRoutes(router, deps.store);
  partnerRoutes(router, deps.store);

  router.post('/simulator/sms', atLeast('operator'), async (ctx) => {
    if (!deps.simulator) throw new ApiError(409, 'the farm is real (MODEM_PORTS is set): there is no simulator to send through');
    const { to, from, text } = simulatedSms((ctx.request as { body?: unknown }).body);
    // Reaches a SIM in this server's simulated farm or in an agent's; 202 only once a farm took the SMS.
    const delivered = await deps.simulator.deliver(to, from, text).catch((err: unknown) => {
      if ((err as { code?: unknown }).code === 'SIM_HOST_UNREACHABLE') throw new ApiError(503, (err as Error).message);
      // The SIM has it, getsms could not store it: not a 202 (a client counts that as stored); the farm retries.
      if ((err as { code?: unknown }).code === 'SIM_SMS_HELD') throw new ApiError(503, (err as Error).message, 'smsHeld');
      throw err;
    });
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

  router.post('/admin/announcements', atLeast('admin'), async (ctx) => {
    const text = field((ctx.request as { body?: unknown }).body, 'text');
    if (text === undefined || text.trim() === '' || text.length > 500) {
      throw new ApiError(422, '"text" must be an announcement of 1 to 500 characters');
    }
    ctx.status = 201;
    ctx.body = await deps.store.addAnnouncement(text.trim(), Date.now());
  });

  router.put('/admin/prices', atLeast('admin'), async (ctx) => {
    const body = (ctx.request as { body?: unknown }).body;
    const service = serviceById(field(body, 'service') ?? '') ?? serviceByCode('getsms', field(body, 'service') ?? '');
    if (!service) throw new ApiError(422, '"service" must be a service id (whatsapp) or its code (wa)');
    const c = getsmsCountry(field(body, 'country') ?? '');
    if (!c?.country || c.operators) throw new ApiError(422, '"country" must be a country code: ru, ua, kz, by, pl, uk, de');
    const price = parseRubles(field(body, 'price') ?? '');
    if (price === undefined || price < 0) throw new ApiError(422, '"price" must be rubles, such as "49" or "49.50"');
    await deps.store.setPrice(service.id, c.country, price);
    ctx.body = { service: service.id, country: c.country, price: formatRubles(price) };
  });

  // The price of a 24-hour rent per country; shorter and longer rents pay pro rata (actors/rent/cost.ts).
  router.put('/admin/rent-prices', atLeast('admin'), async (ctx) => {
    const body = (ctx.request as { body?: unknown }).body;
    const c = getsmsCountry(field(body, 'country') ?? '');
    if (!c?.country || c.operators) throw new ApiError(422, '"country" must be a country code: ru, ua, kz, by, pl, uk, de');
    const price = parseRubles(field(body, 'price') ?? '');
    if (price === undefined || price < 0) throw new ApiError(422, '"price" must be rubles for 24 hours, such as "150" or "149.50"');
    await deps.store.setRentPrice(c.country, price);
    ctx.body = { country: c.country, price: formatRubles(price) };
  });

  router.get('/admin/rent-prices', atLeast('admin'), async (ctx) => {
    ctx.body = { prices: (await deps.store.rentPrices()).map((p) => ({ country: p.country, price: formatRubles(p.price) })) };
  });

  router.get('/channels', atLeast('operator'), async (ctx) => {
    const here = deps.channels?.channels() ?? [];
    const local = new Set(here.map((c) => c.channel));
    // Channels other processes sharing the store run: as their process last stored them.
    const elsewhere = (deps.sharedStore ? await deps.store.channels() : []).filter((p) => !local.has(p.id)).map((p) => ({
      channel: p.id, state: p.state, slot: p.slot, iccid: p.iccid, phone: p.phone, operator: p.operator, registered: p.registered,
      signalDbm: p.signalDbm, lastError: p.lastError, updatedAt: p.updatedAt, elsewhere: true,
    }));
    ctx.body = { channels: [...here, ...elsewhere] };
  });

  router.post('/sims/move', atLeast('operator'), async (ctx) => {
    const body = (ctx.request as { body?: unknown }).body;
    const iccid = field(body, 'iccid') ?? '';
    const channel = field(body, 'channel') ?? '';
    const slot = Number(field(body, 'slot'));
    const refusal = deps.simulator && ((await deps.simulator.refusesMove?.(iccid, channel, slot)) ??
      (deps.simulator.slots().some((s) => s.channel === channel && s.slot === slot) ? undefined : `the simulated farm has no slot ${slot} in channel "${channel}"`));
    if (refusal) {
      if (!(await deps.store.simByIccid(iccid))) throw new ApiError(404, `no SIM has the ICCID "${iccid}"`);
      throw new ApiError(422, refusal);
    }
    const r = await recordSimMove(deps.store, { iccid, channel, slot, by: ctx.state.account.id, at: Date.now() });
    if (!r.ok && r.code === 'noSim') throw new ApiError(404, `no SIM has the ICCID "${iccid}"`);
    if (!r.ok) throw new ApiError(422, '"channel" must name a channel and "slot" be a slot number from 1');
    deps.farmNews?.({ type: 'sim.changed', iccid, change: 'moveRequested', move: r.move });
    // In simulation mode the simulator's hands do the move (across hosts too); with real modems an operator does.
    await deps.simulator?.move(iccid, channel, slot);
    ctx.status = 202;
    ctx.body = { move: (await deps.store.moves({ limit: 50 })).find((m) => m.id === r.move.id) ?? r.move };
  });

  router.put('/sims/number', atLeast('operator'), async (ctx) => {
    const body = (ctx.request as { body?: unknown }).body;
    const iccid = field(body, 'iccid') ?? '';
    const r = await tellSimNumber(deps.store, iccid, field(body, 'phone') ?? '');
    if (!r.ok && r.code === 'badPhone') throw new ApiError(422, '"phone" must be the number with its country code, 10 to 15 digits');
    if (!r.ok) throw new ApiError(404, `no SIM has the ICCID "${iccid}"`);
    // The channel puts it on sale at its next sweep (within 40 s).
    ctx.body = { sim: await deps.store.simByIccid(iccid) };
  });

  router.get('/sims/moves', atLeast('operator'), async (ctx) => {
    ctx.body = { moves: await deps.store.moves({ pending: ctx.query.pending === '1', limit: 200 }) };
  });

  router.post('/channels/switch', atLeast('operator'), async (ctx) => {
    const body = (ctx.request as { body?: unknown }).body;
    const channel = field(body, 'channel') ?? '';
    const slot = Number(field(body, 'slot'));
    if (!Number.isInteger(slot) || slot < 1 || slot > 64) throw new ApiError(422, '"slot" must be a slot number from 1');
    const view = deps.channels?.channels().find((c) => c.channel === channel);
    if (!view) throw new ApiError(404, `no modem channel "${channel}"`);
    if (slot > view.slots) throw new ApiError(422, `channel "${channel}" has ${view.slots} slot(s)`);
    deps.channels!.switchSlot(channel, slot);
    ctx.status = 202;
    ctx.body = { channel, slot };
  });

  router.get('/sims', atLeast('operator'), async (ctx) => {
    ctx.body = { sims: await deps.store.sims() };
  });

  return router;
}

function simulatedSms(body: unknown): { to: string; from: string; text: string } {
  if (body === null || typeof body !== 'object') throw new ApiError(400, 'send JSON {"to","from","text"}');
  const { to, from, text } = body as Record<string, unknown>;
  if (typeof to !== 'string' || !/^\+?\d{5,20}$/.test(to)) throw new ApiError(422, '"to" must be a phone number (digits with the country code) or a SIM\'s ICCID');
  if (typeof from !== 'string' || from.trim() === '' || from.length > 32) throw new ApiError(422, '"from" must be a sender of 1 to 32 characters');
  if (typeof text !== 'string' || text.length === 0 || text.length > 1600) throw new ApiError(422, '"text" must be 1 to 1600 characters');
  return { to: to.replace(/^\+/, ''), from: from.trim(), text };
}

/** A string field of a JSON body (numbers are taken as their text), else undefined. */
function field(body: unknown, name: string): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const v = (body as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
}
