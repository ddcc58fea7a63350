import type { Context } from 'koa';
import { apiKeyHash, type Log } from '../../../actors/index.ts';
import { send, type Answer } from '../answer.ts';
import type { Gateway } from '../handler-api/index.ts';
import { Params } from '../params.ts';
import type { IpRateLimit } from '../rate-limit.ts';
import type { Call } from './call.ts';
import { methodOf } from './methods/index.ts';
import { OrderPool } from './pool.ts';
import { error, messages } from './words.ts';

export { OrderPool, type PoolOptions } from './pool.ts';

const methodPath = /^\/([A-Za-z][A-Za-z0-9_]{0,63})\.php$/;

/** The method name of an API #2 path (`/getNum.php` → `getNum`); undefined for any other path. */
export function smsRegMethodName(path: string): string | undefined {
  return path.endsWith('.php') ? methodPath.exec(path)?.[1] : undefined;
}

/**
 * API #2, sms-reg's `/<METHOD>.php`: a second translation table over the same
 * activations as handler_api.php. Always HTTP 200 with a JSON object; anything
 * unexpected is `{"response":"ERROR","error_msg":"ERROR_SQL"}` with the stack
 * in the log, never in the answer.
 */
export function smsReg(gw: Gateway, limiter: IpRateLimit, log: Log) {
  const windowMs = gw.config.noNumbersCacheMs;
  const pool = new OrderPool({
    // The spec's 30 s "results like NO_NUMBERS" window is, in API #2, how long an order waits in the pool.
    windowMs,
    keepMs: windowMs + 2 * gw.config.activationTtlMs,
    retryMs: 1000,
    leaseMs: 10_000,
    store: gw.store,
    now: () => gw.clock.now(),
  });
  return async (ctx: Context, name: string) => {
    const allowed = limiter.allow(() => ctx.ip);
    if (allowed !== true && !(await allowed)) {
      // Over the per-IP limit: the same "temporary, try again" word as API #1, in this dialect's error form.
      send(ctx, error(messages.temporary));
      return;
    }
    const params = Params.fromQuery(ctx.querystring, (ctx.request as { body?: unknown }).body);
    let answer: Answer;
    try {
      answer = await answerFor(gw, pool, name, params);
    } catch (err) {
      log.error({ err, method: name }, 'sms-reg request failed');
      answer = error(messages.temporary);
    }
    send(ctx, answer);
  };
}

async function answerFor(gw: Gateway, pool: OrderPool, name: string, params: Params): Promise<Answer> {
  const found = methodOf(name);
  if (!found) return error(messages.noMethod);
  if (params.tainted('apikey')) return error(messages.wrongKey);
  const key = params.get('apikey');
  if (key === undefined) return error(messages.noKey);
  if (key.length > 256) return error(messages.wrongKey);
  const account = await gw.store.keyOwner(apiKeyHash(key));
  if (!account) return error(messages.wrongKey);
  const call: Call = { method: found.name, params, account, gw, pool };
  return found.method(call);
}
