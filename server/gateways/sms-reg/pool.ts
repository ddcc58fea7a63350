import { setTimeout as sleep } from 'node:timers/promises';
import type { OrderOutcome, PoolTicket, PoolTicketChange, SimFilter, Store } from '../../../actors/index.ts';

/**
 * sms-reg's pool: getNum always answers a tzid, and getState says `TZ_INPOOL`
 * until a number is assigned, then `TZ_NUM_PREPARE` (protocol-notes §2). An
 * order the farm can fill at once becomes an activation at once, its tzid the
 * activation's id. One it cannot fill waits as a *ticket*: each time its owner
 * asks about it (at most once per `retryMs`) the order is tried again, until
 * `windowMs` after getNum; then it answers `WARNING_NO_NUMS`. A filled ticket
 * is an alias of its activation.
 *
 * Tickets live in the store, so behind a balancer any process answers for
 * any ticket. A try is leased: the process that takes the lease (a
 * compare-and-set) places the order, the others answer the ticket as it
 * stands. The order names the ticket, and the store makes one activation per
 * ticket at most, so a try taken up again after its process died (its lease
 * ran out) finds the activation it made, or makes the one it did not.
 */

/** Tzids are drawn from 2,000,000,000–2,147,483,647: activation ids never get there, and they fit a signed 32-bit int. */
const firstTzid = 2_000_000_000;
const lastTzid = 0x7fffffff;

export interface PoolOptions {
  store: Store;
  /** How long an order waits in the pool for a number. */
  windowMs: number;
  /** How long a ticket that never got a number is remembered (a filled one stays, an alias of its activation). */
  keepMs: number;
  retryMs: number;
  /** How long a try may take before another process takes it for abandoned. */
  leaseMs: number;
  now: () => number;
}

/** How often a withdrawal looks again at a ticket another process is trying. */
const pollMs = 25;

/** How a try ends for its ticket: what to write, and the order's activation (to give back if the ticket went meanwhile). */
type Tried = { change: PoolTicketChange; madeId: number | null };

export class OrderPool {
  readonly #o: PoolOptions;
  /** Tries this process runs, by tzid: a second asker here waits for the first instead of answering mid-try. */
  readonly #trying = new Map<number, Promise<void>>();
  #prunedAt = -Infinity;

  constructor(options: PoolOptions) {
    this.#o = options;
  }

  /** Queues an order the farm could not fill just now (it was tried at `now`). */
  async open(accountId: number, service: string, filter: SimFilter): Promise<PoolTicket> {
    const now = this.#o.now();
    // Not waited for: getNum answers at once; a prune that fails is tried again a minute later.
    this.#prune(now).catch(() => {});
    for (let draws = 0; ; draws++) {
      const ticket: PoolTicket = {
        tzid: firstTzid + Math.floor(Math.random() * (lastTzid - firstTzid + 1)), accountId, service, filter,
        createdAt: now, until: now + this.#o.windowMs, state: this.#o.windowMs > 0 ? 'looking' : 'noNumbers',
        activationId: null, triedAt: now, leaseUntil: 0,
      };
      if (await this.#o.store.insertPoolTicket(ticket)) return ticket;
      if (draws >= 20) throw new Error('no free tzid in 20 draws'); // 147 million of them: the store is not answering right
    }
  }

  /** The account's ticket with this tzid; someone else's is indistinguishable from none. */
  async get(accountId: number, tzid: number): Promise<PoolTicket | undefined> {
    if (tzid < firstTzid || tzid > lastTzid) return undefined;
    const ticket = await this.#o.store.poolTicket(tzid);
    if (!ticket || ticket.accountId !== accountId) return undefined;
    // One that never got a number is forgotten after keepMs; a filled one names its activation for good.
    return ticket.state !== 'filled' && this.#o.now() > ticket.createdAt + this.#o.keepMs ? undefined : ticket;
  }

  /**
   * Tries the order again when it is due and nobody else is trying it; resolves with the ticket as current as it gets.
   * A store fault rejects and leaves the ticket looking (its lease, if taken, runs out).
   * `giveBack` cancels an activation made for a ticket that was withdrawn or ran out meanwhile.
   */
  async look(ticket: PoolTicket, order: () => Promise<OrderOutcome>, giveBack: (activationId: number) => Promise<void>): Promise<PoolTicket> {
    for (let t = ticket; ;) {
      if (t.state !== 'looking') return t;
      const now = this.#o.now();
      if (t.leaseUntil > now) {
        const mine = this.#trying.get(t.tzid);
        if (!mine) return t; // another process is trying it: it stands as it is for now
        await mine.catch(() => {});
      } else if (t.leaseUntil !== 0) {
        await this.#takeUpLapsed(t);
      } else if (now >= t.until) {
        await this.#set(t, { state: 'noNumbers' });
      } else if (now - t.triedAt < this.#o.retryMs) {
        return t;
      } else {
        await this.#try(t, now, order, giveBack);
      }
      const again = await this.#o.store.poolTicket(t.tzid);
      if (!again) return gone(t);
      t = again;
    }
  }

  /**
   * Stops looking (setOperationOver on an order still in the pool). Resolves with the ticket as it ends:
   * withdrawn, or filled when it got a number first (a try under way is waited for, here or elsewhere).
   */
  async withdraw(ticket: PoolTicket): Promise<PoolTicket> {
    for (let t = ticket; ;) {
      if (t.state === 'filled' || t.state === 'withdrawn') return t;
      const now = this.#o.now();
      if (t.leaseUntil > now) {
        await (this.#trying.get(t.tzid)?.catch(() => {}) ?? sleep(pollMs));
      } else if (t.leaseUntil !== 0) {
        await this.#takeUpLapsed(t);
      } else if (await this.#set(t, { state: 'withdrawn' })) {
        return { ...t, state: 'withdrawn' };
      }
      const again = await this.#o.store.poolTicket(t.tzid);
      if (!again) return gone(t);
      t = again;
    }
  }

  /** Takes the lease and places the order; what it got is written unless the ticket changed meanwhile. */
  async #try(t: PoolTicket, now: number, order: () => Promise<OrderOutcome>, giveBack: (id: number) => Promise<void>) {
    const lease = { triedAt: now, leaseUntil: now + this.#o.leaseMs };
    if (!(await this.#set(t, lease))) return;
    const leased = { ...t, ...lease };
    const running = order()
      .then((outcome) => this.#end(leased, tried(outcome), giveBack), async (err: unknown) => {
        await this.#set(leased, { leaseUntil: 0 }).catch(() => {}); // the next asker tries again at once
        throw err;
      })
      .finally(() => this.#trying.delete(t.tzid));
    this.#trying.set(t.tzid, running);
    await running;
  }

  async #end(leased: PoolTicket, { change, madeId }: Tried, giveBack: (id: number) => Promise<void>) {
    if (await this.#set(leased, { ...change, leaseUntil: 0 })) return;
    if (madeId === null) return;
    // The lease ran out under a slow order and the ticket moved on: keep the activation only if it filled the ticket.
    const now = await this.#o.store.poolTicket(leased.tzid);
    if (now?.activationId !== madeId) await giveBack(madeId);
  }

  /** A try whose process died (its lease ran out unended): its activation, if it made one, fills the ticket. */
  async #takeUpLapsed(t: PoolTicket) {
    const made = await this.#o.store.activationOfTicket(t.tzid);
    await this.#set(t, made ? { state: 'filled', activationId: made.id, leaseUntil: 0 } : { leaseUntil: 0 });
  }

  #set(t: PoolTicket, change: PoolTicketChange): Promise<boolean> {
    return this.#o.store.updatePoolTicket(t.tzid, t, change);
  }

  /** Forgets tickets that never got a number past `keepMs`, at most once a minute, as new ones come. */
  async #prune(now: number) {
    if (now - this.#prunedAt < 60_000) return;
    this.#prunedAt = now;
    await this.#o.store.prunePoolTickets(now - this.#o.keepMs);
  }
}

function tried(outcome: OrderOutcome): Tried {
  if (outcome.ok) return { change: { state: 'filled', activationId: outcome.activation.id }, madeId: outcome.activation.id };
  return { change: outcome.code === 'noBalance' ? { state: 'noBalance' } : {}, madeId: null };
}

/** A ticket pruned while it was being looked at (it outlived keepMs): over, whatever it was doing. */
const gone = (t: PoolTicket): PoolTicket => (t.state === 'looking' ? { ...t, state: 'noNumbers', leaseUntil: 0 } : t);
