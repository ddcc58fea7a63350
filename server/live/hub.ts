import type { Clock, LiveEvent, Log, Store } from '../../actors/index.ts';
import { textFrame } from './frame.ts';
import { closeCodes, type Subscriber } from './subscriber.ts';
import { wire } from './topics.ts';

export interface HubOptions {
  store: Store;
  clock: Clock;
  log: Log;
  /** Ping every connection this often; one that answered neither of the last two pings is dropped. */
  heartbeatMs: number;
  /** How often the shared log is read for events other processes appended. */
  pollMs: number;
  /** Events older than this, or beyond this many, are pruned (hourly). */
  retentionMs: number;
  retentionEvents: number;
}

/** Events offered per turn of the event loop: between pages healthy sockets drain, so a burst does not look slow. */
const tailPage = 100;
const pruneEveryMs = 3_600_000;

/**
 * The fan-out. It tails the event log (woken at once for this process's own
 * events, and every `pollMs` for those of other processes sharing the store),
 * makes each event's frame once and offers it to the connections it concerns:
 * the owner's connections, and those of operators watching everything.
 */
export class Hub {
  readonly #o: HubOptions;
  readonly #all = new Set<Subscriber>();
  readonly #byAccount = new Map<number, Set<Subscriber>>();
  /** Operators' and admins' connections: they may listen past their own events. */
  readonly #watchers = new Set<Subscriber>();
  /** The id of the newest event offered. */
  #last = 0;
  #tailing: Promise<void> | undefined;
  #again = false;
  #timers: NodeJS.Timeout[] = [];

  constructor(options: HubOptions) {
    this.#o = options;
  }

  get lastEventId() {
    return this.#last;
  }

  get size() {
    return this.#all.size;
  }

  async start() {
    this.#last = (await this.#o.store.eventBounds()).newest;
    await this.prune();
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.#timers.push(t);
    };
    every(this.#o.pollMs, () => this.kick());
    every(this.#o.heartbeatMs, () => void this.#heartbeat());
    every(pruneEveryMs, () => void this.prune());
  }

  /** Reads the log for events after the last one offered (one reader at a time; a kick while reading reads again). */
  kick(): Promise<void> {
    if (this.#tailing) {
      this.#again = true;
      return this.#tailing;
    }
    this.#tailing = this.#tail().finally(() => {
      this.#tailing = undefined;
      if (this.#again) {
        this.#again = false;
        void this.kick();
      }
    });
    return this.#tailing;
  }

  /**
   * An event this process just stored. The next one in the log goes out at once; after a gap (another process
   * wrote in between) or while the log is being read, the log is read, so the order stays the log's.
   */
  recorded(e: LiveEvent) {
    if (!this.#tailing && e.id === this.#last + 1) this.#offer(e);
    else if (e.id > this.#last) void this.kick();
  }

  add(sub: Subscriber) {
    this.#all.add(sub);
    let mine = this.#byAccount.get(sub.accountId);
    if (!mine) this.#byAccount.set(sub.accountId, (mine = new Set()));
    mine.add(sub);
    if (sub.session.account.role !== 'user') this.#watchers.add(sub);
  }

  remove(sub: Subscriber) {
    this.#all.delete(sub);
    this.#watchers.delete(sub);
    const mine = this.#byAccount.get(sub.accountId);
    mine?.delete(sub);
    if (mine?.size === 0) this.#byAccount.delete(sub.accountId);
  }

  async prune() {
    try {
      const gone = await this.#o.store.pruneEvents({ before: this.#o.clock.now() - this.#o.retentionMs, keep: this.#o.retentionEvents });
      if (gone > 0) this.#o.log.info({ gone }, 'old live events pruned');
    } catch (err) {
      this.#o.log.warn({ err }, 'live events not pruned');
    }
  }

  /** Closes every connection (going away) and stops the timers. */
  async stop() {
    for (const t of this.#timers) clearInterval(t);
    await this.#tailing;
    for (const sub of this.#all) sub.close(closeCodes.goingAway, 'server stopping');
    // Clients answer the close frame at once; whoever has not within a second is dropped.
    for (let waited = 0; this.#all.size > 0 && waited < 1000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    for (const sub of this.#all) sub.ws.terminate();
  }

  async #tail() {
    try {
      for (;;) {
        const page = await this.#o.store.eventsSince({ after: this.#last, limit: tailPage });
        for (const e of page) this.#offer(e);
        if (page.length < tailPage) return;
        await new Promise((r) => setImmediate(r));
      }
    } catch (err) {
      this.#o.log.warn({ err }, 'live event log not read; trying again at the next poll');
    }
  }

  #offer(e: LiveEvent) {
    this.#last = e.id;
    let frame: Buffer | undefined;
    const to = (subs: Iterable<Subscriber>) => {
      for (const sub of subs) sub.offer(e, (frame ??= textFrame(Buffer.from(wire(e)))));
    };
    // Own events go to the owner's connections; everything else to those that may read past their own.
    if (e.accountId !== null) to(this.#byAccount.get(e.accountId) ?? []);
    for (const sub of this.#watchers) if (sub.accountId !== e.accountId) to([sub]);
  }

  async #heartbeat() {
    for (const sub of this.#all) {
      // Two pings unanswered: a dead peer or a dead network. (One may be a pong still unread behind a busy loop.)
      if (sub.missedPongs >= 2) {
        sub.ws.terminate();
        continue;
      }
      sub.missedPongs++;
      sub.ws.ping();
    }
    // Keys change and sessions end: a connection lives only as long as its credential.
    const subs = [...this.#all];
    const valid = await Promise.all(subs.map((s) => s.session.stillValid().catch(() => true)));
    subs.forEach((s, i) => {
      if (!valid[i]) s.close(closeCodes.revoked, 'credentials no longer valid');
    });
  }
}
