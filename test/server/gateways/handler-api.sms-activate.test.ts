import test from 'ava';
import type { TestSystem } from '../../helpers/system.ts';
import {
  accessNumber, balance, buy, query, raw, smsActivateHost, systemFor, tinyFarm, tinyFarmRuPhone,
} from './handler-api.helpers.ts';

/*
 * The sms-activate dialect: chosen by the key (`dialect: 'smsActivate'`) or by
 * a Host header of sms-activate's (hosts-file redirection), with the words,
 * statuses, service codes and JSON shapes its client libraries parse
 * (protocol-notes §4, §6). Telegram in Russia (country 0) costs 25.00.
 */

const status = (sys: TestSystem, key: string, id: string) => sys.api({ api_key: key, action: 'getStatus', id });
const set = (sys: TestSystem, key: string, id: string, s: number) => sys.api({ api_key: key, action: 'setStatus', id, status: s });

// ---- choosing the dialect -----------------------------------------------------------------------

test('the Host header picks the dialect for any key; the key\'s own dialect applies elsewhere', async (t) => {
  const sys = await systemFor(t, tinyFarm);
  const { key } = await sys.account();
  const { id } = await buy(t, sys, key, { service: 'tg', country: 'ru' });
  t.is(await status(sys, key, id), 'STATUS_WAIT_READY');
  for (const host of ['api.sms-activate.org', 'sms-activate.ru', 'API.SMS-ACTIVATE.IO', 'sub.api.sms-activate.ae', 'api.sms-activate.org:80', 'hero-sms.com']) {
    t.is(await sys.api({ api_key: key, action: 'getStatus', id }, { host }), 'STATUS_WAIT_CODE', host);
  }
  for (const host of ['api.getsms.online', 'sms-activate.org.evil.example', 'notsms-activate.org', 'localhost']) {
    t.is(await sys.api({ api_key: key, action: 'getStatus', id }, { host }), 'STATUS_WAIT_READY', host);
  }
  const sa = await sys.account({ dialect: 'smsActivate' });
  t.is(await sys.api({ api_key: sa.key, action: 'getNumber', service: 'tg', country: 0 }), 'NO_NUMBERS');
  t.is(await sys.api({ api_key: sa.key, action: 'getNumber', service: 'tg', country: 0 }, { host: 'api.getsms.online' }), 'NO_NUMBERS');
});

test('error words of sms-activate through its Host: NO_KEY, BAD_KEY, NO_ACTION, BAD_ACTION', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const host = smsActivateHost;
  t.is((await raw(sys, { query: 'action=getBalance', host })).body, 'NO_KEY');
  t.is((await raw(sys, { query: 'api_key=nope&action=getBalance', host })).body, 'BAD_KEY');
  t.is((await raw(sys, { query: `api_key=${key}`, host })).body, 'NO_ACTION');
  t.is((await raw(sys, { query: `api_key=${key}&action=getMoney`, host })).body, 'BAD_ACTION');
});

// ---- lifecycle ----------------------------------------------------------------------------------

test('starts waiting for the code; 1 is accepted; code; 3 → STATUS_WAIT_RETRY:<code>; 6 → STATUS_CANCEL', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account({ dialect: 'smsActivate' });
  const { id, phone } = await buy(t, sys, key, { service: 'tg', country: 0 });
  t.is(await balance(sys, key), 'ACCESS_BALANCE:975.00');
  t.is(await status(sys, key, id), 'STATUS_WAIT_CODE');
  t.is(await set(sys, key, id, 1), 'ACCESS_READY');
  t.is(await status(sys, key, id), 'STATUS_WAIT_CODE');
  await sys.sms(phone, 'Telegram', 'Telegram code: 12345');
  t.is(await status(sys, key, id), 'STATUS_OK:12345');
  t.is(await set(sys, key, id, 3), 'ACCESS_RETRY_GET');
  t.is(await status(sys, key, id), 'STATUS_WAIT_RETRY:12345', 'aiosmsactivate splits on ":" and needs the code');
  await sys.sms(phone, 'Telegram', 'Telegram code: 67890');
  t.is(await status(sys, key, id), 'STATUS_OK:67890');
  t.is(await set(sys, key, id, 6), 'ACCESS_ACTIVATION');
  t.is(await status(sys, key, id), 'STATUS_CANCEL', 'finished is STATUS_CANCEL to sms-activate clients');
  t.is(await balance(sys, key), 'ACCESS_BALANCE:975.00');
});

test('8 cancels with a full refund (STATUS_CANCEL); so does -1', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account({ dialect: 'smsActivate' });
  for (const cancel of [8, -1]) {
    const { id } = await buy(t, sys, key, { service: 'tg', country: 0 });
    t.is(await balance(sys, key), 'ACCESS_BALANCE:975.00');
    t.is(await set(sys, key, id, cancel), 'ACCESS_CANCEL');
    t.is(await status(sys, key, id), 'STATUS_CANCEL');
    t.is(await balance(sys, key), 'ACCESS_BALANCE:1000.00');
  }
});

test('8 after a code is refused: BAD_STATUS, the code stays', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account({ dialect: 'smsActivate' });
  const { id, phone } = await buy(t, sys, key, { service: 'tg', country: 0 });
  await sys.sms(phone, 'Telegram', 'Telegram code: 99999');
  t.is(await set(sys, key, id, 8), 'BAD_STATUS');
  t.is(await status(sys, key, id), 'STATUS_OK:99999');
});

test('10 answers ACCESS_CANCEL, refunds, then STATUS_CANCEL; the number is blacklisted for the user', async (t) => {
  const sys = await systemFor(t, tinyFarm);
  const user = await sys.account({ dialect: 'smsActivate' });
  const { id, phone } = await buy(t, sys, user.key, { service: 'tg', country: 0 });
  t.is(await set(sys, user.key, id, 10), 'ACCESS_CANCEL');
  t.is(await status(sys, user.key, id), 'STATUS_CANCEL');
  t.is(await balance(sys, user.key), 'ACCESS_BALANCE:1000.00');
  t.deepEqual(await sys.store.blacklist(user.id), [phone]);
  t.is(await sys.api({ api_key: user.key, action: 'getNumber', service: 'vk', country: 0 }), 'NO_NUMBERS');
});

test('the same activation speaks each dialect by the Host it is asked through', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const { id, phone } = await buy(t, sys, key, { service: 'tg', country: 'ru' });
  t.is(await set(sys, key, id, 1), 'ACCESS_READY');
  await sys.sms(phone, 'Telegram', 'Telegram code: 51515');
  t.is(await set(sys, key, id, 3), 'ACCESS_RETRY_GET');
  t.is(await status(sys, key, id), 'STATUS_WAIT_RETRY');
  t.is(await sys.api({ api_key: key, action: 'getStatus', id }, { host: smsActivateHost }), 'STATUS_WAIT_RETRY:51515');
  t.is(await set(sys, key, id, 6), 'ACCESS_ACTIVATION');
  t.is(await status(sys, key, id), 'STATUS_ACCESS:51515');
  t.is(await sys.api({ api_key: key, action: 'getStatus', id }, { host: smsActivateHost }), 'STATUS_CANCEL');
});

test('EARLY_CANCEL_DENIED only in sms-activate and only with earlyCancelDenied=on', async (t) => {
  const sys = await systemFor(t);
  const sa = await sys.account({ dialect: 'smsActivate' });
  const gs = await sys.account();
  const first = await buy(t, sys, sa.key, { service: 'tg', country: 0 });
  t.is(await set(sys, sa.key, first.id, 8), 'ACCESS_CANCEL', 'off by default');

  await sys.store.setSetting('earlyCancelDenied', 'on');
  const second = await buy(t, sys, sa.key, { service: 'tg', country: 0 });
  t.is(await set(sys, sa.key, second.id, 8), 'EARLY_CANCEL_DENIED');
  t.is(await set(sys, sa.key, second.id, -1), 'EARLY_CANCEL_DENIED');
  t.is(await status(sys, sa.key, second.id), 'STATUS_WAIT_CODE', 'still live');
  t.is(await balance(sys, sa.key), 'ACCESS_BALANCE:975.00', 'still charged');

  const spec = await buy(t, sys, gs.key, { service: 'tg', country: 'ru' });
  t.is(await set(sys, gs.key, spec.id, -1), 'ACCESS_CANCEL', 'the spec has no early-cancel rule');

  await sys.store.setSetting('earlyCancelDenied', 'off');
  t.is(await set(sys, sa.key, second.id, 8), 'ACCESS_CANCEL');
  t.is(await balance(sys, sa.key), 'ACCESS_BALANCE:1000.00');
});

/** BAS rewrites 8 to 10 for getsms.online: status 10 is a refunding end too, so the 2-minute rule holds for it. */
test('EARLY_CANCEL_DENIED also holds for status 10 (it cancels with a refund in sms-activate)', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account({ dialect: 'smsActivate' });
  await sys.store.setSetting('earlyCancelDenied', 'on');
  const { id } = await buy(t, sys, key, { service: 'tg', country: 0 });
  t.is(await set(sys, key, id, 8), 'EARLY_CANCEL_DENIED');
  t.is(await set(sys, key, id, 10), 'EARLY_CANCEL_DENIED');
  t.is(await status(sys, key, id), 'STATUS_WAIT_CODE');
  t.is(await balance(sys, key), 'ACCESS_BALANCE:975.00');
});

test('status 8 is BAD_STATUS for a getsms key but ACCESS_CANCEL through an sms-activate Host', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const { id } = await buy(t, sys, key, { service: 'tg', country: 'ru' });
  t.is(await set(sys, key, id, 8), 'BAD_STATUS');
  t.is(await sys.api({ api_key: key, action: 'setStatus', id, status: 8 }, { host: smsActivateHost }), 'ACCESS_CANCEL');
});

test('count=2 in sms-activate: finishing answers ACCESS_NUMBER with the same number', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account({ dialect: 'smsActivate' });
  const first = await buy(t, sys, key, { service: 'tg', country: 0, count: 2 });
  await sys.sms(first.phone, 'Telegram', 'Telegram code: 80808');
  const next = accessNumber(t, await set(sys, key, first.id, 6));
  t.is(next.phone, first.phone);
  t.is(await status(sys, key, next.id), 'STATUS_WAIT_CODE');
});

// ---- service codes per dialect ------------------------------------------------------------------

test('`uk` is MeetMe to getsms clients and Airbnb to sms-activate ones: two services on one SIM', async (t) => {
  const sys = await systemFor(t, tinyFarm);
  const gs = await sys.account();
  const sa = await sys.account({ dialect: 'smsActivate' });
  const meetme = await buy(t, sys, gs.key, { service: 'uk', country: 'ru' });
  const airbnb = await buy(t, sys, sa.key, { service: 'uk', country: 0 });
  t.is(meetme.phone, tinyFarmRuPhone);
  t.is(airbnb.phone, tinyFarmRuPhone, 'different services: the one Russian SIM serves both');
  await sys.sms(tinyFarmRuPhone, 'MeetMe', 'MeetMe code: 1111');
  t.is(await status(sys, gs.key, meetme.id), 'STATUS_OK:1111');
  t.is(await status(sys, sa.key, airbnb.id), 'STATUS_WAIT_CODE');
  await sys.sms(tinyFarmRuPhone, 'Airbnb', 'Your Airbnb verification code is: 2222');
  t.is(await status(sys, sa.key, airbnb.id), 'STATUS_OK:2222');
  t.is(await status(sys, gs.key, meetme.id), 'STATUS_OK:1111');
  // MeetMe is `fd` to sms-activate clients: its only Russian SIM is taken for it.
  t.is(await sys.api({ api_key: sa.key, action: 'getNumber', service: 'fd', country: 0 }), 'NO_NUMBERS');
});

test('Tinder is `td` in getsms and `oi` in sms-activate; getsms `oi` is the bookmakers', async (t) => {
  const sys = await systemFor(t, tinyFarm);
  const gs = await sys.account();
  const sa = await sys.account({ dialect: 'smsActivate' });
  await buy(t, sys, gs.key, { service: 'td', country: 'ru' });
  t.is(await sys.api({ api_key: sa.key, action: 'getNumber', service: 'oi', country: 0 }), 'NO_NUMBERS', 'the same service: Tinder');
  await buy(t, sys, gs.key, { service: 'oi', country: 'ru' }); // bookmakers: another service, the SIM is free for it
  t.is(await sys.api({ api_key: sa.key, action: 'getNumber', service: 'td', country: 0 }), 'BAD_SERVICE');
});

// ---- JSON actions -------------------------------------------------------------------------------

test('getNumberV2: a JSON object with the field types pydantic and TypeScript clients check', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account({ dialect: 'smsActivate' });
  const res = await raw(sys, { query: query([['api_key', key], ['action', 'getNumberV2'], ['service', 'tg'], ['country', 0]]) });
  t.is(res.status, 200);
  t.regex(String(res.headers['content-type']), /^application\/json\b/);
  const v = JSON.parse(res.body) as Record<string, unknown>;
  t.is(typeof v.activationId, 'number');
  t.true(Number.isInteger(v.activationId) && (v.activationId as number) > 0 && (v.activationId as number) <= 0x7fffffff);
  t.regex(v.phoneNumber as string, /^79\d{9}$/);
  t.is(v.activationCost, 25);
  t.is(v.canGetAnotherSms, '1');
  t.is(v.countryCode, '0');
  t.is(typeof v.currency, 'number');
  t.regex(v.activationTime as string, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  const at = (s: unknown) => Date.parse(`${String(s).replace(' ', 'T')}Z`);
  t.is(at(v.activationEndTime) - at(v.activationTime), 20 * 60_000, 'the 20-minute lifetime');
  t.true(['beeline', 'mts', 'megafon', 'tele2', 'aiva', 'rostelecom'].includes(v.activationOperator as string));
  t.is(await status(sys, key, String(v.activationId)), 'STATUS_WAIT_CODE');
  t.is(await balance(sys, key), 'ACCESS_BALANCE:975.00');
  // Errors stay plain words.
  const bad = await raw(sys, { query: query([['api_key', key], ['action', 'getNumberV2'], ['service', 'nope'], ['country', 0]]) });
  t.is(bad.body, 'BAD_SERVICE');
  t.is(bad.headers['content-type'], 'text/html; charset=utf-8');
});

test('getActiveActivations: NO_ACTIVATIONS when none; then ids as strings, cost as a number, codes once they come', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account({ dialect: 'smsActivate' });
  const active = async () => JSON.parse(await sys.api({ api_key: key, action: 'getActiveActivations' })) as {
    status: string; activeActivations: Record<string, unknown>[];
  };
  t.deepEqual(await active(), { status: 'error', error: 'NO_ACTIVATIONS' } as never);
  const { id, phone } = await buy(t, sys, key, { service: 'tg', country: 0 });
  let list = await active();
  t.is(list.status, 'success');
  t.is(list.activeActivations.length, 1);
  const a = list.activeActivations[0]!;
  t.is(a.activationId, id);
  t.is(a.serviceCode, 'tg');
  t.is(a.phoneNumber, phone);
  t.is(a.activationCost, 25);
  t.is(a.countryCode, '0');
  t.is(a.canGetAnotherSms, '1');
  t.is(a.repeated, '0');
  t.is(typeof a.activationStatus, 'string');
  t.regex(a.activationTime as string, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  await sys.sms(phone, 'Telegram', 'Telegram code: 24601');
  list = await active();
  t.deepEqual(list.activeActivations[0]!.smsCode, ['24601']);
  t.is(list.activeActivations[0]!.smsText, 'Telegram code: 24601');
  t.is(await set(sys, key, id, 6), 'ACCESS_ACTIVATION');
  t.deepEqual(await active(), { status: 'error', error: 'NO_ACTIVATIONS' } as never, 'finished ones leave the list');
});

test('getActiveActivations lists only the caller\'s', async (t) => {
  const sys = await systemFor(t);
  const a = await sys.account({ dialect: 'smsActivate' });
  const b = await sys.account({ dialect: 'smsActivate' });
  await buy(t, sys, a.key, { service: 'tg', country: 0 });
  t.is(await sys.api({ api_key: b.key, action: 'getActiveActivations' }), '{"status":"error","error":"NO_ACTIVATIONS"}');
});

test('getStatusV2: JSON with the last SMS; STATUS_CANCEL once cancelled; NO_ACTIVATION for others\' ids', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account({ dialect: 'smsActivate' });
  const stranger = await sys.account({ dialect: 'smsActivate' });
  const { id, phone } = await buy(t, sys, key, { service: 'tg', country: 0 });
  const v2 = (k = key) => raw(sys, { query: query([['api_key', k], ['action', 'getStatusV2'], ['id', id]]) });
  const waiting = await v2();
  t.regex(String(waiting.headers['content-type']), /^application\/json\b/);
  t.deepEqual(JSON.parse(waiting.body), { verificationType: 0, sms: null, call: null });
  await sys.sms(phone, 'Telegram', 'Telegram code: 86420');
  const got = JSON.parse((await v2()).body) as { verificationType: number; sms: Record<string, string> };
  t.is(got.verificationType, 0);
  t.is(got.sms.code, '86420');
  t.is(got.sms.text, 'Telegram code: 86420');
  t.regex(got.sms.dateTime!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  t.is((await v2(stranger.key)).body, 'NO_ACTIVATION');
  t.is(await set(sys, key, id, 6), 'ACCESS_ACTIVATION');
  t.is((JSON.parse((await v2()).body) as { sms: { code: string } }).sms.code, '86420', 'finished keeps its SMS');

  const other = await buy(t, sys, key, { service: 'vk', country: 0 });
  t.is(await set(sys, key, other.id, 8), 'ACCESS_CANCEL');
  const cancelled = await raw(sys, { query: query([['api_key', key], ['action', 'getStatusV2'], ['id', other.id]]) });
  t.is(cancelled.body, 'STATUS_CANCEL');
  t.is(cancelled.headers['content-type'], 'text/html; charset=utf-8');
  t.is(await sys.api({ api_key: key, action: 'getStatusV2', id: 'x' }), 'WRONG_ACTIVATION_ID');
});

test('getFullSms: STATUS_WAIT_CODE, then FULL_SMS:<whole text>, STATUS_CANCEL when cancelled without one', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account({ dialect: 'smsActivate' });
  const { id, phone } = await buy(t, sys, key, { service: 'tg', country: 0 });
  t.is(await sys.api({ api_key: key, action: 'getFullSms', id }), 'STATUS_WAIT_CODE');
  const text = 'Telegram code: 73737\n\nYou can also tap on this link to log in:\nhttps://t.me/login/73737';
  await sys.sms(phone, 'Telegram', text);
  t.is(await sys.api({ api_key: key, action: 'getFullSms', id }), `FULL_SMS:${text}`);
  const other = await buy(t, sys, key, { service: 'vk', country: 0 });
  t.is(await set(sys, key, other.id, 8), 'ACCESS_CANCEL');
  t.is(await sys.api({ api_key: key, action: 'getFullSms', id: other.id }), 'STATUS_CANCEL');
  t.is(await sys.api({ api_key: key, action: 'getFullSms', id: 999999 }), 'NO_ACTIVATION');
});

test('getFullSms keeps UTF-8 text byte for byte', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account({ dialect: 'smsActivate' });
  const { id, phone } = await buy(t, sys, key, { service: 'vk', country: 0 });
  const text = 'VK: 5150 — ваш код для регистрации ✓';
  await sys.sms(phone, 'VK', text);
  t.is(await sys.api({ api_key: key, action: 'getFullSms', id }), `FULL_SMS:${text}`);
  t.is(await status(sys, key, id), 'STATUS_OK:5150');
});
