import type Database from 'better-sqlite3';
import type { LedgerEntry, MoneyMove, MoneyResult } from '../../../actors/index.ts';
import { guarded } from './faults.ts';
import * as rows from './rows.ts';

/** Balances and their ledger, moved together. Run `move` inside the caller's transaction. */
export class Ledger {
  readonly #q: ReturnType<typeof statements>;

  constructor(db: Database.Database) {
    this.#q = statements(db);
  }

  /** Once per key: a key seen before changes nothing; never below zero. */
  move(m: MoneyMove): MoneyResult {
    const before = this.#q.byKey.get(m.key) as { account_id: number } | undefined;
    const balance = this.balance(m.accountId);
    if (balance === undefined) return { ok: false, code: 'noAccount' };
    if (before) return { ok: true, balance, applied: false };
    const after = balance + m.amount;
    if (after < 0) return { ok: false, code: 'insufficientFunds' };
    this.#q.setBalance.run(after, m.accountId);
    this.#q.insert.run({ ...m, note: m.note ?? '', balanceAfter: after });
    return { ok: true, balance: after, applied: true };
  }

  balance(accountId: number): number | undefined {
    return this.#q.balance.get(accountId) as number | undefined;
  }

  entries(accountId: number): LedgerEntry[] {
    return this.#q.entries.all(accountId).map(rows.ledger);
  }

  page(accountId: number, page: { offset: number; limit: number }): { entries: LedgerEntry[]; total: number } {
    return {
      entries: this.#q.newest.all({ accountId, ...page }).map(rows.ledger),
      total: this.#q.count.get(accountId) as number,
    };
  }
}

function statements(db: Database.Database) {
  const p = (sql: string) => guarded(db.prepare(sql));
  return {
    balance: p('SELECT balance FROM accounts WHERE id = ?').pluck(),
    setBalance: p('UPDATE accounts SET balance = ? WHERE id = ?'),
    byKey: p('SELECT account_id FROM ledger WHERE key = ?'),
    insert: p(`INSERT INTO ledger (account_id, amount, balance_after, reason, ref, key, note, at)
      VALUES (@accountId, @amount, @balanceAfter, @reason, @ref, @key, @note, @at)`),
    entries: p('SELECT * FROM ledger WHERE account_id = ? ORDER BY id'),
    newest: p('SELECT * FROM ledger WHERE account_id = @accountId ORDER BY id DESC LIMIT @limit OFFSET @offset'),
    count: p('SELECT count(*) FROM ledger WHERE account_id = ?').pluck(),
  };
}
