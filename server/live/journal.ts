import type {
  ActivationNews, ActivationRegistry, ActivationView, Clock, LiveEvent, Log, NewLiveEvent, RentNews, RentRegistry, RentView, Store,
} from '../../actors/index.ts';

type Listener = (event: LiveEvent) => void;

/**
 * Says what each piece of the registries' news tells subscribers (the stores
 * write those events in the same step as the change: see `follow`), appends
 * other events (the farm's) to the durable log in the order they come, and
 * tells local listeners (the live hub, webhooks) about each event this
 * process's store appended, once it is stored, however it got there. Other
 * processes sharing the store find the same events by polling the log.
 */
export class Journal {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #log: Log;
  readonly #listeners = new Set<Listener>();
  #chain: Promise<void> = Promise.resolve();
  /** Events waiting for the write in progress to finish: they go together in the next one. */
  #queued: NewLiveEvent[] = [];
  /** Live rent id → its state and end time last written, so only a real change (an extension, a cancel) is news. */
  readonly #rents = new Map<number, string>();

  readonly #unsubscribeStore: () => void;

  constructor(deps: { store: Store; clock: Clock; log: Log }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#log = deps.log;
    // Events reach the log with the change they tell of (an order's, a snapshot's) or through `record`: all are told here.
    this.#unsubscribeStore = this.#store.onAppended((events) => {
      for (const e of events) for (const listener of this.#listeners) listener(e);
    });
  }

  /** The registry's news become events, written by the store with the order or snapshot they tell of (an outbox). */
  follow(registry: ActivationRegistry) {
    registry.tellWith((news) => activationEvents(news, this.#clock.now()));
  }

  /** The rent registry's news, each event on the renter's own stream, written the same way. */
  followRents(rents: RentRegistry) {
    rents.tellWith((news) => rentEvents(news, this.#clock.now(), this.#rents));
  }

  /**
   * Appends an event (queued behind earlier ones); resolves once it is stored and announced. Events that come
   * while a write is in progress are written together in the next one: one write per burst, not per event.
   */
  record(event: NewLiveEvent): Promise<void> {
    this.#queued.push(event);
    if (this.#queued.length > 1) return this.#chain; // a write of this batch is already queued
    this.#chain = this.#chain.then(async () => {
      const batch = this.#queued;
      this.#queued = [];
      try {
        await this.#store.appendEvents(batch); // told to the listeners by the store
      } catch (err) {
        this.#log.error({ err, events: batch.length, type: batch[0]?.type }, 'live events not stored');
      }
    });
    return this.#chain;
  }

  /** Called with each event this process stored. */
  onRecorded(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops following and waits for the events already queued. */
  async stop() {
    await this.#chain;
    this.#unsubscribeStore();
  }
}

/**
 * The registry's news as events: `activation.opened`, `activation.changed`,
 * and one `sms.received` per SMS an activation took (with its code and text).
 * `status` is the domain's state word (`waitingForCode`, `codeArrived`, …),
 * the same for every dialect: protocol words stay in the gateways.
 */
export function activationEvents(news: ActivationNews, at: number): NewLiveEvent[] {
  const a = news.activation;
  const base = (type: string, extra: Record<string, unknown> = {}): NewLiveEvent => ({
    at, topic: 'activation', type, accountId: a.accountId, data: { ...fields(a), ...extra },
  });
  if (news.type === 'activation.opened') return [base('activation.opened')];
  if (news.received.length === 0) return [base('activation.changed')];
  return news.received.map((sms) =>
    base('sms.received', { code: sms.code, text: sms.text, from: sms.from, smsId: sms.smsId, receivedAt: new Date(sms.at).toISOString() }),
  );
}

function fields(a: ActivationView): Record<string, unknown> {
  return {
    activationId: a.id, status: a.state, service: a.service, phone: a.phone, country: a.country,
    ...(a.code !== null ? { code: a.code } : {}),
    live: a.live,
  };
}

/**
 * The rent registry's news as the renter's events: `rent.opened`, one
 * `rent.sms` per SMS the rent took (whoever sent it), `rent.changed` when its
 * state or end time moved (an extension, a cancel being refunded), and
 * `rent.ended` once it is over. `known` holds what was last written of each
 * live rent (a restore re-announces rents without anything new).
 */
export function rentEvents(news: RentNews, at: number, known: Map<number, string>): NewLiveEvent[] {
  const r = news.rent;
  const base = (type: string, extra: Record<string, unknown> = {}): NewLiveEvent => ({
    at, topic: 'rent', type, accountId: r.accountId, data: { ...rentFields(r), ...extra },
  });
  const mark = `${r.state}@${r.endsAt}`;
  const before = known.get(r.id);
  if (r.live) known.set(r.id, mark);
  else known.delete(r.id);
  if (news.type === 'rent.opened') return [base('rent.opened')];
  const events = news.received.map((sms) =>
    base('rent.sms', { smsId: sms.smsId, from: sms.from, text: sms.text, receivedAt: new Date(sms.at).toISOString() }),
  );
  if (!r.live) events.push(base('rent.ended'));
  else if (before !== undefined && before !== mark) events.push(base('rent.changed'));
  return events;
}

function rentFields(r: RentView): Record<string, unknown> {
  return {
    rentId: r.id, status: r.state, phone: r.phone, country: r.country, operator: r.operator,
    createdAt: new Date(r.createdAt).toISOString(), endsAt: new Date(r.endsAt).toISOString(), live: r.live,
  };
}
