import Router from '@koa/router';
import type { ChannelView, Sim } from '../../actors/index.ts';
import { atLeast, caller } from './auth.ts';
import type { ApiDeps } from './routes.ts';

/** One slot of a channel as the operator page draws it. */
interface SlotPicture {
  slot: number;
  active: boolean;
  sim: {
    iccid: string; phone: string; operator: string; country: string; online: boolean; standby: boolean;
    /** A live activation holds it. */
    busy: boolean;
    /** A recorded move of this SIM not seen done yet: where it goes. */
    moving: { channel: string; slot: number } | null;
  } | null;
}

/**
 * The farm as operators see it: every channel (modem) with each of its slots
 * and the SIM the inventory last saw there, the modem's state, signal and last
 * error, which SIMs are busy and which are being moved. Built from the channel
 * actors when there are any (MODEM_PORTS or the AT simulator), from the stored
 * picture for a channel another process runs, else from the simulated farm's
 * slots; SIMs come from the store, so the page shows what the database says.
 */
export function farmRoutes(deps: ApiDeps): Router {
  const router = new Router({ prefix: '/api' });
  router.use(caller(deps.store), atLeast('operator'));

  router.get('/farm', async (ctx) => {
    const [sims, pending, live, pictures] = await Promise.all([
      deps.store.sims(), deps.store.moves({ pending: true, limit: 500 }), deps.store.liveActivations(),
      deps.sharedStore ? deps.store.channels() : [],
    ]);
    // From the store: activations and channels of every process sharing it, not only this one's.
    const busy = new Set(live.map((a) => a.iccid));
    const moving = new Map(pending.map((m) => [m.iccid, m.to]));
    const views = new Map<string, ChannelView>((deps.channels?.channels() ?? []).map((c) => [c.channel, c]));
    const stored = new Map(pictures.map((p) => [p.id, p]));
    const slotCount = new Map<string, number>();
    for (const [id, v] of views) slotCount.set(id, v.slots);
    for (const s of deps.simulator?.slots() ?? []) slotCount.set(s.channel, Math.max(slotCount.get(s.channel) ?? 1, s.slot));
    for (const s of sims) slotCount.set(s.channel, Math.max(slotCount.get(s.channel) ?? 1, s.slot));
    const at = new Map<string, Sim>();
    for (const s of sims) {
      const key = `${s.channel}#${s.slot}`;
      const there = at.get(key);
      if (!there || s.seenAt > there.seenAt) at.set(key, s); // a SIM seen there later replaced an earlier one
    }
    const channels = [...slotCount.keys()].sort().map((id) => {
      const v = views.get(id);
      // A channel another process runs (it has the serial port): its picture as that process last stored it.
      const p = v ? undefined : stored.get(id);
      const slots: SlotPicture[] = [];
      for (let n = 1; n <= slotCount.get(id)!; n++) {
        const s = at.get(`${id}#${n}`);
        slots.push({
          slot: n,
          active: v ? v.slot === n : p ? p.slot === n : s?.online === true,
          sim: s ? {
            iccid: s.iccid, phone: s.phone, operator: s.operator, country: s.country, online: s.online, standby: s.standby === true,
            busy: busy.has(s.iccid), moving: moving.get(s.iccid) ?? null,
          } : null,
        });
      }
      return {
        id, host: v?.host ?? null, state: v?.state ?? p?.state ?? 'simulated', activeSlot: v?.slot ?? p?.slot ?? null,
        operator: v?.operator ?? p?.operator ?? null, registered: v?.registered ?? p?.registered ?? null,
        signalDbm: v?.signalDbm ?? p?.signalDbm ?? null, lastError: v?.lastError ?? p?.lastError ?? null,
        elsewhere: !v && p !== undefined, slots,
      };
    });
    ctx.body = { channels, pendingMoves: pending.length, simulated: deps.simulator !== undefined };
  });

  return router;
}
