import type Database from 'better-sqlite3';
import type {
  EventQuery, LiveEvent, NewLiveEvent, NewWebhookDelivery, Webhook, WebhookDelivery, WebhookOutcome,
} from '../../../actors/index.ts';

type Row = Record<string, unknown>;

/**
 * The live channel's event log: one table, ids from AUTOINCREMENT so a pruned
 * id is never handed out again. SQLite has one writer at a time, so ids are
 * committed in order and a poller reading `id > last` never skips one.
 */
export class EventLog {
  readonly #q: ReturnType<typeof eventStatements>;

  constructor(db: Database.Database) {
    this.#q = eventStatements(db);
  }

  append(e: NewLiveEvent): LiveEvent {
    const id = Number(this.#q.insert.run({ ...e, data: JSON.stringify(e.data) }).lastInsertRowid);
    return { id, ...e };
  }

  since(query: EventQuery): LiveEvent[] {
    const rows = query.accountId === undefined
      ? this.#q.since.all(query.after, query.limit)
      : this.#q.sinceOfAccount.all(query.accountId, query.after, query.limit);
    return rows.map(event);
  }

  bounds(): { oldest: number; newest: number } {
    const r = this.#q.bounds.get() as { oldest: number | null; newest: number | null };
    return { oldest: r.oldest ?? 0, newest: r.newest ?? 0 };
  }

  prune(rule: { before: number; keep: number }): number {
    return this.#q.prune.run(rule).changes;
  }
}

/** Webhook URLs and the outbox of deliveries, each taken under a lease so processes sharing the file never both send one. */
export class WebhookOutbox {
  readonly #q: ReturnType<typeof webhookStatements>;

  constructor(db: Database.Database) {
    this.#q = webhookStatements(db);
  }

  set(accountId: number, hook: { url: string; secret: string } | null, at: number) {
    if (hook) this.#q.set.run({ accountId, url: hook.url, secret: hook.secret, at });
    else this.#q.remove.run(accountId);
  }

  get(accountId: number): Webhook | undefined {
    const r = this.#q.get.get(accountId) as Row | undefined;
    return r && { accountId: r.account_id as number, url: r.url as string, secret: r.secret as string, updatedAt: r.updated_at as number };
  }

  enqueue(d: NewWebhookDelivery): boolean {
    return this.#q.enqueue.run(d).changes === 1;
  }

  /** Runs inside the caller's IMMEDIATE transaction: select and lease in one step. */
  claim(query: { now: number; leaseUntil: number; limit: number }): WebhookDelivery[] {
    const due = this.#q.due.all(query.now, query.limit) as Row[];
    for (const r of due) this.#q.lease.run(query.leaseUntil, r.id);
    return due.map((r) => delivery({ ...r, attempts: (r.attempts as number) + 1, due_at: query.leaseUntil }));
  }

  finish(id: number, o: WebhookOutcome) {
    if (o.delivered) this.#q.delivered.run(o.at, id);
    else if (o.retryAt !== null) this.#q.retry.run(o.retryAt, o.error, id);
    else this.#q.failed.run(o.error, o.at, id);
  }

  ofAccount(accountId: number, limit: number): WebhookDelivery[] {
    return (this.#q.ofAccount.all(accountId, limit) as Row[]).map(delivery);
  }

  prune(before: number): number {
    return this.#q.prune.run(before).changes;
  }
}

function event(row: unknown): LiveEvent {
  const r = row as Row;
  return {
    id: r.id as number, at: r.at as number, topic: r.topic as LiveEvent['topic'], type: r.type as string,
    accountId: (r.account_id as number | null) ?? null, data: JSON.parse(r.data as string) as LiveEvent['data'],
  };
}

function delivery(r: Row): WebhookDelivery {
  return {
    id: r.id as number, key: r.key as string, accountId: r.account_id as number, url: r.url as string, body: r.body as string,
    createdAt: r.created_at as number, dueAt: r.due_at as number, state: r.state as WebhookDelivery['state'],
    attempts: r.attempts as number, lastError: (r.last_error as string | null) ?? null, doneAt: (r.done_at as number | null) ?? null,
  };
}

function eventStatements(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  return {
    insert: p('INSERT INTO events (at, topic, type, account_id, data) VALUES (@at, @topic, @type, @accountId, @data)'),
    since: p('SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?'),
    sinceOfAccount: p('SELECT * FROM events WHERE account_id = ? AND id > ? ORDER BY id LIMIT ?'),
    bounds: p('SELECT min(id) AS oldest, max(id) AS newest FROM events'),
    prune: p(`DELETE FROM events WHERE at < @before OR id <= (SELECT max(id) FROM events) - @keep`),
  };
}

function webhookStatements(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  return {
    set: p(`INSERT INTO webhooks (account_id, url, secret, updated_at) VALUES (@accountId, @url, @secret, @at)
      ON CONFLICT (account_id) DO UPDATE SET url = excluded.url, secret = excluded.secret, updated_at = excluded.updated_at`),
    remove: p('DELETE FROM webhooks WHERE account_id = ?'),
    get: p('SELECT * FROM webhooks WHERE account_id = ?'),
    enqueue: p(`INSERT OR IGNORE INTO webhook_deliveries (key, account_id, url, body, created_at, due_at)
      VALUES (@key, @accountId, @url, @body, @createdAt, @dueAt)`),
    due: p(`SELECT * FROM webhook_deliveries WHERE state = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?`),
    lease: p('UPDATE webhook_deliveries SET due_at = ?, attempts = attempts + 1 WHERE id = ?'),
    delivered: p(`UPDATE webhook_deliveries SET state = 'delivered', done_at = ?, last_error = NULL WHERE id = ?`),
    retry: p(`UPDATE webhook_deliveries SET due_at = ?, last_error = ? WHERE id = ? AND state = 'pending'`),
    failed: p(`UPDATE webhook_deliveries SET state = 'failed', last_error = ?, done_at = ? WHERE id = ? AND state = 'pending'`),
    ofAccount: p('SELECT * FROM webhook_deliveries WHERE account_id = ? ORDER BY id DESC LIMIT ?'),
    prune: p(`DELETE FROM webhook_deliveries WHERE state <> 'pending' AND done_at < ?`),
  };
}
