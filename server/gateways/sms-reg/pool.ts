import type { OrderOutcome, SimFilter } from '../../../actors/index.ts';

/**
 * sms-reg's pool: getNum always answers a tzid, and getState says `TZ_INPOOL`
 * until a number is assigned, then `TZ_NUM_PREPARE` (protocol-notes §2). An
 * order the farm can fill at once becomes an activation at once, its tzid the
 * activation's id. One it cannot fill waits here as a *ticket*: each time its
 * owner asks about it (at most once per `retryMs`) it tries the order again,
 * until `windowMs` after getNum; then it answers `WARNING_NO_NUMS`. A filled
 * ticket is an alias of its activation.
 *
 * Tickets live in memory: after a restart an unfilled ticket is unknown
 * ("There is no TZID value") and a filled one is reached by its activation id.
 * Their ids are drawn from 2,000,000,000–2,147,483,647, a range the store's
 * activation ids never reach, and still fit a signed 32-bit int.
 */
export interface Ticket {
  readonly tzid: number;
  readonly accountId: number;
  readonly service: string;
  readonly filter: SimFilter;
  readonly createdAt: number;
  readonly until: number;
  state: 'looking' | 'filled' | 'noNumbers' | 'noBalance' | 'withdrawn';
  activationId: number | null;
  triedAt: number;
  trying: Promise<void> | undefined;
}

export interface PoolOptions {
  /** How long an order waits in the pool for a number. */
  windowMs: number;
  /** How long a ticket is remembered at all (a filled one is used for as long as its activation lives). */
  keepMs: number;
  retryMs: number;
  maxTickets: number;
  now: () => number;
}

const firstId = 2_000_000_000;
const lastId = 0x7fffffff;

export class OrderPool {
  readonly #tickets = new Map<number, Ticket>();
  readonly #o: PoolOptions;
  #next = firstId + Math.floor(Math.random() * 100_000_000);

  constructor(options: PoolOptions) {
    this.#o = options;
  }

  /** Queues an order the farm could not fill just now (it was tried at `now`). */
  open(accountId: number, service: string, filter: SimFilter): Ticket {
    const now = this.#o.now();
    if (this.#tickets.size >= this.#o.maxTickets) this.#evictOldest();
    let tzid = this.#next;
    while (this.#tickets.has(tzid)) tzid = tzid >= lastId ? firstId : tzid + 1;
    this.#next = tzid >= lastId ? firstId : tzid + 1;
    const ticket: Ticket = {
      tzid, accountId, service, filter, createdAt: now, until: now + this.#o.windowMs,
      state: this.#o.windowMs > 0 ? 'looking' : 'noNumbers', activationId: null, triedAt: now, trying: undefined,
    };
    this.#tickets.set(tzid, ticket);
    return ticket;
  }

  /** The account's ticket with this tzid; someone else's is indistinguishable from none. */
  get(accountId: number, tzid: number): Ticket | undefined {
    const ticket = this.#tickets.get(tzid);
    if (!ticket) return undefined;
    if (this.#o.now() > ticket.createdAt + this.#o.keepMs) {
      this.#tickets.delete(tzid);
      return undefined;
    }
    return ticket.accountId === accountId ? ticket : undefined;
  }

  /**
   * Tries the order again when it is due; resolves once the ticket is as
   * current as it gets. A store fault rejects and leaves the ticket looking.
   */
  async look(ticket: Ticket, order: () => Promise<OrderOutcome>): Promise<void> {
    if (ticket.trying) return ticket.trying;
    if (ticket.state !== 'looking') return;
    const now = this.#o.now();
    if (now >= ticket.until) {
      ticket.state = 'noNumbers';
      return;
    }
    if (now - ticket.triedAt < this.#o.retryMs) return;
    ticket.triedAt = now;
    ticket.trying = order()
      .then((outcome) => {
        if (outcome.ok) {
          ticket.state = 'filled';
          ticket.activationId = outcome.activation.id;
        } else if (outcome.code === 'noBalance') ticket.state = 'noBalance';
      })
      .finally(() => {
        ticket.trying = undefined;
      });
    return ticket.trying;
  }

  /** Stops looking (setOperationOver on an order still in the pool); false once it has a number. */
  async withdraw(ticket: Ticket): Promise<boolean> {
    await ticket.trying?.catch(() => {});
    if (ticket.state === 'filled') return false;
    ticket.state = 'withdrawn';
    return true;
  }

  #evictOldest() {
    // Maps iterate in insertion order: the first tickets are the oldest. Forgetting one is safe.
    let drop = Math.max(1, Math.floor(this.#o.maxTickets / 10));
    for (const tzid of this.#tickets.keys()) {
      if (drop-- <= 0) break;
      this.#tickets.delete(tzid);
    }
  }
}
