import { randomUUID } from 'node:crypto';
import type {
  Account, Dialect, KeyOwner, LedgerEntry, MoneyMove, MoneyResult, NewAccount,
} from '../../../actors/index.ts';
import { IdSequence, isDuplicate } from './ids.ts';
import type { Models } from './models.ts';
import * as records from './records.ts';
import type { AccountDoc, LedgerDoc } from './records.ts';

/** How stale a key may be after another process changed it (the Store port's promise). */
const ownersCheckMs = 100;

/** Accounts, their keys, and money: the ledger is the balance (see models.ts). */
export class Accounts {
  readonly #m: Models;
  readonly #accountIds: IdSequence;
  readonly #ledgerIds: IdSequence;
  /** Moves of one account run one after another in this process; other processes are kept out by the ledger's seq. */
  readonly #queues = new Map<number, Promise<unknown>>();
  /** Key hash → owner, valid while the `keys` marker is the one we read and this process changed no key. */
  readonly #owners = new Map<string, KeyOwner | null>();
  #epoch: string | undefined;
  #checkedAt = -Infinity;

  constructor(m: Models) {
    this.#m = m;
    this.#accountIds = new IdSequence(m.accounts);
    this.#ledgerIds = new IdSequence(m.ledger);
  }

  async create(a: NewAccount): Promise<Account> {
    const id = await this.#accountIds.insert((id) => ({
      _id: id, email: a.email, role: a.role, keyHash: a.keyHash, dialect: a.dialect, createdAt: a.createdAt,
    }));
    await this.#keysChanged();
    return { id, email: a.email, role: a.role, balance: 0, dialect: a.dialect, createdAt: a.createdAt };
  }

  async byId(id: number) {
    return this.#withBalance(await this.#m.accounts.findById(id).lean<AccountDoc>());
  }
  async byEmail(email: string) {
    return this.#withBalance(await this.#m.accounts.findOne({ email }).lean<AccountDoc>());
  }
  async byKeyHash(keyHash: string) {
    return this.#withBalance(await this.#m.accounts.findOne({ keyHash }).lean<AccountDoc>());
  }
  async all(): Promise<Account[]> {
    const docs = await this.#m.accounts.find({}).sort({ _id: 1 }).lean<AccountDoc[]>();
    return Promise.all(docs.map(async (d) => records.account(d, await this.balance(d._id))));
  }
  async exists(id: number): Promise<boolean> {
    return (await this.#m.accounts.exists({ _id: id })) !== null;
  }

  /**
   * The owner of a key, from memory: our own key changes clear it at once;
   * another process's are noticed by the `keys` marker, read at most every 100 ms.
   */
  async keyOwner(keyHash: string): Promise<KeyOwner | undefined> {
    const now = performance.now();
    if (now - this.#checkedAt >= ownersCheckMs) {
      this.#checkedAt = now;
      const marker = await this.#m.markers.findById('keys').lean<{ epoch: string }>();
      if (marker?.epoch !== this.#epoch) {
        this.#owners.clear();
        this.#epoch = marker?.epoch;
      }
    }
    let owner = this.#owners.get(keyHash);
    if (owner === undefined) {
      const d = await this.#m.accounts.findOne({ keyHash }, { email: 1, role: 1, dialect: 1 }).lean<AccountDoc>();
      owner = d ? { id: d._id, email: d.email, role: d.role, dialect: d.dialect } : null;
      if (this.#owners.size >= 100_000) this.#owners.clear(); // bounded: unknown keys are cached too
      this.#owners.set(keyHash, owner);
    }
    return owner ?? undefined;
  }

  async setKeyHash(accountId: number, keyHash: string) {
    this.#owners.clear();
    await this.#m.accounts.updateOne({ _id: accountId }, { $set: { keyHash } });
    await this.#keysChanged();
  }
  async setDialect(accountId: number, dialect: Dialect) {
    this.#owners.clear();
    await this.#m.accounts.updateOne({ _id: accountId }, { $set: { dialect } });
    await this.#keysChanged();
  }

  /** The balance: the newest ledger entry's `balanceAfter`, 0 without one. */
  async balance(accountId: number): Promise<number> {
    return (await this.#head(accountId))?.balanceAfter ?? 0;
  }

  /** Credit or debit with its ledger entry, once per key, never below zero. */
  move(m: MoneyMove): Promise<MoneyResult> {
    return this.#serially(m.accountId, () => this.#move(m));
  }

  async ledger(accountId: number): Promise<LedgerEntry[]> {
    const docs = await this.#m.ledger.find({ accountId }).sort({ seq: 1 }).lean<LedgerDoc[]>();
    return docs.map(records.ledger);
  }

  /** Entries are numbered 1, 2, 3 … per account (seq), so the newest's number is how many there are. */
  async ledgerPage(accountId: number, page: { offset: number; limit: number }): Promise<{ entries: LedgerEntry[]; total: number }> {
    const head = await this.#head(accountId);
    const total = head?.seq ?? 0;
    const docs = await this.#m.ledger.find({ accountId, seq: { $lte: total - page.offset } }).sort({ seq: -1 }).limit(page.limit)
      .lean<LedgerDoc[]>();
    return { entries: docs.map(records.ledger), total };
  }

  /**
   * Reads the newest entry, checks the key and the balance, and inserts the
   * next entry (seq + 1). A taken seq means another process moved money in
   * between: read again. A taken key means the move was made: say so.
   */
  async #move(m: MoneyMove): Promise<MoneyResult> {
    if (!(await this.exists(m.accountId))) return { ok: false, code: 'noAccount' };
    for (;;) {
      const head = await this.#head(m.accountId);
      const balance = head?.balanceAfter ?? 0;
      if (await this.#m.ledger.exists({ key: m.key })) return { ok: true, balance, applied: false };
      const after = balance + m.amount;
      if (after < 0) return { ok: false, code: 'insufficientFunds' };
      try {
        // Ids follow seq within an account: the next id is above the head's, whoever gave it.
        await this.#ledgerIds.insert((id) => ({
          _id: id, accountId: m.accountId, seq: (head?.seq ?? 0) + 1, amount: m.amount, balanceAfter: after,
          reason: m.reason, ref: m.ref, key: m.key, note: m.note ?? '', at: m.at,
        }), (head?._id ?? 0) + 1);
        return { ok: true, balance: after, applied: true };
      } catch (err) {
        if (!isDuplicate(err)) throw err;
      }
    }
  }

  async #head(accountId: number) {
    return this.#m.ledger.findOne({ accountId }, { _id: 1, seq: 1, balanceAfter: 1 }).sort({ seq: -1 })
      .lean<Pick<LedgerDoc, '_id' | 'seq' | 'balanceAfter'>>();
  }

  async #withBalance(d: AccountDoc | null): Promise<Account | undefined> {
    return d ? records.account(d, await this.balance(d._id)) : undefined;
  }

  /** Every process watching keys sees a new epoch: any write of it differs from what they read. */
  async #keysChanged() {
    await this.#m.markers.updateOne({ _id: 'keys' }, { $set: { epoch: randomUUID() } }, { upsert: true }).catch((err) => {
      if (!isDuplicate(err)) throw err; // two first writers raced to insert it: the other one's epoch is new too
    });
  }

  async #serially<T>(accountId: number, step: () => Promise<T>): Promise<T> {
    const before = this.#queues.get(accountId) ?? Promise.resolve();
    const run = before.then(step, step);
    const tail = run.catch(() => undefined);
    this.#queues.set(accountId, tail);
    try {
      return await run;
    } finally {
      if (this.#queues.get(accountId) === tail) this.#queues.delete(accountId);
    }
  }
}
