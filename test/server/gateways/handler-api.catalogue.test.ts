import test from 'ava';
import type { TestSystem } from '../../helpers/system.ts';
import { buy, query, raw, smsActivateHost, systemFor, tinyFarm, wordType } from './handler-api.helpers.ts';

/*
 * What a client reads before it buys: getNumbersStatus, getPrices, getBalance
 * (and sms-activate's getCountries / getOperators / getBalanceAndCashBack).
 * The default test farm is 4 × 2 simulated SIMs: 6 Russian (all can forward),
 * 2 Ukrainian.
 */

/** Every key the spec's getNumbersStatus has in the getsms dialect: the last code of each service. */
const getsmsKeys = [
  'ot', 'mg', 'me', 'dt', 'tg', 'wa', 'oi', 'pm', 'sn', 'td', 'nd', 'nv', 'bc', 'vk', 'ds', 'av', 'yl', 'uk', 'ub',
  'kt', 'ma', 'ig', 'ok', 'mb', 'fb', 'mm', 'sm', 'wb', 'we', 'go', 'tw', 'vi', 'ya',
];
/** The fixed keys python smsactivateru indexes (a missing one is a KeyError there). */
const smsActivateClientKeys = (
  'vk_0 ok_0 wa_0 vi_0 tg_0 wb_0 go_0 av_0 av_1 fb_0 tw_0 ot_0 ot_1 ub_0 qw_0 gt_0 sn_0 ig_0 ss_0 ym_0 ym_1 ma_0 ' +
  'mm_0 uk_0 me_0 mb_0 we_0 bd_0 kp_0 dt_0 ya_0 ya_1 mt_0 oi_0 fd_0 zz_0 kt_0 pm_0 tn_0'
).split(' ');

async function jsonOf(sys: TestSystem, params: Record<string, string | number>, host?: string) {
  const res = await raw(sys, {
    query: query(Object.entries(params)),
    ...(host ? { host } : {}),
  });
  return { res, value: JSON.parse(res.body) as unknown };
}

// ---- getNumbersStatus ---------------------------------------------------------------------------

test('getNumbersStatus (getsms): every service as <code>_0, forwarding ones also _1, integer counts, JSON type', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const { res, value } = await jsonOf(sys, { api_key: key, action: 'getNumbersStatus', country: 'ru' });
  t.is(res.status, 200);
  t.regex(String(res.headers['content-type']), /^application\/json\b/);
  t.false(/\s$/.test(res.body), 'no trailing newline');
  const counts = value as Record<string, number>;
  const expected = [...getsmsKeys.map((c) => `${c}_0`), 'ot_1', 'av_1', 'yl_1', 'ya_1'].sort();
  t.deepEqual(Object.keys(counts).sort(), expected);
  for (const [k, n] of Object.entries(counts)) t.true(Number.isInteger(n), `${k} is an integer`);
  for (const k of getsmsKeys) t.is(counts[`${k}_0`], 6, `${k}_0: six Russian SIMs`);
  t.is(counts.av_1, 6, 'Russian SIMs can forward');
  t.regex(res.body, /^\{"ot_0":6,"ot_1":6,"mg_0":6,/, 'ints, not strings, in catalogue order');
});

test('getNumbersStatus: zeros are present (a country with no forwarding, a country with no SIMs)', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const ua = (await jsonOf(sys, { api_key: key, action: 'getNumbersStatus', country: 'ua' })).value as Record<string, number>;
  t.is(ua.tg_0, 2);
  t.is(ua.av_1, 0, 'Ukrainian SIMs do not forward');
  const de = (await jsonOf(sys, { api_key: key, action: 'getNumbersStatus', country: 'de' })).value as Record<string, number>;
  t.is(Object.keys(de).length, getsmsKeys.length + 4);
  t.true(Object.values(de).every((n) => n === 0));
  const all = (await jsonOf(sys, { api_key: key, action: 'getNumbersStatus' })).value as Record<string, number>;
  t.is(all.tg_0, 8, 'no country: the whole farm');
  t.is(all.av_1, 6);
  const or = (await jsonOf(sys, { api_key: key, action: 'getNumbersStatus', country: 'or' })).value as Record<string, number>;
  t.deepEqual(or, all, '`or` is any country');
  const op = (await jsonOf(sys, { api_key: key, action: 'getNumbersStatus', country: 'ru_beeline' })).value as Record<string, number>;
  t.is(op.tg_0, 4, 'ru_beeline: the four Beeline SIMs');
});

test('getNumbersStatus (sms-activate): every key its clients index, numeric country ids, operator csv', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account({ dialect: 'smsActivate' });
  const { res, value } = await jsonOf(sys, { api_key: key, action: 'getNumbersStatus', country: 0 });
  t.regex(String(res.headers['content-type']), /^application\/json\b/);
  const counts = value as Record<string, number>;
  for (const k of smsActivateClientKeys) t.true(Number.isInteger(counts[k]), `${k} present`);
  for (const k of Object.keys(counts)) t.regex(k, /^[a-z0-9]{2,3}_[01]$/);
  t.is(counts.tg_0, 6);
  t.is(counts.uk_0, 6, 'uk is Airbnb here, sold in Russia all the same');
  t.false('td_0' in counts, 'td is not an sms-activate code');
  const ops = (await jsonOf(sys, { api_key: key, action: 'getNumbersStatus', country: 0, operator: 'mts,tele2' })).value as Record<string, number>;
  t.is(ops.tg_0, 2);
  const ua = (await jsonOf(sys, { api_key: key, action: 'getNumbersStatus', country: 1 })).value as Record<string, number>;
  t.is(ua.tg_0, 2);
});

test('getNumbersStatus: counts drop after an order, for that service only, and come back on cancel', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const counts = async () =>
    (await jsonOf(sys, { api_key: key, action: 'getNumbersStatus', country: 'ru' })).value as Record<string, number>;
  const before = await counts();
  const { id } = await buy(t, sys, key, { service: 'tg', country: 'ru' });
  const after = await counts();
  t.is(after.tg_0, before.tg_0! - 1);
  t.is(after.vk_0, before.vk_0);
  await buy(t, sys, key, { service: 'av', country: 'ru', forward: 1 });
  const fwd = await counts();
  t.is(fwd.av_0, before.av_0! - 1);
  t.is(fwd.av_1, before.av_1! - 1);
  t.is(await sys.api({ api_key: key, action: 'setStatus', id, status: -1 }), 'ACCESS_CANCEL');
  t.is((await counts()).tg_0, before.tg_0);
});

test('getsms aliases order the same service as their key: at/av, gm/go, vr/vi, or/ot', async (t) => {
  const sys = await systemFor(t, tinyFarm);
  const { key } = await sys.account();
  for (const [alias, shown] of [['at', 'av'], ['gm', 'go'], ['vr', 'vi'], ['or', 'ot']] as const) {
    await buy(t, sys, key, { service: alias, country: 'ru' });
    const counts = (await jsonOf(sys, { api_key: key, action: 'getNumbersStatus', country: 'ru' })).value as Record<string, number>;
    t.is(counts[`${shown}_0`], 0, `${alias} took the SIM ${shown}_0 counts`);
    t.false(`${alias}_0` in counts, 'only the last alias is a key');
    t.is(await sys.api({ api_key: key, action: 'getNumber', service: shown, country: 'ru' }), 'NO_NUMBER');
  }
});

// ---- getPrices ----------------------------------------------------------------------------------

test('getPrices: {"<country>":{"<service>":{"cost","count","physicalCount"}}} in each dialect\'s names', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const one = await raw(sys, { query: query([['api_key', key], ['action', 'getPrices'], ['service', 'tg'], ['country', 'ru']]) });
  t.regex(String(one.headers['content-type']), /^application\/json\b/);
  t.is(one.body, '{"ru":{"tg":{"cost":25,"count":6,"physicalCount":6}}}');
  const sa = await raw(sys, {
    query: query([['api_key', key], ['action', 'getPrices'], ['service', 'tg'], ['country', 0]]), host: smsActivateHost,
  });
  t.is(sa.body, '{"0":{"tg":{"cost":25,"count":6,"physicalCount":6}}}');
  // The spec's `uk` is the United Kingdom; sms-activate calls it 16. WhatsApp in Kazakhstan is 49 (the announcement).
  t.is(
    (await raw(sys, { query: query([['api_key', key], ['action', 'getPrices'], ['service', 'wa'], ['country', 'kz']]) })).body,
    '{"kz":{"wa":{"cost":49,"count":0,"physicalCount":0}}}',
  );
  const gb = JSON.parse((await raw(sys, { query: query([['api_key', key], ['action', 'getPrices'], ['country', 'uk']]) })).body);
  t.deepEqual(Object.keys(gb), ['uk']);
  t.is(gb.uk.uk.count, 0, 'MeetMe (uk) in the United Kingdom (uk): no SIMs there');
});

test('getPrices: no filter lists every country and service, all numbers', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const all = JSON.parse(await sys.api({ api_key: key, action: 'getPrices' })) as Record<string, Record<string, Record<string, unknown>>>;
  t.deepEqual(Object.keys(all).sort(), ['by', 'de', 'kz', 'pl', 'ru', 'ua', 'uk']);
  t.deepEqual(Object.keys(all.ru!).sort(), [...getsmsKeys].sort());
  for (const row of Object.values(all)) {
    for (const p of Object.values(row)) {
      t.deepEqual(Object.keys(p), ['cost', 'count', 'physicalCount']);
      t.true(Object.values(p).every((v) => typeof v === 'number'));
    }
  }
  const sa = JSON.parse(await sys.api({ api_key: key, action: 'getPrices' }, { host: smsActivateHost })) as Record<string, unknown>;
  t.deepEqual(Object.keys(sa).sort(), ['0', '1', '15', '16', '2', '43', '51']);
  const byService = JSON.parse(await sys.api({ api_key: key, action: 'getPrices', service: 'tg' })) as Record<string, Record<string, unknown>>;
  t.is(Object.keys(byService).length, 7);
  t.true(Object.values(byService).every((row) => Object.keys(row).join() === 'tg'));
});

test('getPrices: a price change shows at once, and the next order is charged the new price', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const price = () => sys.api({ api_key: key, action: 'getPrices', service: 'tg', country: 'ru' });
  t.is(await price(), '{"ru":{"tg":{"cost":25,"count":6,"physicalCount":6}}}');
  await sys.store.setPrice('telegram', 'ru', 4950);
  t.is(await price(), '{"ru":{"tg":{"cost":49.5,"count":6,"physicalCount":6}}}');
  await buy(t, sys, key, { service: 'tg', country: 'ru' });
  t.is(await sys.api({ api_key: key, action: 'getBalance' }), 'ACCESS_BALANCE:950.50');
  t.is(await price(), '{"ru":{"tg":{"cost":49.5,"count":5,"physicalCount":5}}}', 'count follows the order');
});

// ---- getBalance -------------------------------------------------------------------------------------

test('getBalance: ACCESS_BALANCE:<rubles>.<kopecks>, no space, two decimals, a bare word', async (t) => {
  const sys = await systemFor(t);
  for (const [rubles, expected] of [
    [1000, 'ACCESS_BALANCE:1000.00'], [0, 'ACCESS_BALANCE:0.00'], [12.5, 'ACCESS_BALANCE:12.50'],
    [0.07, 'ACCESS_BALANCE:0.07'], [123456.78, 'ACCESS_BALANCE:123456.78'],
  ] as const) {
    const { key } = await sys.account({ rubles });
    const res = await raw(sys, { query: query([['api_key', key], ['action', 'getBalance']]) });
    t.is(res.status, 200);
    t.is(res.headers['content-type'], wordType);
    t.is(res.body, expected);
    t.is(await sys.api({ api_key: key, action: 'getBalance' }, { host: smsActivateHost }), expected);
  }
});

test('getBalance reads the store: a top-up shows at once', async (t) => {
  const sys = await systemFor(t);
  const { id, key } = await sys.account({ rubles: 10 });
  t.is(await sys.api({ api_key: key, action: 'getBalance' }), 'ACCESS_BALANCE:10.00');
  await sys.store.moveMoney({ accountId: id, amount: 505, reason: 'topup', ref: 'test', key: 'topup:test', at: Date.now() });
  t.is(await sys.api({ api_key: key, action: 'getBalance' }), 'ACCESS_BALANCE:15.05');
});

// ---- sms-activate catalogue actions -----------------------------------------------------------------

test('getBalanceAndCashBack (sms-activate): the balance word', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account({ rubles: 42.1, dialect: 'smsActivate' });
  t.is(await sys.api({ api_key: key, action: 'getBalanceAndCashBack' }), 'ACCESS_BALANCE:42.10');
});

test('getCountries (sms-activate): an object keyed by id with id, rus, eng, chn and flags', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const { res, value } = await jsonOf(sys, { api_key: key, action: 'getCountries' }, smsActivateHost);
  t.regex(String(res.headers['content-type']), /^application\/json\b/);
  const all = value as Record<string, Record<string, unknown>>;
  t.false(Array.isArray(all));
  t.deepEqual(Object.keys(all).sort((a, b) => Number(a) - Number(b)), ['0', '1', '2', '15', '16', '43', '51']);
  t.deepEqual(all['0'], { id: 0, rus: 'Россия', eng: 'Russia', chn: '俄罗斯', visible: 1, retry: 1, rent: 0, multiService: 0 });
  for (const [k, c] of Object.entries(all)) {
    t.is(c.id, Number(k));
    for (const f of ['rus', 'eng', 'chn']) t.is(typeof c[f], 'string');
  }
  t.true(res.body.includes('"rus":"Россия"'), 'UTF-8 as is, not \\u escapes');
});

test('getOperators (sms-activate): countryOperators by country id; OPERATORS_NOT_FOUND for an unknown country', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account({ dialect: 'smsActivate' });
  const ru = (await jsonOf(sys, { api_key: key, action: 'getOperators', country: 0 })).value;
  t.deepEqual(ru, {
    status: 'success', countryOperators: { 0: ['beeline', 'mts', 'megafon', 'tele2', 'aiva', 'rostelecom'] },
  });
  const all = (await jsonOf(sys, { api_key: key, action: 'getOperators' })).value as { countryOperators: Record<string, string[]> };
  t.is(Object.keys(all.countryOperators).length, 7);
  t.deepEqual((await jsonOf(sys, { api_key: key, action: 'getOperators', country: 999 })).value, {
    status: 'error', error: 'OPERATORS_NOT_FOUND',
  });
});

test('tiny farm: getNumbersStatus counts one Russian SIM and zero once it is taken', async (t) => {
  const sys = await systemFor(t, tinyFarm);
  const { key } = await sys.account();
  const tg = async () => ((await jsonOf(sys, { api_key: key, action: 'getNumbersStatus', country: 'ru' })).value as Record<string, number>).tg_0;
  t.is(await tg(), 1);
  await buy(t, sys, key, { service: 'tg', country: 'ru' });
  t.is(await tg(), 0);
});
