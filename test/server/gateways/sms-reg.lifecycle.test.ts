import test from 'ava';
import { until } from '../../helpers/until.ts';
import { systemFor, tinyFarm, tinyFarmRuPhone } from './handler-api.helpers.ts';
import { allStrings, getNum, reg, regBalance, regError, state } from './sms-reg.helpers.ts';

/*
 * API #2's operation lifecycle through real HTTP: getNum, getState's words in
 * each phase, the set* methods, getNumRepeat, and the money a client sees.
 * Telegram in Russia costs 25.00 (seed catalogue); accounts open with 1000.00.
 */

test('getNum → TZ_NUM_PREPARE → setReady → TZ_NUM_WAIT → TZ_NUM_ANSWER → revise → TZ_NUM_WAIT2 → new code → setOperationOk → TZ_OVER_OK', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const tzid = await getNum(t, sys, key, 'telegram', 'ru');
  t.is(await regBalance(t, sys, key), '975.00', 'charged when the number is given');

  const prepared = await state(t, sys, key, tzid);
  t.like(prepared, { response: 'TZ_NUM_PREPARE', service: 'telegram' });
  t.regex(String(prepared.number), /^7\d{10}$/, 'number: digits with the country code, no +');
  t.false('msg' in prepared, 'no msg before an SMS');
  t.true(allStrings(prepared));
  const phone = prepared.number as string;

  t.deepEqual(await reg(t, sys, 'setReady', { apikey: key, tzid }), { response: '1' });
  t.deepEqual(await state(t, sys, key, tzid), { response: 'TZ_NUM_WAIT', service: 'telegram', number: phone });

  await sys.sms(phone, 'Telegram', 'Telegram code: 11111\n\nYou can also tap on this link to log in:\nhttps://t.me/login/11111');
  t.deepEqual(await state(t, sys, key, tzid), { response: 'TZ_NUM_ANSWER', service: 'telegram', number: phone, msg: '11111' });

  t.deepEqual(await reg(t, sys, 'setOperationRevise', { apikey: key, tzid }), { response: '1', tzid });
  t.deepEqual(await state(t, sys, key, tzid), { response: 'TZ_NUM_WAIT2', service: 'telegram', number: phone }, 'no stale msg');
  await sys.sms(phone, 'Telegram', 'Telegram code: 22222');
  t.deepEqual(await state(t, sys, key, tzid), { response: 'TZ_NUM_ANSWER', service: 'telegram', number: phone, msg: '22222' });

  t.deepEqual(await reg(t, sys, 'setOperationOk', { apikey: key, tzid }), { response: '1', tzid });
  t.deepEqual(await state(t, sys, key, tzid), { response: 'TZ_OVER_OK', service: 'telegram', number: phone, msg: '22222' });
  t.is(await regBalance(t, sys, key), '975.00', 'a code arrived: the charge is final');
});

test('an SMS before setReady is taken all the same (later sms-reg clients never send setReady)', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const tzid = await getNum(t, sys, key, 'vk', 'all');
  const { number } = await state(t, sys, key, tzid);
  await sys.sms(number as string, 'VK', 'VK: 54321 - vash kod dlya registracii');
  t.like(await state(t, sys, key, tzid), { response: 'TZ_NUM_ANSWER', service: 'vk', msg: '54321' });
  t.deepEqual(await reg(t, sys, 'setOperationOk', { apikey: key, tzid }), { response: '1', tzid });
});

test('setOperationUsed: refunded, TZ_OVER_GR, the number blacklisted for this account and never sold for the service again', async (t) => {
  const sys = await systemFor(t, tinyFarm);
  const user = await sys.account();
  const tzid = await getNum(t, sys, user.key, 'telegram', 'ru');
  t.is(await regBalance(t, sys, user.key), '975.00');
  t.deepEqual(await reg(t, sys, 'setOperationUsed', { apikey: user.key, tzid }), { response: '1', tzid });
  t.deepEqual(await state(t, sys, user.key, tzid), { response: 'TZ_OVER_GR', service: 'telegram', number: tinyFarmRuPhone });
  t.is(await regBalance(t, sys, user.key), '1000.00');
  t.deepEqual(await sys.store.blacklist(user.id), [tinyFarmRuPhone]);
  const other = await sys.account();
  const free = JSON.parse(await sys.api({ api_key: other.key, action: 'getNumbersStatus', country: 'ru' })) as Record<string, number>;
  t.is(free.tg_0, 0, 'not sold for Telegram again, to anyone');
  t.is(free.vk_0, 1, 'still sold to others for other services');
});

test('setOperationOver: before a code it cancels and refunds (TZ_DELETED); after a code it completes (TZ_OVER_OK)', async (t) => {
  const sys = await systemFor(t, tinyFarm);
  const { key } = await sys.account();
  const first = await getNum(t, sys, key, 'telegram', 'ru');
  t.deepEqual(await reg(t, sys, 'setOperationOver', { apikey: key, tzid: first }), { response: '1', tzid: first });
  t.deepEqual(await state(t, sys, key, first), { response: 'TZ_DELETED', service: 'telegram', number: tinyFarmRuPhone });
  t.is(await regBalance(t, sys, key), '1000.00', 'refunded');

  const second = await getNum(t, sys, key, 'telegram', 'ru');
  t.like(await state(t, sys, key, second), { response: 'TZ_NUM_PREPARE', number: tinyFarmRuPhone }, 'the cancelled number is free again');
  await sys.sms(tinyFarmRuPhone, 'Telegram', 'Telegram code: 90909');
  t.deepEqual(await reg(t, sys, 'setOperationOver', { apikey: key, tzid: second }), { response: '1', tzid: second });
  t.deepEqual(await state(t, sys, key, second), { response: 'TZ_OVER_OK', service: 'telegram', number: tinyFarmRuPhone, msg: '90909' });
  t.is(await regBalance(t, sys, key), '975.00');
});

test('"<method> to this TZID not applicable" for each method in a state that does not take it', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const na = (method: string) => regError(`${method} to this TZID not applicable`);
  const tzid = await getNum(t, sys, key, 'telegram', 'ru');
  const { number } = await state(t, sys, key, tzid);

  // Waiting for the SMS: nothing to confirm or revise yet.
  t.deepEqual(await reg(t, sys, 'setOperationOk', { apikey: key, tzid }), na('setOperationOk'));
  t.deepEqual(await reg(t, sys, 'setOperationRevise', { apikey: key, tzid }), na('setOperationRevise'));
  t.like(await state(t, sys, key, tzid), { response: 'TZ_NUM_PREPARE' }, 'refused methods change nothing');

  // A code arrived: it can no longer be called "already used", nor made ready again.
  await sys.sms(number as string, 'Telegram', 'Telegram code: 12345');
  t.deepEqual(await reg(t, sys, 'setOperationUsed', { apikey: key, tzid }), na('setOperationUsed'));
  t.deepEqual(await reg(t, sys, 'setReady', { apikey: key, tzid }), na('setReady'));

  // Revised once: waiting for the second code, it cannot be revised again.
  t.deepEqual(await reg(t, sys, 'setOperationRevise', { apikey: key, tzid }), { response: '1', tzid });
  t.deepEqual(await reg(t, sys, 'setOperationRevise', { apikey: key, tzid }), na('setOperationRevise'));

  // Over: nothing moves it any more.
  t.deepEqual(await reg(t, sys, 'setOperationOk', { apikey: key, tzid }), { response: '1', tzid });
  for (const method of ['setReady', 'setOperationOk', 'setOperationRevise', 'setOperationUsed', 'setOperationOver']) {
    t.deepEqual(await reg(t, sys, method, { apikey: key, tzid }), na(method));
  }
  t.like(await state(t, sys, key, tzid), { response: 'TZ_OVER_OK', msg: '12345' });
});

test('expiry: no SMS in time → TZ_OVER_EMPTY after setReady, TZ_OVER_NR without it; both refunded', async (t) => {
  const sys = await systemFor(t, { ACTIVATION_TTL_SECONDS: '5' }); // long enough for the setReady below on a loaded machine
  const { key } = await sys.account();
  const readied = await getNum(t, sys, key, 'telegram', 'ru');
  const unready = await getNum(t, sys, key, 'vk', 'ru');
  t.deepEqual(await reg(t, sys, 'setReady', { apikey: key, tzid: readied }), { response: '1' });
  t.is(await regBalance(t, sys, key), '955.00');
  const over = (tzid: string) => until(`operation ${tzid} to expire`, async () => {
    const s = await state(t, sys, key, tzid);
    return String(s.response).startsWith('TZ_OVER') ? s : undefined;
  });
  t.like(await over(readied), { response: 'TZ_OVER_EMPTY', service: 'telegram' });
  t.like(await over(unready), { response: 'TZ_OVER_NR', service: 'vk' });
  t.is(await regBalance(t, sys, key), '1000.00');
});

test('getNumRepeat: "1" and a new tzid on the same number, free; "3" while that repeat is open; "0" without a code', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const tzid = await getNum(t, sys, key, 'telegram', 'ru');
  const { number } = await state(t, sys, key, tzid);

  t.deepEqual(await reg(t, sys, 'getNumRepeat', { apikey: key, tzid }), { response: '0' }, 'no code yet: no repeat');

  await sys.sms(number as string, 'Telegram', 'Telegram code: 31337');
  t.deepEqual(await reg(t, sys, 'setOperationOk', { apikey: key, tzid }), { response: '1', tzid });
  const repeat = await reg(t, sys, 'getNumRepeat', { apikey: key, tzid });
  t.is(repeat.response, '1');
  t.regex(String(repeat.tzid), /^\d+$/);
  t.not(repeat.tzid, tzid);
  t.true(allStrings(repeat));
  const again = repeat.tzid as string;
  t.deepEqual(await state(t, sys, key, again), { response: 'TZ_NUM_WAIT', service: 'telegram', number }, 'a repeat waits for the code at once');
  t.is(await regBalance(t, sys, key), '975.00', 'a repeat is free');

  t.deepEqual(await reg(t, sys, 'getNumRepeat', { apikey: key, tzid }), { response: '3' }, 'number busy with the open repeat');

  await sys.sms(number as string, 'Telegram', 'Telegram code: 42424');
  t.like(await state(t, sys, key, again), { response: 'TZ_NUM_ANSWER', msg: '42424' });
  // Asked on an operation still open with its code (BAS's "3"): it is completed, and the repeat made.
  const third = await reg(t, sys, 'getNumRepeat', { apikey: key, tzid: again });
  t.is(third.response, '1');
  t.like(await state(t, sys, key, again), { response: 'TZ_OVER_OK', msg: '42424' });
  t.like(await state(t, sys, key, third.tzid as string), { response: 'TZ_NUM_WAIT', number });
  t.is(await regBalance(t, sys, key), '975.00');
});

test('getNumRepeat after a cancel: "0" (no code was ever received on that number)', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const tzid = await getNum(t, sys, key, 'telegram', 'ru');
  t.deepEqual(await reg(t, sys, 'setOperationOver', { apikey: key, tzid }), { response: '1', tzid });
  t.deepEqual(await reg(t, sys, 'getNumRepeat', { apikey: key, tzid }), { response: '0' });
});

test('WARNING_LOW_BALANCE: getNum with too little money charges nothing and makes no operation', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account({ rubles: 10 });
  t.deepEqual(await reg(t, sys, 'getNum', { apikey: key, service: 'telegram', country: 'ru' }), regError('WARNING_LOW_BALANCE'));
  t.is(await regBalance(t, sys, key), '10.00');
  t.deepEqual(await reg(t, sys, 'getOperations', { apikey: key }), regError('No active tranzactions'));
});
