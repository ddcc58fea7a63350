import { Schema, type Connection } from 'mongoose';
import type { PoolTicket, PoolTicketChange, PoolTicketMark } from '../../../actors/index.ts';
import { insertOnce } from './ids.ts';
import type { Models } from './models.ts';
import { plain } from './plain.ts';

/**
 * sms-reg's waiting orders, one document per version of a ticket (`<tzid>:<v>`), each the whole ticket: a
 * change is the insert of the next version, which of several processes only one lands (updates are not
 * atomic on FerretDB, see models.ts). Versions are never deleted one by one, so a writer that read an old
 * one can never insert a version that was there before; a ticket goes whole, with all its versions, when pruned.
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
}, plain);
poolTicket.index({ tzid: 1, v: -1 });
poolTicket.index({ createdAt: 1 });

export function poolTicketModels(conn: Connection) {
  return { poolTickets: conn.model('PoolTicket', poolTicket, 'poolTickets') };
}

type TicketDoc = PoolTicket & { _id: string; v: number };

const ticket = ({ _id, v, ...t }: TicketDoc): PoolTicket => ({ ...t, filter: t.filter ?? {}, activationId: t.activationId ?? null });
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

  async prune(before: number): Promise<number> {
    // Version 0 goes last: while it is there its tzid stays taken, so a new ticket never lands among old versions.
    await this.#m.poolTickets.deleteMany({ createdAt: { $lt: before }, v: { $gt: 0 } });
    const gone = await this.#m.poolTickets.deleteMany({ createdAt: { $lt: before }, v: 0 });
    return gone.deletedCount;
  }

  #newest(tzid: number): Promise<TicketDoc | null> {
    return this.#m.poolTickets.findOne({ tzid }).sort({ v: -1 }).lean<TicketDoc>();
  }
}
