import { Schema, type Connection } from 'mongoose';
import { StoreError, type AgentToken, type NewAgentToken } from '../../../actors/index.ts';
import { isDuplicate } from './ids.ts';
import type { Models } from './models.ts';
import { plain } from './plain.ts';

const agentToken = new Schema({
  _id: String, // the agent's name
  tokenHash: { type: String, required: true, unique: true },
  createdAt: { type: Number, required: true },
  revokedAt: { type: Number, default: null },
}, plain);

/** Remote modem hosts' tokens: one document per agent name. */
export function agentModels(conn: Connection) {
  return { agentTokens: conn.model('AgentToken', agentToken, 'agentTokens') };
}

interface AgentTokenDoc {
  _id: string;
  tokenHash: string;
  createdAt: number;
  revokedAt: number | null;
}

const token = (d: AgentTokenDoc): AgentToken => ({ name: d._id, tokenHash: d.tokenHash, createdAt: d.createdAt, revokedAt: d.revokedAt ?? null });

/**
 * Agent tokens. Creating is an insert under the name (atomic everywhere); a
 * revoked name's document is deleted first, so of two admins racing only one insert lands.
 */
export class AgentTokens {
  readonly #m: Models;

  constructor(m: Models) {
    this.#m = m;
  }

  async create(t: NewAgentToken): Promise<AgentToken> {
    await this.#m.agentTokens.deleteOne({ _id: t.name, revokedAt: { $ne: null } });
    try {
      await this.#m.agentTokens.collection.insertOne({ _id: t.name, tokenHash: t.tokenHash, createdAt: t.createdAt, revokedAt: null } as never);
    } catch (err) {
      if (isDuplicate(err)) throw new StoreError('STORE_CONFLICT', `agent ${t.name} already has a token: revoke it first`);
      throw err;
    }
    return { ...t, revokedAt: null };
  }

  async revoke(name: string, at: number): Promise<boolean> {
    const done = await this.#m.agentTokens.updateOne({ _id: name, revokedAt: null }, { $set: { revokedAt: at } });
    return done.modifiedCount === 1;
  }

  async byHash(tokenHash: string): Promise<AgentToken | undefined> {
    const d = await this.#m.agentTokens.findOne({ tokenHash, revokedAt: null }).lean<AgentTokenDoc>();
    return d ? token(d) : undefined;
  }

  async all(): Promise<AgentToken[]> {
    return (await this.#m.agentTokens.find().sort({ _id: 1 }).lean<AgentTokenDoc[]>()).map(token);
  }
}
