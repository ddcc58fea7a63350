import { hash, randomBytes } from 'node:crypto';

/** A new API key: 32 hex characters (128 bits), the shape sms-activate's keys have. */
export function newApiKey(): string {
  return randomBytes(16).toString('hex');
}

/**
 * What the store keeps of a key: its SHA-256. Keys are random and long, so a
 * fast hash is enough for a leaked database not to hand them out.
 */
export function apiKeyHash(key: string): string {
  return hash('sha256', key, 'hex');
}
