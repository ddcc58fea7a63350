import { hash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Browser passwords, hashed with scrypt (RFC 7914) from Node's own crypto.
 * The stored form names its parameters, `scrypt$N$r$p$<salt>$<hash>` (base64url),
 * so they can be raised later and old hashes still verify.
 */
const params = { N: 32_768, r: 8, p: 1 } as const; // 32 MiB per hash: about 50–100 ms on one core
const keyLength = 32;
/** Node refuses N·r·128 ≥ maxmem; twice what the hash needs leaves room for larger stored N up to 2^16. */
const maxmem = 256 * 1024 * 1024;

/** Passwords shorter than this are refused at sign-up; longer than the max are refused so a hash stays cheap to start. */
export const passwordLength = { min: 8, max: 200 } as const;

function derive(password: string, salt: Buffer, o: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, keyLength, { ...o, maxmem }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** A new salted hash of `password`, to store. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether `password` is the one `stored` was made from; compared in constant time. A malformed hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 65_536 || r > 16 || p > 4) return false;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (expected.length !== keyLength) return false;
  const key = await derive(password, salt, { N, r, p });
  return timingSafeEqual(key, expected);
}

/**
 * A stand-in hash for sign-ins naming no account: verifying against it costs
 * what a real check costs, so the answer's timing does not tell which emails exist.
 */
export const decoyPasswordHash = `scrypt$${params.N}$${params.r}$${params.p}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(keyLength).toString('base64url')}`;

/** A browser session's secret: 256 random bits, the cookie's value. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the store keeps of a session token: its SHA-256 (the token is random, so a fast hash is enough). */
export function sessionTokenHash(token: string): string {
  return hash('sha256', token, 'hex');
}

/**
 * The CSRF token of a session: derived from the cookie's secret, so it needs
 * no storage; only a page that can read our JSON (same origin) learns it,
 * and it reveals nothing of the cookie.
 */
export function csrfTokenOf(token: string): string {
  return hash('sha256', `csrf\0${token}`, 'base64url');
}
