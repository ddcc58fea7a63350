import { RateLimiterMemory } from 'rate-limiter-flexible';

/** Requests per second per client IP; `allow` is false once a client is over its share for this second. */
export class IpRateLimit {
  readonly #limiter: RateLimiterMemory | undefined;

  constructor(perSecond: number) {
    this.#limiter = perSecond > 0 ? new RateLimiterMemory({ points: perSecond, duration: 1 }) : undefined;
  }

  async allow(ip: string): Promise<boolean> {
    if (!this.#limiter) return true;
    try {
      await this.#limiter.consume(ip || 'unknown');
      return true;
    } catch {
      return false;
    }
  }
}
