import type {
  RentExtendResult, RentExtension, RentOrder, RentPriceRow, RentQuery, RentRecord, RentRefund, RentResult, RentUpdate, SimFilter,
} from '../../../actors/index.ts';
import { rentCost, StoreError } from '../../../actors/index.ts';
import type { Accounts } from './accounts.ts';
import { rentHoldId, type Allocation } from './allocation.ts';
import { IdSequence, insertOnce } from './ids.ts';
import type { Models } from './models.ts';
import { outboxFields, type EventOutbox } from './outbox.ts';
import { FarmPicture } from './picture.ts';
import type { SimDoc } from './records.ts';

interface RentDoc {
  _id: number; accountId: number; iccid: string; phone: string; country: string; operator: string; service: string;
  dialect: RentRecord['dialect']; price: number; hours: number; createdAt: number; endsAt: number; live: boolean;
  pending?: boolean; openedAt: number;
}
interface RentVersionDoc {
  _id: string; rentId: number; version: number; state: RentRecord['state']; live: boolean; messages: RentRecord['messages'];
  snapshot: string | null; void?: boolean;
}
interface ExtensionDoc { _id: string; rentId: number; n: number; hours: number; addMs: number; price: number; charged: boolean }

const versionId = (rentId: number, version: number) => `${rentId}:${version}`;

/**
 * Rents, made as activations are (see Activations): the SIM is held by
 * inserting `r:<iccid>`, version 0 written last makes the rent, its versions
 * are compare-and-set inserts. An extension claims its number `<id>:<n>` by
 * inserting it, then is charged under `rent-extend:<id>:<n>`.
 */
export class Rents {
  readonly #m: Models;
  readonly #accounts: Accounts;
  readonly #allocation: Allocation;
  readonly #ids: IdSequence;
  readonly #events: EventOutbox;

  constructor(m: Models, accounts: Accounts, allocation: Allocation, events: EventOutbox) {
    this.#m = m;
    this.#accounts = accounts;
    this.#allocation = allocation;
    this.#events = events;
    this.#ids = new IdSequence(m.rents);
  }

  async prices(): Promise<RentPriceRow[]> {
    return (await this.#m.rentPrices.find({}).sort({ _id: 1 }).lean<{ _id: string; price: number }[]>())
      .map((p) => ({ country: p._id, price: p.price }));
  }

  async rentable(filter: SimFilter): Promise<number> {
    return (await this.#candidates(filter)).sims.length;
  }

  async open(order: RentOrder): Promise<RentResult> {
    const { sims, day } = await this.#candidates(order.filter);
    const balance = (await this.#accounts.exists(order.accountId)) ? await this.#accounts.balance(order.accountId) : -1;
    let id: number | undefined;
    for (const [i, sim] of sims.entries()) {
      const price = rentCost(day.get(sim.country)!, order.hours);
      if (i === 0 && price > balance) return { ok: false, code: 'noBalance' };
      id ??= await this.#reserve(order);
      if (!(await this.#claim(sim, id))) continue;
      await this.#m.rents.updateOne({ _id: id }, { $set: {
        iccid: sim._id, phone: sim.phone, country: sim.country, operator: sim.operator, price,
      } });
      if (price > 0) {
        const charged = await this.#accounts.move({
          accountId: order.accountId, amount: -price, reason: 'charge', ref: `rent:${id}`, key: `rent:${id}`, at: order.createdAt,
        });
        if (!charged.ok) {
          await this.#undo(id);
          return { ok: false, code: 'noBalance' };
        }
      }
      const made: RentRecord = {
        id, accountId: order.accountId, iccid: sim._id, phone: sim.phone, country: sim.country, operator: sim.operator,
        service: order.service, dialect: order.dialect, price, hours: order.hours, extensions: 0, createdAt: order.createdAt,
        endsAt: order.endsAt, state: 'renting', live: true, messages: [], snapshot: null, version: 0,
      };
      const events = order.announce?.(made) ?? [];
      const v0 = {
        _id: versionId(id, 0), rentId: id, version: 0, state: 'renting', live: true, messages: [], snapshot: null, at: order.createdAt,
        ...outboxFields(events),
      };
      if (!(await insertOnce(this.#m.rentVersions, v0))) {
        await this.#undo(id);
        throw new StoreError('STORE_UNAVAILABLE', `rent ${id} was voided while it was being made`);
      }
      await this.#m.rents.updateOne({ _id: id }, { $unset: { pending: 1 } });
      await this.#events.relay('rent', v0._id, events);
      return { ok: true, rent: made };
    }
    if (id !== undefined) await this.#void(id);
    return { ok: false, code: 'noNumbers' };
  }

  async extend(x: RentExtension): Promise<RentExtendResult> {
    const found = await this.get(x.rentId);
    if (!found || found.accountId !== x.accountId) return { ok: false, code: 'noRent' };
    // Only while renting: a rent being cancelled has its refund decided (another process may still think it renting).
    if (!found.live || found.state !== 'renting' || x.at >= found.endsAt) return { ok: false, code: 'ended' };
    const day = await this.#m.rentPrices.findById(found.country).lean<{ price: number }>();
    if (!day) return { ok: false, code: 'noPrice' };
    const price = rentCost(day.price, x.hours);
    for (;;) {
      const last = await this.#m.rentExtensions.findOne({ rentId: x.rentId }).sort({ n: -1 }).lean<ExtensionDoc>();
      const n = (last?.n ?? 0) + 1;
      const claimed = await insertOnce(this.#m.rentExtensions, {
        _id: `${x.rentId}:${n}`, rentId: x.rentId, n, hours: x.hours, addMs: x.addMs, price, charged: false, at: x.at,
      });
      if (!claimed) continue; // another extension took n: the next one
      if (price > 0) {
        const charged = await this.#accounts.move({
          accountId: x.accountId, amount: -price, reason: 'charge', ref: `rent:${x.rentId}`, key: `rent-extend:${x.rentId}:${n}`, at: x.at,
        });
        if (!charged.ok) {
          await this.#m.rentExtensions.deleteOne({ _id: `${x.rentId}:${n}` });
          return { ok: false, code: 'noBalance' };
        }
      }
      await this.#m.rentExtensions.updateOne({ _id: `${x.rentId}:${n}` }, { $set: { charged: true } });
      return { ok: true, rent: (await this.get(x.rentId))!, charged: price };
    }
  }

  async save(id: number, u: RentUpdate, expected: number): Promise<number> {
    const conflict = () => new StoreError('STORE_CONFLICT', `rent ${id} is not at version ${expected}`);
    const current = await this.#m.rentVersions.findById(versionId(id, expected), { void: 1 }).lean<{ void?: boolean }>();
    if (!current || current.void) throw conflict();
    // An end is refused once an extension moved it later: an actor that had not heard of it conflicts instead.
    if (u.state === 'expired' && ((await this.get(id))?.endsAt ?? 0) > u.at) throw conflict();
    const events = u.events ?? [];
    const next = {
      _id: versionId(id, expected + 1), rentId: id, version: expected + 1, state: u.state, live: u.live, messages: u.messages,
      snapshot: JSON.stringify(u.snapshot), at: u.at, ...outboxFields(events),
    };
    if (!(await insertOnce(this.#m.rentVersions, next))) throw conflict();
    await this.#m.rentVersions.updateOne({ _id: versionId(id, expected) }, { $set: { snapshot: null, messages: [] } });
    if (!u.live) await this.#end(id);
    await this.#events.relay('rent', next._id, events);
    return expected + 1;
  }

  async refund(r: RentRefund) {
    if (r.amount <= 0) return;
    const done = await this.#accounts.move({
      accountId: r.accountId, amount: r.amount, reason: 'refund', ref: `rent:${r.rentId}`, key: `rent-refund:${r.rentId}`, at: r.at,
    });
    if (!done.ok) throw new StoreError('STORE_CORRUPT', `rent ${r.rentId} refund refused: ${done.code}`);
  }

  async get(id: number): Promise<RentRecord | undefined> {
    const doc = await this.#m.rents.findById(id).lean<RentDoc>();
    return doc ? (await this.#join([doc]))[0] : undefined;
  }

  async live(iccid?: string): Promise<RentRecord[]> {
    const docs = await this.#m.rents.find({ live: true, ...(iccid === undefined ? {} : { iccid }) }).sort({ _id: 1 }).lean<RentDoc[]>();
    return (await this.#join(docs)).filter((r) => r.live);
  }

  async list(query: RentQuery): Promise<RentRecord[]> {
    const filter: Record<string, unknown> = {};
    if (query.accountId !== undefined) filter.accountId = query.accountId;
    if (query.live === true) filter.live = true;
    const out: RentRecord[] = [];
    for (let below = Infinity; out.length < query.limit;) {
      const docs = await this.#m.rents.find(below === Infinity ? filter : { ...filter, _id: { $lt: below } })
        .sort({ _id: -1 }).limit(query.limit + 8).lean<RentDoc[]>();
      if (docs.length === 0) break;
      const found = (await this.#join(docs)).filter((r) => query.live === undefined || r.live === query.live);
      out.push(...found.slice(0, query.limit - out.length));
      below = docs[docs.length - 1]!._id;
    }
    return out;
  }

  /** Voids rents a crash left half made, and frees SIMs still held by rents that ended. */
  async reconcile(now: number, graceMs: number) {
    const stale = await this.#m.rents.find({ pending: true, openedAt: { $lt: now - graceMs } }).lean<RentDoc[]>();
    for (const d of stale) {
      // Pending until all is given back, so a reconciler killed in between finishes the next time (as for orders).
      const won = await this.#voidVersion(d._id);
      if (won || (await this.#m.rentVersions.exists({ _id: versionId(d._id, 0), void: true })) !== null) {
        await this.#giveBack(d._id);
        await this.#m.rents.updateOne({ _id: d._id }, { $set: { live: false }, $unset: { pending: 1 } });
      } else {
        await this.#m.rents.updateOne({ _id: d._id }, { $unset: { pending: 1 } });
      }
    }
    const holds = await this.#m.claims.find({ kind: 'rent' }).lean<{ rentId: number }[]>();
    for (const r of await this.#join(await this.#m.rents.find({ _id: { $in: holds.map((h) => h.rentId) } }).lean<RentDoc[]>())) {
      if (!r.live) await this.#end(r.id);
    }
  }

  /** SIMs a rent could take now under a filter (active slots first), and the day prices. */
  async #candidates(filter: SimFilter) {
    const day = new Map((await this.prices()).filter((p) => !filter.country || p.country === filter.country).map((p) => [p.country, p.price]));
    const picture = await FarmPicture.read(this.#m, filter);
    const sims = picture.rentable(new Set(day.keys())).sort((a, b) => Number(!a.online) - Number(!b.online) || a.seq - b.seq);
    return { sims, day };
  }

  /** Holds the SIM for the rent, then checks what the insert cannot: an activation's hold, the channel rule. */
  async #claim(sim: SimDoc, rentId: number): Promise<boolean> {
    const hold = { _id: rentHoldId(sim._id), kind: 'rent', iccid: sim._id, service: '*', rentId, viaStandby: !sim.online, at: Date.now() };
    if (!(await insertOnce(this.#m.claims, hold))) return false;
    const activationHolds = await this.#m.claims.exists({ kind: 'hold', iccid: sim._id });
    if (activationHolds || (await this.#allocation.channelRefuses(sim))) {
      await this.#m.claims.deleteOne({ _id: hold._id, rentId });
      return false;
    }
    return true;
  }

  #reserve(order: RentOrder): Promise<number> {
    return this.#ids.insert((id) => ({
      _id: id, accountId: order.accountId, iccid: '', phone: '', country: '', operator: '', service: order.service,
      dialect: order.dialect, price: 0, hours: order.hours, createdAt: order.createdAt, endsAt: order.endsAt, live: true,
      pending: true, openedAt: Date.now(),
    }));
  }

  async #undo(id: number) {
    await this.#giveBack(id);
    await this.#void(id);
  }

  /** A rent that was never made: its SIM's hold and its charge go back. */
  async #giveBack(id: number) {
    await this.#m.claims.deleteMany({ kind: 'rent', rentId: id });
    const charge = await this.#m.ledger.findOne({ key: `rent:${id}` }, { accountId: 1, amount: 1 }).lean<{ accountId: number; amount: number }>();
    if (charge) {
      await this.#accounts.move({
        accountId: charge.accountId, amount: -charge.amount, reason: 'refund', ref: `rent:${id}`, key: `rent-refund:${id}`, at: Date.now(),
      });
    }
  }

  async #void(id: number): Promise<boolean> {
    const won = await this.#voidVersion(id);
    if (won) await this.#m.rents.updateOne({ _id: id }, { $set: { live: false }, $unset: { pending: 1 } });
    return won;
  }

  /** Writes version 0 as void; false when a version 0 (made, or void) is there already. */
  #voidVersion(id: number): Promise<boolean> {
    return insertOnce(this.#m.rentVersions, { _id: versionId(id, 0), rentId: id, version: 0, state: 'cancelled', live: false, void: true });
  }

  /** The rent ended: its SIM is free again. */
  async #end(id: number) {
    await this.#m.claims.deleteMany({ kind: 'rent', rentId: id });
    await this.#m.rents.updateOne({ _id: id }, { $set: { live: false } });
  }

  async #join(docs: RentDoc[]): Promise<RentRecord[]> {
    if (docs.length === 0) return [];
    const ids = docs.map((d) => d._id);
    const [versions, extensions] = await Promise.all([
      this.#m.rentVersions.find({ rentId: { $in: ids } }).lean<RentVersionDoc[]>(),
      this.#m.rentExtensions.find({ rentId: { $in: ids }, charged: true }).lean<ExtensionDoc[]>(),
    ]);
    const newest = new Map<number, RentVersionDoc>();
    for (const v of versions) if ((newest.get(v.rentId)?.version ?? -1) < v.version) newest.set(v.rentId, v);
    return docs.flatMap((d) => {
      const v = newest.get(d._id);
      if (!v || v.void) return [];
      const ext = extensions.filter((e) => e.rentId === d._id);
      const sum = (f: (e: ExtensionDoc) => number) => ext.reduce((n, e) => n + f(e), 0);
      return [{
        id: d._id, accountId: d.accountId, iccid: d.iccid, phone: d.phone, country: d.country, operator: d.operator,
        service: d.service, dialect: d.dialect, price: d.price + sum((e) => e.price), hours: d.hours + sum((e) => e.hours),
        extensions: ext.length, createdAt: d.createdAt, endsAt: d.endsAt + sum((e) => e.addMs), state: v.state, live: v.live,
        messages: v.messages ?? [], snapshot: v.snapshot === null || v.snapshot === undefined ? null : JSON.parse(v.snapshot),
        version: v.version,
      }];
    });
  }
}
