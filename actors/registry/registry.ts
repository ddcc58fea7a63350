import { createActor, fromPromise, waitFor, type Actor } from 'xstate';
import {
  activationMachine, endOf, firstState, isSettling, projection, stateOf, type ActivationInput, type ClientCommand,
} from '../activation/index.ts';
import type { Dialect, SimFilter } from '../catalogue/index.ts';
import type { Clock, Log } from '../log.ts';
import { StoreError, type ActivationRecord, type ReceivedSms, type Settlement, type Store } from '../store.ts';

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

interface Entry {
  actor: Actor<typeof activationMachine>;
  record: ActivationRecord;
  version: number;
  persisted: Promise<void>;
  /** Set while the newest snapshot could not be written: callers must not be told it happened. */
  unsaved: unknown;
  /** The view of the current snapshot, built once per snapshot (getStatus polls read it thousands of times). */
  view: ActivationView | undefined;
  /** Snapshots queued for the store and not yet written. */
  writing: number;
  /** Another process advanced the activation first (a version conflict): this actor is stopped and replaced. */
  stale: boolean;
  /** While the restored actor re-arms its deadline. */
  resuming: boolean;
}

/** How many times a command or an SMS is applied again after another process advanced the activation first. */
const conflictRetries = 5;
/** How many syncs in a row must find an overdue or settling activation unchanged before it is taken over. */
const stuckSyncs = 3;

type Listener = (news: ActivationNews) => void;

/**
 * Creates, finds and rehydrates activation actors. Every snapshot an actor
 * takes is written through the Store (compare-and-set on its version) before a
 * caller hears the outcome; ended activations leave memory and are read back
 * from the store.
 */
export class ActivationRegistry {
  readonly #o: RegistryOptions;
  readonly #live = new Map<number, Entry>();
  readonly #bySim = new Map<string, Set<number>>();
  readonly #listeners = new Set<Listener>();
  readonly #machine: typeof activationMachine;
  /** With a shared store: activations past their deadline or settling, unchanged since `seen` syncs. */
  #stuck = new Map<number, { version: number; seen: number }>();

  constructor(options: RegistryOptions) {
    this.#o = options;
    const { store, clock } = options;
    this.#machine = activationMachine.provide({
      actors: {
        settle: fromPromise(async ({ input }: { input: Omit<Settlement, 'at'> }) => {
          await this.#settlingStored(input.activationId);
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
  }

  /** Brings every live activation of the store back, in its state, with its deadline re-armed. */
  async restore(): Promise<number> {
    const live = await this.#o.store.liveActivations();
    for (const record of live) {
      // With a shared store, another process may be settling it right now: `sync()` takes it over if that stays so.
      if (!this.#live.has(record.id) && (!this.#o.shared || this.#holdable(record))) this.#spawn(record);
    }
    await Promise.all([...this.#live.values()].map((e) => e.persisted));
    return live.length;
  }

  async order(req: OrderRequest): Promise<OrderOutcome> {
    const now = this.#o.clock.now();
    const result = await this.#o.store.openActivation({
      accountId: req.accountId, service: req.service, filter: req.filter, forwarding: req.forwarding,
      dialect: req.dialect, createdAt: now, expiresAt: now + this.#o.ttlMs, remaining: Math.max(0, req.count - 1),
      initialState: firstState({ skipReady: req.dialect === 'smsActivate', repeatOf: null }),
      ...(req.referral ? { referral: req.referral } : {}),
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
    });
    if (!result.ok) return { ok: false, code: result.code === 'busy' ? 'doubleRetry' : 'noNumbers' };
    return { ok: true, activation: await this.#opened(result.activation) };
  }

  /** An activation of this account, live or ended; someone else's is indistinguishable from a missing one. */
  view(accountId: number, id: number): ActivationView | undefined | Promise<ActivationView | undefined> {
    if (this.#o.shared) return this.#viewShared(accountId, id);
    // A live one is answered synchronously: clients poll getStatus many times a second.
    const entry = this.#live.get(id);
    if (entry) return entry.record.accountId === accountId ? this.#view(entry) : undefined;
    return this.#o.store.activation(id).then((r) => (r && r.accountId === accountId ? { ...strip(r), readied: readiedOf(r) } : undefined));
  }

  /** A client's setStatus as a domain command; resolves once its effects are settled and stored. */
  async command(accountId: number, id: number, command: ClientCommand, earlyCancelRule = false): Promise<CommandOutcome> {
    for (let attempt = 0; ; attempt++) {
      if (this.#o.shared) await this.#fresh(id);
      const entry = this.#live.get(id);
      if (!entry || entry.record.accountId !== accountId) {
        const ended = await this.view(accountId, id);
        return { ok: false, code: ended ? 'notAllowed' : 'noActivation' };
      }
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
          return { ok: true, activation: { ...strip(stored), readied: readiedOf(stored) } };
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
      if (this.#o.shared) for (const record of await this.#o.store.liveActivations(sms.iccid)) this.#track(record);
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
      const stored = await Promise.allSettled(taken.map((e) => this.#stored(e)));
      stored.forEach((outcome, i) => outcome.status === 'fulfilled' && took.add(taken[i]!.record.id));
      // An activation another process advanced first is read again and offered the SMS again (a copy changes nothing).
      const failed = stored.flatMap((outcome, i) => (outcome.status === 'rejected' ? [{ entry: taken[i]!, err: outcome.reason as unknown }] : []));
      if (failed.length === 0) return [...took];
      if (!failed.every((f) => f.entry.stale) || attempt >= conflictRetries) throw failed[0]!.err;
    }
  }

  /** Live activations, newest last. */
  live(): ActivationView[] {
    return [...this.#live.values()].map((e) => this.#view(e));
  }

  /**
   * With a shared store: takes up what other processes left behind. A live activation past its deadline, or one
   * half-settled, found unchanged by `stuckSyncs` syncs in a row (its process had two whole intervals to act and
   * did not: it stopped) is brought here, its deadline or settlement then runs at once. Activations held here that
   * another process ended or advanced are read again. Returns how many were taken up.
   */
  async sync(): Promise<number> {
    const now = this.#o.clock.now();
    const live = await this.#o.store.liveActivations();
    const stuck = new Map<number, { version: number; seen: number }>();
    let taken = 0;
    for (const record of live) {
      const entry = this.#live.get(record.id);
      if (entry) {
        this.#track(record);
        continue;
      }
      if (record.expiresAt > now && !isSettling(record.state)) continue; // its own process keeps its deadline
      const before = this.#stuck.get(record.id);
      const seen = before?.version === record.version ? before.seen + 1 : 1;
      if (seen < stuckSyncs) stuck.set(record.id, { version: record.version, seen });
      else {
        this.#spawn(record);
        taken++;
      }
    }
    this.#stuck = stuck;
    const stillLive = new Set(live.map((r) => r.id));
    for (const entry of [...this.#live.values()]) {
      if (stillLive.has(entry.record.id) || entry.writing > 0) continue;
      await this.#fresh(entry.record.id); // ended elsewhere (or opened just after the read)
    }
    return taken;
  }

  subscribe(listener: Listener): () => void {
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

  async #opened(record: ActivationRecord): Promise<ActivationView> {
    const entry = this.#live.get(record.id) ?? this.#spawn(record);
    await this.#stored(entry);
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
    });
    if (!result.ok) return null;
    await this.#opened(result.activation);
    return result.activation.id;
  }

  #spawn(record: ActivationRecord): Entry {
    const input: ActivationInput = {
      id: record.id, accountId: record.accountId, service: record.service, iccid: record.iccid, phone: record.phone,
      price: record.price, createdAt: record.createdAt, expiresAt: record.expiresAt, remaining: record.remaining,
      repeatOf: record.repeatOf, skipReady: record.dialect === 'smsActivate',
    };
    const restored = record.snapshot !== null;
    const actor = createActor(this.#machine, {
      input,
      clock: this.#o.clock,
      ...(restored ? { snapshot: record.snapshot as never } : {}),
    });
    const entry: Entry = {
      actor, record, version: record.version, persisted: Promise.resolve(), unsaved: undefined, view: undefined, writing: 0, stale: false, resuming: false,
    };
    this.#live.set(record.id, entry);
    let ids = this.#bySim.get(record.iccid);
    if (!ids) this.#bySim.set(record.iccid, (ids = new Set()));
    ids.add(record.id);
    // Subscribed after start: the first snapshot at rest is what the store wrote with the order (or restored).
    actor.start();
    actor.subscribe({
      next: () => {
        entry.view = undefined;
        if (!entry.resuming) this.#persist(entry);
      },
      error: (err) => this.#o.log.error({ err, activationId: record.id }, 'activation actor failed'),
    });
    if (restored) {
      // Re-arms the deadline from the absolute expiresAt. The snapshot it makes is the stored one with its timer
      // re-armed: not written, so taking an activation up never races the process that advances it.
      entry.resuming = true;
      actor.send({ type: 'resume' });
      entry.resuming = false;
    }
    return entry;
  }

  /** Queues the actor's current snapshot for the store, in order, one write at a time. */
  #persist(entry: Entry) {
    const snapshot = entry.actor.getSnapshot();
    const update = projection(snapshot, entry.actor.getPersistedSnapshot(), this.#o.clock.now());
    entry.writing++;
    entry.persisted = entry.persisted.then(async () => {
      if (entry.stale) return; // replaced: what this actor did after the conflict was never true
      const known = entry.record.messages.length; // what the previous stored snapshot held
      try {
        entry.version = await this.#o.store.saveActivation(entry.record.id, update, entry.version);
        const { at: _at, ...changed } = update;
        entry.record = { ...entry.record, ...changed, version: entry.version };
        entry.unsaved = undefined;
      } catch (err) {
        entry.unsaved = err;
        if (err instanceof StoreError && err.code === 'STORE_CONFLICT') {
          // Another process stored a newer version first: its word stands; this actor is replaced by the stored one.
          this.#o.log.info({ activationId: entry.record.id }, 'activation advanced by another process; reading it again');
          entry.stale = true;
          await this.#replace(entry);
        } else {
          this.#o.log.error({ err, activationId: entry.record.id }, 'activation snapshot not stored');
        }
        return;
      } finally {
        entry.writing--;
      }
      if (!update.live) this.#forget(entry);
      this.#emit({ type: 'activation.changed', activation: strip(entry.record), received: update.messages.slice(known) });
    });
  }

  /** Drops a stale actor and, while the activation is live, brings it back from its stored version. */
  async #replace(entry: Entry) {
    const id = entry.record.id;
    const record = await this.#o.store.activation(id).catch((err: unknown) => {
      this.#o.log.error({ err, activationId: id }, 'activation not read again after a conflict');
      return undefined;
    });
    if (this.#live.get(id) === entry) this.#forget(entry);
    if (record && this.#holdable(record) && !this.#live.has(id)) this.#spawn(record);
  }

  /**
   * Whether a stored activation is for this process to hold. One being settled is left to the process settling
   * it (running the settlement twice at once would only make the two conflict); `sync()` takes it over if that
   * process stops.
   */
  #holdable(record: ActivationRecord) {
    return record.live && !isSettling(record.state);
  }

  /** With a shared store: the activation as stored now, held here while live (taken up, or read again when behind). */
  async #fresh(id: number) {
    await this.#live.get(id)?.persisted; // a write of this process in flight lands (or conflicts) first
    const record = await this.#o.store.activation(id);
    if (record) this.#track(record);
    else {
      const entry = this.#live.get(id);
      if (entry) this.#forget(entry);
    }
  }

  /** Makes the held actor agree with a stored record; a write of its own in flight is left to finish (or conflict). */
  #track(record: ActivationRecord): Entry | undefined {
    const entry = this.#live.get(record.id);
    if (entry && (entry.writing > 0 || entry.version >= record.version)) return entry;
    if (entry) this.#forget(entry);
    return this.#holdable(record) ? this.#spawn(record) : undefined;
  }

  async #viewShared(accountId: number, id: number): Promise<ActivationView | undefined> {
    const record = await this.#o.store.activation(id);
    if (!record || record.accountId !== accountId) return undefined;
    const entry = this.#live.get(id);
    if (entry && entry.version === record.version && !entry.stale) return this.#view(entry);
    return { ...strip(record), readied: readiedOf(record) };
  }

  /**
   * Resolves once the snapshot that entered a settling state is in the store.
   * The refund must not commit before it: a crash between the two would
   * leave a refunded activation live in its old state (a code could still
   * arrive on it). Found by test/faults/kill-loop.test.ts.
   */
  async #settlingStored(id: number) {
    const entry = this.#live.get(id);
    if (!entry) return;
    for (let i = 0; i < 100; i++) {
      await entry.persisted;
      if (entry.stale) throw new StoreError('STORE_CONFLICT', `activation ${id}: another process settles it`);
      if (isSettling(entry.record.state) || !entry.record.live) return;
      await new Promise((r) => setImmediate(r)); // the observer queues the settling snapshot after this actor starts
    }
    throw new StoreError('STORE_UNAVAILABLE', `activation ${id}: its settling state was not stored`);
  }

  #forget(entry: Entry) {
    const id = entry.record.id;
    this.#live.delete(id);
    const ids = this.#bySim.get(entry.record.iccid);
    ids?.delete(id);
    if (ids?.size === 0) this.#bySim.delete(entry.record.iccid);
    entry.actor.stop();
  }

  async #settled(entry: Entry) {
    await waitFor(entry.actor, (s) => s.status !== 'active' || !isSettling(stateOf(s)), { timeout: 15_000 });
    await this.#stored(entry);
  }

  /** Resolves once every snapshot so far is in the store; rejects when the newest could not be written. */
  async #stored(entry: Entry) {
    await entry.persisted;
    if (entry.unsaved === undefined) return;
    if (entry.stale) throw new StoreError('STORE_CONFLICT', `activation ${entry.record.id} was advanced by another process`);
    throw new StoreError('STORE_UNAVAILABLE', `activation ${entry.record.id} not stored`);
  }

  #tooEarlyToCancel(entry: Entry): boolean {
    return this.#o.clock.now() < entry.record.createdAt + (this.#o.earlyCancelMs ?? 120_000);
  }

  #view(entry: Entry): ActivationView {
    return (entry.view ??= this.#build(entry));
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

/** Whether the client said "ready" (or never had to), read from a stored snapshot; undefined when it does not say. */
function readiedOf(record: ActivationRecord): boolean | undefined {
  const context = (record.snapshot as { context?: { readied?: unknown } } | null)?.context;
  return typeof context?.readied === 'boolean' ? context.readied : undefined;
}

function strip(record: ActivationRecord): ActivationView {
  const { snapshot: _s, version: _v, ...view } = record;
  return view;
}
