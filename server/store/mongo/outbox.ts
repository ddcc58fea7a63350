import type { Model } from 'mongoose';
import type { LiveEvent, NewLiveEvent } from '../../../actors/index.ts';
import type { EventLog } from './events.ts';
import { insertOnce } from './ids.ts';
import type { Models } from './models.ts';

/** The fields a version document carries for its events until they are in the log. */
export function outboxFields(events: readonly NewLiveEvent[]): { events?: string; relay?: true } {
  return events.length === 0 ? {} : { events: JSON.stringify(events), relay: true };
}

type Kind = 'activation' | 'rent';

interface Leftover {
  _id: string;
  events: string;
}

/**
 * Events written with the change they tell of. With no transaction to put a
 * version and its events in the log together, the version document carries
 * them (one insert: both or neither) and they are relayed to the log at once.
 * A crash in between leaves the version marked `relay`: `relayLeftovers`
 * appends what is missing, each event under its source key `<kind>:<version>#<n>`
 * so none goes in twice, and one process per minute takes each version.
 */
export class EventOutbox {
  readonly #m: Models;
  readonly #log: EventLog;
  readonly #announce: (events: LiveEvent[]) => void;

  constructor(m: Models, log: EventLog, announce: (events: LiveEvent[]) => void) {
    this.#m = m;
    this.#log = log;
    this.#announce = announce;
  }

  /** Right after the version `versionId` of an activation or a rent was inserted by this process: its events into the log. */
  async relay(of: Kind, versionId: string, events: readonly NewLiveEvent[]) {
    if (events.length === 0) return;
    const stored = await this.#log.appendMany(events, events.map((_, i) => `${of}:${versionId}#${i}`));
    await this.#versions(of).updateOne({ _id: versionId }, { $unset: { relay: 1, events: 1 } });
    this.#announce(stored);
  }

  /** Versions whose writer stopped before relaying their events (older than `graceMs`): relays them now. */
  async relayLeftovers(now: number, graceMs: number): Promise<number> {
    let relayed = 0;
    for (const of of ['activation', 'rent'] as const) relayed += await this.#leftovers(of, now, graceMs);
    return relayed;
  }

  #versions(of: Kind): Model<any> {
    return of === 'activation' ? this.#m.versions : this.#m.rentVersions;
  }

  async #leftovers(of: Kind, now: number, graceMs: number): Promise<number> {
    const left = await this.#versions(of).find({ relay: true, at: { $lt: now - graceMs } }, { events: 1 }).lean<Leftover[]>();
    let relayed = 0;
    for (const v of left) {
      if (!(await insertOnce(this.#m.relayTurns, { _id: `${of}:${v._id}@${Math.floor(now / 60_000)}`, at: now }))) continue;
      const events = JSON.parse(v.events) as NewLiveEvent[];
      const missing: { event: NewLiveEvent; source: string }[] = [];
      for (const [i, event] of events.entries()) {
        const source = `${of}:${v._id}#${i}`;
        if (!(await this.#m.events.exists({ source }))) missing.push({ event, source });
      }
      const stored = await this.#log.appendMany(missing.map((m) => m.event), missing.map((m) => m.source));
      await this.#versions(of).updateOne({ _id: v._id }, { $unset: { relay: 1, events: 1 } });
      this.#announce(stored);
      relayed += stored.length;
    }
    return relayed;
  }
}
