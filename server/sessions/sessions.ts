import { timingSafeEqual } from 'node:crypto';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import {
  StoreError, apiKeyHash, csrfTokenOf, decoyPasswordHash, hashPassword, newApiKey, newSessionToken, passwordLength,
  sessionTokenHash, verifyPassword, type Clock, type KeyOwner, type Store,
} from '../../actors/index.ts';
import { sessionTtlMs } from './cookie.ts';

export type SignInOutcome =
  | { ok: true; token: string; account: KeyOwner }
  | { ok: false; code: 'wrongPassword' | 'badInput' }
  | { ok: false; code: 'tooMany'; retryAfterMs: number };

export type SignUpOutcome =
  | { ok: true; token: string; account: KeyOwner }
  | { ok: false; code: 'badEmail' | 'badPassword' | 'emailTaken' }
  | { ok: false; code: 'tooMany'; retryAfterMs: number };

/** Failed sign-ins allowed per email and address, and per address alone, in a window; then refused until it passes. */
const limits = {
  perEmailAndIp: { points: 5, duration: 15 * 60 },
  perIp: { points: 30, duration: 60 * 60 },
  signUpsPerIp: { points: 30, duration: 60 * 60 },
} as const;

const emailShape = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,}$/;

/**
 * Browser accounts: sign-up, sign-in and sign-out with an email and password,
 * and the sessions they open. Passwords are scrypt hashes in the store;
 * sessions are random tokens the browser keeps in an HttpOnly cookie, stored
 * as their SHA-256. Sign-ins are rate-limited in memory (one process; a
 * restart forgets the counts, which only ever helps a legitimate user).
 */
export class BrowserSessions {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #failures = new RateLimiterMemory(limits.perEmailAndIp);
  readonly #ipFailures = new RateLimiterMemory(limits.perIp);
  readonly #signUps = new RateLimiterMemory(limits.signUpsPerIp);

  constructor(deps: { store: Store; clock: Clock }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
  }

  async signUp(rawEmail: unknown, password: unknown, ip: string): Promise<SignUpOutcome> {
    const email = normalEmail(rawEmail);
    if (!email) return { ok: false, code: 'badEmail' };
    if (!acceptablePassword(password)) return { ok: false, code: 'badPassword' };
    const wait = await this.#consume(this.#signUps, ip);
    if (wait !== undefined) return { ok: false, code: 'tooMany', retryAfterMs: wait };
    if (await this.#store.accountByEmail(email)) return { ok: false, code: 'emailTaken' };
    const hash = await hashPassword(password);
    let account;
    try {
      // The account's API key is made now and shown to nobody: Settings makes a new one to show once.
      account = await this.#store.createAccount({
        email, role: 'user', keyHash: apiKeyHash(newApiKey()), dialect: 'getsms', createdAt: this.#clock.now(),
      });
    } catch (err) {
      if (err instanceof StoreError && err.code === 'STORE_CONFLICT') return { ok: false, code: 'emailTaken' };
      throw err;
    }
    await this.#store.setPasswordHash(account.id, hash);
    const owner = { id: account.id, email: account.email, role: account.role, dialect: account.dialect };
    return { ok: true, token: await this.#open(account.id), account: owner };
  }

  async signIn(rawEmail: unknown, password: unknown, ip: string): Promise<SignInOutcome> {
    const email = normalEmail(rawEmail);
    if (!email || typeof password !== 'string' || password.length === 0 || password.length > passwordLength.max) {
      return { ok: false, code: 'badInput' };
    }
    const pairKey = `${ip}|${email}`;
    const wait = Math.max(await this.#blocked(this.#failures, pairKey, limits.perEmailAndIp.points), await this.#blocked(this.#ipFailures, ip, limits.perIp.points));
    if (wait > 0) return { ok: false, code: 'tooMany', retryAfterMs: wait };
    const account = await this.#store.accountByEmail(email);
    const stored = account ? await this.#store.passwordHash(account.id) : undefined;
    // An unknown email (or an account with no password) costs a whole scrypt too: timing tells nothing.
    const good = await verifyPassword(password, stored ?? decoyPasswordHash);
    if (!account || !stored || !good) {
      await Promise.all([this.#failures.penalty(pairKey), this.#ipFailures.penalty(ip)]);
      return { ok: false, code: 'wrongPassword' };
    }
    await this.#failures.delete(pairKey);
    const owner = { id: account.id, email: account.email, role: account.role, dialect: account.dialect };
    return { ok: true, token: await this.#open(account.id), account: owner };
  }

  async signOut(token: string) {
    await this.#store.deleteSession(sessionTokenHash(token));
  }

  /** The account a session cookie's token belongs to, while the session lasts. */
  owner(token: string): Promise<KeyOwner | undefined> {
    return this.#store.sessionOwner(sessionTokenHash(token), this.#clock.now());
  }

  /** Sets a new password for an account (the admin CLI, or a signed-in user). */
  async setPassword(accountId: number, password: string) {
    await this.#store.setPasswordHash(accountId, await hashPassword(password));
  }

  async #open(accountId: number): Promise<string> {
    const token = newSessionToken();
    const now = this.#clock.now();
    await this.#store.createSession({ tokenHash: sessionTokenHash(token), accountId, createdAt: now, expiresAt: now + sessionTtlMs });
    return token;
  }

  /** ms until `key` may try again; 0 when it may now. */
  async #blocked(limiter: RateLimiterMemory, key: string, points: number): Promise<number> {
    const r = await limiter.get(key);
    return r && r.consumedPoints >= points ? r.msBeforeNext : 0;
  }

  async #consume(limiter: RateLimiterMemory, key: string): Promise<number | undefined> {
    try {
      await limiter.consume(key);
      return undefined;
    } catch (r) {
      return (r as { msBeforeNext?: number }).msBeforeNext ?? 60_000;
    }
  }
}

/** Whether `sent` (an X-CSRF-Token header) is the session's CSRF token; constant time. */
export function csrfMatches(token: string, sent: string | undefined): boolean {
  if (!sent) return false;
  const want = Buffer.from(csrfTokenOf(token));
  const got = Buffer.from(sent);
  return got.length === want.length && timingSafeEqual(got, want);
}

/** Whether a password is one sign-up accepts. */
export function acceptablePassword(p: unknown): p is string {
  return typeof p === 'string' && p.length >= passwordLength.min && p.length <= passwordLength.max;
}

function normalEmail(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const email = raw.trim().toLowerCase();
  return email.length <= 254 && emailShape.test(email) ? email : undefined;
}
