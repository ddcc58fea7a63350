import type { Context, Next } from 'koa';
import { StoreError, type Log } from '../../actors/index.ts';

/** A refusal the JSON API explains to its caller: a 4xx status and a sentence. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503,
    message: string,
    /** A stable word for programs (the web page translates by it): `noNumbers`, `noBalance`, `badPassword`. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** What a caller reads when the store cannot record anything now; the cause is in the log. */
const storeUnavailable = 'the database cannot record anything now (the server log says why: a full disk, a read-only data directory, an unreachable MongoDB); nothing was done; try again later';

/**
 * Outermost JSON API middleware: ApiError → its status and message; an unavailable store → 503; anything
 * else → 500 and a log line.
 */
export function jsonErrors(log: Log) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new ApiError(404, `no such endpoint: ${ctx.method} ${ctx.path}`);
    } catch (err) {
      const e = err as { status?: number; expose?: boolean; message?: string };
      if (err instanceof ApiError) {
        ctx.status = err.status;
        ctx.body = err.code ? { error: err.message, code: err.code } : { error: err.message };
      } else if (err instanceof StoreError && err.code === 'STORE_UNAVAILABLE') {
        // A full disk, a read-only data directory, a lost MongoDB: nothing was done, and asking again later may work.
        log.warn({ err, path: ctx.path }, 'JSON API request refused: the store is unavailable');
        ctx.status = 503;
        ctx.set('Retry-After', '5');
        ctx.body = { error: storeUnavailable, code: 'storeUnavailable' };
      } else if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
        // koa-body / koa-router refusals (bad JSON, too large): their own message is for clients.
        ctx.status = e.status;
        ctx.body = { error: e.expose ? e.message : 'bad request' };
      } else {
        log.error({ err, path: ctx.path }, 'JSON API request failed');
        ctx.status = 500;
        ctx.body = { error: 'internal error; the server log has the details' };
      }
    }
  };
}
