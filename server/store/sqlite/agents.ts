import type Database from 'better-sqlite3';
import { StoreError, type AgentToken, type NewAgentToken } from '../../../actors/index.ts';

interface Row {
  name: string;
  token_hash: string;
  created_at: number;
  revoked_at: number | null;
}

const token = (r: Row): AgentToken => ({ name: r.name, tokenHash: r.token_hash, createdAt: r.created_at, revokedAt: r.revoked_at });

/** Remote modem hosts' tokens, kept as their SHA-256, one per agent name. */
export class AgentTokens {
  readonly #q: ReturnType<typeof statements>;

  constructor(db: Database.Database) {
    this.#q = statements(db);
  }

  /** Run inside a transaction: a revoked name's row is taken over, a working one refused. */
  create(t: NewAgentToken): AgentToken {
    const done = this.#q.upsert.run(t);
    if (done.changes !== 1) throw new StoreError('STORE_CONFLICT', `agent ${t.name} already has a token: revoke it first`);
    return { ...t, revokedAt: null };
  }

  revoke(name: string, at: number): boolean {
    return this.#q.revoke.run(at, name).changes === 1;
  }

  byHash(tokenHash: string): AgentToken | undefined {
    const r = this.#q.byHash.get(tokenHash) as Row | undefined;
    return r ? token(r) : undefined;
  }

  all(): AgentToken[] {
    return (this.#q.all.all() as Row[]).map(token);
  }
}

function statements(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  return {
    upsert: p(`INSERT INTO agent_tokens (name, token_hash, created_at) VALUES (@name, @tokenHash, @createdAt)
      ON CONFLICT (name) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at, revoked_at = NULL
      WHERE agent_tokens.revoked_at IS NOT NULL`),
    revoke: p('UPDATE agent_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL'),
    byHash: p('SELECT * FROM agent_tokens WHERE token_hash = ? AND revoked_at IS NULL'),
    all: p('SELECT * FROM agent_tokens ORDER BY name'),
  };
}
