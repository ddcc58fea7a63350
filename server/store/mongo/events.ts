import type {
  EventQuery, LiveEvent, NewLiveEvent, NewWebhookDelivery, Webhook, WebhookDelivery, WebhookOutcome,
} from '../../../actors/index.ts';
import { IdSequence, insertOnce, isDuplicate, put } from './ids.ts';
import type { Models } from './models.ts';

interface EventDoc { _id: number; at: number; topic: LiveEvent['topic']; type: string; accountId: number | null; data: string }
interface DeliveryDoc {
  _id: number; key: string; accountId: number; url: string; body: string; state: WebhookDelivery['state'];
  attempts: number; dueAt: number; lastError: string | null; createdAt: number; doneAt: number | null;
}

/**
 * The live channel's event log. An id is taken by inserting under it, and an
 * id is tried only once the one below it exists (see IdSequence), so a reader
 * that saw id n has seen every id below it; appends of this process run one at
 * a time to keep that so. Pruning records the highest id it removed, so an
 * emptied log goes on above it.
 */
export class EventLog {
  readonly #m: Models;
  readonly #ids: IdSequence;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(m: Models) {
    this.#m = m;
    this.#ids = new IdSequence(m.events, async () => {
      const mark = await m.eventMarks.findOne({}).sort({ _id: -1 }).lean<{ _id: number }>();
      return mark?._id ?? 0;
    });
  }

  async append(e: NewLiveEvent): Promise<LiveEvent> {
    return (await this.appendMany([e]))[0]!;
  }

  /**
   * A batch, in its order, with no other append of this process between its events; `sources` (one per event)
   * names where each was relayed from (see EventOutbox).
   */
  appendMany(events: readonly NewLiveEvent[], sources?: readonly string[]): Promise<LiveEvent[]> {
    const run = this.#tail.then(async () => {
      const stored: LiveEvent[] = [];
      for (const [i, e] of events.entries()) {
        const id = await this.#ids.insert((id) => ({
          _id: id, at: e.at, topic: e.topic, type: e.type, accountId: e.accountId, data: JSON.stringify(e.data),
          ...(sources ? { source: sources[i] } : {}),
        }));
        stored.push({ id, ...e });
      }
      return stored;
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async since(query: EventQuery): Promise<LiveEvent[]> {
    const filter: Record<string, unknown> = { _id: { $gt: query.after } };
    if (query.accountId !== undefined) filter.accountId = query.accountId;
    const docs = await this.#m.events.find(filter).sort({ _id: 1 }).limit(query.limit).lean<EventDoc[]>();
    return docs.map((d) => ({
      id: d._id, at: d.at, topic: d.topic, type: d.type, accountId: d.accountId ?? null, data: JSON.parse(d.data) as LiveEvent['data'],
    }));
  }

  async bounds(): Promise<{ oldest: number; newest: number }> {
    const [oldest, newest] = await Promise.all([
      this.#m.events.findOne({}, { _id: 1 }).sort({ _id: 1 }).lean<{ _id: number }>(),
      this.#m.events.findOne({}, { _id: 1 }).sort({ _id: -1 }).lean<{ _id: number }>(),
    ]);
    return { oldest: oldest?._id ?? 0, newest: newest?._id ?? 0 };
  }

  async prune(rule: { before: number; keep: number }): Promise<number> {
    const { newest } = await this.bounds();
    if (newest === 0) return 0;
    await insertOnce(this.#m.eventMarks, { _id: newest });
    const gone = await this.#m.events.deleteMany({ $or: [{ at: { $lt: rule.before } }, { _id: { $lte: newest - rule.keep } }] });
    await this.#m.eventMarks.deleteMany({ _id: { $lt: newest } }); // the highest mark is all that counts
    return gone.deletedCount;
  }
}

/**
 * Webhook URLs and the outbox. Each attempt at a delivery is leased by
 * inserting `<id>:<attempt>`, and finishing it by inserting `<id>:final`, so
 * two processes never send the same attempt and a finished delivery stays so.
 */
export class WebhookOutbox {
  readonly #m: Models;
  readonly #ids: IdSequence;

  constructor(m: Models) {
    this.#m = m;
    this.#ids = new IdSequence(m.deliveries);
  }

  async set(accountId: number, hook: { url: string; secret: string } | null, at: number) {
    if (!hook) {
      await this.#m.webhooks.deleteOne({ _id: accountId });
      return;
    }
    await put(this.#m.webhooks, accountId, { url: hook.url, secret: hook.secret, updatedAt: at });
  }

  async get(accountId: number): Promise<Webhook | undefined> {
    const d = await this.#m.webhooks.findById(accountId).lean<{ _id: number; url: string; secret: string; updatedAt: number }>();
    return d ? { accountId: d._id, url: d.url, secret: d.secret, updatedAt: d.updatedAt } : undefined;
  }

  async enqueue(d: NewWebhookDelivery): Promise<boolean> {
    try {
      await this.#ids.insert((id) => ({
        _id: id, key: d.key, accountId: d.accountId, url: d.url, body: d.body, state: 'pending', attempts: 0,
        dueAt: d.dueAt, lastError: null, createdAt: d.createdAt, doneAt: null,
      }));
      return true;
    } catch (err) {
      if (isDuplicate(err)) return false;
      throw err;
    }
  }

  async claim(query: { now: number; leaseUntil: number; limit: number }): Promise<WebhookDelivery[]> {
    const due = await this.#m.deliveries.find({ state: 'pending', dueAt: { $lte: query.now } })
      .sort({ dueAt: 1, _id: 1 }).limit(query.limit).lean<DeliveryDoc[]>();
    const taken: WebhookDelivery[] = [];
    for (const d of due) {
      const attempt = d.attempts + 1;
      if (!(await insertOnce(this.#m.deliveryTurns, { _id: `${d._id}:${attempt}`, at: query.now }))) continue;
      await this.#m.deliveries.updateOne({ _id: d._id }, { $set: { attempts: attempt, dueAt: query.leaseUntil } });
      taken.push(delivery({ ...d, attempts: attempt, dueAt: query.leaseUntil }));
    }
    return taken;
  }

  async finish(id: number, o: WebhookOutcome) {
    if (o.delivered || o.retryAt === null) {
      if (!(await insertOnce(this.#m.deliveryTurns, { _id: `${id}:final`, at: o.at }))) return;
      const done = o.delivered ? { state: 'delivered', doneAt: o.at, lastError: null } : { state: 'failed', doneAt: o.at, lastError: o.error };
      await this.#m.deliveries.updateOne({ _id: id }, { $set: done });
    } else if (!(await this.#m.deliveryTurns.exists({ _id: `${id}:final` }))) {
      await this.#m.deliveries.updateOne({ _id: id, state: 'pending' }, { $set: { dueAt: o.retryAt, lastError: o.error } });
    }
  }

  async ofAccount(accountId: number, limit: number): Promise<WebhookDelivery[]> {
    return (await this.#m.deliveries.find({ accountId }).sort({ _id: -1 }).limit(limit).lean<DeliveryDoc[]>()).map(delivery);
  }

  async prune(before: number): Promise<number> {
    const gone = await this.#m.deliveries.find({ state: { $ne: 'pending' }, doneAt: { $lt: before } }, { _id: 1, attempts: 1 })
      .lean<{ _id: number; attempts: number }[]>();
    if (gone.length === 0) return 0;
    const removed = await this.#m.deliveries.deleteMany({ _id: { $in: gone.map((d) => d._id) } });
    // Its turns go too: an id the sequence hands out again must find no attempt taken.
    const turns = gone.flatMap((d) => [`${d._id}:final`, ...Array.from({ length: d.attempts }, (_, i) => `${d._id}:${i + 1}`)]);
    await this.#m.deliveryTurns.deleteMany({ _id: { $in: turns } });
    return removed.deletedCount;
  }
}

function delivery(d: DeliveryDoc): WebhookDelivery {
  return {
    id: d._id, key: d.key, accountId: d.accountId, url: d.url, body: d.body, createdAt: d.createdAt, dueAt: d.dueAt,
    state: d.state, attempts: d.attempts, lastError: d.lastError ?? null, doneAt: d.doneAt ?? null,
  };
}
