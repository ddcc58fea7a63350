import { RateLimiterMemory } from 'rate-limiter-flexible';

/** Requests per second per client IP; `allow` is false once a client is over its share for this second. */
export class IpRateLimit {
  readonly #limiter: RateLimiterMemory | undefined;

  constructor(perSecond: number) {
    this.#limiter = perSecond > 0 ? new RateLimiterMemory({ points: perSecond, duration: 1 }) : undefined;
  }

  /** True when off; otherwise a promise of whether this request is within the limit. `ip` is read only when on. */
  allow(ip: () => string): true | Promise<boolean> {
    if (!this.#limiter) return true;
    return this.#limiter.consume(ip() || 'unknown').then(
      () => true,
      () => false,
    );
  }
}
