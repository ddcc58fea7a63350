/**
 * Protocol parameters as classic clients send them: query string and form body
 * merged (body wins), names trimmed (`"country "` from aiosmsactivate), and the
 * values `""`, `undefined`, `null` counted as absent (clients serialise unset
 * arguments that way). Parameters are flat strings: a name sent twice or with
 * brackets (`api_key[$ne]=x`) is *tainted* and never reaches a query.
 */
export class Params {
  readonly #values = new Map<string, string>();
  readonly #tainted = new Set<string>();

  static from(...sources: unknown[]): Params {
    const p = new Params();
    for (const source of sources) {
      if (source === null || typeof source !== 'object') continue;
      for (const [rawName, value] of Object.entries(source)) p.#add(rawName, value);
    }
    return p;
  }

  /**
   * A raw query string (read straight from the URL: Koa's `ctx.query` builds a
   * cache object every gateway request would pay for) and a parsed form body.
   */
  static fromQuery(search: string, body?: unknown): Params {
    const p = new Params();
    if (search !== '') {
      const seen = new Set<string>();
      for (const [rawName, value] of new URLSearchParams(search)) {
        p.#add(rawName, seen.has(rawName) ? [value] : value); // a name sent twice is tainted
        seen.add(rawName);
      }
    }
    return body === undefined ? p : p.#merge(body);
  }

  #merge(source: unknown): Params {
    if (source !== null && typeof source === 'object') {
      for (const [rawName, value] of Object.entries(source)) this.#add(rawName, value);
    }
    return this;
  }

  #add(rawName: string, value: unknown) {
    const bracket = rawName.indexOf('[');
    const name = (bracket === -1 ? rawName : rawName.slice(0, bracket)).trim();
    if (bracket !== -1 || typeof value !== 'string') {
      this.#tainted.add(name);
      this.#values.delete(name);
      return;
    }
    if (this.#tainted.has(name)) return;
    const v = value.trim();
    if (v === '' || v === 'undefined' || v === 'null') this.#values.delete(name);
    else this.#values.set(name, v);
  }

  /** The value, or undefined when absent or tainted. */
  get(name: string): string | undefined {
    return this.#values.get(name);
  }

  /** True when the parameter came nested, repeated or as an array. */
  tainted(name: string): boolean {
    return this.#tainted.has(name);
  }

  /** A non-negative integer that fits a signed 32-bit id, else undefined. */
  id(name: string): number | undefined {
    const v = this.get(name);
    if (v === undefined || !/^\d{1,10}$/.test(v)) return undefined;
    const n = Number(v);
    return n <= 0x7fffffff ? n : undefined;
  }
}
