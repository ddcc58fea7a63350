import { getsmsCountry } from '../../../../actors/index.ts';
import { isAnswer, operationOf, order, serviceOf, type Method } from '../call.ts';
import { error, messages, noValue, ok, repeatAnswer } from '../words.ts';

/**
 * A number for a service: `{"response":"1","tzid":"…"}`. When the farm has
 * one, the tzid is the new activation's id (API #1 sees the same order under
 * that id). When it has none, the order waits in the pool (TZ_INPOOL, then
 * TZ_NUM_PREPARE or WARNING_NO_NUMS): the spec gives getNum no "no numbers" error.
 */
export const getNum: Method = async (call) => {
  const service = serviceOf(call);
  if (!service) return error(messages.noService);
  const word = call.params.get('country');
  if (word === undefined) return noValue('country');
  const filter = getsmsCountry(word.toLowerCase()); // `all`, `ru`, `ru_beeline` … `uk` (= United Kingdom), `de`
  if (!filter) return noValue('country');
  const { noNumbers } = call.gw;
  // The key API #1 remembers a NO_NUMBERS under (no forwarding): one cache for both gateways.
  const cacheKey = `${service.id}|${filter.country ?? ''}|${filter.operators?.join(',') ?? ''}|false`;
  if (!noNumbers.has(call.account.id, cacheKey)) {
    const outcome = await order(call, service.id, filter);
    if (outcome.ok) return ok({ tzid: String(outcome.activation.id) });
    if (outcome.code === 'noBalance') return error(messages.lowBalance);
    noNumbers.remember(call.account.id, cacheKey);
  }
  return ok({ tzid: String((await call.pool.open(call.account.id, service.id, filter)).tzid) });
};

/**
 * Another SMS of the same service on the operation's number, free (API #1's
 * getRepeat): `"1"` with the new tzid; `"0"` when no repeat can be made (no
 * code was received there, the SIM left the farm); `"3"` while the number is
 * busy with that service (an open repeat). An operation still open with its
 * code is completed first, as setOperationOk would: its charge is final either way.
 */
export const getNumRepeat: Method = async (call) => {
  const op = await operationOf(call);
  if (isAnswer(op)) return op;
  if (op.ticket) return repeatAnswer.impossible();
  const a = op.activation;
  const { registry } = call.gw;
  if (a.live && a.messages.length > 0) await registry.command(call.account.id, a.id, 'client.finish');
  const r = await registry.repeat(call.account.id, a.phone, a.service, 'getsms');
  if (r.ok) return ok({ tzid: String(r.activation.id) });
  return r.code === 'doubleRetry' ? repeatAnswer.busy() : repeatAnswer.impossible();
};
