import type { Context } from 'koa';
import { apiKeyHash, type Dialect, type Log } from '../../../actors/index.ts';
import { send, word, type Answer } from '../answer.ts';
import { Params } from '../params.ts';
import type { IpRateLimit } from '../rate-limit.ts';
import { actionOf } from './actions/index.ts';
import { fail, type Call, type Gateway } from './call.ts';
import { errors } from './words.ts';

export { NoNumbersCache } from './no-numbers.ts';
export type { Gateway } from './call.ts';

/** The dialect a Host header names: software pointed at us by a hosts file still sends its old host. */
export function hostDialect(hostname: string, smsActivateHosts: readonly string[]): Dialect | undefined {
  const host = hostname.toLowerCase();
  return smsActivateHosts.some((h) => host === h || host.endsWith(`.${h}`)) ? 'smsActivate' : undefined;
}

/** hostDialect, remembered per Host (a server sees a handful of them; bounded all the same). */
function hostDialects(smsActivateHosts: readonly string[]) {
  const seen = new Map<string, Dialect | null>();
  return (hostname: string): Dialect | undefined => {
    let d = seen.get(hostname);
    if (d === undefined) {
      if (seen.size >= 1000) seen.clear();
      seen.set(hostname, (d = hostDialect(hostname, smsActivateHosts) ?? null));
    }
    return d ?? undefined;
  };
}

/**
 * `/stubs/handler_api.php`: protocol words in, domain calls, protocol words
 * out. Always HTTP 200; anything unexpected is `ERROR_SQL` with the stack in
 * the log, never in the answer.
 */
export function handlerApi(gw: Gateway, limiter: IpRateLimit, log: Log) {
  const dialectOf = hostDialects(gw.config.smsActivateHosts);
  return async (ctx: Context) => {
    const byHost = dialectOf(ctx.hostname);
    const allowed = limiter.allow(() => ctx.ip);
    if (allowed !== true && !(await allowed)) {
      // Over 50 requests/s: a word every client already treats as "try again".
      send(ctx, word(errors.sql[byHost ?? 'getsms']));
      return;
    }
    const params = Params.fromQuery(ctx.querystring, (ctx.request as { body?: unknown }).body);
    let answer: Answer;
    try {
      answer = await answerFor(gw, params, byHost);
    } catch (err) {
      log.error({ err, action: params.get('action') }, 'handler_api request failed');
      answer = word(errors.sql[byHost ?? 'getsms']);
    }
    send(ctx, answer);
  };
}

async function answerFor(gw: Gateway, params: Params, byHost: Dialect | undefined): Promise<Answer> {
  const d = byHost ?? 'getsms';
  if (params.tainted('api_key')) return word(errors.badKey[d]);
  const key = params.get('api_key');
  if (key === undefined) return word(errors.noKey[d]);
  if (key.length > 256) return word(errors.badKey[d]);
  const account = await gw.store.keyOwner(apiKeyHash(key));
  if (!account) return word(errors.badKey[d]);
  const call: Call = { params, account, dialect: byHost ?? account.dialect, gw };
  const name = params.get('action');
  if (name === undefined) return fail(call, 'noAction');
  const action = actionOf(call.dialect, name);
  return action ? action(call) : fail(call, 'badAction');
}
