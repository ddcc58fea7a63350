import { fromPromise, waitFor } from 'xstate';
import type { Dialect, SimFilter } from '../catalogue/index.ts';
import type { Clock, Log } from '../log.ts';
import { conflictRetries, HeldActors, type Held } from '../persisted/index.ts';
import type { NewLiveEvent, RentRecord, RentRefund, RentSms, RentUpdate, Store } from '../store.ts';
import { rentMachine, rentStateOf, type RentContext, type RentInput } from './machine.ts';

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
  /**
   * Other server processes share the store: answers are read through it, rents another process opened are taken
   * up when a command or an SMS concerns them, and `sync()` takes over the ends a stopped process left.
   */
  shared?: boolean;
}

type Entry = Held<RentRecord, typeof rentMachine>;
/** What is written of a snapshot, with the end and price the record then has. */
type Written = RentUpdate & Pick<RentContext, 'endsAt' | 'price'>;

/** Node cannot wait longer than 2^31 − 1 ms in one timer; a longer rent wakes up and waits again. */
const longestTimer = 2 ** 31 - 1;

/**
 * Creates, finds and rehydrates rent actors, one per rented number. As with
 * activations, every snapshot is written through the Store (compare-and-set on
 * its version) before a caller hears the outcome, and ended rents leave memory.
 */
export class RentRegistry {
  readonly #o: RentRegistryOptions;
  readonly #live: HeldActors<RentRecord, typeof rentMachine, Written>;
  /** SIM → its live rent held here (the store keeps one live rent per SIM). */
  readonly #bySim = new Map<string, number>();
  readonly #listeners = new Set<(news: RentNews) => void>();
  #tell: ((news: RentNews) => readonly NewLiveEvent[]) | undefined;

  constructor(options: RentRegistryOptions) {
    this.#o = options;
    const { store, clock } = options;
    const machine = rentMachine.provide({
      actors: {
        refund: fromPromise(async ({ input }: { input: Omit<RentRefund, 'at'> }) => {
          await this.#live.settlingStored(input.rentId);
          // Everything charged, as stored: an extension another process charged just before this cancel was stored
          // counts too (once the cancel is stored, the store charges none).
          const charged = (await store.rent(input.rentId))?.price ?? 0;
          await store.refundRent({ ...input, amount: Math.max(input.amount, charged), at: clock.now() });
        }),
      },
      delays: {
        untilEnd: ({ context }) => Math.min(longestTimer, Math.max(0, context.endsAt - clock.now())),
      },
      guards: {
        timeIsUp: ({ context }) => clock.now() >= context.endsAt,
      },
    });
    const cancelWindowMs = options.cancelWindowMs ?? 20 * 60_000;
    this.#live = new HeldActors({
      name: 'rent',
      machine,
      read: (id) => store.rent(id),
      readLive: () => store.liveRents(),
      readDue: async (now) => (await store.liveRents()).filter((r) => overdue(r, now) || settling(r)), // few: no query of its own
      write: (before, written) => {
        const { endsAt: _e, price: _p, ...update } = written;
        const tell = this.#tell;
        if (!tell) return store.saveRent(before.id, update, before.version);
        // The events its news tells, written by the store with the snapshot (an outbox).
        const rent = strip(this.#stored(before, written, before.version + 1));
        const events = tell({ type: 'rent.changed', rent, received: written.messages.slice(before.messages.length) });
        return store.saveRent(before.id, { ...update, events }, before.version);
      },
      input: (record): RentInput => ({
        id: record.id, accountId: record.accountId, iccid: record.iccid, phone: record.phone, createdAt: record.createdAt,
        endsAt: record.endsAt, price: record.price, cancelWindowMs,
      }),
      resume: (actor, record) => {
        if (record.endsAt <= actor.getSnapshot().context.endsAt) {
          actor.send({ type: 'resume' });
          return false;
        }
        // An extension the store charged before the snapshot heard of it (a crash, another process): the store's end
        // wins, and is written, so that a process holding the old snapshot conflicts instead of ending the rent early.
        actor.send({ type: 'rent.extended', endsAt: record.endsAt, price: record.price });
        return actor.getSnapshot().context.endsAt === record.endsAt; // a rent being cancelled takes no extension
      },
      update: (actor) => {
        const snapshot = actor.getSnapshot();
        const { messages, endsAt, price } = snapshot.context;
        const live = snapshot.status === 'active';
        return { state: rentStateOf(snapshot.value), live, messages, snapshot: actor.getPersistedSnapshot(), at: clock.now(), endsAt, price };
      },
      stored: (record, written, version) => this.#stored(record, written, version),
      settling,
      overdue,
      onStored: (entry, update, before) => this.#emit({
        type: 'rent.changed', rent: strip(entry.record), received: update.messages.slice(before.messages.length),
      }),
      onHeld: ({ record }, holding) => {
        if (holding) this.#bySim.set(record.iccid, record.id);
        else if (this.#bySim.get(record.iccid) === record.id) this.#bySim.delete(record.iccid);
      },
    }, options);
  }

  /** Brings every live rent of the store back, with its deadline re-armed from the absolute end time. */
  restore(): Promise<number> {
    return this.#live.restore();
  }

  async rent(req: RentRequest): Promise<RentOutcome> {
    const now = this.#o.clock.now();
    const result = await this.#o.store.openRent({
      accountId: req.accountId, filter: req.filter, service: req.service, dialect: req.dialect, hours: req.hours,
      createdAt: now, endsAt: now + req.hours * this.#o.hourMs,
      ...(this.#tell ? { announce: (made: RentRecord) => this.#tell!({ type: 'rent.opened', rent: strip(made) }) } : {}),
    });
    if (!result.ok) return result;
    const entry = this.#live.get(result.rent.id) ?? this.#live.hold(result.rent);
    await this.#live.stored(entry);
    const view = this.#view(entry);
    this.#emit({ type: 'rent.opened', rent: view });
    return { ok: true, rent: view };
  }

  /** A rent of this account, live or ended; someone else's is indistinguishable from a missing one. */
  async view(accountId: number, id: number): Promise<RentView | undefined> {
    const entry = this.#o.shared ? undefined : this.#live.get(id);
    if (entry) return entry.record.accountId === accountId ? this.#view(entry) : undefined;
    // With a shared store, what this process holds may be behind: the store answers, through the actor when it agrees.
    const r = await this.#o.store.rent(id);
    if (!r || r.accountId !== accountId) return undefined;
    const held = this.#live.at(r);
    return held ? this.#view(held) : strip(r);
  }

  /** This account's live rents, oldest first; read through the store when it is shared. */
  ofAccount(accountId: number): RentView[] | Promise<RentView[]> {
    if (this.#o.shared) {
      return this.#o.store.rents({ accountId, live: true, limit: 100_000 }).then((rents) =>
        rents.reverse().map((r) => {
          const held = this.#live.at(r);
          return held ? this.#view(held) : strip(r);
        }));
    }
    return this.#live.all().filter((e) => e.record.accountId === accountId).map((e) => this.#view(e));
  }

  /** Every live rent held here. */
  live(): RentView[] {
    return this.#live.all().map((e) => this.#view(e));
  }

  /** Ends a live rent now (`finish`, no refund) or cancels it (`cancel`: refunded, only early and before any SMS). */
  async command(accountId: number, id: number, command: 'finish' | 'cancel'): Promise<RentCommandOutcome> {
    for (let attempt = 0; ; attempt++) {
      if (this.#o.shared) await this.#live.fresh(id);
      const entry = this.#live.get(id);
      if (!entry || entry.record.accountId !== accountId) {
        return { ok: false, code: (await this.view(accountId, id)) ? 'ended' : 'noRent' };
      }
      const snapshot = entry.actor.getSnapshot();
      if (rentStateOf(snapshot.value) !== 'renting') return { ok: false, code: 'ended' };
      const event = command === 'finish' ? ({ type: 'client.finish' } as const) : ({ type: 'client.cancel', at: this.#o.clock.now() } as const);
      if (!snapshot.can(event)) return { ok: false, code: 'cantCancel' };
      entry.actor.send(event);
      const entered = rentStateOf(entry.actor.getSnapshot().value);
      try {
        await waitFor(entry.actor, (s) => s.status !== 'active' || rentStateOf(s.value) !== 'cancelling', { timeout: 15_000 });
        await this.#live.stored(entry);
      } catch (err) {
        if (!entry.stale || attempt >= conflictRetries) throw err;
        // The cancel this command began was stored, and another process then carried its refund on: done.
        const stored = await this.#o.store.rent(id);
        if (stored && entered === 'cancelling' && (stored.state === 'cancelling' || stored.state === 'cancelled')) {
          return { ok: true, rent: strip(stored) };
        }
        continue; // another process moved it first: decide again on its state
      }
      return { ok: true, rent: this.#view(entry) };
    }
  }

  /**
   * Makes a live rent `hours` longer, charged now. The store charges it once and numbers it
   * (`rent-extend:<id>:<n>`): that call is never repeated, so a conflict afterwards only changes which actor
   * hears of the new end.
   */
  async extend(accountId: number, id: number, hours: number): Promise<RentExtendOutcome> {
    if (this.#o.shared) await this.#live.fresh(id);
    const entry = this.#live.get(id);
    if (!entry || entry.record.accountId !== accountId) {
      return { ok: false, code: (await this.view(accountId, id)) ? 'ended' : 'noRent' };
    }
    if (rentStateOf(entry.actor.getSnapshot().value) !== 'renting') return { ok: false, code: 'ended' };
    const result = await this.#o.store.extendRent({
      rentId: id, accountId, hours, addMs: hours * this.#o.hourMs, at: this.#o.clock.now(),
    });
    if (!result.ok) return result;
    const { endsAt, price } = result.rent;
    for (let attempt = 0; ; attempt++) {
      // The actor held now: this one, or the one that replaced it after a conflict (it may know the new end already).
      const held = this.#live.get(id);
      if (!held) break; // ended meanwhile: the store says how
      held.record = { ...held.record, hours: result.rent.hours, extensions: result.rent.extensions };
      if (held.actor.getSnapshot().context.endsAt < endsAt) held.actor.send({ type: 'rent.extended', endsAt, price });
      try {
        await this.#live.stored(held);
        return { ok: true, rent: this.#view(held), charged: result.charged };
      } catch (err) {
        if (!held.stale || attempt >= conflictRetries) throw err;
      }
    }
    const stored = await this.#o.store.rent(id);
    return { ok: true, rent: strip(stored ?? result.rent), charged: result.charged };
  }

  /**
   * Hands a stored SMS to the live rent on its SIM, whoever sent it; returns the rent ids that took it.
   * `openedBy` limits it to a rent made by then (a re-read copy belongs to no later renter).
   */
  async deliver(sms: { smsId: number; iccid: string; from: string; text: string; at: number }, openedBy = Infinity): Promise<number[]> {
    for (let attempt = 0; ; attempt++) {
      // Another process may have rented this SIM out a moment ago: the store knows the live rent on it.
      if (this.#o.shared) for (const record of await this.#o.store.liveRents(sms.iccid)) this.#live.track(record);
      const id = this.#bySim.get(sms.iccid);
      const entry = id === undefined ? undefined : this.#live.get(id);
      if (!entry || entry.record.createdAt > openedBy || rentStateOf(entry.actor.getSnapshot().value) !== 'renting') return [];
      entry.actor.send({ type: 'sms.received', sms: { smsId: sms.smsId, from: sms.from, text: sms.text, at: sms.at } });
      try {
        await this.#live.stored(entry);
        return [entry.record.id];
      } catch (err) {
        // Another process advanced the rent first: it is read again and offered the SMS again (a copy changes nothing).
        if (!entry.stale || attempt >= conflictRetries) throw err;
      }
    }
  }

  /**
   * With a shared store: takes up the rents other processes left behind. A live rent past its end, or one stuck
   * cancelling, found unchanged by three syncs in a row (its process stopped) is brought here, and its end or
   * refund then runs at once. Rents held here that another process ended or advanced are read again.
   * Returns how many were taken up.
   */
  sync(): Promise<number> {
    return this.#live.sync();
  }

  /**
   * The events each piece of news tells the renter (the live channel's journal says which). From then on the store
   * writes them in the same atomic step as the rent or snapshot they tell of: a crash keeps both or neither.
   */
  tellWith(tell: (news: RentNews) => readonly NewLiveEvent[]) {
    this.#tell = tell;
  }

  #stored(record: RentRecord, { state, live, messages, endsAt, price }: Written, version: number): RentRecord {
    return { ...record, state, live, messages, endsAt, price, version };
  }

  subscribe(listener: (news: RentNews) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops every actor (their stored state stays as it is, to be restored). */
  stop(): Promise<void> {
    return this.#live.stop();
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

/** A rent being cancelled: its refund in flight. */
function settling(record: RentRecord): boolean {
  return record.state === 'cancelling';
}

/** A live rent whose time is up at `now`. */
function overdue(record: RentRecord, now: number): boolean {
  return record.endsAt <= now;
}
