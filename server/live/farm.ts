import type { Clock, FarmNews, Log, NewLiveEvent, Sim, Store } from '../../actors/index.ts';
import type { Journal } from './journal.ts';

/**
 * Writes the farm's news into the event log for the operators' topics:
 * `channel.changed` (topic `channels`), `sim.changed` (`sims`) and the raw
 * `sms.received` feed (`sms`). News is handled in the order it came (a SIM's
 * picture is read from the store first), and a SIM whose picture did not
 * change since its last event gets no new one.
 */
export class FarmJournal {
  readonly #journal: Journal;
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #log: Log;
  #chain: Promise<void> = Promise.resolve();
  /** The newest event handed to the journal: stored once this resolves, and every earlier one with it. */
  #recorded: Promise<void> = Promise.resolve();
  /** iccid → the picture its last event showed (this process's view; another process's events are not known here). */
  readonly #lastSim = new Map<string, string>();

  constructor(deps: { journal: Journal; store: Store; clock: Clock; log: Log }) {
    this.#journal = deps.journal;
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#log = deps.log;
  }

  /** The listener the channel supervisor, the inventory, the inbox and the SIM-move route are given. */
  readonly tell = (news: FarmNews): void => {
    this.#chain = this.#chain.then(async () => {
      try {
        const event = await this.#event(news);
        if (event) this.#recorded = this.#journal.record(event);
      } catch (err) {
        this.#log.warn({ err, type: news.type }, 'farm news not recorded');
      }
    });
  };

  /** Resolves once the news so far is in the event log (or was refused by it, which the journal logs). */
  async settled(): Promise<void> {
    await this.#chain;
    await this.#recorded;
  }

  async #event(news: FarmNews): Promise<NewLiveEvent | undefined> {
    const at = this.#clock.now();
    switch (news.type) {
      case 'channel.changed':
        return channelEvent(news.channel, at);
      case 'sms.stored':
        return smsEvent(news, at);
      case 'sim.changed': {
        const sim = await this.#store.simByIccid(news.iccid);
        if (!sim) return undefined;
        const event = simEvent(sim, news, at);
        const picture = JSON.stringify(simPicture(sim));
        const discrete = news.change === 'moved' || news.change === 'moveRequested';
        if (!discrete && this.#lastSim.get(sim.iccid) === picture) return undefined;
        this.#lastSim.set(sim.iccid, picture);
        return event;
      }
    }
  }
}

/** A channel's picture as operators see it (`channel`, not `id`: the event's own id is the log's). */
export function channelEvent(c: Extract<FarmNews, { type: 'channel.changed' }>['channel'], at: number): NewLiveEvent {
  return {
    at, topic: 'channel', type: 'channel.changed', accountId: null,
    data: {
      channel: c.id, state: c.state, slot: c.slot, iccid: c.iccid, phone: c.phone, operator: c.operator,
      registered: c.registered, signalDbm: c.signalDbm, lastError: c.lastError,
    },
  };
}

/** A SIM's place and state now, and what changed (`online`, `standby`, `offline`, `moveRequested`, `moved`). */
export function simEvent(sim: Sim, news: Extract<FarmNews, { type: 'sim.changed' }>, at: number): NewLiveEvent {
  const m = news.move;
  return {
    at, topic: 'sim', type: 'sim.changed', accountId: null,
    data: {
      change: news.change, ...simPicture(sim),
      ...(m ? { move: { id: m.id, from: m.from, to: m.to, doneAt: m.doneAt === null ? null : new Date(m.doneAt).toISOString() } } : {}),
    },
  };
}

function simPicture(sim: Sim) {
  return {
    iccid: sim.iccid, phone: sim.phone, operator: sim.operator, country: sim.country, channel: sim.channel, slot: sim.slot,
    online: sim.online, standby: sim.standby === true,
  };
}

/** The raw feed: every SMS stored, with the activations and rents that took it. */
export function smsEvent(news: Extract<FarmNews, { type: 'sms.stored' }>, at: number): NewLiveEvent {
  const s = news.sms;
  return {
    at, topic: 'sms', type: 'sms.received', accountId: null,
    data: {
      smsId: s.id, from: s.sender, text: s.text, iccid: s.iccid, phone: s.phone, receivedAt: new Date(s.receivedAt).toISOString(),
      activationIds: s.activationIds, rentIds: news.rentIds,
    },
  };
}
