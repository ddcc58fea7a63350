/**
 * "results like NO_NUMBERS work with cache (30 seconds)" (the spec): a
 * NO_NUMBERS answer is remembered per account, service and filter, so a client
 * hammering an empty pool is answered without touching the store.
 */
export class NoNumbersCache {
  readonly #until = new Map<string, number>();

  constructor(
    readonly ttlMs: number,
    readonly now: () => number,
    readonly maxEntries = 100_000,
  ) {}

  has(key: string): boolean {
    const until = this.#until.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.#until.delete(key);
    return false;
  }

  remember(key: string) {
    if (this.ttlMs <= 0) return;
    if (this.#until.size >= this.maxEntries) this.#until.clear(); // bounded: forgetting is safe
    this.#until.set(key, this.now() + this.ttlMs);
  }
}
