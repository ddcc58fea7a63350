import { createActor, fromPromise, waitFor, type Actor } from 'xstate';
import type { Dialect, SimFilter } from '../catalogue/index.ts';
import type { Clock, Log } from '../log.ts';
import { StoreError, type RentRecord, type RentRefund, type RentSms, type Store } from '../store.ts';
import { rentMachine, rentStateOf, type RentInput } from './machine.ts';

/** A rent as callers see it: the stored record without the snapshot, its state and SMS from the actor. */
export type RentView = Omit<RentRecord, 'snapshot' | 'version'>;

export interface RentRequest {
  accountId: number;
  filter: SimFilter;
  service: string;
  dialect: Dialect;
  hours: number;
}

export type RentOutcome = { ok: true; rent: RentView } | { ok: false; code: 'noNumbers' | 'noBalance' };
export type RentCommandOutcome = { ok: true; rent: RentView } | { ok: false; code: 'noRent' | 'ended' | 'cantCancel' };
export type RentExtendOutcome =
  | { ok: true; rent: RentView; charged: number }
  | { ok: false; code: 'noRent' | 'ended' | 'noBalance' | 'noPrice' };

/** What the rent registry tells the rest of the system (live channel, webhooks, the slot keeper). */
export type RentNews =
  | { type: 'rent.opened'; rent: RentView }
  | { type: 'rent.changed'; rent: RentView; received: RentSms[] };

export interface RentRegistryOptions {
  store: Store;
  clock: Clock;
  log: Log;
  /** How long one rented hour lasts: 3,600,000 ms; tests and demos shorten it (RENT_HOUR_MS). */
  hourMs: number;
  /** How long after the start a cancel is refunded when no SMS came (sms-activate's 20 minutes). */
  cancelWindowMs?: number;
}

interface Entry {
  actor: Actor<typeof rentMachine>;
  record: RentRecord;
  version: number;
  persisted: Promise<void>;
  unsaved: unknown;
}

/** Node cannot wait longer than 2^31 − 1 ms in one timer; a longer rent wakes up and waits again. */
const longestTimer = 2 ** 31 - 1;

/**
 * Creates, finds and rehydrates rent actors, one per rented number. As with
 * activations, every snapshot is written through the Store (compare-and-set on
 * its version) before a caller hears the outcome, and ended rents leave memory.
 */
export class RentRegistry {
  readonly #o: RentRegistryOptions;
  readonly #live = new Map<number, Entry>();
  /** SIM → its live rent (the store keeps one live rent per SIM). */
  readonly #bySim = new Map<string, number>();
  readonly #listeners = new Set<(news: RentNews) => void>();
  readonly #machine: typeof rentMachine;

  constructor(options: RentRegistryOptions) {
    this.#o = options;
    const { store, clock } = options;
    this.#machine = rentMachine.provide({
      actors: {
        refund: fromPromise(async ({ input }: { input: Omit<RentRefund, 'at'> }) => {
          await store.refundRent({ ...input, at: clock.now() });
        }),
      },
      delays: {
        untilEnd: ({ context }) => Math.min(longestTimer, Math.max(0, context.endsAt - clock.now())),
      },
      guards: {
        timeIsUp: ({ context }) => clock.now() >= context.endsAt,
      },
    });
  }

  /** Brings every live rent of the store back, with its deadline re-armed from the absolute end time. */
  async restore(): Promise<number> {
    const live = await this.#o.store.liveRents();
    for (const record of live) if (!this.#live.has(record.id)) this.#spawn(record);
    await Promise.all([...this.#live.values()].map((e) => e.persisted));
    return live.length;
  }

  async rent(req: RentRequest): Promise<RentOutcome> {
    const now = this.#o.clock.now();
    const result = await this.#o.store.openRent({
      accountId: req.accountId, filter: req.filter, service: req.service, dialect: req.dialect, hours: req.hours,
      createdAt: now, endsAt: now + req.hours * this.#o.hourMs,
    });
    if (!result.ok) return result;
    const entry = this.#live.get(result.rent.id) ?? this.#spawn(result.rent);
    await this.#stored(entry);
    const view = this.#view(entry);
    this.#emit({ type: 'rent.opened', rent: view });
    return { ok: true, rent: view };
  }

  /** A rent of this account, live or ended; someone else's is indistinguishable from a missing one. */
  async view(accountId: number, id: number): Promise<RentView | undefined> {
    const entry = this.#live.get(id);
    if (entry) return entry.record.accountId === accountId ? this.#view(entry) : undefined;
    const r = await this.#o.store.rent(id);
    return r && r.accountId === accountId ? strip(r) : undefined;
  }

  /** This account's live rents, oldest first. */
  ofAccount(accountId: number): RentView[] {
    return [...this.#live.values()].filter((e) => e.record.accountId === accountId).map((e) => this.#view(e));
  }

  /** Every live rent. */
  live(): RentView[] {
    return [...this.#live.values()].map((e) => this.#view(e));
  }

  /** Ends a live rent now (`finish`, no refund) or cancels it (`cancel`: refunded, only early and before any SMS). */
  async command(accountId: number, id: number, command: 'finish' | 'cancel'): Promise<RentCommandOutcome> {
    const entry = this.#live.get(id);
    if (!entry || entry.record.accountId !== accountId) {
      return { ok: false, code: (await this.view(accountId, id)) ? 'ended' : 'noRent' };
    }
    const snapshot = entry.actor.getSnapshot();
    if (rentStateOf(snapshot.value) !== 'renting') return { ok: false, code: 'ended' };
    const event = command === 'finish' ? ({ type: 'client.finish' } as const) : ({ type: 'client.cancel', at: this.#o.clock.now() } as const);
    if (!snapshot.can(event)) return { ok: false, code: 'cantCancel' };
    entry.actor.send(event);
    await waitFor(entry.actor, (s) => s.status !== 'active' || rentStateOf(s.value) !== 'cancelling', { timeout: 15_000 });
    await this.#stored(entry);
    return { ok: true, rent: this.#view(entry) };
  }

  /** Makes a live rent `hours` longer, charged now. */
  async extend(accountId: number, id: number, hours: number): Promise<RentExtendOutcome> {
    const entry = this.#live.get(id);
    if (!entry || entry.record.accountId !== accountId) {
      return { ok: false, code: (await this.view(accountId, id)) ? 'ended' : 'noRent' };
    }
    if (rentStateOf(entry.actor.getSnapshot().value) !== 'renting') return { ok: false, code: 'ended' };
    const result = await this.#o.store.extendRent({
      rentId: id, accountId, hours, addMs: hours * this.#o.hourMs, at: this.#o.clock.now(),
    });
    if (!result.ok) return result;
    entry.record = { ...entry.record, hours: result.rent.hours, extensions: result.rent.extensions };
    entry.actor.send({ type: 'rent.extended', endsAt: result.rent.endsAt, price: result.rent.price });
    await this.#stored(entry);
    return { ok: true, rent: this.#view(entry), charged: result.charged };
  }

  /**
   * Hands a stored SMS to the live rent on its SIM, whoever sent it; returns the rent ids that took it.
   * `openedBy` limits it to a rent made by then (a re-read copy belongs to no later renter).
   */
  async deliver(sms: { smsId: number; iccid: string; from: string; text: string; at: number }, openedBy = Infinity): Promise<number[]> {
    const id = this.#bySim.get(sms.iccid);
    const entry = id === undefined ? undefined : this.#live.get(id);
    if (!entry || entry.record.createdAt > openedBy || rentStateOf(entry.actor.getSnapshot().value) !== 'renting') return [];
    entry.actor.send({ type: 'sms.received', sms: { smsId: sms.smsId, from: sms.from, text: sms.text, at: sms.at } });
    await this.#stored(entry);
    return [entry.record.id];
  }

  subscribe(listener: (news: RentNews) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops every actor (their stored state stays as it is, to be restored). */
  async stop(): Promise<void> {
    await Promise.all([...this.#live.values()].map((e) => e.persisted));
    for (const entry of this.#live.values()) entry.actor.stop();
    this.#live.clear();
    this.#bySim.clear();
  }

  #spawn(record: RentRecord): Entry {
    const input: RentInput = {
      id: record.id, accountId: record.accountId, iccid: record.iccid, phone: record.phone, createdAt: record.createdAt,
      endsAt: record.endsAt, price: record.price, cancelWindowMs: this.#o.cancelWindowMs ?? 20 * 60_000,
    };
    const restored = record.snapshot !== null;
    const actor = createActor(this.#machine, {
      input, clock: this.#o.clock, ...(restored ? { snapshot: record.snapshot as never } : {}),
    });
    const entry: Entry = { actor, record, version: record.version, persisted: Promise.resolve(), unsaved: undefined };
    this.#live.set(record.id, entry);
    this.#bySim.set(record.iccid, record.id);
    actor.start();
    actor.subscribe({
      next: () => this.#persist(entry),
      error: (err) => this.#o.log.error({ err, rentId: record.id }, 'rent actor failed'),
    });
    if (restored) {
      const context = actor.getSnapshot().context;
      // An extension the store charged just before a crash, before the actor heard of it: the store's end time wins.
      if (record.endsAt > context.endsAt) actor.send({ type: 'rent.extended', endsAt: record.endsAt, price: record.price });
      else actor.send({ type: 'resume' });
    }
    return entry;
  }

  /** Queues the actor's current snapshot for the store, in order, one write at a time. */
  #persist(entry: Entry) {
    const snapshot = entry.actor.getSnapshot();
    const state = rentStateOf(snapshot.value);
    const live = snapshot.status === 'active';
    const messages = snapshot.context.messages;
    const persisted = entry.actor.getPersistedSnapshot();
    const at = this.#o.clock.now();
    entry.persisted = entry.persisted.then(async () => {
      const known = entry.record.messages.length;
      try {
        entry.version = await this.#o.store.saveRent(entry.record.id, { state, live, messages, snapshot: persisted, at }, entry.version);
        const { endsAt, price } = snapshot.context;
        entry.record = { ...entry.record, state, live, messages, endsAt, price, version: entry.version };
        entry.unsaved = undefined;
      } catch (err) {
        this.#o.log.error({ err, rentId: entry.record.id }, 'rent snapshot not stored');
        entry.unsaved = err;
        return;
      }
      if (!live) this.#forget(entry);
      this.#emit({ type: 'rent.changed', rent: strip(entry.record), received: messages.slice(known) });
    });
  }

  #forget(entry: Entry) {
    this.#live.delete(entry.record.id);
    if (this.#bySim.get(entry.record.iccid) === entry.record.id) this.#bySim.delete(entry.record.iccid);
    entry.actor.stop();
  }

  /** Resolves once every snapshot so far is in the store; rejects when the newest could not be written. */
  async #stored(entry: Entry) {
    await entry.persisted;
    if (entry.unsaved !== undefined) throw new StoreError('STORE_UNAVAILABLE', `rent ${entry.record.id} not stored`);
  }

  #view(entry: Entry): RentView {
    const snapshot = entry.actor.getSnapshot();
    const { messages, endsAt, price } = snapshot.context;
    return { ...strip(entry.record), state: rentStateOf(snapshot.value), live: snapshot.status === 'active', messages, endsAt, price };
  }

  #emit(news: RentNews) {
    for (const listener of this.#listeners) {
      try {
        listener(news);
      } catch (err) {
        this.#o.log.error({ err }, 'rent listener failed');
      }
    }
  }
}

function strip(record: RentRecord): RentView {
  const { snapshot: _s, version: _v, ...view } = record;
  return view;
}
