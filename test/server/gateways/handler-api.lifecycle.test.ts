import test from 'ava';
import type { TestSystem } from '../../helpers/system.ts';
import {
  accessNumber, balance, buy, smsActivateHost, systemFor, tinyFarm, tinyFarmRuPhone,
} from './handler-api.helpers.ts';

/*
 * The spec's activation lifecycle (setStatus table, getStatus words) in the
 * getsms dialect, through real HTTP, with the money a client sees. Telegram in
 * Russia costs 25.00 (seed catalogue); accounts open with 1000.00.
 */

const status = (sys: TestSystem, key: string, id: string) => sys.api({ api_key: key, action: 'getStatus', id });
const set = (sys: TestSystem, key: string, id: string, s: number) => sys.api({ api_key: key, action: 'setStatus', id, status: s });
const numbersStatus = async (sys: TestSystem, key: string, country: string) =>
  JSON.parse(await sys.api({ api_key: key, action: 'getNumbersStatus', country })) as Record<string, number>;

test('0 → 1 → 2 → 3 → 2 → 6: ready, code, "code incorrect", a new code, finished; charged once', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const { id, phone } = await buy(t, sys, key, { service: 'tg', country: 'ru' });
  t.is(await balance(sys, key), 'ACCESS_BALANCE:975.00');
  t.is(await status(sys, key, id), 'STATUS_WAIT_READY');
  t.is(await set(sys, key, id, 1), 'ACCESS_READY');
  t.is(await status(sys, key, id), 'STATUS_WAIT_CODE');
  await sys.sms(phone, 'Telegram', 'Telegram code: 11111\n\nYou can also tap on this link to log in:\nhttps://t.me/login/11111');
  t.is(await status(sys, key, id), 'STATUS_OK:11111');
  t.is(await set(sys, key, id, 3), 'ACCESS_RETRY_GET');
  t.is(await status(sys, key, id), 'STATUS_WAIT_RETRY', 'the spec word, without a code');
  await sys.sms(phone, 'Telegram', 'Telegram code: 22222');
  t.is(await status(sys, key, id), 'STATUS_OK:22222');
  t.is(await set(sys, key, id, 6), 'ACCESS_ACTIVATION');
  t.is(await status(sys, key, id), 'STATUS_ACCESS:22222');
  t.is(await balance(sys, key), 'ACCESS_BALANCE:975.00', 'a code was received: no refund');
});

test('3 → 6: "cancel requested code again" finishes with the first code', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const { id, phone } = await buy(t, sys, key, { service: 'tg', country: 'ru' });
  t.is(await set(sys, key, id, 1), 'ACCESS_READY');
  await sys.sms(phone, 'Telegram', 'Telegram code: 13579');
  t.is(await set(sys, key, id, 3), 'ACCESS_RETRY_GET');
  t.is(await status(sys, key, id), 'STATUS_WAIT_RETRY');
  t.is(await set(sys, key, id, 6), 'ACCESS_ACTIVATION');
  t.is(await status(sys, key, id), 'STATUS_ACCESS:13579');
  t.is(await balance(sys, key), 'ACCESS_BALANCE:975.00');
});

test('an SMS while still waiting for "ready" is a code all the same', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const { id, phone } = await buy(t, sys, key, { service: 'tg', country: 'ru' });
  await sys.sms(phone, 'Telegram', 'Telegram code: 40404');
  t.is(await status(sys, key, id), 'STATUS_OK:40404');
  t.is(await set(sys, key, id, 6), 'ACCESS_ACTIVATION');
});

test('5: status 3 before any code waits for a resend; 1 then waits for the code again', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const { id, phone } = await buy(t, sys, key, { service: 'tg', country: 'ru' });
  t.is(await set(sys, key, id, 1), 'ACCESS_READY');
  t.is(await set(sys, key, id, 3), 'ACCESS_RETRY_GET');
  t.is(await status(sys, key, id), 'STATUS_WAIT_RESEND');
  t.is(await set(sys, key, id, 6), 'BAD_STATUS', '5 takes only -1 and 1');
  t.is(await set(sys, key, id, 1), 'ACCESS_READY');
  t.is(await status(sys, key, id), 'STATUS_WAIT_CODE');
  await sys.sms(phone, 'Telegram', 'Telegram code: 55555');
  t.is(await status(sys, key, id), 'STATUS_OK:55555');
});

test('5 → -1: cancel while waiting for a resend refunds', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const { id } = await buy(t, sys, key, { service: 'tg', country: 'ru' });
  t.is(await set(sys, key, id, 1), 'ACCESS_READY');
  t.is(await set(sys, key, id, 3), 'ACCESS_RETRY_GET');
  t.is(await set(sys, key, id, -1), 'ACCESS_CANCEL');
  t.is(await status(sys, key, id), 'ACCESS_CANCEL');
  t.is(await balance(sys, key), 'ACCESS_BALANCE:1000.00');
});

test('-1 from 0 and from 1 cancels, refunds in full, and frees the number for the service', async (t) => {
  const sys = await systemFor(t, tinyFarm);
  const { key } = await sys.account();
  for (const ready of [false, true]) {
    const { id, phone } = await buy(t, sys, key, { service: 'tg', country: 'ru' });
    t.is(phone, tinyFarmRuPhone);
    t.is(await balance(sys, key), 'ACCESS_BALANCE:975.00');
    t.is((await numbersStatus(sys, key, 'ru')).tg_0, 0);
    if (ready) t.is(await set(sys, key, id, 1), 'ACCESS_READY');
    t.is(await set(sys, key, id, -1), 'ACCESS_CANCEL');
    t.is(await status(sys, key, id), 'ACCESS_CANCEL');
    t.is(await balance(sys, key), 'ACCESS_BALANCE:1000.00');
    t.is((await numbersStatus(sys, key, 'ru')).tg_0, 1, 'the SIM is free for Telegram again');
  }
});

test('10: number already used — ACCESS_ERROR_NUMBER_GET, refund, STATUS_ERROR_NUMBER, blacklisted for this user', async (t) => {
  const sys = await systemFor(t, tinyFarm);
  const user = await sys.account();
  const other = await sys.account();
  const { id, phone } = await buy(t, sys, user.key, { service: 'tg', country: 'ru' });
  t.is(await set(sys, user.key, id, 10), 'ACCESS_ERROR_NUMBER_GET');
  t.is(await status(sys, user.key, id), 'STATUS_ERROR_NUMBER');
  t.is(await balance(sys, user.key), 'ACCESS_BALANCE:1000.00');
  // Blacklisted: the user sees the Russian SIM for no service; others still do (except Telegram, used up).
  const mine = await numbersStatus(sys, user.key, 'ru');
  t.is(mine.vk_0, 0);
  t.is(mine.wa_0, 0);
  const theirs = await numbersStatus(sys, other.key, 'ru');
  t.is(theirs.vk_0, 1);
  t.is(theirs.tg_0, 0, 'a number rejected for a service is not sold for it again');
  t.is(await sys.api({ api_key: user.key, action: 'getNumber', service: 'vk', country: 'ru' }), 'NO_NUMBER');
  t.deepEqual(await sys.store.blacklist(user.id), [phone]);

  t.is(await sys.api({ api_key: user.key, action: 'cleanblacklist' }), 'OK');
  t.deepEqual(await sys.store.blacklist(user.id), []);
  t.is((await numbersStatus(sys, user.key, 'ru')).vk_0, 1);
  // The NO_NUMBER above was remembered for 30 s; cleaning the blacklist forgets it.
  const again = await buy(t, sys, user.key, { service: 'vk', country: 'ru' });
  t.is(again.phone, phone, 'the number can be bought again by that user, at once');
});

test('cleanblacklist answers OK with nothing to clean, and only cleans the caller\'s list', async (t) => {
  const sys = await systemFor(t, tinyFarm);
  const a = await sys.account();
  const b = await sys.account();
  t.is(await sys.api({ api_key: a.key, action: 'cleanblacklist' }), 'OK');
  t.is(await sys.api({ api_key: a.key, action: 'cleanblacklist' }, { host: smsActivateHost }), 'OK');
  const { id } = await buy(t, sys, b.key, { service: 'tg', country: 'ru' });
  t.is(await set(sys, b.key, id, 10), 'ACCESS_ERROR_NUMBER_GET');
  t.is(await sys.api({ api_key: a.key, action: 'cleanblacklist' }), 'OK');
  t.deepEqual(await sys.store.blacklist(b.id), [tinyFarmRuPhone]);
});

test('count=2: finishing the first answers ACCESS_NUMBER:<new id>:<same number>; the last one ACCESS_ACTIVATION', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const first = await buy(t, sys, key, { service: 'tg', country: 'ru', count: 2 });
  t.is(await set(sys, key, first.id, 1), 'ACCESS_READY');
  await sys.sms(first.phone, 'Telegram', 'Telegram code: 10001');
  t.is(await status(sys, key, first.id), 'STATUS_OK:10001');
  const next = accessNumber(t, await set(sys, key, first.id, 6));
  t.not(next.id, first.id);
  t.is(next.phone, first.phone);
  t.is(await status(sys, key, first.id), 'STATUS_ACCESS:10001');
  t.is(await status(sys, key, next.id), 'STATUS_WAIT_CODE', 'made on the same number, already waiting for the code');
  await sys.sms(first.phone, 'Telegram', 'Telegram code: 20002');
  t.is(await status(sys, key, next.id), 'STATUS_OK:20002');
  t.is(await status(sys, key, first.id), 'STATUS_ACCESS:10001', 'the finished one keeps its code');
  t.is(await set(sys, key, next.id, 6), 'ACCESS_ACTIVATION', 'count=2 is used up');
  t.is(await status(sys, key, next.id), 'STATUS_ACCESS:20002');
});

test('count=3 chains two more activations on the same number', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  let current = await buy(t, sys, key, { service: 'vk', country: 'ru', count: 3 });
  const phone = current.phone;
  const ids = [current.id];
  for (let i = 0; i < 3; i++) {
    await sys.sms(phone, 'VK', `VK: ${30000 + i} - vash kod dlya registracii`);
    t.is(await status(sys, key, current.id), `STATUS_OK:${30000 + i}`);
    const answer = await set(sys, key, current.id, 6);
    if (i < 2) {
      current = accessNumber(t, answer);
      t.is(current.phone, phone);
      ids.push(current.id);
    } else t.is(answer, 'ACCESS_ACTIVATION');
  }
  t.is(new Set(ids).size, 3);
});

test('count=1, count=0 and a junk count are a plain single order', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  for (const count of ['1', '0', 'abc']) {
    const { id, phone } = await buy(t, sys, key, { service: 'tg', country: 'ru', count });
    await sys.sms(phone, 'Telegram', 'Telegram code: 77777');
    t.is(await set(sys, key, id, 6), 'ACCESS_ACTIVATION');
  }
});

test('getRepeat: a free repeat on a number that got this service\'s code; DOUBLE_RETRY while it is open', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const first = await buy(t, sys, key, { service: 'tg', country: 'ru' });
  t.is(await set(sys, key, first.id, 1), 'ACCESS_READY');
  await sys.sms(first.phone, 'Telegram', 'Telegram code: 31337');
  t.is(await set(sys, key, first.id, 6), 'ACCESS_ACTIVATION');
  t.is(await balance(sys, key), 'ACCESS_BALANCE:975.00');

  const repeat = accessNumber(t, await sys.api({ api_key: key, action: 'getRepeat', service: 'tg', number: first.phone }));
  t.is(repeat.phone, first.phone);
  t.not(repeat.id, first.id);
  t.is(await balance(sys, key), 'ACCESS_BALANCE:975.00', 'a repeat is free');
  t.is(await status(sys, key, repeat.id), 'STATUS_WAIT_CODE');
  t.is(await sys.api({ api_key: key, action: 'getRepeat', service: 'tg', number: first.phone }), 'DOUBLE_RETRY');
  t.is(
    await sys.api({ api_key: key, action: 'getRepeat', service: 'tg', number: first.phone }, { host: smsActivateHost }),
    'DOUBLE_RETRY',
  );

  await sys.sms(first.phone, 'Telegram', 'Telegram code: 42424');
  t.is(await status(sys, key, repeat.id), 'STATUS_OK:42424');
  t.is(await set(sys, key, repeat.id, 6), 'ACCESS_ACTIVATION');
  t.is(await status(sys, key, repeat.id), 'STATUS_ACCESS:42424');
  // Closed: another repeat may be ordered, with the number written as +7….
  const again = accessNumber(t, await sys.api({ api_key: key, action: 'getRepeat', service: 'tg', number: `+${first.phone}` }));
  t.is(again.phone, first.phone);
  t.is(await balance(sys, key), 'ACCESS_BALANCE:975.00');
});

test('getRepeat: a cancelled repeat refunds nothing (it cost nothing) and the repeat can be ordered again', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const first = await buy(t, sys, key, { service: 'tg', country: 'ru' });
  await sys.sms(first.phone, 'Telegram', 'Telegram code: 12121');
  t.is(await set(sys, key, first.id, 6), 'ACCESS_ACTIVATION');
  const repeat = accessNumber(t, await sys.api({ api_key: key, action: 'getRepeat', service: 'tg', number: first.phone }));
  t.is(await set(sys, key, repeat.id, -1), 'ACCESS_CANCEL');
  t.is(await balance(sys, key), 'ACCESS_BALANCE:975.00');
  accessNumber(t, await sys.api({ api_key: key, action: 'getRepeat', service: 'tg', number: first.phone }));
});

test('getRepeat: NO_NUMBER without a previous coded activation of this user, service and number', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const stranger = await sys.account();
  const repeat = (k: string, service: string, number: string) => sys.api({ api_key: k, action: 'getRepeat', service, number });

  // Never bought, or no number at all.
  t.is(await repeat(key, 'tg', tinyFarmRuPhone), 'NO_NUMBER');
  t.is(await sys.api({ api_key: key, action: 'getRepeat', service: 'tg' }), 'NO_NUMBER');
  t.is(await repeat(key, 'tg', 'not-a-number'), 'NO_NUMBER');
  t.is(await repeat(key, 'tg', '70000000000'), 'NO_NUMBER');

  // Bought but cancelled without a code.
  const cancelled = await buy(t, sys, key, { service: 'tg', country: 'ru' });
  t.is(await set(sys, key, cancelled.id, -1), 'ACCESS_CANCEL');
  t.is(await repeat(key, 'tg', cancelled.phone), 'NO_NUMBER');

  // A code for one service is no repeat for another, nor for another user.
  const coded = await buy(t, sys, key, { service: 'vk', country: 'ru' });
  await sys.sms(coded.phone, 'VK', 'VK: 65432 - vash kod dlya registracii');
  t.is(await set(sys, key, coded.id, 6), 'ACCESS_ACTIVATION');
  t.is(await repeat(key, 'wa', coded.phone), 'NO_NUMBER');
  t.is(await repeat(stranger.key, 'vk', coded.phone), 'NO_NUMBER');
  t.is(await sys.api({ api_key: stranger.key, action: 'getRepeat', service: 'vk', number: coded.phone }, { host: smsActivateHost }), 'NO_NUMBERS');
  accessNumber(t, await repeat(key, 'vk', coded.phone));
});
