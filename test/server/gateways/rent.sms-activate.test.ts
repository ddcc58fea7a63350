import test from 'ava';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestSystem } from '../../helpers/system.ts';
import { until } from '../../helpers/until.ts';
import { raw, query, systemFor, tinyFarm, tinyFarmRuPhone } from './handler-api.helpers.ts';

/*
 * sms-activate's rent actions through real HTTP: JSON answers, every error
 * wrapped as {"status":"error","message":…}. A day in Russia (country 0)
 * costs 144.00 here, so 4 hours cost 24.00. The tiny farm's only Russian SIM
 * is 79270000001.
 */

async function rentSystem(t: import('ava').ExecutionContext) {
  const sys = await systemFor(t, { ...tinyFarm, WEBHOOK_ALLOW_PRIVATE: '1' }); // the webhook test's receiver is on 127.0.0.1
  await sys.store.setRentPrice('ru', 14_400);
  return sys;
}

/** An sms-activate action's JSON answer, parsed, with its content type checked. */
async function call(t: import('ava').ExecutionContext, sys: TestSystem, key: string, action: string, more: Record<string, string | number> = {}) {
  const res = await raw(sys, { query: query([['api_key', key], ['action', action], ...Object.entries(more)]) });
  t.is(res.headers['content-type'], 'application/json', action);
  return JSON.parse(res.body) as Record<string, unknown> & { status?: string; message?: string };
}

const error = (message: string) => ({ status: 'error', message });

test('getRentServicesAndCountries, getRentNumber, getRentStatus, getRentList in sms-activate\'s shapes', async (t) => {
  const sys = await rentSystem(t);
  const { key } = await sys.account({ dialect: 'smsActivate', rubles: 100 });
  t.deepEqual(await call(t, sys, key, 'getRentServicesAndCountries', { rent_time: 4, country: 0 }), {
    countries: { 0: 0 }, operators: { 0: 'any', 1: 'beeline', 2: 'mts', 3: 'megafon', 4: 'tele2', 5: 'aiva', 6: 'rostelecom' },
    services: { full: { cost: 24, quant: 1 } }, currency: 643,
  });
  t.like(await call(t, sys, key, 'getRentServicesAndCountries', { country: 1 }), { services: {} }, 'no rent price in Ukraine');
  t.deepEqual(await call(t, sys, key, 'getRentList'), error('NO_NUMBERS'));

  const before = Date.now();
  const got = await call(t, sys, key, 'getRentNumber', { service: 'full', rent_time: 4, country: 0 });
  t.is(got.status, 'success');
  const phone = got.phone as { id: number; endDate: string; number: string };
  t.is(typeof phone.id, 'number');
  t.is(phone.number, tinyFarmRuPhone);
  t.regex(phone.endDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  // Moscow wall-clock time, 4 hours on.
  const end = Date.parse(`${phone.endDate}Z`) - 3 * 3600_000;
  t.true(end >= Math.floor(before / 1000) * 1000 + 4 * 3600_000 - 1000 && end <= Date.now() + 4 * 3600_000);
  t.is(await sys.api({ api_key: key, action: 'getBalance' }), 'ACCESS_BALANCE:76.00');
  t.deepEqual(await call(t, sys, key, 'getRentList'), { status: 'success', values: { 0: { id: String(phone.id), phone: tinyFarmRuPhone } } });

  t.deepEqual(await call(t, sys, key, 'getRentStatus', { id: phone.id }), error('STATUS_WAIT_CODE'));
  await sys.sms(tinyFarmRuPhone, 'SPORTMASTER', 'Ваш код 1234');
  await sys.sms(tinyFarmRuPhone, '79001112233', 'second');
  const status = await call(t, sys, key, 'getRentStatus', { id: phone.id });
  t.like(status, { status: 'success', quantity: '2' });
  const values = status.values as Record<string, { phoneFrom: string; text: string; service: string; date: string }>;
  t.deepEqual(Object.keys(values), ['0', '1']);
  t.like(values['0'], { phoneFrom: '79001112233', text: 'second', service: 'full' });
  t.like(values['1'], { phoneFrom: 'SPORTMASTER', text: 'Ваш код 1234' });
  t.regex(values['0']!.date, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  const page = await call(t, sys, key, 'getRentStatus', { id: phone.id, page: 1, size: 1 });
  t.like(page, { quantity: '2', values: { 0: { text: 'Ваш код 1234' } } });
});

test('setRentStatus: cancel refunds within 20 minutes before any SMS, finish ends it now; their errors', async (t) => {
  const sys = await rentSystem(t);
  const { key } = await sys.account({ dialect: 'smsActivate', rubles: 100 });
  const stranger = await sys.account({ dialect: 'smsActivate', rubles: 100 });
  const rent = async () => ((await call(t, sys, key, 'getRentNumber', { rent_time: 4 })).phone as { id: number }).id;

  const first = await rent();
  t.deepEqual(await call(t, sys, stranger.key, 'setRentStatus', { id: first, status: 2 }), error('NO_ID_RENT'), 'someone else\'s rent');
  t.deepEqual(await call(t, sys, stranger.key, 'getRentStatus', { id: first }), error('NO_ID_RENT'));
  t.deepEqual(await call(t, sys, key, 'setRentStatus', { id: first, status: 5 }), error('INCORECT_STATUS'));
  t.deepEqual(await call(t, sys, key, 'setRentStatus', { id: first, status: 2 }), { status: 'success' });
  t.is(await sys.api({ api_key: key, action: 'getBalance' }), 'ACCESS_BALANCE:100.00', 'refunded in full');
  t.deepEqual(await call(t, sys, key, 'getRentStatus', { id: first }), error('STATUS_CANCEL'));
  t.deepEqual(await call(t, sys, key, 'setRentStatus', { id: first, status: 2 }), error('ALREADY_CANCEL'));

  const second = await rent();
  await sys.sms(tinyFarmRuPhone, 'Shop', 'welcome');
  t.deepEqual(await call(t, sys, key, 'setRentStatus', { id: second, status: 2 }), error('CANT_CANCEL'), 'an SMS came');
  t.deepEqual(await call(t, sys, key, 'setRentStatus', { id: second, status: 1 }), { status: 'success' });
  t.deepEqual(await call(t, sys, key, 'getRentStatus', { id: second }), error('STATUS_FINISH'));
  t.deepEqual(await call(t, sys, key, 'setRentStatus', { id: second, status: 1 }), error('ALREADY_FINISH'));
  t.deepEqual(await call(t, sys, key, 'setRentStatus', { id: 999_999, status: 1 }), error('NO_ID_RENT'));
  t.is(await sys.api({ api_key: key, action: 'getBalance' }), 'ACCESS_BALANCE:76.00', 'a finished rent is not refunded');
  t.deepEqual(await call(t, sys, key, 'getRentList'), error('NO_NUMBERS'));
});

test('continueRentNumber extends a live rent, charged; errors for bad input, no money and no rent', async (t) => {
  const sys = await rentSystem(t);
  const { id, key } = await sys.account({ dialect: 'smsActivate', rubles: 50 });
  const poor = await sys.account({ dialect: 'smsActivate', rubles: 1 });
  t.deepEqual(await call(t, sys, poor.key, 'getRentNumber', { rent_time: 4 }), error('NO_BALANCE'));
  t.deepEqual(await call(t, sys, key, 'getRentNumber', { service: 'nope', rent_time: 4 }), error('BAD_SERVICE'));
  t.deepEqual(await call(t, sys, key, 'getRentNumber', { rent_time: 1 }), error('INVALID_TIME'));
  t.deepEqual(await call(t, sys, key, 'getRentNumber', { rent_time: 4, country: 1 }), error('NO_NUMBERS'));
  const got = (await call(t, sys, key, 'getRentNumber', { service: 'tg', rent_time: 4, country: 0 })).phone as { id: number; endDate: string };
  t.is(await sys.api({ api_key: key, action: 'getBalance' }), 'ACCESS_BALANCE:26.00');
  t.deepEqual(await call(t, sys, key, 'getContinueRentPriceNumber', { id: got.id, rent_time: 4 }), { status: 'success', price: 24, currency: 643 });
  const longer = await call(t, sys, key, 'continueRentNumber', { id: got.id, rent_time: 4 });
  t.is(longer.status, 'success');
  const phone = longer.phone as { id: number; endDate: string; number: string };
  t.like(phone, { id: got.id, number: tinyFarmRuPhone });
  t.is(Date.parse(`${phone.endDate}Z`) - Date.parse(`${got.endDate}Z`), 4 * 3600_000);
  t.is(await sys.api({ api_key: key, action: 'getBalance' }), 'ACCESS_BALANCE:2.00');
  t.deepEqual(await call(t, sys, key, 'continueRentNumber', { id: got.id, rent_time: 4 }), error('NO_BALANCE'));
  t.deepEqual(await call(t, sys, key, 'continueRentNumber', { id: got.id, rent_time: 2000 }), error('INVALID_TIME'));
  t.deepEqual(await call(t, sys, poor.key, 'continueRentNumber', { id: got.id, rent_time: 4 }), error('NO_ID_RENT'));
  const keys = (await sys.store.ledger(id)).map((e) => e.key);
  t.deepEqual(keys.filter((k) => k.startsWith('rent')), [`rent:${got.id}`, `rent-extend:${got.id}:1`]);
  t.deepEqual(await call(t, sys, key, 'setRentStatus', { id: got.id, status: 1 }), { status: 'success' });
  t.deepEqual(await call(t, sys, key, 'continueRentNumber', { id: got.id, rent_time: 4 }), error('RENT_DIE'));
});

test('the rent actions are sms-activate\'s: the spec\'s dialect does not know them', async (t) => {
  const sys = await rentSystem(t);
  const { key } = await sys.account();
  for (const action of ['getRentServicesAndCountries', 'getRentNumber', 'getRentStatus', 'setRentStatus', 'continueRentNumber']) {
    t.is(await sys.api({ api_key: key, action }), 'BAD_ACTION', action);
  }
  // Through sms-activate's Host the same key speaks its dialect.
  const res = await raw(sys, { query: query([['api_key', key], ['action', 'getRentList']]), host: 'api.sms-activate.org' });
  t.is(res.body, '{"status":"error","message":"NO_NUMBERS"}');
});

test('a rented number\'s SMS is POSTed to the account\'s webhook in sms-activate\'s rent shape', async (t) => {
  const sys = await rentSystem(t);
  const received: string[] = [];
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push(body);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => hook.close(() => resolve())));
  const { id, key } = await sys.account({ dialect: 'smsActivate', rubles: 100 });
  await sys.store.setWebhook(id, { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/sms`, secret: 'whsec_test' }, Date.now());
  const rentId = ((await call(t, sys, key, 'getRentNumber', { rent_time: 4 })).phone as { id: number }).id;
  await sys.sms(tinyFarmRuPhone, 'SPORTMASTER', 'Ваш код 5678');
  const body = await until('the rent webhook', () => received[0], 30_000);
  const payload = JSON.parse(body) as { rentId: string; sms: { phoneFrom: string; text: string; date: string } };
  t.is(payload.rentId, String(rentId));
  t.like(payload.sms, { phoneFrom: 'SPORTMASTER', text: 'Ваш код 5678' });
  t.regex(payload.sms.date, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
});
