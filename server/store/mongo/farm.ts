import type { ChannelRecord, NewSimMove, Sim, SimMove, SimSighting } from '../../../actors/index.ts';
import { IdSequence, isDuplicate, put } from './ids.ts';
import type { Models } from './models.ts';
import * as records from './records.ts';
import type { ChannelDoc, MoveDoc, SimDoc } from './records.ts';

/**
 * SIMs, modem channels and SIM moves: what the hardware says. Each SIM and
 * channel is written by the process whose modem sees it, so the last write wins.
 */
export class Farm {
  readonly #m: Models;
  readonly #moveIds: IdSequence;
  readonly #simSeqs: IdSequence;

  constructor(m: Models) {
    this.#m = m;
    this.#moveIds = new IdSequence(m.moves);
    // A SIM's seq, given once at its first sighting, orders the allocation's walk. Kept in its own sequence
    // collection so the insert of the number is what makes it unique.
    this.#simSeqs = new IdSequence(m.simSeqs);
  }

  async upsertSim(s: SimSighting): Promise<Sim> {
    const fields = {
      imsi: s.imsi, phone: s.phone, country: s.country, operator: s.operator, channel: s.channel, slot: s.slot,
      canForward: s.canForward, online: s.online, standby: !s.online && !!s.standby, seenAt: s.at,
    };
    for (;;) {
      const updated = await this.#m.sims.updateOne({ _id: s.iccid }, { $set: fields });
      if (updated.matchedCount === 1) break;
      const seq = await this.#simSeqs.insert((id) => ({ _id: id, iccid: s.iccid }));
      try {
        await this.#m.sims.collection.insertOne({ _id: s.iccid, seq, ...fields } as never);
        break;
      } catch (err) {
        if (!isDuplicate(err)) throw err; // seen at the same moment by another call: update it
      }
    }
    return (await this.simByIccid(s.iccid))!;
  }

  async setPhone(iccid: string, phone: string): Promise<boolean> {
    return (await this.#m.sims.updateOne({ _id: iccid }, { $set: { phone } })).matchedCount === 1;
  }
  async setOnline(iccid: string, online: boolean, at: number) {
    await this.#m.sims.updateOne({ _id: iccid }, { $set: { online, standby: false, seenAt: at } });
  }
  async setStandby(iccid: string, at: number) {
    await this.#m.sims.updateOne({ _id: iccid }, { $set: { online: false, standby: true, seenAt: at } });
  }

  async sims(): Promise<Sim[]> {
    const [docs, uses] = await Promise.all([
      this.#m.sims.find({}).sort({ channel: 1, slot: 1 }).lean<SimDoc[]>(),
      this.#m.claims.find({ kind: 'use' }, { iccid: 1, service: 1 }).lean<{ iccid: string; service: string }[]>(),
    ]);
    const usedFor = new Map<string, string[]>();
    for (const u of uses) usedFor.set(u.iccid, [...(usedFor.get(u.iccid) ?? []), u.service]);
    return docs.map((d) => records.sim(d, usedFor.get(d._id) ?? []));
  }
  async simByPhone(phone: string): Promise<Sim | undefined> {
    return this.#withUses(await this.#m.sims.findOne({ phone }).sort({ seenAt: -1 }).lean<SimDoc>());
  }
  async simByIccid(iccid: string): Promise<Sim | undefined> {
    return this.#withUses(await this.#m.sims.findById(iccid).lean<SimDoc>());
  }

  async recordMove(m: NewSimMove): Promise<SimMove> {
    const id = await this.#moveIds.insert((id) => ({
      _id: id, iccid: m.iccid, fromChannel: m.from.channel, fromSlot: m.from.slot, toChannel: m.to.channel, toSlot: m.to.slot,
      requestedBy: m.requestedBy, at: m.at, doneAt: null,
    }));
    return { ...m, id, doneAt: null };
  }
  async completeMoves(iccid: string, channel: string, slot: number, at: number): Promise<number> {
    const done = await this.#m.moves.updateMany({ iccid, toChannel: channel, toSlot: slot, doneAt: null }, { $set: { doneAt: at } });
    return done.modifiedCount;
  }
  async moves(query: { pending?: boolean; limit: number }): Promise<SimMove[]> {
    const docs = await this.#m.moves.find(query.pending ? { doneAt: null } : {}).sort({ _id: -1 }).limit(query.limit).lean<MoveDoc[]>();
    return docs.map(records.move);
  }

  async saveChannel(c: ChannelRecord) {
    const { id, ...fields } = c;
    await put(this.#m.channels, id, fields);
  }
  async channels(): Promise<ChannelRecord[]> {
    return (await this.#m.channels.find({}).sort({ _id: 1 }).lean<ChannelDoc[]>()).map(records.channel);
  }

  async #withUses(d: SimDoc | null): Promise<Sim | undefined> {
    if (!d) return undefined;
    const uses = await this.#m.claims.find({ iccid: d._id, kind: 'use' }, { service: 1 }).lean<{ service: string }[]>();
    return records.sim(d, uses.map((u) => u.service));
  }
}
