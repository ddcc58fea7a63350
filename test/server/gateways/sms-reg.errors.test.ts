import test from 'ava';
import { query, systemFor } from './handler-api.helpers.ts';
import { allStrings, getNum, reg, regError, regRaw, state } from './sms-reg.helpers.ts';

/*
 * API #2's transport and every error message of the spec, through real HTTP:
 * GET and POST, any Host, sloppy and tainted parameters, unknown methods, a
 * store that fails underneath, and the per-IP limit. Never a 4xx/5xx, never a
 * stack trace: always `{"response":"ERROR","error_msg":"…"}`.
 */

const noTrailing = (body: string) => !/[\s\u0000]$/.test(body) && !body.startsWith('\ufeff');

test('bytes: HTTP 200, application/json, compact JSON with string values only, no trailing newline', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const cases: [string, string, string][] = [
    ['getBalance.php', query([['apikey', key]]), '{"response":"1","balance":"1000.00"}'],
    ['getBalance.php', '', '{"response":"ERROR","error_msg":"ERROR_NO_KEY"}'],
    ['getBalance.php', query([['apikey', 'nope']]), '{"response":"ERROR","error_msg":"ERROR_WRONG_KEY"}'],
    ['getState.php', query([['apikey', key], ['tzid', 1]]), '{"response":"ERROR","error_msg":"There is no TZID value"}'],
    ['getNum.php', query([['apikey', key], ['country', 'ru']]), '{"response":"ERROR","error_msg":"Service not define"}'],
  ];
  for (const [path, q, body] of cases) {
    const res = await regRaw(sys, path, { query: q, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    t.is(res.status, 200);
    t.is(res.headers['content-type'], 'application/json');
    t.is(res.headers['content-encoding'], undefined);
    t.is(res.body, body);
    t.is(res.headers['content-length'], String(Buffer.byteLength(body)));
    t.true(noTrailing(res.body));
  }
  const tzid = await getNum(t, sys, key, 'telegram', 'ru');
  const got = await regRaw(sys, 'getNum.php', { query: query([['apikey', key], ['service', 'vk'], ['country', 'ru']]) });
  t.regex(got.body, /^\{"response":"1","tzid":"\d+"\}$/, 'the tzid is a JSON string');
  const s = await regRaw(sys, 'getState.php', { query: query([['apikey', key], ['tzid', tzid]]) });
  t.regex(s.body, /^\{"response":"TZ_NUM_PREPARE","service":"telegram","number":"7\d{10}"\}$/);
});

test('GET, POST form body, POST with the query string, and both merged (body wins); any Host', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const want = { response: '1', balance: '1000.00' };
  t.deepEqual(await reg(t, sys, 'getBalance', { apikey: key }), want);
  t.deepEqual(await reg(t, sys, 'getBalance', { apikey: key }, { via: 'POST' }), want);
  t.deepEqual(await reg(t, sys, 'getBalance', { apikey: key }, { host: 'api.sms-reg.com' }), want);
  t.deepEqual(await reg(t, sys, 'getBalance', { apikey: key }, { host: 'api.sms-activate.org' }), want, 'no dialect by Host here');
  const postQuery = await regRaw(sys, 'getBalance.php', { method: 'POST', query: query([['apikey', key]]) });
  t.is(postQuery.body, JSON.stringify(want), 'POST with the parameters in the query string (aiosmsactivate style)');
  const merged = await regRaw(sys, 'getBalance.php', { query: query([['apikey', 'wrong']]), body: query([['apikey', key]]) });
  t.is(merged.body, JSON.stringify(want));
  const tzid = (JSON.parse((await regRaw(sys, 'getNum.php', {
    body: query([['apikey', key], ['service', 'telegram'], ['country', 'ru'], ['appid', 'RUBMC9BX6OIRJG3S']]),
  })).body) as { tzid: string }).tzid;
  t.like(await reg(t, sys, 'getState', { apikey: key, tzid }, { via: 'POST' }), { response: 'TZ_NUM_PREPARE' });
  t.deepEqual(await reg(t, sys, 'setReady', { apikey: key, tzid, dev_key: 'x' }, { via: 'POST' }), { response: '1' }, 'unknown parameters ignored');
  const head = await regRaw(sys, 'getBalance.php', { method: 'HEAD', query: query([['apikey', key]]) });
  t.is(head.status, 200);
  t.is(head.body, '');
});

test('ERROR_NO_KEY and ERROR_WRONG_KEY on every method; a tainted or repeated apikey is never looked up', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const methods = [
    'getBalance', 'getNum', 'setReady', 'getState', 'setOperationOk', 'setOperationRevise', 'getNumRepeat',
    'setOperationUsed', 'getList', 'getOperations', 'setOperationOver',
  ];
  for (const method of methods) {
    for (const q of ['', 'apikey=', 'apikey=undefined', 'apikey=null', 'api_key=' + key, 'tzid=1']) {
      t.is((await regRaw(sys, `${method}.php`, { query: q })).body, JSON.stringify(regError('ERROR_NO_KEY')), `${method}?${q}`);
    }
    for (const q of ['apikey=nope', 'apikey%5B%24ne%5D=x', `apikey=${key}&apikey=${key}`, `apikey%5B%5D=${key}`, `apikey=${'a'.repeat(300)}`]) {
      t.is((await regRaw(sys, `${method}.php`, { query: q })).body, JSON.stringify(regError('ERROR_WRONG_KEY')), `${method}?${q}`);
    }
  }
  t.is((await regRaw(sys, 'getBalance.php', { query: `%20apikey%20=${key}` })).body, '{"response":"1","balance":"1000.00"}', 'names are trimmed');
});

test('getNum: "Service not define", "There is no country value"; API #2 service names and countries', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const num = (q: string) => regRaw(sys, 'getNum.php', { query: `apikey=${key}&${q}` }).then((r) => JSON.parse(r.body) as unknown);
  for (const q of ['country=ru', 'service=&country=ru', 'service=tg&country=ru', 'service=nope&country=ru', 'service=telegram&service=vk&country=ru', 'service%5B%5D=telegram&country=ru']) {
    t.deepEqual(await num(q), regError('Service not define'), q);
  }
  for (const q of ['service=telegram', 'service=telegram&country=', 'service=telegram&country=xx', 'service=telegram&country%5B%24ne%5D=1', 'service=telegram&country=ru&country=ua']) {
    t.deepEqual(await num(q), regError('There is no country value'), q);
  }
  // The spec's API #2 names (case-insensitive: its list writes "Viber") and country words, `all` included.
  for (const [service, country] of [['Viber', 'ru'], ['classmates', 'RU'], ['gmail', 'all'], ['whatsapp', 'ua'], ['other', 'all'], ['mg', 'ru']] as const) {
    const tzid = await getNum(t, sys, key, service, country);
    const s = await state(t, sys, key, tzid);
    t.is(s.response, 'TZ_NUM_PREPARE', `${service}/${country}`);
    if (country === 'ua') t.regex(String(s.number), /^380\d{9}$/);
    if (country.toLowerCase() === 'ru') t.regex(String(s.number), /^7\d{10}$/);
  }
  t.like(await num('service=telegram&country=ru_beeline&operator=mts&appid=RUBMC9BX6OIRJG3S'), { response: '1' }, 'operator words and extra params');
});

test('"There is no TZID value": absent, empty, not a number, negative, too big, repeated, unknown', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const tzid = await getNum(t, sys, key, 'telegram', 'ru');
  const methods = ['getState', 'setReady', 'setOperationOk', 'setOperationRevise', 'getNumRepeat', 'setOperationUsed', 'setOperationOver'];
  const bad = ['', 'tzid=', 'tzid=abc', 'tzid=-1', 'tzid=1.5', 'tzid=99999999999', 'tzid=0', 'tzid=999999', `tzid=${tzid}&tzid=${tzid}`, `tzid%5B%5D=${tzid}`, 'tzid%5B%24gt%5D=0'];
  for (const method of methods) {
    for (const q of bad) {
      const res = await regRaw(sys, `${method}.php`, { query: `apikey=${key}&${q}` });
      t.is(res.status, 200);
      t.is(res.body, JSON.stringify(regError('There is no TZID value')), `${method}?${q}`);
    }
  }
  t.like(await state(t, sys, key, tzid), { response: 'TZ_NUM_PREPARE' }, 'nothing was moved');
  t.like(await state(t, sys, key, ` ${tzid} `), { response: 'TZ_NUM_PREPARE' }, 'a padded tzid is trimmed');
});

test('unknown methods: {"response":"ERROR","error_msg":"Method not define"}, with or without a key; method names in any case', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  for (const path of ['nope.php', 'setRate.php', 'index.php', 'vsimGet.php', 'handler_api.php']) {
    for (const q of [`apikey=${key}`, '']) {
      const res = await regRaw(sys, path, { query: q });
      t.is(res.status, 200, path);
      t.is(res.body, JSON.stringify(regError('Method not define')), path);
    }
  }
  t.deepEqual(JSON.parse((await regRaw(sys, 'GETBALANCE.php', { query: `apikey=${key}` })).body), { response: '1', balance: '1000.00' });
  t.deepEqual(
    JSON.parse((await regRaw(sys, 'setoperationok.php', { query: `apikey=${key}&tzid=${await getNum(t, sys, key, 'vk', 'ru')}` })).body),
    regError('setOperationOk to this TZID not applicable'),
    'messages name the method as the spec spells it',
  );
  // Other paths are not API #2's.
  t.is((await regRaw(sys, 'stubs/other.php')).status, 404);
  t.is((await regRaw(sys, 'getBalance.php.bak')).status, 404);
});

test('getList: every API #2 service name with its description, all strings', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const list = await reg(t, sys, 'getList', { apikey: key, extended: 1 });
  t.is(list.response, '1');
  t.true(allStrings(list));
  const services = list.services as { service: string; description: string }[];
  const names = services.map((s) => s.service);
  for (const name of ['telegram', 'whatsapp', 'vk', 'avito', 'classmates', 'gmail', 'viber', 'other', 'mg', 'facebook']) t.true(names.includes(name), name);
  t.like(services.find((s) => s.service === 'classmates'), { description: 'OK.ru' });
  t.is(new Set(names).size, names.length, 'each name once');
  // Each name listed is one getNum takes.
  for (const name of names.slice(0, 5)) t.is((await reg(t, sys, 'getNum', { apikey: key, service: name, country: 'all' })).response, '1', name);
});

test('getOperations: active and completed operations, newest first; array or object; its own errors', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  const ops = (params: Record<string, string | number> = {}) => reg(t, sys, 'getOperations', { apikey: key, ...params });
  t.deepEqual(await ops(), regError('No active tranzactions'));
  t.deepEqual(await ops({ opstate: 'completed' }), regError('No active tranzactions'));

  const first = await getNum(t, sys, key, 'telegram', 'ru');
  const second = await getNum(t, sys, key, 'vk', 'ru');
  const { number } = await state(t, sys, key, first);
  await sys.sms(number as string, 'Telegram', 'Telegram code: 60606');
  const active = await ops() as unknown as Record<string, string>[];
  t.true(Array.isArray(active));
  t.true(allStrings(active));
  t.deepEqual(active.map((o) => o.tzid), [second, first]);
  t.like(active[1], { tzid: first, service: 'telegram', phone: number, status: 'TZ_NUM_ANSWER', msg: '60606' });
  t.like(active[0], { tzid: second, service: 'vk', status: 'TZ_NUM_PREPARE', msg: '' });

  t.deepEqual(await reg(t, sys, 'setOperationOk', { apikey: key, tzid: first }), { response: '1', tzid: first });
  t.deepEqual((await ops() as unknown as Record<string, string>[]).map((o) => o.tzid), [second]);
  const done = await ops({ opstate: 'completed', output: 'object' });
  t.deepEqual(Object.keys(done), ['0']);
  t.like(done['0'], { tzid: first, status: 'TZ_OVER_OK', msg: '60606' });
  t.is((await ops({ count: 1 }) as unknown as unknown[]).length, 1);

  t.deepEqual(await ops({ opstate: 'all' }), regError('There is no opstate value'));
  for (const count of ['0', '1001', 'x', '-5']) t.deepEqual(await ops({ count }), regError('There is no count value'), count);
  t.deepEqual(await ops({ output: 'xml' }), regError('There is no output value'));
  const other = await sys.account();
  t.deepEqual(await reg(t, sys, 'getOperations', { apikey: other.key }), regError('No active tranzactions'), 'only the caller\'s own');
});

test('a store failing underneath: {"response":"ERROR","error_msg":"ERROR_SQL"} with HTTP 200, no stack trace', async (t) => {
  const sys = await systemFor(t);
  const { key } = await sys.account();
  t.deepEqual(await reg(t, sys, 'getBalance', { apikey: key }), { response: '1', balance: '1000.00' });
  await sys.store.close();
  for (const method of ['getBalance', 'getNum', 'getState', 'setReady', 'getOperations', 'getNumRepeat', 'setOperationOver']) {
    const res = await regRaw(sys, `${method}.php`, { query: query([['apikey', key], ['service', 'telegram'], ['country', 'ru'], ['tzid', 1]]) });
    t.is(res.status, 200, method);
    t.is(res.body, JSON.stringify(regError('ERROR_SQL')), method);
  }
  t.is((await regRaw(sys, 'getBalance.php')).body, JSON.stringify(regError('ERROR_NO_KEY')), 'the gateway itself is alive');
});

test('over the per-IP limit (shared with handler_api.php): ERROR_SQL in the JSON error form, HTTP 200, never a 429', async (t) => {
  const sys = await systemFor(t, { RATE_LIMIT_RPS: '5' });
  const { key } = await sys.account();
  const answers = await Promise.all(Array.from({ length: 20 }, () => regRaw(sys, 'getBalance.php', { query: `apikey=${key}` })));
  t.true(answers.every((r) => r.status === 200 && r.headers['content-type'] === 'application/json'));
  const limited = answers.filter((r) => r.body === JSON.stringify(regError('ERROR_SQL'))).length;
  const served = answers.filter((r) => r.body === '{"response":"1","balance":"1000.00"}').length;
  t.is(limited + served, 20, 'every answer is one of the two');
  t.true(limited >= 1, 'some are limited');
  t.true(served >= 1 && served <= 15, 'no more than the second\'s share got through, give or take a second boundary');
});
