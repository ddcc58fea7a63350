import type { FarmListener } from '../../modems/index.ts';
import type { Inbox } from '../inbox/index.ts';
import type { Clock, Log } from '../log.ts';
import type { Store } from '../store.ts';
import type { FarmNewsListener } from './news.ts';

/**
 * Turns what the modem farm reports into the SIM inventory and the inbox. The
 * ICCID is a SIM's identity: a SIM seen in a new slot is the same SIM, moved.
 */
export function inventory(deps: { store: Store; inbox: Inbox; clock: Clock; log: Log; news?: FarmNewsListener }): FarmListener {
  const { store, inbox, clock, log } = deps;
  const news = deps.news ?? (() => {});
  return async (event) => {
    switch (event.type) {
      case 'sim.present': {
        const { sim, channel, slot } = event;
        await store.upsertSim({ ...sim, channel, slot, online: true, at: clock.now() });
        // A SIM an operator moved is where it was asked to be: the move is done.
        const moved = await store.completeMoves(sim.iccid, channel, slot, clock.now());
        news({ type: 'sim.changed', iccid: sim.iccid, change: moved > 0 ? 'moved' : 'online' });
        return;
      }
      case 'sim.absent':
        await store.setSimOnline(event.iccid, false, clock.now());
        news({ type: 'sim.changed', iccid: event.iccid, change: 'offline' });
        log.info({ iccid: event.iccid, channel: event.channel, slot: event.slot }, 'sim gone from its slot');
        return;
      case 'sms.received':
        await inbox.receive(event.sms);
        return;
    }
  };
}
