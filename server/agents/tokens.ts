import { StoreError, type Store } from '../../actors/index.ts';
import { agentNamePattern, agentTokenHash, newAgentToken } from './protocol.ts';

/** The rule for an agent's name, as a sentence a refusal can show. */
export const agentNameRule = 'an agent name is 1 to 32 letters, digits, ".", "_" or "-"';

/** A made token (shown this once: the store keeps its SHA-256 only), or why none was made. */
export type IssuedAgentToken =
  | { ok: true; name: string; token: string; createdAt: number }
  | { ok: false; code: 'badName' | 'taken' };

/**
 * A new token for the remote modem host `name`: the one way the CLI and the
 * admin API make one. `taken` while the name has a token that works; a
 * revoked name may be given a new one.
 */
export async function issueAgentToken(store: Pick<Store, 'createAgentToken'>, name: string, at: number): Promise<IssuedAgentToken> {
  if (!agentNamePattern.test(name)) return { ok: false, code: 'badName' };
  const token = newAgentToken();
  try {
    await store.createAgentToken({ name, tokenHash: agentTokenHash(token), createdAt: at });
  } catch (err) {
    if (err instanceof StoreError && err.code === 'STORE_CONFLICT') return { ok: false, code: 'taken' };
    throw err;
  }
  return { ok: true, name, token, createdAt: at };
}
