import type {
  ActivationFilter, ActivationOrder, ActivationQuery, ActivationRecord, ActivationUpdate, OrderResult, Settlement,
} from '../../../actors/index.ts';
import { isSettling, StoreError } from '../../../actors/index.ts';
import type { Accounts } from './accounts.ts';
import { Allocation, type Pick } from './allocation.ts';
import { IdSequence, insertOnce } from './ids.ts';
import { outboxFields, type EventOutbox } from './outbox.ts';
import type { Models } from './models.ts';
import type { Partners } from './partners.ts';
import * as records from './records.ts';
import type { ActivationDoc, VersionDoc } from './records.ts';

const versionId = (activationId: number, version: number) => `${activationId}:${version}`;

/**
 * Activations: the order (reserve an id, claim a SIM, charge, write version 0),
 * versioned snapshots, and the settlement. No step needs a transaction: an
 * order exists once its version 0 does, so a crash halfway leaves a pending
 * reservation that `reconcile` voids (giving back its hold and its charge).
 */
export class Activations {
  readonly #m: Models;
  readonly #accounts: Accounts;
  readonly #partners: Partners;
  readonly #allocation: Allocation;
  readonly #ids: IdSequence;
  readonly #events: EventOutbox;

  constructor(m: Models, accounts: Accounts, partners: Partners, events: EventOutbox) {
    this.#m = m;
    this.#accounts = accounts;
    this.#partners = partners;
    this.#events = events;
    this.#allocation = new Allocation(m);
    this.#ids = new IdSequence(m.activations);
  }

  get allocation() {
    return this.#allocation;
  }

  async open(order: ActivationOrder): Promise<OrderResult> {
    const once = onceKey(order);
    if (once) {
      const done = await this.#byChainKey(once);
      if (done) return { ok: true, activation: done };
    }
    let id: number | undefined;
    const reserve = async () => (id = await this.#reserve(order));
    const exists = await this.#accounts.exists(order.accountId);
    const repeat = order.repeat;
    const pick = repeat
      ? await this.#allocation.claimRepeat({ ...order, repeat }, reserve)
      : await this.#allocation.claimFree(order, exists ? await this.#accounts.balance(order.accountId) : -1, reserve);
    if (typeof pick === 'string') {
      if (id !== undefined) await this.#void(id);
      // Two processes making the same count=N step: the one that lost the SIM answers with the other's.
      const done = pick === 'busy' && once && (await this.#byChainKey(once));
      return done ? { ok: true, activation: done } : { ok: false, code: pick };
    }
    if (!exists) {
      await this.#undo(id!);
      return { ok: false, code: 'noBalance' };
    }
    return this.#complete(id!, order, pick);
  }

  /** The order's SIM is held under `id`: fill in the order, charge it, and write version 0. */
  async #complete(id: number, order: ActivationOrder, pick: Pick): Promise<OrderResult> {
    const once = onceKey(order);
    const chainKey = once ?? `own:${id}`;
    try {
      await this.#m.activations.updateOne({ _id: id }, { $set: {
        iccid: pick.iccid, phone: pick.phone, country: pick.country, operator: pick.operator, price: pick.price, chainKey,
      } });
    } catch (err) {
      // Another process made this count=N step (or filled this pool ticket) first: answer with that one.
      await this.#undo(id);
      const done = once && (await this.#byChainKey(once));
      if (done) return { ok: true, activation: done };
      throw err;
    }
    if (order.referral) await this.#partners.refer(id, order.referral, pick.price, order.createdAt);
    if (pick.price > 0) {
      const charged = await this.#accounts.move({
        accountId: order.accountId, amount: -pick.price, reason: 'charge', ref: `activation:${id}`, key: `charge:${id}`, at: order.createdAt,
      });
      if (!charged.ok) {
        await this.#undo(id);
        return { ok: false, code: 'noBalance' };
      }
    }
    const made: ActivationRecord = {
      id, accountId: order.accountId, service: order.service, iccid: pick.iccid, phone: pick.phone, country: pick.country,
      operator: pick.operator, price: pick.price, forwarding: order.forwarding, dialect: order.dialect, createdAt: order.createdAt,
      expiresAt: order.expiresAt, remaining: order.remaining, repeatOf: order.repeat?.previousId ?? null, state: order.initialState,
      live: true, code: null, messages: [], nextId: null, snapshot: null, version: 0,
    };
    const events = order.announce?.(made) ?? [];
    const v0 = {
      _id: versionId(id, 0), activationId: id, version: 0, state: order.initialState, live: true, code: null, messages: [],
      nextId: null, snapshot: null, at: order.createdAt, ...outboxFields(events),
    };
    if (!(await insertOnce(this.#m.versions, v0))) {
      // The reconciler took this order for abandoned and voided it: give back what it may not have.
      await this.#undo(id);
      throw new StoreError('STORE_UNAVAILABLE', `order ${id} was voided while it was being made`);
    }
    await this.#m.activations.updateOne({ _id: id }, { $unset: { pending: 1 } });
    await this.#events.relay('activation', v0._id, events);
    return { ok: true, activation: made };
  }

  /** Writes version `expected + 1`, which only one writer can insert. */
  async save(id: number, u: ActivationUpdate, expected: number): Promise<number> {
    const current = await this.#m.versions.findById(versionId(id, expected), { void: 1 }).lean<{ void?: boolean }>();
    const conflict = () => new StoreError('STORE_CONFLICT', `activation ${id} is not at version ${expected}`);
    if (!current || current.void) throw conflict();
    const events = u.events ?? [];
    const next = {
      _id: versionId(id, expected + 1), activationId: id, version: expected + 1, state: u.state, live: u.live, code: u.code,
      messages: u.messages, nextId: u.nextId, snapshot: JSON.stringify(u.snapshot), at: u.at, ...outboxFields(events),
    };
    if (!(await insertOnce(this.#m.versions, next))) throw conflict();
    // The old version stays (its key is what refuses a stale writer) but sheds its weight.
    await this.#m.versions.updateOne({ _id: versionId(id, expected) }, { $set: { snapshot: null, messages: [] } });
    if (!u.live) await this.#m.activations.updateOne({ _id: id }, { $set: { live: false } });
    // A hint for `due`: a process stopping mid-settlement leaves it for another to finish.
    else if (isSettling(u.state)) await this.#m.activations.updateOne({ _id: id }, { $set: { settling: true } });
    await this.#events.relay('activation', next._id, events);
    return expected + 1;
  }

  /** Each step is idempotent on its own, so a settlement run twice (or resumed after a crash) changes nothing twice. */
  async settle(s: Settlement): Promise<void> {
    if (s.claim === 'used') await this.#allocation.spend(s.iccid, s.service, s.activationId, s.at);
    else await this.#allocation.release(s.iccid, s.service, s.activationId);
    if (s.refund > 0) {
      await this.#accounts.move({
        accountId: s.accountId, amount: s.refund, reason: 'refund', ref: `activation:${s.activationId}`,
        key: `refund:${s.activationId}`, at: s.at,
      });
    }
    if (s.blacklist) {
      await insertOnce(this.#m.blacklist, { _id: `${s.accountId}|${s.phone}`, accountId: s.accountId, phone: s.phone, at: s.at });
    }
    // The customer's charge stands (no refund): the partner whose software sold it earns its share, once.
    if (s.refund === 0) await this.#partners.pay(s.activationId, s.at);
  }

  /** The states of made activations, by id (orders never made are absent). */
  async states(ids: number[]): Promise<Map<number, ActivationRecord['state']>> {
    const docs = await this.#m.activations.find({ _id: { $in: ids } }).lean<ActivationDoc[]>();
    return new Map((await this.#join(docs)).map((a) => [a.id, a.state]));
  }

  async get(id: number): Promise<ActivationRecord | undefined> {
    const doc = await this.#m.activations.findById(id).lean<ActivationDoc>();
    return doc ? (await this.#join([doc]))[0] : undefined;
  }

  async live(iccid?: string): Promise<ActivationRecord[]> {
    const docs = await this.#m.activations.find({ live: true, ...(iccid === undefined ? {} : { iccid }) }).sort({ _id: 1 }).lean<ActivationDoc[]>();
    const found = await this.#join(docs);
    await this.#heal(found);
    return found.filter((a) => a.live);
  }

  /** Live past their deadline, or settling (by the `settling` hint, checked against the newest version). */
  async due(now: number): Promise<ActivationRecord[]> {
    const docs = await this.#m.activations.find({ live: true, $or: [{ expiresAt: { $lte: now } }, { settling: true }] })
      .sort({ _id: 1 }).lean<ActivationDoc[]>();
    const found = await this.#join(docs);
    await this.#heal(found);
    return found.filter((a) => a.live && (a.expiresAt <= now || isSettling(a.state)));
  }

  /**
   * Newest first. Without `live` a page is read as it stands (skip and limit on the server); with it, each
   * activation's newest version decides, as the `live` field is only a hint.
   */
  async list(query: ActivationQuery): Promise<ActivationRecord[]> {
    const filter = madeMatching(query);
    if (query.live === undefined) {
      const docs = await this.#m.activations.find(filter).sort({ _id: -1 }).skip(query.offset ?? 0).limit(query.limit).lean<ActivationDoc[]>();
      return this.#join(docs);
    }
    if (query.live) filter.live = true;
    return this.#page(filter, query.limit, (a) => a.live === query.live, query.offset);
  }

  /** Counted on the server, but live ones one by one (there are few): the `live` field is only a hint. */
  async count(f: ActivationFilter): Promise<number> {
    const filter = madeMatching(f);
    if (f.live === undefined) return this.#m.activations.countDocuments(filter);
    const live = (await this.#page({ ...filter, live: true }, Infinity, (a) => a.live)).length;
    return f.live ? live : (await this.#m.activations.countDocuments(filter)) - live;
  }

  async lastCoded(accountId: number, phone: string, service: string): Promise<ActivationRecord | undefined> {
    return (await this.#page({ accountId, phone, service }, 1, (a) => a.code !== null))[0];
  }

  /**
   * Voids orders a crash left half made (pending longer than `graceMs`): their
   * version 0 is written as void, so the order, if its process still runs,
   * finds it taken and gives back what it got; here the hold and any charge go back.
   */
  async reconcile(now: number, graceMs: number): Promise<number> {
    const stale = await this.#m.activations.find({ pending: true, openedAt: { $lt: now - graceMs } }).lean<ActivationDoc[]>();
    let voided = 0;
    for (const d of stale) {
      // It stays pending until all is given back: a reconciler killed after the void but before the refund
      // finds it again (its void then already written) and finishes. Found by test/faults/kill-loop.test.ts.
      const won = await this.#voidVersion(d._id);
      if (won || (await this.#m.versions.exists({ _id: versionId(d._id, 0), void: true })) !== null) {
        if (won) voided++;
        await this.#allocation.releaseAll(d._id);
        const charge = await this.#m.ledger.findOne({ key: `charge:${d._id}` }).lean<{ amount: number }>();
        if (charge) {
          await this.#accounts.move({
            accountId: d.accountId, amount: -charge.amount, reason: 'refund', ref: `activation:${d._id}`,
            key: `refund:${d._id}`, note: 'order left unfinished by a crash', at: now,
          });
        }
        await this.#m.activations.updateOne({ _id: d._id }, { $set: { live: false, voided: true, chainKey: `own:${d._id}` }, $unset: { pending: 1 } });
      } else {
        await this.#m.activations.updateOne({ _id: d._id }, { $unset: { pending: 1 } });
      }
    }
    return voided;
  }

  /** An id for the order: its activation document, pending until version 0 is written. */
  #reserve(order: ActivationOrder): Promise<number> {
    return this.#ids.insert((id) => ({
      _id: id, accountId: order.accountId, service: order.service, iccid: '', phone: '', country: '', operator: '',
      price: 0, forwarding: order.forwarding, dialect: order.dialect, createdAt: order.createdAt, expiresAt: order.expiresAt,
      remaining: order.remaining, repeatOf: order.repeat?.previousId ?? null, chainKey: `own:${id}`, live: true,
      pending: true, openedAt: Date.now(),
    }));
  }

  /** Gives back an unfinished order's hold and charge, and voids it. */
  async #undo(id: number) {
    await this.#allocation.releaseAll(id);
    const charge = await this.#m.ledger.findOne({ key: `charge:${id}` }, { accountId: 1, amount: 1 }).lean<{ accountId: number; amount: number }>();
    if (charge) {
      await this.#accounts.move({
        accountId: charge.accountId, amount: -charge.amount, reason: 'refund', ref: `activation:${id}`, key: `refund:${id}`, at: Date.now(),
      });
    }
    await this.#void(id);
  }

  /** Marks an order that was never made; false when its version 0 was written first. */
  async #void(id: number): Promise<boolean> {
    const won = await this.#voidVersion(id);
    if (won) await this.#m.activations.updateOne({ _id: id }, { $set: { live: false, voided: true, chainKey: `own:${id}` }, $unset: { pending: 1 } });
    return won;
  }

  /** Writes version 0 as void; false when a version 0 (made, or void) is there already. */
  #voidVersion(id: number): Promise<boolean> {
    return insertOnce(this.#m.versions, {
      _id: versionId(id, 0), activationId: id, version: 0, state: 'cancelled', live: false, void: true, at: Date.now(),
    });
  }

  /** The activation made for a pool ticket, if its order was made. */
  ofTicket(tzid: number): Promise<ActivationRecord | undefined> {
    return this.#byChainKey(`ticket:${tzid}`);
  }

  async #byChainKey(chainKey: string): Promise<ActivationRecord | undefined> {
    const doc = await this.#m.activations.findOne({ chainKey }).lean<ActivationDoc>();
    return doc ? (await this.#join([doc]))[0] : undefined;
  }

  /** Activations with their newest versions; orders not made (pending or void) are left out. */
  async #join(docs: ActivationDoc[]): Promise<ActivationRecord[]> {
    if (docs.length === 0) return [];
    const versions = await this.#m.versions.find({ activationId: { $in: docs.map((d) => d._id) } }).lean<VersionDoc[]>();
    const newest = new Map<number, VersionDoc>();
    for (const v of versions) {
      if ((newest.get(v.activationId)?.version ?? -1) < v.version) newest.set(v.activationId, v);
    }
    return docs.flatMap((d) => {
      const v = newest.get(d._id);
      return v && !v.void ? [records.activation(d, v)] : [];
    });
  }

  /** Newest first, in pages, keeping those `keep` accepts, the first `skip` of them skipped, up to `limit`. */
  async #page(filter: Record<string, unknown>, limit: number, keep: (a: ActivationRecord) => boolean, skip = 0): Promise<ActivationRecord[]> {
    const out: ActivationRecord[] = [];
    let skipped = 0;
    const size = Math.min(Math.max(limit + skip + 8, 16), 500);
    for (let below = Infinity; out.length < limit;) {
      const docs = await this.#m.activations.find(below === Infinity ? filter : { ...filter, _id: { $lt: below } })
        .sort({ _id: -1 }).limit(size).lean<ActivationDoc[]>();
      if (docs.length === 0) break;
      const found = await this.#join(docs);
      await this.#heal(found);
      const kept = found.filter(keep);
      const skipping = Math.min(skip - skipped, kept.length);
      skipped += skipping;
      out.push(...kept.slice(skipping, skipping + limit - out.length));
      below = docs[docs.length - 1]!._id;
    }
    return out;
  }

  /** Turns off the `live` hint of activations that ended (a crash between their last version and the hint). */
  async #heal(found: ActivationRecord[]) {
    const stale = found.filter((a) => !a.live).map((a) => a.id);
    if (stale.length) await this.#m.activations.updateMany({ _id: { $in: stale }, live: true }, { $set: { live: false } });
  }
}

/** The key that makes an order once only: a count=N order's next step, or a pool ticket's order. */
function onceKey(order: ActivationOrder): string | undefined {
  if (order.repeat?.chained) return `chain:${order.repeat.previousId}`;
  return order.ticket === undefined ? undefined : `ticket:${order.ticket}`;
}

/** Orders made (not half made, not voided) that match the filter's fixed fields. */
function madeMatching(f: ActivationFilter): Record<string, unknown> {
  const filter: Record<string, unknown> = { pending: { $ne: true }, voided: { $ne: true } };
  if (f.accountId !== undefined) filter.accountId = f.accountId;
  if (f.service !== undefined) filter.service = f.service;
  if (f.createdFrom !== undefined || f.createdBefore !== undefined) {
    filter.createdAt = {
      ...(f.createdFrom === undefined ? {} : { $gte: f.createdFrom }),
      ...(f.createdBefore === undefined ? {} : { $lt: f.createdBefore }),
    };
  }
  return filter;
}
