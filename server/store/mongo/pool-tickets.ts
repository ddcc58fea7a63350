import { Schema, type Connection } from 'mongoose';
import type { PoolTicket, PoolTicketChange, PoolTicketMark } from '../../../actors/index.ts';
import { insertOnce } from './ids.ts';
import type { Models } from './models.ts';
import { plain } from './plain.ts';

/**
 * sms-reg's waiting orders, one document per version of a ticket (`<tzid>:<v>`), each the whole ticket: a
 * change is the insert of the next version, which of several processes only one lands (updates are not
 * atomic on FerretDB, see models.ts). Versions of a ticket that may still change are never deleted, so a
 * writer that read an old one can never insert a version that was there before.
 */
const poolTicket = new Schema({
  _id: String,
  tzid: { type: Number, required: true },
  v: { type: Number, required: true },
  accountId: Number,
  service: String,
  filter: Schema.Types.Mixed,
  createdAt: { type: Number, required: true },
  until: Number,
  state: String,
  activationId: { type: Number, default: null },
  triedAt: Number,
  leaseUntil: Number,
  /** Version 0 of an old filled ticket, holding its final state: its other versions are gone. */
  compact: { type: Boolean, default: undefined },
}, plain);
poolTicket.index({ tzid: 1, v: -1 });
poolTicket.index({ v: 1, createdAt: 1 });

export function poolTicketModels(conn: Connection) {
  return { poolTickets: conn.model('PoolTicket', poolTicket, 'poolTickets') };
}

type TicketDoc = PoolTicket & { _id: string; v: number; compact?: boolean };

const ticket = ({ _id, v, compact, ...t }: TicketDoc): PoolTicket => ({ ...t, filter: t.filter ?? {}, activationId: t.activationId ?? null });
const matches = (t: PoolTicket, m: PoolTicketMark) => t.state === m.state && t.triedAt === m.triedAt && t.leaseUntil === m.leaseUntil;

export class PoolTickets {
  readonly #m: Models;

  constructor(m: Models) {
    this.#m = m;
  }

  insert(t: PoolTicket): Promise<boolean> {
    return insertOnce(this.#m.poolTickets, { ...t, _id: `${t.tzid}:0`, v: 0 });
  }

  async get(tzid: number): Promise<PoolTicket | undefined> {
    const newest = await this.#newest(tzid);
    return newest ? ticket(newest) : undefined;
  }

  async update(tzid: number, expected: PoolTicketMark, change: PoolTicketChange): Promise<boolean> {
    const newest = await this.#newest(tzid);
    if (!newest || !matches(newest, expected)) return false;
    const v = newest.v + 1;
    return insertOnce(this.#m.poolTickets, { ...newest, ...change, _id: `${tzid}:${v}`, v });
  }

  /**
   * Tickets are pruned once they are old (no process changes them any more): one never filled goes whole,
   * version 0 last, so that while any version is there its tzid stays taken; a filled one is compacted
   * into version 0 (written by `update` alone, as every pruner writes the same) and keeps its tzid.
   */
  async prune(before: number): Promise<number> {
    const old = await this.#m.poolTickets.find({ v: 0, createdAt: { $lt: before }, compact: { $ne: true } }, { tzid: 1 })
      .lean<{ tzid: number }[]>();
    let gone = 0;
    for (const { tzid } of old) {
      const newest = await this.#newest(tzid);
      if (newest?.state === 'filled') {
        const { _id, v, ...fields } = newest;
        await this.#m.poolTickets.updateOne({ _id: `${tzid}:0` }, { $set: { ...fields, compact: true } });
        await this.#m.poolTickets.deleteMany({ tzid, v: { $gt: 0 } });
      } else {
        await this.#m.poolTickets.deleteMany({ tzid, v: { $gt: 0 } });
        gone += (await this.#m.poolTickets.deleteOne({ _id: `${tzid}:0` })).deletedCount;
      }
    }
    return gone;
  }

  #newest(tzid: number): Promise<TicketDoc | null> {
    return this.#m.poolTickets.findOne({ tzid }).sort({ v: -1 }).lean<TicketDoc>();
  }
}
