import { formatRubles, services } from '../../../../actors/index.ts';
import { json } from '../../answer.ts';
import { serviceName, type Method } from '../call.ts';
import { error, messages, noValue, ok } from '../words.ts';
import { describe } from './state.ts';

export const getBalance: Method = async (call) => {
  // Read from the store, not the session: a top-up from the CLI shows at once.
  const account = await call.gw.store.accountById(call.account.id);
  return ok({ balance: formatRubles(account?.balance ?? 0) });
};

/**
 * Every service name getNum takes, one entry each: clients check that the name
 * they were written for is in this list before they order (smsreg-python).
 */
const list = json({
  response: '1',
  services: services.flatMap((s) => (s.smsReg ?? []).map((name) => ({ service: name, description: s.name }))),
});

export const getList: Method = async () => list;

const defaultCount = 100;
const maxCount = 1000;

/**
 * The account's operations, newest first: `opstate=active` (default) or
 * `completed`, `count` 1–1000 (default 100), `output=array` (default) or
 * `object` (keyed "0", "1", …), each `{"tzid","service","phone","status","msg"}`
 * with getState's word as `status`.
 */
export const getOperations: Method = async (call) => {
  const opstate = call.params.get('opstate') ?? 'active';
  if (opstate !== 'active' && opstate !== 'completed') return noValue('opstate');
  const countParam = call.params.get('count');
  const count = countParam === undefined ? defaultCount : call.params.id('count');
  if (count === undefined || count < 1 || count > maxCount) return noValue('count');
  const output = call.params.get('output') ?? 'array';
  if (output !== 'array' && output !== 'object') return noValue('output');

  const { store, registry } = call.gw;
  const records = await store.activations({ accountId: call.account.id, live: opstate === 'active', limit: count });
  const views = await Promise.all(records.map((r) => registry.view(call.account.id, r.id)));
  const items = views.flatMap((a) => {
    if (!a) return [];
    return [{ tzid: String(a.id), service: serviceName(a.service), phone: a.phone, status: describe(a).response!, msg: a.code ?? '' }];
  });
  if (items.length === 0) return error(messages.noOperations);
  return json(output === 'object' ? Object.fromEntries(items.map((item, i) => [String(i), item])) : items);
};
