import test from 'ava';
import { until } from '../../helpers/until.ts';
import { systemFor, tinyFarm, tinyFarmRuPhone } from './handler-api.helpers.ts';
import { getNum, reg, regBalance, regError, state } from './sms-reg.helpers.ts';

/*
 * sms-reg's pool: getNum always answers a tzid. With no free number the order
 * waits: getState says TZ_INPOOL (and only that) until a number is assigned,
 * then TZ_NUM_PREPARE with the number; when the pool window (the spec's 30 s
 * NO_NUMBERS window, NO_NUMBERS_CACHE_SECONDS) runs out, WARNING_NO_NUMS.
 * The tiny farm holds one Russian SIM, so one Telegram order empties Russia.
 */

test('no free number: TZ_INPOOL, then TZ_NUM_PREPARE with the number once one is free; charged only then', async (t) => {
  const sys = await systemFor(t, tinyFarm);
  const holder = await sys.account();
  const waiter = await sys.account();
  const held = await getNum(t, sys, holder.key, 'telegram', 'ru');

  const tzid = await getNum(t, sys, waiter.key, 'telegram', 'ru');
  t.deepEqual(await state(t, sys, waiter.key, tzid), { response: 'TZ_INPOOL' });
  t.is(await regBalance(t, sys, waiter.key), '1000.00', 'nothing charged while in the pool');
  t.deepEqual(await reg(t, sys, 'setReady', { apikey: waiter.key, tzid }), regError('setReady to this TZID not applicable'));
  t.deepEqual(await reg(t, sys, 'setOperationUsed', { apikey: waiter.key, tzid }), regError('setOperationUsed to this TZID not applicable'));
  t.deepEqual(await reg(t, sys, 'getNumRepeat', { apikey: waiter.key, tzid }), { response: '0' });
  t.deepEqual(await reg(t, sys, 'getState', { apikey: holder.key, tzid }), regError('There is no TZID value'), 'another account\'s pooled order');
  t.is(await sys.api({ api_key: waiter.key, action: 'getStatus', id: tzid }), 'NO_ACTIVATION', 'no activation exists yet');

  // The holder gives the number back: the pooled order takes it.
  t.deepEqual(await reg(t, sys, 'setOperationOver', { apikey: holder.key, tzid: held }), { response: '1', tzid: held });
  const seen: string[] = [];
  const prepared = await until('the pooled order to get a number', async () => {
    const s = await state(t, sys, waiter.key, tzid);
    seen.push(String(s.response));
    return s.response === 'TZ_NUM_PREPARE' ? s : undefined;
  });
  t.true(seen.every((w) => w === 'TZ_INPOOL' || w === 'TZ_NUM_PREPARE'), `only INPOOL then PREPARE: ${seen.join(',')}`);
  t.deepEqual(prepared, { response: 'TZ_NUM_PREPARE', service: 'telegram', number: tinyFarmRuPhone });
  t.is(await regBalance(t, sys, waiter.key), '975.00');

  // From now on the tzid is that activation: every method works on it.
  t.deepEqual(await reg(t, sys, 'setReady', { apikey: waiter.key, tzid }), { response: '1' });
  await sys.sms(tinyFarmRuPhone, 'Telegram', 'Telegram code: 80808');
  t.deepEqual(await state(t, sys, waiter.key, tzid), { response: 'TZ_NUM_ANSWER', service: 'telegram', number: tinyFarmRuPhone, msg: '80808' });
  t.deepEqual(await reg(t, sys, 'setOperationOk', { apikey: waiter.key, tzid }), { response: '1', tzid });
  const done = await reg(t, sys, 'getOperations', { apikey: waiter.key, opstate: 'completed' }) as unknown as Record<string, string>[];
  t.like(done[0], { service: 'telegram', phone: tinyFarmRuPhone, status: 'TZ_OVER_OK', msg: '80808' });
  t.is(await sys.api({ api_key: waiter.key, action: 'getStatus', id: done[0]!.tzid! }), 'STATUS_ACCESS:80808', 'API #1 sees it under its activation id');
});

test('the pool window runs out: WARNING_NO_NUMS, nothing charged', async (t) => {
  const sys = await systemFor(t, { ...tinyFarm, NO_NUMBERS_CACHE_SECONDS: '1' });
  const holder = await sys.account();
  const waiter = await sys.account();
  await getNum(t, sys, holder.key, 'telegram', 'ru');
  const tzid = await getNum(t, sys, waiter.key, 'telegram', 'ru');
  const seen: string[] = [];
  const last = await until('the pool window to run out', async () => {
    const s = await state(t, sys, waiter.key, tzid);
    seen.push(String(s.response));
    return s.response === 'TZ_INPOOL' ? undefined : s;
  });
  t.deepEqual(last, { response: 'WARNING_NO_NUMS', service: 'telegram' });
  t.true(seen.slice(0, -1).every((w) => w === 'TZ_INPOOL'));
  t.is(await regBalance(t, sys, waiter.key), '1000.00');
  t.deepEqual(await reg(t, sys, 'setOperationOk', { apikey: waiter.key, tzid }), regError('setOperationOk to this TZID not applicable'));
});

test('with the window off (NO_NUMBERS_CACHE_SECONDS=0) an order with no number is WARNING_NO_NUMS at once', async (t) => {
  const sys = await systemFor(t, { ...tinyFarm, NO_NUMBERS_CACHE_SECONDS: '0' });
  const { key } = await sys.account();
  const tzid = await getNum(t, sys, key, 'telegram', 'de');
  t.deepEqual(await state(t, sys, key, tzid), { response: 'WARNING_NO_NUMS', service: 'telegram' });
});

test('setOperationOver takes an order out of the pool: TZ_DELETED, and it never takes a number', async (t) => {
  const sys = await systemFor(t, tinyFarm);
  const holder = await sys.account();
  const waiter = await sys.account();
  const held = await getNum(t, sys, holder.key, 'telegram', 'ru');
  const tzid = await getNum(t, sys, waiter.key, 'telegram', 'ru');
  t.deepEqual(await reg(t, sys, 'setOperationOver', { apikey: waiter.key, tzid }), { response: '1', tzid });
  t.deepEqual(await state(t, sys, waiter.key, tzid), { response: 'TZ_DELETED', service: 'telegram' });
  t.deepEqual(await reg(t, sys, 'setOperationOver', { apikey: waiter.key, tzid }), regError('setOperationOver to this TZID not applicable'));

  t.deepEqual(await reg(t, sys, 'setOperationOver', { apikey: holder.key, tzid: held }), { response: '1', tzid: held });
  t.deepEqual(await state(t, sys, waiter.key, tzid), { response: 'TZ_DELETED', service: 'telegram' }, 'the freed number is not taken');
  t.is(await regBalance(t, sys, waiter.key), '1000.00');
  t.deepEqual(await reg(t, sys, 'getOperations', { apikey: waiter.key }), regError('No active tranzactions'));
});

test('a pooled order whose account can no longer pay when a number frees: WARNING_LOW_BALANCE', async (t) => {
  const sys = await systemFor(t, tinyFarm);
  const holder = await sys.account();
  const waiter = await sys.account({ rubles: 30 });
  const held = await getNum(t, sys, holder.key, 'telegram', 'ru');
  const tzid = await getNum(t, sys, waiter.key, 'telegram', 'ru');
  t.deepEqual(await state(t, sys, waiter.key, tzid), { response: 'TZ_INPOOL' });
  // The waiter spends its money elsewhere meanwhile (Ukraine is not empty).
  const other = await getNum(t, sys, waiter.key, 'vk', 'ua');
  t.is(await regBalance(t, sys, waiter.key), '14.00');
  t.like(await state(t, sys, waiter.key, other), { response: 'TZ_NUM_PREPARE' });
  t.deepEqual(await reg(t, sys, 'setOperationOver', { apikey: holder.key, tzid: held }), { response: '1', tzid: held });
  const last = await until('the pool to try again', async () => {
    const s = await state(t, sys, waiter.key, tzid);
    return s.response === 'TZ_INPOOL' ? undefined : s;
  });
  t.deepEqual(last, regError('WARNING_LOW_BALANCE'));
  t.is(await regBalance(t, sys, waiter.key), '14.00');
});
