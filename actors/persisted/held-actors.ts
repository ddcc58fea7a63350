import { createActor, type Actor, type AnyStateMachine, type InputFrom } from 'xstate';
import type { Clock, Log } from '../log.ts';
import { StoreError } from '../store.ts';

/** What every stored actor record has: an id, whether it is live, its snapshot and its compare-and-set version. */
export interface StoredRecord {
  id: number;
  live: boolean;
  snapshot: unknown;
  version: number;
}

/** One actor this process holds, with its stored record and where its writes stand. */
export interface Held<R extends StoredRecord, M extends AnyStateMachine> {
  readonly actor: Actor<M>;
  /** The record as last stored by this actor, or as read. */
  record: R;
  /** Every write queued so far, one at a time, in order. */
  persisted: Promise<void>;
  /** Set while the newest snapshot could not be written: callers must not be told it happened. */
  unsaved: unknown;
  /** Snapshots queued for the store and not yet written. */
  writing: number;
  /** Another process advanced the record first (a version conflict): this actor is stopped and replaced. */
  stale: boolean;
  /** While a restored actor re-arms its deadline. */
  resuming: boolean;
}

/** What differs between activations and rents: how their records are read and written, and their actors made. */
export interface HeldKind<R extends StoredRecord, M extends AnyStateMachine, U extends { live: boolean }> {
  /** Names the records in logs and errors: `activation`, `rent`. */
  name: string;
  machine: M;
  read(id: number): Promise<R | undefined>;
  readLive(): Promise<R[]>;
  /** Live records past their deadline at `now`, or being settled: all that `sync()` needs to look at. */
  readDue(now: number): Promise<R[]>;
  /** `update` over `before`, compare-and-set on its version; resolves to the new version, rejects with STORE_CONFLICT when behind. */
  write(before: R, update: U): Promise<number>;
  /** The machine's input for a stored record (a restored snapshot carries its own context). */
  input(record: R): InputFrom<M>;
  /**
   * Re-arms a restored actor's deadline from the absolute time in the record. What that makes is not written,
   * unless this answers true: the record held news the snapshot lacked (an extension), which the snapshot now has.
   */
  resume(actor: Actor<M>, record: R): boolean;
  /** What the store keeps of the actor's current snapshot. */
  update(actor: Actor<M>): U;
  /** The record once `update` is stored at `version`. */
  stored(record: R, update: U, version: number): R;
  /** Being settled (a refund in flight): left to the process settling it. */
  settling(record: R): boolean;
  /** Past its deadline at `now`: its process should have ended it. */
  overdue(record: R, now: number): boolean;
  /** Each snapshot stored; `before` is the record as it was. */
  onStored(held: Held<R, M>, update: U, before: R): void;
  /** A record begins (true) or ends (false) being held here: the registry's own indexes follow. */
  onHeld(held: Held<R, M>, holding: boolean): void;
}

/** How many times a command or an SMS is applied again after another process advanced its record first. */
export const conflictRetries = 5;

/** How many syncs in a row must find an overdue or settling record unchanged before it is taken over. */
const stuckSyncs = 3;

/**
 * The actors a registry holds, each written through the store before a caller hears of its step (compare-and-set
 * on the version, one write at a time). With a shared store, several processes may hold one record: the first
 * write wins, and the loser's actor is marked stale, stopped and brought back from the stored version; records
 * are read again before a command (`fresh`), and `sync()` takes over those whose process stopped advancing them.
 */
export class HeldActors<R extends StoredRecord, M extends AnyStateMachine, U extends { live: boolean }> {
  readonly #k: HeldKind<R, M, U>;
  readonly #o: { clock: Clock; log: Log; shared: boolean };
  readonly #held = new Map<number, Held<R, M>>();
  /** Records past their deadline or settling that another process holds, unchanged since `seen` syncs. */
  #stuck = new Map<number, { version: number; seen: number }>();

  constructor(kind: HeldKind<R, M, U>, options: { clock: Clock; log: Log; shared?: boolean | undefined }) {
    this.#k = kind;
    this.#o = { clock: options.clock, log: options.log, shared: options.shared ?? false };
  }

  get(id: number): Held<R, M> | undefined {
    return this.#held.get(id);
  }

  /** Every held actor, oldest first. */
  all(): Held<R, M>[] {
    return [...this.#held.values()];
  }

  /** The held actor when it stands at `record`'s version (its view is then the stored truth). */
  at(record: R): Held<R, M> | undefined {
    const held = this.#held.get(record.id);
    return held && held.record.version === record.version && !held.stale ? held : undefined;
  }

  /** Brings every live record of the store back; with a shared store, not those another process is settling. */
  async restore(): Promise<number> {
    const live = await this.#k.readLive();
    for (const record of live) if (!this.#held.has(record.id) && (!this.#o.shared || this.#holdable(record))) this.hold(record);
    await Promise.all(this.all().map((h) => h.persisted));
    return live.length;
  }

  /** Starts the actor of a stored record, its later snapshots written as they come; a restored one is resumed. */
  hold(record: R): Held<R, M> {
    const restored = record.snapshot !== null;
    const actor = createActor(this.#k.machine, {
      input: this.#k.input(record), clock: this.#o.clock, ...(restored ? { snapshot: record.snapshot as never } : {}),
    } as never) as Actor<M>;
    const held: Held<R, M> = { actor, record, persisted: Promise.resolve(), unsaved: undefined, writing: 0, stale: false, resuming: false };
    this.#held.set(record.id, held);
    this.#k.onHeld(held, true);
    // Subscribed after start: the first snapshot at rest is what the store already has.
    actor.start();
    actor.subscribe({
      next: () => {
        if (!held.resuming) this.#persist(held);
      },
      error: (err) => this.#o.log.error({ err, [`${this.#k.name}Id`]: record.id }, `${this.#k.name} actor failed`),
    });
    if (restored) {
      // The snapshot resuming makes is the stored one with its timer re-armed: not written, so taking a record up
      // never races the process that advances it.
      held.resuming = true;
      const caughtUp = this.#k.resume(actor, record);
      held.resuming = false;
      if (caughtUp) this.#persist(held);
    }
    return held;
  }

  /** With a shared store: the record as stored now, held here while live (taken up, or read again when behind). */
  async fresh(id: number): Promise<void> {
    await this.#held.get(id)?.persisted; // a write of this process in flight lands (or conflicts) first
    const record = await this.#k.read(id);
    if (record) this.track(record);
    else {
      const held = this.#held.get(id);
      if (held) this.forget(held);
    }
  }

  /** Makes the held actor agree with a stored record; a write of its own in flight is left to finish (or conflict). */
  track(record: R): Held<R, M> | undefined {
    const held = this.#held.get(record.id);
    if (held && (held.writing > 0 || held.record.version >= record.version)) return held;
    if (held) this.forget(held);
    return this.#holdable(record) ? this.hold(record) : undefined;
  }

  /**
   * With a shared store: takes up what other processes left behind. A live record past its deadline, or one
   * half-settled, found unchanged by `stuckSyncs` syncs in a row (its process had two whole intervals to act and
   * did not: it stopped) is brought here, its deadline or settlement then runs at once. Only such records are
   * read (not every live one: a sync runs every few seconds on every process). A held actor another process
   * advanced meanwhile learns of it at its next step, which conflicts. Returns how many were taken up.
   */
  async sync(): Promise<number> {
    const now = this.#o.clock.now();
    const due = await this.#k.readDue(now);
    const stuck = new Map<number, { version: number; seen: number }>();
    let taken = 0;
    for (const record of due) {
      if (this.#held.has(record.id)) {
        this.track(record);
        continue;
      }
      if (!this.#k.overdue(record, now) && !this.#k.settling(record)) continue; // its own process keeps its deadline
      const before = this.#stuck.get(record.id);
      const seen = before?.version === record.version ? before.seen + 1 : 1;
      if (seen < stuckSyncs) stuck.set(record.id, { version: record.version, seen });
      else {
        this.hold(record);
        taken++;
      }
    }
    this.#stuck = stuck;
    return taken;
  }

  /**
   * A held actor whose newest snapshot could not be written (the store failing): writes it again now. Resolves
   * once it is stored; rejects, as `stored` does, while the store still fails.
   */
  async flush(held: Held<R, M>): Promise<void> {
    await held.persisted;
    if (held.unsaved === undefined || held.stale) return this.stored(held);
    this.#persist(held);
    return this.stored(held);
  }

  /** Resolves once every snapshot so far is in the store; rejects when the newest could not be written. */
  async stored(held: Held<R, M>): Promise<void> {
    await held.persisted;
    if (held.unsaved === undefined) return;
    const what = `${this.#k.name} ${held.record.id}`;
    if (held.stale) throw new StoreError('STORE_CONFLICT', `${what} was advanced by another process`);
    throw new StoreError('STORE_UNAVAILABLE', `${what} not stored`);
  }

  /**
   * Resolves once the snapshot that entered a settling state is in the store. A refund must not commit before
   * it: a crash between the two would leave a refunded record live in its old state, and with a shared store
   * another process may have ended it first (this actor is then stale, and its refund never happens).
   */
  async settlingStored(id: number): Promise<void> {
    const held = this.#held.get(id);
    if (!held) return;
    for (let i = 0; i < 100; i++) {
      await held.persisted;
      if (held.stale) throw new StoreError('STORE_CONFLICT', `${this.#k.name} ${id}: another process settles it`);
      if (this.#k.settling(held.record) || !held.record.live) return;
      await new Promise((r) => setImmediate(r)); // the observer queues the settling snapshot after the refund starts
    }
    throw new StoreError('STORE_UNAVAILABLE', `${this.#k.name} ${id}: its settling state was not stored`);
  }

  forget(held: Held<R, M>): void {
    this.#held.delete(held.record.id);
    this.#k.onHeld(held, false);
    held.actor.stop();
  }

  /** Stops every actor once its writes are done (their stored state stays as it is, to be restored). */
  async stop(): Promise<void> {
    await Promise.all(this.all().map((h) => h.persisted));
    for (const held of this.all()) this.forget(held);
  }

  /** Queues the actor's current snapshot for the store, in order, one write at a time. */
  #persist(held: Held<R, M>) {
    const update = this.#k.update(held.actor);
    held.writing++;
    held.persisted = held.persisted.then(async () => {
      if (held.stale) return; // replaced: what this actor did after the conflict was never true
      const before = held.record;
      try {
        const version = await this.#k.write(before, update);
        held.record = this.#k.stored(before, update, version);
        held.unsaved = undefined;
      } catch (err) {
        held.unsaved = err;
        if (err instanceof StoreError && err.code === 'STORE_CONFLICT') {
          // Another process stored a newer version first: its word stands; this actor is replaced by the stored one.
          this.#o.log.info({ [`${this.#k.name}Id`]: before.id }, `${this.#k.name} advanced by another process; reading it again`);
          held.stale = true;
          await this.#replace(held);
        } else {
          this.#o.log.error({ err, [`${this.#k.name}Id`]: before.id }, `${this.#k.name} snapshot not stored`);
        }
        return;
      } finally {
        held.writing--;
      }
      if (!update.live && this.#held.get(before.id) === held) this.forget(held);
      this.#k.onStored(held, update, before);
    });
  }

  /** Drops a stale actor and, while the record is live, brings it back from its stored version. */
  async #replace(held: Held<R, M>) {
    const id = held.record.id;
    const record = await this.#k.read(id).catch((err: unknown) => {
      this.#o.log.error({ err, [`${this.#k.name}Id`]: id }, `${this.#k.name} not read again after a conflict`);
      return undefined;
    });
    if (this.#held.get(id) === held) this.forget(held);
    if (record && this.#holdable(record) && !this.#held.has(id)) this.hold(record);
  }

  /**
   * Whether a stored record is for this process to hold. One being settled is left to the process settling it
   * (running the settlement twice at once would only make the two conflict); `sync()` takes it over if that
   * process stops.
   */
  #holdable(record: R) {
    return record.live && !this.#k.settling(record);
  }
}
