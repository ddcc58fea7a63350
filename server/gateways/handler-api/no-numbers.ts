/**
 * "results like NO_NUMBERS work with cache (30 seconds)" (the spec): a
 * NO_NUMBERS answer is remembered per account, service and filter, so a client
 * hammering an empty pool is answered without touching the store. An account's
 * entries go when its own blacklist is cleaned: the blacklist is part of what
 * it may buy, and cleanblacklist is how a client asks to see those numbers again.
 */
export class NoNumbersCache {
  readonly #until = new Map<number, Map<string, number>>();
  #size = 0;

  constructor(
    readonly ttlMs: number,
    readonly now: () => number,
    readonly maxEntries = 100_000,
  ) {}

  has(accountId: number, key: string): boolean {
    const entries = this.#until.get(accountId);
    const until = entries?.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    entries!.delete(key);
    this.#size--;
    if (entries!.size === 0) this.#until.delete(accountId);
    return false;
  }

  remember(accountId: number, key: string) {
    if (this.ttlMs <= 0) return;
    if (this.#size >= this.maxEntries) this.clear(); // bounded: forgetting is safe
    let entries = this.#until.get(accountId);
    if (!entries) this.#until.set(accountId, (entries = new Map()));
    if (!entries.has(key)) this.#size++;
    entries.set(key, this.now() + this.ttlMs);
  }

  /** Drops everything remembered for an account. */
  forget(accountId: number) {
    this.#size -= this.#until.get(accountId)?.size ?? 0;
    this.#until.delete(accountId);
  }

  clear() {
    this.#until.clear();
    this.#size = 0;
  }
}
