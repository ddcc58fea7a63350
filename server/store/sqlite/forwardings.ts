import type Database from 'better-sqlite3';
import type { ForwardingQuery, ForwardingRecord } from '../../../actors/index.ts';

type Row = Record<string, unknown>;

/** Call forwarding asked for on activations' SIMs: one row per activation, its outcome updated in place. */
export class ForwardingBook {
  readonly #q: ReturnType<typeof forwardingStatements>;

  constructor(db: Database.Database) {
    this.#q = forwardingStatements(db);
  }

  save(f: ForwardingRecord) {
    this.#q.save.run(f);
  }

  get(activationId: number): ForwardingRecord | undefined {
    const r = this.#q.get.get(activationId);
    return r === undefined ? undefined : forwarding(r);
  }

  find(query: ForwardingQuery): ForwardingRecord[] {
    return this.#q.find
      .all({ accountId: query.accountId ?? null, phone: query.phone ?? null, state: query.state ?? null, limit: query.limit })
      .map(forwarding);
  }
}

function forwarding(row: unknown): ForwardingRecord {
  const r = row as Row;
  return {
    activationId: r.activation_id as number, accountId: r.account_id as number, iccid: r.iccid as string,
    phone: r.phone as string, to: r.to_number as string, state: r.state as ForwardingRecord['state'],
    error: (r.error as string | null) ?? null, attempts: r.attempts as number, requestedAt: r.requested_at as number,
    doneAt: (r.done_at as number | null) ?? null,
  };
}

function forwardingStatements(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  return {
    save: p(`INSERT INTO forwardings (activation_id, account_id, iccid, phone, to_number, state, error, attempts, requested_at, done_at)
      VALUES (@activationId, @accountId, @iccid, @phone, @to, @state, @error, @attempts, @requestedAt, @doneAt)
      ON CONFLICT (activation_id) DO UPDATE SET to_number = excluded.to_number, state = excluded.state,
        error = excluded.error, attempts = excluded.attempts, requested_at = excluded.requested_at, done_at = excluded.done_at`),
    get: p('SELECT * FROM forwardings WHERE activation_id = ?'),
    find: p(`SELECT * FROM forwardings
      WHERE (@accountId IS NULL OR account_id = @accountId) AND (@phone IS NULL OR phone = @phone)
        AND (@state IS NULL OR state = @state)
      ORDER BY requested_at DESC, activation_id DESC LIMIT @limit`),
  };
}
