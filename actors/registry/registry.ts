import { fromPromise, waitFor } from 'xstate';
import {
  activationMachine, endOf, firstState, isSettling, projection, stateOf, type ActivationInput, type ClientCommand,
} from '../activation/index.ts';
import type { Dialect, SimFilter } from '../catalogue/index.ts';
import type { Clock, Log } from '../log.ts';
import { conflictRetries, HeldActors, type Held } from '../persisted/index.ts';
import type { ActivationRecord, ActivationUpdate, NewLiveEvent, ReceivedSms, Settlement, Store } from '../store.ts';

/**
 * An activation as callers see it: the stored record without the snapshot;
 * `readied` (from the snapshot) only where `view()` builds it.
 */
export type ActivationView = Omit<ActivationRecord, 'snapshot' | 'version'> & { readied?: boolean };

export interface OrderRequest {
  accountId: number;
  service: string;
  filter: SimFilter;
  forwarding: boolean;
  dialect: Dialect;
  /** count=N: N activations on the same number, one after another. */
  count: number;
  /** The partner whose software placed the order (`ref=`), with its share; the first activation only earns it. */
  referral?: { partnerId: number; shareBp: number } | undefined;
  /** The sms-reg pool ticket the order fills: one activation per ticket, however often it is tried. */
  ticket?: number | undefined;
}

export type OrderOutcome = { ok: true; activation: ActivationView } | { ok: false; code: 'noNumbers' | 'noBalance' };
export type RepeatOutcome = { ok: true; activation: ActivationView } | { ok: false; code: 'noNumbers' | 'doubleRetry' };
export type CommandOutcome =
  | { ok: true; activation: ActivationView }
  | { ok: false; code: 'noActivation' | 'notAllowed' | 'earlyCancel' };

/** What the registry tells the rest of the system (live channel, demo responder). */
export type ActivationNews =
  | { type: 'activation.opened'; activation: ActivationView }
  | { type: 'activation.changed'; activation: ActivationView; received: ReceivedSms[] };

export interface RegistryOptions {
  store: Store;
  clock: Clock;
  log: Log;
  /** How long an activation waits for its code before it expires (the spec's 20 minutes). */
  ttlMs: number;
  /** How long after the order a cancel is refused, when the early-cancel rule is on. */
  earlyCancelMs?: number;
  /**
   * Other server processes share the store (MongoDB, several processes): answers are read through the store,
   * activations another process opened are taken up when a command or an SMS concerns them, and `sync()` takes
   * over the ones whose process stopped advancing them.
   */
  shared?: boolean;
}

type Entry = Held<ActivationRecord, typeof activationMachine>;

type Listener = (news: ActivationNews) => void;

/**
 * Creates, finds and rehydrates activation actors. Every snapshot an actor
 * takes is written through the Store (compare-and-set on its version) before a
 * caller hears the outcome; ended activations leave memory and are read back
 * from the store.
 */
export class ActivationRegistry {
  readonly #o: RegistryOptions;
  readonly #live: HeldActors<ActivationRecord, typeof activationMachine, ActivationUpdate>;
  readonly #bySim = new Map<string, Set<number>>();
  readonly #listeners = new Set<Listener>();
  #tell: ((news: ActivationNews) => readonly NewLiveEvent[]) | undefined;
  /** Views built once per snapshot (getStatus polls read them thousands of times). */
  readonly #views = new WeakMap<object, ActivationView>();

  constructor(options: RegistryOptions) {
    this.#o = options;
    const { store, clock } = options;
    const machine = activationMachine.provide({
      actors: {
        settle: fromPromise(async ({ input }: { input: Omit<Settlement, 'at'> }) => {
          await this.#live.settlingStored(input.activationId);
          await store.settleActivation({ ...input, at: clock.now() });
        }),
        continueOrder: fromPromise(async ({ input }: { input: { activationId: number } }) =>
          this.#continue(input.activationId),
        ),
      },
      delays: {
        untilExpiry: ({ context }) => Math.max(0, context.expiresAt - clock.now()),
      },
    });
    this.#live = new HeldActors({
      name: 'activation',
      machine,
      read: (id) => store.activation(id),
      readLive: () => store.liveActivations(),
      readDue: (now) => store.liveActivationsDue(now),
      write: (before, update) => store.saveActivation(before.id, this.#withEvents(before, update), before.version),
      input: inputOf,
      resume: (actor) => {
        actor.send({ type: 'resume' }); // re-arms the deadline from the absolute expiresAt
        return false;
      },
      update: (actor) => projection(actor.getSnapshot(), actor.getPersistedSnapshot(), clock.now()),
      stored: (record, { at: _at, ...changed }, version) => ({ ...record, ...changed, version }),
      settling: (record) => isSettling(record.state),
      overdue: (record, now) => record.expiresAt <= now,
      onStored: (entry, update, before) => this.#emit({
        type: 'activation.changed', activation: strip(entry.record), received: update.messages.slice(before.messages.length),
      }),
      onHeld: (entry, holding) => this.#index(entry.record, holding),
    }, options);
  }

  /** Brings every live activation of the store back, in its state, with its deadline re-armed. */
  restore(): Promise<number> {
    // With a shared store, another process may be settling one right now: `sync()` takes it over if that stays so.
    return this.#live.restore();
  }

  async order(req: OrderRequest): Promise<OrderOutcome> {
    const now = this.#o.clock.now();
    const result = await this.#o.store.openActivation({
      accountId: req.accountId, service: req.service, filter: req.filter, forwarding: req.forwarding,
      dialect: req.dialect, createdAt: now, expiresAt: now + this.#o.ttlMs, remaining: Math.max(0, req.count - 1),
      initialState: firstState({ skipReady: req.dialect === 'smsActivate', repeatOf: null }),
      ...(req.referral ? { referral: req.referral } : {}),
      ...(req.ticket === undefined ? {} : { ticket: req.ticket }),
      ...this.#announcing(),
    });
    if (!result.ok) return { ok: false, code: result.code === 'noBalance' ? 'noBalance' : 'noNumbers' };
    return { ok: true, activation: await this.#opened(result.activation) };
  }

  /** A free repeat on a number this account already received this service's code on. */
  async repeat(accountId: number, phone: string, service: string, dialect: Dialect): Promise<RepeatOutcome> {
    const { store, clock } = this.#o;
    const [sim, previous] = await Promise.all([
      store.simByPhone(phone),
      store.lastCodedActivation(accountId, phone, service),
    ]);
    // "while we not change this sim card": the same ICCID must still be in the farm.
    if (!sim || !sim.online || !previous || previous.iccid !== sim.iccid) return { ok: false, code: 'noNumbers' };
    const now = clock.now();
    const result = await store.openActivation({
      accountId, service, filter: {}, forwarding: previous.forwarding, dialect, createdAt: now,
      expiresAt: now + this.#o.ttlMs, remaining: 0, repeat: { iccid: sim.iccid, previousId: previous.id, chained: false },
      initialState: 'waitingForCode',
      ...this.#announcing(),
    });
    if (!result.ok) return { ok: false, code: result.code === 'busy' ? 'doubleRetry' : 'noNumbers' };
    return { ok: true, activation: await this.#opened(result.activation) };
  }

  /** An activation of this account, live or ended; someone else's is indistinguishable from a missing one. */
  view(accountId: number, id: number): ActivationView | undefined | Promise<ActivationView | undefined> {
    if (this.#o.shared) return this.#viewShared(accountId, id);
    // A live one is answered synchronously: clients poll getStatus many times a second.
    const entry = this.#live.get(id);
    if (entry) {
      if (entry.record.accountId !== accountId) return undefined;
      // A step the store could not take (a full disk) did not happen as far as anyone is told: the stored state stands.
      return entry.unsaved === undefined ? this.#view(entry) : storedView(entry.record);
    }
    return this.#o.store.activation(id).then((r) => (r && r.accountId === accountId ? storedView(r) : undefined));
  }

  /** A client's setStatus as a domain command; resolves once its effects are settled and stored. */
  async command(accountId: number, id: number, command: ClientCommand, earlyCancelRule = false): Promise<CommandOutcome> {
    for (let attempt = 0; ; attempt++) {
      if (this.#o.shared) await this.#live.fresh(id);
      const entry = this.#live.get(id);
      if (!entry || entry.record.accountId !== accountId) {
        const ended = await this.view(accountId, id);
        return { ok: false, code: ended ? 'notAllowed' : 'noActivation' };
      }
      // Its newest step could not be stored (the store failing): written again first; nothing more is taken until it is.
      if (entry.unsaved !== undefined && !entry.stale) await this.#live.flush(entry);
      const snapshot = entry.actor.getSnapshot();
      if (isSettling(stateOf(snapshot)) || !snapshot.can({ type: command })) return { ok: false, code: 'notAllowed' };
      // Both refunding ends count as a cancel (BAS sends 10 where others send 8).
      if ((command === 'client.cancel' || command === 'client.numberUsed') && earlyCancelRule && this.#tooEarlyToCancel(entry)) {
        return { ok: false, code: 'earlyCancel' };
      }
      entry.actor.send({ type: command });
      const entered = stateOf(entry.actor.getSnapshot());
      try {
        await this.#settled(entry);
      } catch (err) {
        if (!entry.stale || attempt >= conflictRetries) throw err;
        // The ending this command began was stored, and another process then carried its settlement on: done.
        const stored = await this.#o.store.activation(id);
        if (stored && isSettling(entered) && (stored.state === entered || stored.state === endOf(entered))) {
          return { ok: true, activation: storedView(stored) };
        }
        continue; // another process moved it first: decide again on its state
      }
      return { ok: true, activation: this.#view(entry) };
    }
  }

  /**
   * Hands an stored SMS to live activations on its SIM; returns the ids that took it.
   * `openedBy` limits it to activations opened by then (a re-read copy belongs to no later one).
   */
  async deliver(
    sms: { smsId: number; iccid: string; from: string; text: string; at: number },
    route: (services: string[]) => { service: string; code: string }[],
    openedBy = Infinity,
  ): Promise<number[]> {
    const took = new Set<number>();
    for (let attempt = 0; ; attempt++) {
      // Another process may have sold this SIM a moment ago: the store knows every live activation on it.
      if (this.#o.shared) for (const record of await this.#o.store.liveActivations(sms.iccid)) this.#live.track(record);
      const ids = [...(this.#bySim.get(sms.iccid) ?? [])];
      const entries = ids
        .map((id) => this.#live.get(id)!)
        .filter((e) => e.record.createdAt <= openedBy && !isSettling(stateOf(e.actor.getSnapshot())));
      const takers = route([...new Set(entries.map((e) => e.record.service))]);
      const taken: Entry[] = [];
      for (const { service, code } of takers) {
        for (const entry of entries.filter((e) => e.record.service === service)) {
          entry.actor.send({ type: 'sms.received', sms: { smsId: sms.smsId, from: sms.from, text: sms.text, code, at: sms.at } });
          taken.push(entry);
        }
      }
      const stored = await Promise.allSettled(taken.map((e) => this.#live.stored(e)));
      stored.forEach((outcome, i) => outcome.status === 'fulfilled' && took.add(taken[i]!.record.id));
      // An activation another process advanced first is read again and offered the SMS again (a copy changes nothing).
      const failed = stored.flatMap((outcome, i) => (outcome.status === 'rejected' ? [{ entry: taken[i]!, err: outcome.reason as unknown }] : []));
      if (failed.length === 0) return [...took];
      if (!failed.every((f) => f.entry.stale) || attempt >= conflictRetries) throw failed[0]!.err;
    }
  }

  /** Live activations, newest last. */
  live(): ActivationView[] {
    return this.#live.all().map((e) => this.#view(e));
  }

  /**
   * With a shared store: takes up what other processes left behind. A live activation past its deadline, or one
   * half-settled, found unchanged by three syncs in a row (its process stopped) is brought here, its deadline or
   * settlement then runs at once. Activations held here that another process ended or advanced are read again.
   * Returns how many were taken up.
   */
  sync(): Promise<number> {
    return this.#live.sync();
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * The events each piece of news tells subscribers (the live channel's journal says which). From then on the
   * store writes them in the same atomic step as the order or snapshot they tell of: a crash keeps both or neither.
   */
  tellWith(tell: (news: ActivationNews) => readonly NewLiveEvent[]) {
    this.#tell = tell;
  }

  /** The order's `announce`: the events of the activation it makes, written with it. */
  #announcing(): { announce?: (made: ActivationRecord) => readonly NewLiveEvent[] } {
    const tell = this.#tell;
    return tell ? { announce: (made) => tell({ type: 'activation.opened', activation: strip(made) }) } : {};
  }

  /** A snapshot's update with the events its news tells, so the store writes them together. */
  #withEvents(before: ActivationRecord, update: ActivationUpdate): ActivationUpdate {
    if (!this.#tell) return update;
    const { at: _at, events: _e, ...changed } = update;
    const activation = strip({ ...before, ...changed, version: before.version + 1 });
    return { ...update, events: this.#tell({ type: 'activation.changed', activation, received: update.messages.slice(before.messages.length) }) };
  }

  /** Stops every actor (their stored state stays as it is, to be restored). */
  stop(): Promise<void> {
    return this.#live.stop();
  }

  async #opened(record: ActivationRecord): Promise<ActivationView> {
    const entry = this.#live.get(record.id) ?? this.#live.hold(record);
    await this.#live.stored(entry);
    const view = this.#view(entry);
    this.#emit({ type: 'activation.opened', activation: view });
    return view;
  }

  /** The next activation of a count=N order, on the same SIM; null when that SIM is gone. */
  async #continue(previousId: number): Promise<number | null> {
    const previous = this.#live.get(previousId)?.record ?? (await this.#o.store.activation(previousId));
    if (!previous) return null;
    const now = this.#o.clock.now();
    const result = await this.#o.store.openActivation({
      accountId: previous.accountId, service: previous.service, filter: {}, forwarding: previous.forwarding,
      dialect: previous.dialect, createdAt: now, expiresAt: now + this.#o.ttlMs, remaining: previous.remaining - 1,
      repeat: { iccid: previous.iccid, previousId, chained: true },
      initialState: 'waitingForCode',
      ...this.#announcing(),
    });
    if (!result.ok) return null;
    await this.#opened(result.activation);
    return result.activation.id;
  }

  /** Follows the activations held here by SIM, for `deliver`. */
  #index(record: ActivationRecord, holding: boolean) {
    let ids = this.#bySim.get(record.iccid);
    if (holding) {
      if (!ids) this.#bySim.set(record.iccid, (ids = new Set()));
      ids.add(record.id);
    } else {
      ids?.delete(record.id);
      if (ids?.size === 0) this.#bySim.delete(record.iccid);
    }
  }

  async #viewShared(accountId: number, id: number): Promise<ActivationView | undefined> {
    const record = await this.#o.store.activation(id);
    if (!record || record.accountId !== accountId) return undefined;
    const entry = this.#live.at(record);
    return entry ? this.#view(entry) : storedView(record);
  }

  async #settled(entry: Entry) {
    await waitFor(entry.actor, (s) => s.status !== 'active' || !isSettling(stateOf(s)), { timeout: 15_000 });
    await this.#live.stored(entry);
  }

  #tooEarlyToCancel(entry: Entry): boolean {
    return this.#o.clock.now() < entry.record.createdAt + (this.#o.earlyCancelMs ?? 120_000);
  }

  #view(entry: Entry): ActivationView {
    const snapshot = entry.actor.getSnapshot();
    let view = this.#views.get(snapshot);
    if (!view) this.#views.set(snapshot, (view = this.#build(entry)));
    return view;
  }

  #build(entry: Entry): ActivationView {
    const snapshot = entry.actor.getSnapshot();
    const { code, messages, nextId, readied } = snapshot.context;
    return { ...strip(entry.record), state: stateOf(snapshot), live: snapshot.status === 'active', code, messages, nextId, readied };
  }

  #emit(news: ActivationNews) {
    for (const listener of this.#listeners) {
      try {
        listener(news);
      } catch (err) {
        this.#o.log.error({ err }, 'activation listener failed');
      }
    }
  }
}

function inputOf(record: ActivationRecord): ActivationInput {
  return {
    id: record.id, accountId: record.accountId, service: record.service, iccid: record.iccid, phone: record.phone,
    price: record.price, createdAt: record.createdAt, expiresAt: record.expiresAt, remaining: record.remaining,
    repeatOf: record.repeatOf, skipReady: record.dialect === 'smsActivate',
  };
}

/** Whether the client said "ready" (or never had to), read from a stored snapshot; undefined when it does not say. */
function readiedOf(record: ActivationRecord): boolean | undefined {
  const context = (record.snapshot as { context?: { readied?: unknown } } | null)?.context;
  return typeof context?.readied === 'boolean' ? context.readied : undefined;
}

function strip(record: ActivationRecord): ActivationView {
  const { snapshot: _s, version: _v, ...view } = record;
  return view;
}

/** The view of an activation as stored (not as a held actor has it now). */
function storedView(record: ActivationRecord): ActivationView {
  return { ...strip(record), readied: readiedOf(record) };
}
