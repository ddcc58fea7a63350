import test, { type ExecutionContext } from 'ava';
import { startTestSystem, type RawResponse, type TestSystem } from '../../helpers/system.ts';
import {
  buy, query, raw, smsActivateHost, systemFor, tinyFarm, tinyFarmRuPhone, wordType,
} from './handler-api.helpers.ts';

/*
 * Every error word of API #1 (getsms-online-api.txt), in both dialects, as the
 * bytes a client reads: HTTP 200, a bare word, text/html, nothing after it.
 */

let sys: TestSystem;
let key: string;
let saKey: string;

test.before(async () => {
  sys = await startTestSystem();
  key = (await sys.account()).key;
  saKey = (await sys.account({ dialect: 'smsActivate' })).key;
});
test.after.always(() => sys?.close());

function isWord(t: ExecutionContext, res: RawResponse, expected: string) {
  t.is(res.status, 200, 'errors are HTTP 200: classic clients read the body');
  t.is(res.headers['content-type'], wordType);
  t.is(res.body, expected, 'exact bytes: no quotes, no trailing newline');
}

const get = (pairs: readonly (readonly [string, string | number])[], host?: string) =>
  raw(sys, { query: query(pairs), ...(host ? { host } : {}) });

// ---- NO_KEY -------------------------------------------------------------------------------------

test('NO_KEY: no api_key at all, in both dialects', async (t) => {
  isWord(t, await get([['action', 'getBalance']]), 'NO_KEY');
  isWord(t, await get([['action', 'getBalance']], smsActivateHost), 'NO_KEY');
  isWord(t, await raw(sys), 'NO_KEY');
});

test('NO_KEY: an empty api_key, or the strings "undefined" / "null" clients send for unset arguments', async (t) => {
  for (const v of ['', 'undefined', 'null', '   ']) {
    isWord(t, await get([['api_key', v], ['action', 'getBalance']]), 'NO_KEY');
  }
});

test('NO_KEY comes before NO_ACTION when both are missing', async (t) => {
  isWord(t, await raw(sys, { query: '' }), 'NO_KEY');
});

// ---- BAD_KEY ------------------------------------------------------------------------------------

test('BAD_KEY: an unknown key, in both dialects', async (t) => {
  isWord(t, await get([['api_key', 'deadbeefdeadbeefdeadbeefdeadbeef'], ['action', 'getBalance']]), 'BAD_KEY');
  isWord(t, await get([['api_key', 'nope'], ['action', 'getBalance']], smsActivateHost), 'BAD_KEY');
});

test('BAD_KEY: api_key[$ne]=x never reaches a query (operator injection)', async (t) => {
  isWord(t, await raw(sys, { query: 'api_key[$ne]=x&action=getBalance' }), 'BAD_KEY');
  isWord(t, await raw(sys, { query: 'api_key%5B%24ne%5D=x&action=getBalance' }), 'BAD_KEY');
  isWord(t, await raw(sys, { query: 'action=getBalance', body: 'api_key[$ne]=x' }), 'BAD_KEY');
  isWord(t, await raw(sys, { query: 'api_key[]=x&action=getBalance' }), 'BAD_KEY');
});

test('BAD_KEY: a repeated api_key, even when both copies are the valid key', async (t) => {
  isWord(t, await raw(sys, { query: `api_key=${key}&api_key=other&action=getBalance` }), 'BAD_KEY');
  isWord(t, await raw(sys, { query: `api_key=${key}&api_key=${key}&action=getBalance` }), 'BAD_KEY');
  isWord(t, await raw(sys, { query: `api_key=${key}&action=getBalance&api_key[$ne]=x` }), 'BAD_KEY');
});

test('BAD_KEY: an absurdly long key is refused without a lookup', async (t) => {
  isWord(t, await get([['api_key', 'k'.repeat(5000)], ['action', 'getBalance']]), 'BAD_KEY');
});

test('BAD_KEY comes before NO_ACTION', async (t) => {
  isWord(t, await get([['api_key', 'nope']]), 'BAD_KEY');
});

// ---- NO_ACTION / BAD_ACTION --------------------------------------------------------------------

test('NO_ACTION: a valid key without an action, in both dialects', async (t) => {
  isWord(t, await get([['api_key', key]]), 'NO_ACTION');
  isWord(t, await get([['api_key', saKey]]), 'NO_ACTION');
  isWord(t, await get([['api_key', key], ['action', '']], smsActivateHost), 'NO_ACTION');
  isWord(t, await get([['api_key', key], ['action', 'undefined']]), 'NO_ACTION');
});

test('BAD_ACTION: unknown names, prototype names and wrong case', async (t) => {
  for (const action of ['foo', 'toString', '__proto__', 'constructor', 'hasOwnProperty', 'getbalance', 'GETBALANCE']) {
    isWord(t, await get([['api_key', key], ['action', action]]), 'BAD_ACTION');
    isWord(t, await get([['api_key', saKey], ['action', action]]), 'BAD_ACTION');
  }
});

test('BAD_ACTION: sms-activate-only actions do not exist in the getsms dialect', async (t) => {
  for (const action of [
    'getNumberV2', 'getActiveActivations', 'getStatusV2', 'getCountries', 'getOperators', 'getFullSms',
    'getBalanceAndCashBack',
  ]) {
    isWord(t, await get([['api_key', key], ['action', action], ['id', 1]]), 'BAD_ACTION', );
    const sa = await get([['api_key', key], ['action', action], ['id', 1]], smsActivateHost);
    t.not(sa.body, 'BAD_ACTION', `${action} exists for sms-activate clients`);
  }
});

// ---- BAD_SERVICE --------------------------------------------------------------------------------

test('BAD_SERVICE: getNumber without a service or with an unknown one', async (t) => {
  isWord(t, await get([['api_key', key], ['action', 'getNumber'], ['country', 'ru']]), 'BAD_SERVICE');
  isWord(t, await get([['api_key', key], ['action', 'getNumber'], ['service', 'zz'], ['country', 'ru']]), 'BAD_SERVICE');
  isWord(t, await get([['api_key', saKey], ['action', 'getNumber'], ['service', 'nope'], ['country', 0]]), 'BAD_SERVICE');
  isWord(t, await get([['api_key', key], ['action', 'getNumber'], ['service', 'TG'], ['country', 'ru']]), 'BAD_SERVICE');
});

test('BAD_SERVICE: a code of the other dialect is not read across', async (t) => {
  // Tinder is `td` to getsms clients and `oi` to sms-activate ones; `dr` is sms-activate's OpenAI.
  isWord(t, await get([['api_key', saKey], ['action', 'getNumber'], ['service', 'td'], ['country', 0]]), 'BAD_SERVICE');
  isWord(t, await get([['api_key', key], ['action', 'getNumber'], ['service', 'dr'], ['country', 'ru']]), 'BAD_SERVICE');
  isWord(t, await get([['api_key', key], ['action', 'getNumber'], ['service', 'qw']]), 'BAD_SERVICE');
  isWord(t, await get([['api_key', key], ['action', 'getNumber'], ['service', 'at']], smsActivateHost), 'BAD_SERVICE');
});

test('BAD_SERVICE: getRepeat and getPrices check the service too', async (t) => {
  isWord(t, await get([['api_key', key], ['action', 'getRepeat'], ['service', 'zz'], ['number', tinyFarmRuPhone]]), 'BAD_SERVICE');
  isWord(t, await get([['api_key', key], ['action', 'getRepeat'], ['number', tinyFarmRuPhone]]), 'BAD_SERVICE');
  isWord(t, await get([['api_key', key], ['action', 'getPrices'], ['service', 'zz']]), 'BAD_SERVICE');
  isWord(t, await get([['api_key', saKey], ['action', 'getPrices'], ['service', 'td']]), 'BAD_SERVICE');
});

// ---- BAD_COUNTRY --------------------------------------------------------------------------------

test('BAD_COUNTRY: unknown country words, ids and operators', async (t) => {
  const order = (k: string, ...extra: [string, string | number][]) =>
    get([['api_key', k], ['action', 'getNumber'], ['service', 'tg'], ...extra]);
  isWord(t, await order(key, ['country', 'xx']), 'BAD_COUNTRY');
  isWord(t, await order(key, ['country', 'ru_nosuchop']), 'BAD_COUNTRY');
  isWord(t, await order(key, ['country', '9999']), 'BAD_COUNTRY');
  isWord(t, await order(key, ['country', '-1']), 'BAD_COUNTRY');
  isWord(t, await order(saKey, ['country', 999]), 'BAD_COUNTRY');
  isWord(t, await order(saKey, ['country', 0], ['operator', 'kyivstar']), 'BAD_COUNTRY');
});

test('BAD_COUNTRY: getNumbersStatus and getPrices check the country too', async (t) => {
  isWord(t, await get([['api_key', key], ['action', 'getNumbersStatus'], ['country', 'xx']]), 'BAD_COUNTRY');
  isWord(t, await get([['api_key', saKey], ['action', 'getNumbersStatus'], ['country', 777]]), 'BAD_COUNTRY');
  isWord(t, await get([['api_key', key], ['action', 'getPrices'], ['country', 'xx']]), 'BAD_COUNTRY');
});

// ---- NO_ACTIVATION / BAD_STATUS ------------------------------------------------------------------

test('NO_ACTIVATION: an id that does not exist, or none at all', async (t) => {
  for (const k of [key, saKey]) {
    isWord(t, await get([['api_key', k], ['action', 'getStatus'], ['id', 999999]]), 'NO_ACTIVATION');
    isWord(t, await get([['api_key', k], ['action', 'getStatus']]), 'NO_ACTIVATION');
    isWord(t, await get([['api_key', k], ['action', 'setStatus'], ['id', 999999], ['status', 1]]), 'NO_ACTIVATION');
    isWord(t, await get([['api_key', k], ['action', 'setStatus'], ['status', 1]]), 'NO_ACTIVATION');
    isWord(t, await get([['api_key', k], ['action', 'getStatus'], ['id', 0]]), 'NO_ACTIVATION');
  }
});

test('NO_ACTIVATION in getsms, WRONG_ACTIVATION_ID in sms-activate, for ids that are not int32 numbers', async (t) => {
  for (const id of ['abc', '12abc', '2147483648', '99999999999', '-5', '1.5']) {
    isWord(t, await get([['api_key', key], ['action', 'getStatus'], ['id', id]]), 'NO_ACTIVATION');
    isWord(t, await get([['api_key', key], ['action', 'setStatus'], ['id', id], ['status', 1]]), 'NO_ACTIVATION');
    isWord(t, await get([['api_key', saKey], ['action', 'getStatus'], ['id', id]]), 'WRONG_ACTIVATION_ID');
    isWord(t, await get([['api_key', saKey], ['action', 'setStatus'], ['id', id], ['status', 1]]), 'WRONG_ACTIVATION_ID');
  }
});

test("NO_ACTIVATION: someone else's activation is indistinguishable from a missing one", async (t) => {
  const s = await systemFor(t);
  const owner = await s.account();
  const stranger = await s.account();
  const { id } = await buy(t, s, owner.key, { service: 'tg', country: 'ru' });
  const ask = (pairs: [string, string | number][]) =>
    raw(s, { query: query([['api_key', stranger.key], ...pairs]) });
  for (const probe of [id, '999999']) {
    isWord(t, await ask([['action', 'getStatus'], ['id', probe]]), 'NO_ACTIVATION');
    isWord(t, await ask([['action', 'setStatus'], ['id', probe], ['status', 1]]), 'NO_ACTIVATION');
    isWord(t, await ask([['action', 'setStatus'], ['id', probe], ['status', -1]]), 'NO_ACTIVATION');
    // A bad status must not reveal that the id exists either.
    isWord(t, await ask([['action', 'setStatus'], ['id', probe], ['status', 7]]), 'NO_ACTIVATION');
    isWord(t, await ask([['action', 'setStatus'], ['id', probe]]), 'NO_ACTIVATION');
  }
  // The stranger's cancel attempt changed nothing.
  t.is(await s.api({ api_key: owner.key, action: 'getStatus', id }), 'STATUS_WAIT_READY');
  // An ended activation of someone else is just as invisible.
  t.is(await s.api({ api_key: owner.key, action: 'setStatus', id, status: -1 }), 'ACCESS_CANCEL');
  isWord(t, await ask([['action', 'getStatus'], ['id', id]]), 'NO_ACTIVATION');
  isWord(t, await ask([['action', 'setStatus'], ['id', id], ['status', 1]]), 'NO_ACTIVATION');
});

test('BAD_STATUS: unknown status numbers, a missing status, and 8 in the getsms dialect', async (t) => {
  const s = await systemFor(t);
  const { key: k } = await s.account();
  const { id } = await buy(t, s, k, { service: 'tg', country: 'ru' });
  for (const status of ['7', '2', '4', '9', '11', 'abc', '1.0', '+1']) {
    isWord(t, await raw(s, { query: query([['api_key', k], ['action', 'setStatus'], ['id', id], ['status', status]]) }), 'BAD_STATUS');
  }
  isWord(t, await raw(s, { query: query([['api_key', k], ['action', 'setStatus'], ['id', id]]) }), 'BAD_STATUS');
  isWord(t, await raw(s, { query: query([['api_key', k], ['action', 'setStatus'], ['id', id], ['status', 8]]) }), 'BAD_STATUS');
  t.is(await s.api({ api_key: k, action: 'getStatus', id }), 'STATUS_WAIT_READY', 'nothing changed');
});

test('BAD_STATUS: a status the activation cannot take where it is', async (t) => {
  const s = await systemFor(t);
  const { key: k } = await s.account();
  const { id, phone } = await buy(t, s, k, { service: 'tg', country: 'ru' });
  // 6 (finish) and 3 (retry) before the client is even ready.
  t.is(await s.api({ api_key: k, action: 'setStatus', id, status: 6 }), 'BAD_STATUS');
  t.is(await s.api({ api_key: k, action: 'setStatus', id, status: 3 }), 'BAD_STATUS');
  t.is(await s.api({ api_key: k, action: 'setStatus', id, status: 1 }), 'ACCESS_READY');
  await s.sms(phone, 'Telegram', 'Telegram code: 24680');
  // After the code: no cancel, no "number used".
  t.is(await s.api({ api_key: k, action: 'setStatus', id, status: -1 }), 'BAD_STATUS');
  t.is(await s.api({ api_key: k, action: 'setStatus', id, status: 10 }), 'BAD_STATUS');
  t.is(await s.api({ api_key: k, action: 'setStatus', id, status: 6 }), 'ACCESS_ACTIVATION');
  // An ended activation takes nothing more.
  for (const status of [1, 3, 6, -1, 10]) t.is(await s.api({ api_key: k, action: 'setStatus', id, status }), 'BAD_STATUS');
  t.is(await s.api({ api_key: k, action: 'getStatus', id }), 'STATUS_ACCESS:24680');
});

// ---- NO_NUMBER(S) / NO_MEANS(NO_BALANCE) --------------------------------------------------------

test('NO_NUMBER (getsms) and NO_NUMBERS (sms-activate) once the farm has no SIM left for the service', async (t) => {
  const s = await systemFor(t, tinyFarm);
  const a = await s.account();
  const b = await s.account();
  const { phone } = await buy(t, s, a.key, { service: 'tg', country: 'ru' });
  t.is(phone, tinyFarmRuPhone);
  isWord(t, await raw(s, { query: query([['api_key', a.key], ['action', 'getNumber'], ['service', 'tg'], ['country', 'ru']]) }), 'NO_NUMBER');
  isWord(t, await raw(s, { query: query([['api_key', b.key], ['action', 'getNumber'], ['service', 'tg'], ['country', 0]]), host: smsActivateHost }), 'NO_NUMBERS');
  // The same SIM still serves other services; the other country's SIM still serves Telegram.
  await buy(t, s, b.key, { service: 'vk', country: 'ru' });
  await buy(t, s, b.key, { service: 'tg', country: 'ua' });
  isWord(t, await raw(s, { query: query([['api_key', b.key], ['action', 'getNumber'], ['service', 'tg']]) }), 'NO_NUMBER');
});

test('NO_NUMBER for a country the farm has no SIM in', async (t) => {
  const s = await systemFor(t, tinyFarm);
  const { key: k } = await s.account();
  t.is(await s.api({ api_key: k, action: 'getNumber', service: 'tg', country: 'de' }), 'NO_NUMBER');
  t.is(await s.api({ api_key: k, action: 'getNumber', service: 'tg', country: 'ru_megafon' }), 'NO_NUMBER');
  t.is(await s.api({ api_key: k, action: 'getNumber', service: 'tg', country: 43 }, { host: smsActivateHost }), 'NO_NUMBERS');
});

test('NO_MEANS (getsms) and NO_BALANCE (sms-activate) when the balance is short, and nothing is charged', async (t) => {
  const s = await systemFor(t);
  const poor = await s.account({ rubles: 0 });
  const almost = await s.account({ rubles: 24.99 }); // Telegram in Russia costs 25.00
  const saPoor = await s.account({ rubles: 0, dialect: 'smsActivate' });
  isWord(t, await raw(s, { query: query([['api_key', poor.key], ['action', 'getNumber'], ['service', 'tg'], ['country', 'ru']]) }), 'NO_MEANS');
  isWord(t, await raw(s, { query: query([['api_key', almost.key], ['action', 'getNumber'], ['service', 'tg'], ['country', 'ru']]) }), 'NO_MEANS');
  isWord(t, await raw(s, { query: query([['api_key', saPoor.key], ['action', 'getNumber'], ['service', 'tg'], ['country', 0]]) }), 'NO_BALANCE');
  isWord(t, await raw(s, { query: query([['api_key', poor.key], ['action', 'getNumber'], ['service', 'tg'], ['country', 'ru']]), host: smsActivateHost }), 'NO_BALANCE');
  isWord(t, await raw(s, { query: query([['api_key', saPoor.key], ['action', 'getNumberV2'], ['service', 'tg'], ['country', 0]]) }), 'NO_BALANCE');
  t.is(await s.api({ api_key: almost.key, action: 'getBalance' }), 'ACCESS_BALANCE:24.99');
  // Exactly enough is enough.
  const exact = await s.account({ rubles: 25 });
  await buy(t, s, exact.key, { service: 'tg', country: 'ru' });
  t.is(await s.api({ api_key: exact.key, action: 'getBalance' }), 'ACCESS_BALANCE:0.00');
});

// ---- ERROR_SQL ----------------------------------------------------------------------------------

test('ERROR_SQL with HTTP 200 when the store fails underneath, in both dialects', async (t) => {
  const s = await systemFor(t);
  const { key: k } = await s.account();
  t.is(await s.api({ api_key: k, action: 'getBalance' }), 'ACCESS_BALANCE:1000.00');
  await s.store.close();
  const ask = (action: string, host?: string) =>
    raw(s, { query: query([['api_key', k], ['action', action], ['service', 'tg'], ['country', 'ru'], ['id', 1]]), ...(host ? { host } : {}) });
  const spec = [
    'getBalance', 'getNumbersStatus', 'getPrices', 'getNumber', 'setStatus', 'getStatus', 'cleanblacklist',
  ];
  const smsActivateOnly = [
    'getNumberV2', 'getActiveActivations', 'getStatusV2', 'getFullSms', 'getBalanceAndCashBack',
  ];
  for (const action of spec) isWord(t, await ask(action), 'ERROR_SQL');
  for (const action of [...spec, ...smsActivateOnly]) isWord(t, await ask(action, smsActivateHost), 'ERROR_SQL');
  t.is((await ask('getCountries', smsActivateHost)).status, 200);
  // Words that need no store still come: the gateway itself is alive.
  isWord(t, await raw(s, { query: 'action=getBalance' }), 'NO_KEY');
});

// ---- seed actions that need rent/USSD: their own words -------------------------------------------

test('getNumberBalance and getRentNumberSMS answer WRONG_NUMBER, getRentList RENT_LIST_EMPTY, getRentOneDay "no numbers"', async (t) => {
  for (const k of [key, saKey]) {
    isWord(t, await get([['api_key', k], ['action', 'getNumberBalance'], ['num', '79251234567']]), 'WRONG_NUMBER');
    isWord(t, await get([['api_key', k], ['action', 'getRentNumberSMS'], ['number', '123'], ['count', 5]]), 'WRONG_NUMBER');
    // No rent price is set here: nothing can be rented.
    isWord(t, await get([['api_key', k], ['action', 'getRentOneDay']]), 'no numbers');
  }
  isWord(t, await get([['api_key', key], ['action', 'getRentList']]), 'RENT_LIST_EMPTY');
  // sms-activate's getRentList has its own shape, errors wrapped (test/server/gateways/rent.sms-activate.test.ts).
  t.is((await get([['api_key', saKey], ['action', 'getRentList']])).body, '{"status":"error","message":"NO_NUMBERS"}');
  // They still authenticate first.
  isWord(t, await get([['api_key', 'nope'], ['action', 'getRentList']]), 'BAD_KEY');
  isWord(t, await get([['action', 'getRentOneDay']]), 'NO_KEY');
});
