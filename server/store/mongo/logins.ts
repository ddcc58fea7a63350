import type { BrowserSession, KeyOwner } from '../../../actors/index.ts';
import { put } from './ids.ts';
import type { Models } from './models.ts';
import type { AccountDoc } from './records.ts';

/** Browser sign-in: password hashes, and sessions found by their token's SHA-256 while unexpired. */
export class Logins {
  readonly #m: Models;

  constructor(m: Models) {
    this.#m = m;
  }

  async setPasswordHash(accountId: number, hash: string) {
    await put(this.#m.passwords, accountId, { hash });
  }

  async passwordHash(accountId: number): Promise<string | undefined> {
    return (await this.#m.passwords.findById(accountId).lean<{ hash: string }>())?.hash;
  }

  async create(s: BrowserSession) {
    await this.#m.sessions.deleteMany({ accountId: s.accountId, expiresAt: { $lte: s.createdAt } });
    await this.#m.sessions.collection.insertOne({
      _id: s.tokenHash, accountId: s.accountId, createdAt: s.createdAt, expiresAt: s.expiresAt,
    } as never);
  }

  async owner(tokenHash: string, now: number): Promise<KeyOwner | undefined> {
    const s = await this.#m.sessions.findOne({ _id: tokenHash, expiresAt: { $gt: now } }).lean<{ accountId: number }>();
    if (!s) return undefined;
    const a = await this.#m.accounts.findById(s.accountId, { email: 1, role: 1, dialect: 1 }).lean<AccountDoc>();
    return a ? { id: a._id, email: a.email, role: a.role, dialect: a.dialect } : undefined;
  }

  async delete(tokenHash: string) {
    await this.#m.sessions.deleteOne({ _id: tokenHash });
  }

  async endAll(accountId: number, except: string | undefined): Promise<number> {
    const r = await this.#m.sessions.deleteMany({ accountId, ...(except === undefined ? {} : { _id: { $ne: except } }) });
    return r.deletedCount;
  }
}
