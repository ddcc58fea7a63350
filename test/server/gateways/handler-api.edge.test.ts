import test from 'ava';
import type { RawResponse } from '../../helpers/system.ts';
import {
  accessNumber, balance, buy, query, raw, smsActivateHost, systemFor, tinyFarm, tinyFarmRuPhone, wordType,
} from './handler-api.helpers.ts';

/*
 * The transport as classic clients use it (protocol-notes §1.1, §4, §6.1–2):
 * exact bytes and headers, GET and POST merged, sloppy parameter names and
 * values, the NO_NUMBERS cache, the per-IP limit, and concurrent clients.
 */

const noTrailing = (body: string) => !/[\s\u0000]$/.test(body) && !body.startsWith('\ufeff');

// ---- exact bytes ---------------------------------------------------------------------------------

test('words: HTTP 200, text/html; charset=utf-8, exact length, no BOM or trailing newline, no gzip', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const cases: [string, string][] = [
    [query([['api_key', key], ['action', 'getBalance']]), 'ACCESS_BALANCE:1000.00'],
    [query([['api_key', key], ['action', 'nope']]), 'BAD_ACTION'],
    [query([['action', 'getBalance']]), 'NO_KEY'],
    [query([['api_key', key], ['action', 'getStatus'], ['id', 1]]), 'NO_ACTIVATION'],
    [query([['api_key', key], ['action', 'cleanblacklist']]), 'OK'],
  ];
  for (const [q, word] of cases) {
    const res = await raw(sys, { query: q, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    t.is(res.status, 200);
    t.is(res.headers['content-type'], wordType);
    t.is(res.headers['content-encoding'], undefined);
    t.is(res.headers['content-length'], String(Buffer.byteLength(word)));
    t.is(res.body, word);
    t.true(noTrailing(res.body));
  }
});

test('JSON: application/json, compact, no trailing newline', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  for (const [action, host] of [['getNumbersStatus', undefined], ['getPrices', undefined], ['getCountries', smsActivateHost]] as const) {
    const res = await raw(sys, { query: query([['api_key', key], ['action', action]]), ...(host ? { host } : {}) });
    t.is(res.status, 200);
    t.regex(String(res.headers['content-type']), /^application\/json(; charset=utf-8)?$/);
    t.true(noTrailing(res.body));
    t.is(res.body, JSON.stringify(JSON.parse(res.body)), 'compact JSON');
  }
});

test('getNumber: ACCESS_NUMBER:<int32 id>:<digits only>, in both dialects', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  for (const host of [undefined, smsActivateHost]) {
    const res = await raw(sys, {
      query: query([['api_key', key], ['action', 'getNumber'], ['service', 'tg'], ['country', host ? '0' : 'ru']]),
      ...(host ? { host } : {}),
    });
    t.is(res.headers['content-type'], wordType);
    const { phone } = accessNumber(t, res.body);
    t.regex(phone, /^7\d{10}$/, 'Russian numbers: 7 and ten digits, no +');
  }
  const ua = await buy(t, sys, key, { service: 'tg', country: 'ua' });
  t.regex(ua.phone, /^380\d{9}$/);
});

test('the gateway answers on any method (HEAD gives the headers only)', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const head = await raw(sys, { query: query([['api_key', key], ['action', 'getBalance']]), method: 'HEAD' });
  t.is(head.status, 200);
  t.is(head.body, '');
  t.is(head.headers['content-length'], '22');
  const put = await raw(sys, { query: query([['api_key', key], ['action', 'getBalance']]), method: 'PUT' });
  t.is(put.body, 'ACCESS_BALANCE:1000.00');
});

// ---- GET, POST, and both ------------------------------------------------------------------------

test('POST form body alone (the official PHP class)', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  t.is(await sys.api({ api_key: key, action: 'getBalance' }, { method: 'POST' }), 'ACCESS_BALANCE:1000.00');
  const { id } = accessNumber(t, await sys.api({ api_key: key, action: 'getNumber', service: 'tg', country: 'ru' }, { method: 'POST' }));
  t.is(await sys.api({ api_key: key, action: 'setStatus', id, status: 1 }, { method: 'POST' }), 'ACCESS_READY');
  t.is(await sys.api({ api_key: key, action: 'getStatus', id }, { method: 'POST', host: smsActivateHost }), 'STATUS_WAIT_CODE');
});

test('POST with the parameters in the query string and an empty body (aiosmsactivate)', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const res = await raw(sys, { query: query([['api_key', key], ['action', 'getBalance']]), method: 'POST', body: '' });
  t.is(res.body, 'ACCESS_BALANCE:1000.00');
});

test('GET and POST parameters merge; the body wins a name both carry', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  t.is((await raw(sys, { query: query([['api_key', key]]), body: 'action=getBalance' })).body, 'ACCESS_BALANCE:1000.00');
  t.is((await raw(sys, { query: 'action=getBalance', body: query([['api_key', key]]) })).body, 'ACCESS_BALANCE:1000.00');
  t.is((await raw(sys, { query: query([['api_key', key], ['action', 'nope']]), body: 'action=getBalance' })).body, 'ACCESS_BALANCE:1000.00');
  t.is((await raw(sys, { query: query([['api_key', 'wrong'], ['action', 'getBalance']]), body: query([['api_key', key]]) })).body, 'ACCESS_BALANCE:1000.00');
  // An api_key present in both but tainted in one is still refused.
  t.is((await raw(sys, { query: query([['api_key', key], ['action', 'getBalance']]), body: 'api_key[$ne]=1' })).body, 'BAD_KEY');
});

test('a body that does not parse, or is not a form, is ignored: the query still counts', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const q = query([['api_key', key], ['action', 'getBalance']]);
  t.is((await raw(sys, { query: q, body: '%%%&&==' })).body, 'ACCESS_BALANCE:1000.00');
  t.is((await raw(sys, { query: q, body: '{"action":"nope"}', headers: { 'content-type': 'application/json' } })).body, 'ACCESS_BALANCE:1000.00');
  t.is((await raw(sys, { query: q, body: `pad=${'x'.repeat(20_000)}` })).body, 'ACCESS_BALANCE:1000.00');
  const res = await raw(sys, { query: q, body: 'garbage', headers: { 'content-type': 'multipart/form-data; boundary=x' } });
  t.is(res.status, 200);
  t.is(res.body, 'ACCESS_BALANCE:1000.00');
});

test('malformed percent-encoding is read as it comes, never a 400', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const ok = await raw(sys, { query: `${query([['api_key', key], ['action', 'getBalance']])}&x=%E0%A4%A&y=%ZZ` });
  t.is(ok.status, 200);
  t.is(ok.body, 'ACCESS_BALANCE:1000.00');
  const bad = await raw(sys, { query: 'api_key=%ZZ%&action=getBalance' });
  t.is(bad.status, 200);
  t.is(bad.body, 'BAD_KEY');
  const form = await raw(sys, { query: query([['action', 'getBalance']]), body: `api_key=${key}&z=%E0%A4%A` });
  t.is(form.status, 200);
  t.not(form.body, 'ERROR_SQL');
});

// ---- parameter names and values -----------------------------------------------------------------

test('parameter names are trimmed: "country " (aiosmsactivate) is country', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const q = (pairs: [string, string][]) => raw(sys, { query: query([['api_key', key], ...pairs]) });
  t.is((await q([['action', 'getNumber'], ['service', 'tg'], ['country ', 'xx']])).body, 'BAD_COUNTRY');
  t.is((await q([[' action ', 'getBalance']])).body, 'ACCESS_BALANCE:1000.00');
  const { phone } = accessNumber(t, (await q([['action', 'getNumber'], ['service', 'tg'], ['country ', 'ua']])).body);
  t.regex(phone, /^380/);
  // Telegram in Ukraine costs 20.00.
  t.is((await raw(sys, { query: query([[' api_key', key], ['action', 'getBalance']]) })).body, 'ACCESS_BALANCE:980.00');
  t.is((await raw(sys, { query: query([['action', 'getBalance']]), body: query([['api_key ', key]]) })).body, 'ACCESS_BALANCE:980.00');
});

test('values "", "undefined" and "null" count as absent', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const order = (extra: [string, string][]) =>
    raw(sys, { query: query([['api_key', key], ['action', 'getNumber'], ['service', 'tg'], ...extra]) });
  for (const v of ['', 'undefined', 'null']) {
    accessNumber(t, (await order([['country', v], ['operator', v], ['count', v], ['forward', v]])).body);
    t.is((await raw(sys, { query: query([['api_key', key], ['action', 'getNumber'], ['service', v]]) })).body, 'BAD_SERVICE');
    t.is((await raw(sys, { query: query([['api_key', key], ['action', 'getStatus'], ['id', v]]) })).body, 'NO_ACTIVATION');
    t.is((await raw(sys, { query: query([['api_key', key], ['action', v]]) })).body, 'NO_ACTION');
    t.is(
      (await raw(sys, { query: query([['api_key', key], ['action', 'getNumbersStatus'], ['country', v]]) })).body,
      (await raw(sys, { query: query([['api_key', key], ['action', 'getNumbersStatus']]) })).body,
    );
  }
});

test('values are trimmed: " tg ", " ru ", a key with spaces around it', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  accessNumber(t, (await raw(sys, { query: query([['api_key', ` ${key} `], ['action', ' getNumber '], ['service', ' tg '], ['country', ' ru ']]) })).body);
});

test('unknown parameters are ignored: ref, freePrice, verification, useCashBack, activationType, language, userId, orderId', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const extra: [string, string][] = [
    ['ref', 'pythonsmsactivate'], ['freePrice', 'true'], ['verification', 'false'], ['useCashBack', 'false'],
    ['activationType', '0'], ['language', 'ru'], ['userId', '42'], ['orderId', 'abc'], ['appid', 'RUBMC9BX6OIRJG3S'],
    ['dev_key', 'x'], ['phoneException', '7918'], ['lang', 'en'],
  ];
  accessNumber(t, (await raw(sys, { query: query([['api_key', key], ['action', 'getNumber'], ['service', 'tg'], ['country', 'ru'], ...extra]) })).body);
  accessNumber(t, (await raw(sys, {
    query: query([['api_key', key], ['action', 'getNumber'], ['service', 'tg'], ['country', '0'], ...extra]), host: smsActivateHost,
  })).body);
  t.is((await raw(sys, { query: query([['api_key', key], ['action', 'getBalance'], ['ref', '20111']]) })).body, 'ACCESS_BALANCE:950.00');
});

test('a repeated or bracketed parameter other than api_key is not read as a value', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  t.is((await raw(sys, { query: `${query([['api_key', key], ['action', 'getNumber']])}&service=tg&service=vk&country=ru` })).body, 'BAD_SERVICE');
  t.is((await raw(sys, { query: `${query([['api_key', key], ['action', 'getStatus']])}&id[$gt]=0` })).body, 'NO_ACTIVATION');
});

// ---- the NO_NUMBERS cache -----------------------------------------------------------------------

test('NO_NUMBERS cache (30 s default): a freed SIM still answers NO_NUMBER to that account, for that service and country', async (t) => {
  const sys = await systemFor(t, tinyFarm);
  const a = await sys.account();
  const b = await sys.account();
  const order = (k: string, service: string, country: string) => sys.api({ api_key: k, action: 'getNumber', service, country });
  const { id } = await buy(t, sys, a.key, { service: 'tg', country: 'ru' });
  t.is(await order(a.key, 'tg', 'ru'), 'NO_NUMBER');
  t.is(await sys.api({ api_key: a.key, action: 'setStatus', id, status: -1 }), 'ACCESS_CANCEL');
  const free = JSON.parse(await sys.api({ api_key: a.key, action: 'getNumbersStatus', country: 'ru' })) as Record<string, number>;
  t.is(free.tg_0, 1, 'the store has the SIM free again');
  t.is(await order(a.key, 'tg', 'ru'), 'NO_NUMBER', 'answered from the cache');
  t.is(await sys.api({ api_key: a.key, action: 'getNumber', service: 'tg', country: 'ru' }, { host: smsActivateHost }), 'NO_NUMBERS');
  // The cache is per account, service and country.
  accessNumber(t, await order(a.key, 'vk', 'ru'));
  accessNumber(t, await order(a.key, 'tg', 'ua'));
  t.is(accessNumber(t, await order(b.key, 'tg', 'ru')).phone, tinyFarmRuPhone);
  // Telegram 25.00 refunded; VK in Russia 20.00 and Telegram in Ukraine 20.00 bought.
  t.is(await balance(sys, a.key), 'ACCESS_BALANCE:960.00', 'cached answers cost nothing');
});

test('NO_NUMBERS cache off (NO_NUMBERS_CACHE_SECONDS=0): a freed SIM sells at once', async (t) => {
  const sys = await systemFor(t, { ...tinyFarm, NO_NUMBERS_CACHE_SECONDS: '0' });
  const { key } = await sys.account();
  const { id } = await buy(t, sys, key, { service: 'tg', country: 'ru' });
  t.is(await sys.api({ api_key: key, action: 'getNumber', service: 'tg', country: 'ru' }), 'NO_NUMBER');
  t.is(await sys.api({ api_key: key, action: 'setStatus', id, status: -1 }), 'ACCESS_CANCEL');
  t.is(accessNumber(t, await sys.api({ api_key: key, action: 'getNumber', service: 'tg', country: 'ru' })).phone, tinyFarmRuPhone);
});

// Serial: ava runs serial tests before the concurrent ones, so the 1 s window is timed on an idle machine.
test.serial('NO_NUMBERS cache window (1 s): cached inside it, fresh after it', async (t) => {
  const sys = await systemFor(t, { ...tinyFarm, NO_NUMBERS_CACHE_SECONDS: '1' });
  const { key } = await sys.account({ dialect: 'smsActivate' });
  const { id } = await buy(t, sys, key, { service: 'tg', country: 0 });
  const asked = Date.now(); // the window opens after this: it ends no earlier than asked + 1 s…
  t.is(await sys.api({ api_key: key, action: 'getNumber', service: 'tg', country: 0 }), 'NO_NUMBERS');
  const answered = Date.now(); // …and no later than answered + 1 s
  t.is(await sys.api({ api_key: key, action: 'setStatus', id, status: 8 }), 'ACCESS_CANCEL');
  t.is(await sys.api({ api_key: key, action: 'getNumber', service: 'tg', country: 0 }), 'NO_NUMBERS');
  t.true(Date.now() - asked < 1000, 'that answer came inside the window');
  await new Promise((r) => setTimeout(r, Math.max(0, answered + 1050 - Date.now())));
  accessNumber(t, await sys.api({ api_key: key, action: 'getNumber', service: 'tg', country: 0 }));
});

test('NO_MEANS is not cached: a top-up sells at once', async (t) => {
  const sys = await systemFor(t);
  const { id, key } = await sys.account({ rubles: 0 });
  t.is(await sys.api({ api_key: key, action: 'getNumber', service: 'tg', country: 'ru' }), 'NO_MEANS');
  await sys.store.moveMoney({ accountId: id, amount: 2500, reason: 'topup', ref: 'test', key: 'topup:nomeans', at: Date.now() });
  await buy(t, sys, key, { service: 'tg', country: 'ru' });
  t.is(await balance(sys, key), 'ACCESS_BALANCE:0.00');
});

// ---- rate limit ---------------------------------------------------------------------------------

test('over the per-IP limit: ERROR_SQL with HTTP 200, never a 429 or an HTML page', async (t) => {
  const sys = await systemFor(t, { RATE_LIMIT_RPS: '5' });
  const { key } = await sys.account();
  const q = query([['api_key', key], ['action', 'getBalance']]);
  const answers: RawResponse[] = await Promise.all(
    Array.from({ length: 20 }, (_, i) => raw(sys, { query: q, ...(i % 2 ? { host: smsActivateHost } : {}) })),
  );
  for (const res of answers) {
    t.is(res.status, 200);
    t.is(res.headers['content-type'], wordType);
    t.true(res.body === 'ACCESS_BALANCE:1000.00' || res.body === 'ERROR_SQL', res.body);
  }
  const limited = answers.filter((r) => r.body === 'ERROR_SQL').length;
  t.true(limited >= 1, 'some are limited');
  t.true(limited <= 15, 'at least the allowed five got through');
  // Unknown keys are limited too (the limit comes before any lookup).
  const strangers = await Promise.all(Array.from({ length: 10 }, () => raw(sys, { query: 'api_key=nope&action=getBalance' })));
  t.true(strangers.every((r) => r.status === 200 && (r.body === 'BAD_KEY' || r.body === 'ERROR_SQL')));
});

test('no limit by default in tests (RATE_LIMIT_RPS=0): 40 concurrent requests all answer', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const q = query([['api_key', key], ['action', 'getBalance']]);
  const answers = await Promise.all(Array.from({ length: 40 }, () => raw(sys, { query: q })));
  t.true(answers.every((r) => r.body === 'ACCESS_BALANCE:1000.00'));
});

// ---- concurrent clients -------------------------------------------------------------------------

test('ten accounts race for the one Russian SIM: exactly one gets it', async (t) => {
  const sys = await systemFor(t, tinyFarm);
  const keys = await Promise.all(Array.from({ length: 10 }, () => sys.account().then((a) => a.key)));
  const answers = await Promise.all(keys.map((k) => sys.api({ api_key: k, action: 'getNumber', service: 'tg', country: 'ru' })));
  t.is(answers.filter((a) => a.startsWith('ACCESS_NUMBER:')).length, 1);
  t.is(answers.filter((a) => a === 'NO_NUMBER').length, 9);
});

test('one account sends two cancels at once: one ACCESS_CANCEL, one BAD_STATUS, one refund', async (t) => {
  const sys = await systemFor(t);
  const { id: accountId, key } = await sys.account();
  const { id } = await buy(t, sys, key, { service: 'tg', country: 'ru' });
  const answers = await Promise.all([1, 2, 3].map(() => sys.api({ api_key: key, action: 'setStatus', id, status: -1 })));
  t.deepEqual(answers.sort(), ['ACCESS_CANCEL', 'BAD_STATUS', 'BAD_STATUS']);
  t.is(await balance(sys, key), 'ACCESS_BALANCE:1000.00');
  t.deepEqual((await sys.store.ledger(accountId)).map((e) => [e.reason, e.amount]), [['topup', 100_000], ['charge', -2500], ['refund', 2500]]);
});

test('a cancel racing the code: either cancelled and refunded, or coded and charged — never both', async (t) => {
  const sys = await systemFor(t);
  const { id: accountId, key } = await sys.account();
  for (let i = 0; i < 5; i++) {
    const { id, phone } = await buy(t, sys, key, { service: 'tg', country: 'ru' });
    const [cancel] = await Promise.all([
      sys.api({ api_key: key, action: 'setStatus', id, status: -1 }),
      sys.sms(phone, 'Telegram', `Telegram code: 1234${i}`),
    ]);
    const now = await sys.api({ api_key: key, action: 'getStatus', id });
    if (cancel === 'ACCESS_CANCEL') t.is(now, 'ACCESS_CANCEL');
    else {
      t.is(cancel, 'BAD_STATUS');
      t.is(now, `STATUS_OK:1234${i}`);
      t.is(await sys.api({ api_key: key, action: 'setStatus', id, status: 6 }), 'ACCESS_ACTIVATION');
    }
  }
  const ledger = await sys.store.ledger(accountId);
  const sum = ledger.reduce((n, e) => n + e.amount, 0);
  t.is(await balance(sys, key), `ACCESS_BALANCE:${(sum / 100).toFixed(2)}`, 'the ledger adds up to the balance');
  const refunds = ledger.filter((e) => e.reason === 'refund').map((e) => e.ref);
  t.is(new Set(refunds).size, refunds.length, 'at most one refund per activation');
});

test('two getRepeat at once: one ACCESS_NUMBER, one DOUBLE_RETRY', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const first = await buy(t, sys, key, { service: 'tg', country: 'ru' });
  await sys.sms(first.phone, 'Telegram', 'Telegram code: 90909');
  t.is(await sys.api({ api_key: key, action: 'setStatus', id: first.id, status: 6 }), 'ACCESS_ACTIVATION');
  const answers = await Promise.all([1, 2].map(() => sys.api({ api_key: key, action: 'getRepeat', service: 'tg', number: first.phone })));
  t.is(answers.filter((a) => a.startsWith(`ACCESS_NUMBER:`) && a.endsWith(`:${first.phone}`)).length, 1);
  t.is(answers.filter((a) => a === 'DOUBLE_RETRY').length, 1);
});

test('count=2 finished twice at once: one chained activation, both answers name it', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const first = await buy(t, sys, key, { service: 'tg', country: 'ru', count: 2 });
  await sys.sms(first.phone, 'Telegram', 'Telegram code: 60606');
  const answers = await Promise.all([1, 2].map(() => sys.api({ api_key: key, action: 'setStatus', id: first.id, status: 6 })));
  const next = answers.filter((a) => a.startsWith('ACCESS_NUMBER:'));
  t.is(next.length, 1, answers.join(' | '));
  t.deepEqual(answers.filter((a) => !a.startsWith('ACCESS_NUMBER:')), ['BAD_STATUS']);
});
