import test from 'ava';
import { httpRequest, type TestSystem } from '../../helpers/system.ts';
import { raw, query, systemFor, tinyFarm, tinyFarmRuPhone, wordType } from './handler-api.helpers.ts';

/*
 * The spec's rent (getsms dialect) through real HTTP: getRentOneDay,
 * getRentList, getRentNumberSMS. The tiny farm has one Russian SIM
 * (79270000001) and one Ukrainian; a day in Russia costs 150.00 here, set
 * through the admin JSON API.
 */

async function rentSystem(t: import('ava').ExecutionContext) {
  const sys = await systemFor(t, tinyFarm);
  const admin = await sys.account({ role: 'admin' });
  const res = await httpRequest(sys.url, {
    method: 'PUT', path: '/api/admin/rent-prices', body: JSON.stringify({ country: 'ru', price: '150' }),
    headers: { authorization: `Bearer ${admin.key}`, 'content-type': 'application/json' },
  });
  t.is(res.status, 200);
  t.deepEqual(JSON.parse(res.body), { country: 'ru', price: '150.00' });
  return sys;
}

const api = (sys: TestSystem, key: string, action: string, more: Record<string, string | number> = {}) =>
  sys.api({ api_key: key, action, ...more });

test('getRentOneDay rents a number for 24 hours at the day price; every SMS from anyone arrives in getRentNumberSMS', async (t) => {
  const sys = await rentSystem(t);
  const { key } = await sys.account({ rubles: 1000 });
  const before = Math.floor(Date.now() / 1000);
  const rented = await raw(sys, { query: query([['api_key', key], ['action', 'getRentOneDay']]) });
  t.is(rented.headers['content-type'], wordType);
  t.is(rented.body, `success: ${tinyFarmRuPhone}`);
  t.is(await api(sys, key, 'getBalance'), 'ACCESS_BALANCE:850.00');

  const list = await raw(sys, { query: query([['api_key', key], ['action', 'getRentList']]) });
  t.is(list.headers['content-type'], 'application/json');
  const rents = JSON.parse(list.body) as { response: string; description: string; data: { rents: { number: number; time_start: number; time_end: number }[] } };
  t.like(rents, { response: '0', description: 'success' });
  t.is(rents.data.rents.length, 1);
  const [r] = rents.data.rents;
  t.is(r!.number, Number(tinyFarmRuPhone), 'the number is a JSON number, as the spec shows it');
  t.true(r!.time_start >= before - 1 && r!.time_start <= Math.floor(Date.now() / 1000));
  t.is(r!.time_end - r!.time_start, 86_400);

  t.is(await api(sys, key, 'getRentNumberSMS', { number: tinyFarmRuPhone }), '{"response":"0","items":[]}');
  await sys.sms(tinyFarmRuPhone, 'Sberbank', 'Баланс: 100 RUB');
  await sys.sms(tinyFarmRuPhone, '79161112233', 'hi, no code');
  await sys.sms(tinyFarmRuPhone, 'Telegram', 'Telegram code: 12345');
  const all = JSON.parse(await api(sys, key, 'getRentNumberSMS', { number: tinyFarmRuPhone })) as {
    response: string; items: { id_message: string; date: string; sender: string; text: string }[];
  };
  t.is(all.response, '0');
  t.deepEqual(all.items.map((i) => [i.sender, i.text]), [
    ['Telegram', 'Telegram code: 12345'], ['79161112233', 'hi, no code'], ['Sberbank', 'Баланс: 100 RUB'],
  ], 'newest first, whoever sent it');
  t.true(all.items.every((i) => /^\d+$/.test(i.id_message) && /^\d{10}$/.test(i.date)));
  t.true(Number(all.items[0]!.id_message) > Number(all.items[1]!.id_message));
  const last = JSON.parse(await api(sys, key, 'getRentNumberSMS', { number: `+${tinyFarmRuPhone}`, count: 1 })) as typeof all;
  t.deepEqual(last.items, all.items.slice(0, 1), 'count = the last N');
  const two = JSON.parse(await api(sys, key, 'getRentNumberSMS', { number: tinyFarmRuPhone, count: 2 })) as typeof all;
  t.deepEqual(two.items, all.items.slice(0, 2));
});

test('a rented number is offered for no activation; a number with a live activation is not rented', async (t) => {
  const sys = await rentSystem(t);
  const { key } = await sys.account({ rubles: 1000 });
  const activation = await api(sys, key, 'getNumber', { service: 'tg', country: 'ru' });
  t.regex(activation, new RegExp(`^ACCESS_NUMBER:\\d+:${tinyFarmRuPhone}$`));
  t.is(await api(sys, key, 'getRentOneDay'), 'no numbers', 'the only Russian SIM holds a live activation');
  t.is(await api(sys, key, 'setStatus', { id: activation.split(':')[1]!, status: -1 }), 'ACCESS_CANCEL');

  t.is(await api(sys, key, 'getRentOneDay', { country: 'ru' }), `success: ${tinyFarmRuPhone}`);
  const other = await sys.account({ rubles: 1000 });
  for (const service of ['tg', 'wa', 'vk']) {
    t.is(await api(sys, other.key, 'getNumber', { service, country: 'ru' }), 'NO_NUMBER', service);
  }
  const counts = JSON.parse(await api(sys, other.key, 'getNumbersStatus', { country: 'ru' })) as Record<string, number>;
  t.is(counts.tg_0, 0);
  t.is(await api(sys, other.key, 'getRentOneDay'), 'no numbers', 'one rent per number');
  t.is(await api(sys, other.key, 'getRentOneDay', { country: 'ua' }), 'no numbers', 'no rent price in Ukraine');
});

test('rents are private: another user sees no list and no SMS; the spec\'s error words', async (t) => {
  const sys = await rentSystem(t);
  const owner = await sys.account({ rubles: 200 });
  const stranger = await sys.account({ rubles: 1000 });
  const poor = await sys.account({ rubles: 149.99 });
  t.is(await api(sys, poor.key, 'getRentOneDay'), 'too low balance');
  t.is(await api(sys, poor.key, 'getBalance'), 'ACCESS_BALANCE:149.99', 'nothing charged');

  t.is(await api(sys, owner.key, 'getRentOneDay'), `success: ${tinyFarmRuPhone}`);
  await sys.sms(tinyFarmRuPhone, 'Bank', 'secret 4242');
  t.is(await api(sys, stranger.key, 'getRentList'), 'RENT_LIST_EMPTY');
  t.is(await api(sys, stranger.key, 'getRentNumberSMS', { number: tinyFarmRuPhone }), 'WRONG_NUMBER');
  t.is(await api(sys, owner.key, 'getRentNumberSMS', { number: '79990000000' }), 'WRONG_NUMBER');
  t.is(await api(sys, owner.key, 'getRentNumberSMS'), 'WRONG_NUMBER');
  t.regex(await api(sys, owner.key, 'getRentNumberSMS', { number: tinyFarmRuPhone }), /secret 4242/);
  t.is(await api(sys, owner.key, 'getRentOneDay'), 'no numbers');
  t.is(await api(sys, 'not-a-key', 'getRentOneDay'), 'BAD_KEY');
  // The ledger says what happened: one charge, referenced to the rent.
  const ledger = await sys.store.ledger(owner.id);
  t.like(ledger.at(-1), { amount: -15_000, reason: 'charge' });
  t.regex(ledger.at(-1)!.key, /^rent:\d+$/);
});
