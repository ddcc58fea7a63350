import type Database from 'better-sqlite3';
import type { BrowserSession, KeyOwner } from '../../../actors/index.ts';

/** Browser sign-in: password hashes, and sessions found by their token's SHA-256 while unexpired. */
export class BrowserLogins {
  readonly #q: ReturnType<typeof statements>;

  constructor(db: Database.Database) {
    this.#q = statements(db);
  }

  setPasswordHash(accountId: number, hash: string) {
    this.#q.setPassword.run(accountId, hash);
  }

  passwordHash(accountId: number): string | undefined {
    return (this.#q.password.get(accountId) as { hash: string } | undefined)?.hash;
  }

  create(s: BrowserSession) {
    this.#q.dropExpired.run(s.accountId, s.createdAt);
    this.#q.insert.run(s);
  }

  owner(tokenHash: string, now: number): KeyOwner | undefined {
    return this.#q.owner.get(tokenHash, now) as KeyOwner | undefined;
  }

  delete(tokenHash: string) {
    this.#q.delete.run(tokenHash);
  }

  endAll(accountId: number, except: string | undefined): number {
    return this.#q.endAll.run({ accountId, except: except ?? null }).changes;
  }
}

function statements(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  return {
    setPassword: p('INSERT INTO passwords (account_id, hash) VALUES (?, ?) ON CONFLICT (account_id) DO UPDATE SET hash = excluded.hash'),
    password: p('SELECT hash FROM passwords WHERE account_id = ?'),
    dropExpired: p('DELETE FROM sessions WHERE account_id = ? AND expires_at <= ?'),
    insert: p('INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES (@tokenHash, @accountId, @createdAt, @expiresAt)'),
    owner: p(
      `SELECT a.id, a.email, a.role, a.dialect FROM sessions s JOIN accounts a ON a.id = s.account_id
       WHERE s.token_hash = ? AND s.expires_at > ?`,
    ),
    delete: p('DELETE FROM sessions WHERE token_hash = ?'),
    endAll: p('DELETE FROM sessions WHERE account_id = @accountId AND (@except IS NULL OR token_hash != @except)'),
  };
}
