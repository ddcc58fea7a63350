import test from 'ava';
import { httpRequest, startTestSystem, type TestSystem } from '../../helpers/system.ts';

let sys: TestSystem;

test.before(async () => {
  sys = await startTestSystem();
});
test.after.always(() => sys.close());

async function api(method: string, path: string, key: string, body?: unknown) {
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  const res = await httpRequest(sys.url, { method, path, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (res.body ? JSON.parse(res.body) : {}) as Record<string, any> };
}

test('the catalogue lists countries, services and, for a country, each service\'s price and free numbers', async (t) => {
  const { key } = await sys.account();
  const r = await api('GET', '/api/catalogue?country=ru', key);
  t.is(r.status, 200);
  t.true(r.json.countries.some((c: any) => c.id === 'kz' && c.name.ru === 'Казахстан'));
  const tg = r.json.offers.find((o: any) => o.service === 'telegram');
  t.like(tg, { price: '25.00' });
  t.true(tg.count > 0);
  const kz = await api('GET', '/api/catalogue?country=kz', key);
  t.like(kz.json.offers.find((o: any) => o.service === 'whatsapp'), { price: '49.00' });
  t.is((await api('GET', '/api/catalogue?country=xx', key)).status, 422);
  t.is((await api('GET', '/api/catalogue?country=ru&operator=nope', key)).status, 422);
});

test('an order and its buttons go through the same activation as the gateway, with the state\'s commands', async (t) => {
  const { key } = await sys.account({ rubles: 100 });
  const bought = await api('POST', '/api/activations', key, { service: 'telegram', country: 'ru' });
  t.is(bought.status, 201);
  const a = bought.json.activation;
  t.like(a, { service: 'telegram', serviceName: 'Telegram', price: '25.00', state: 'waitingForReady', live: true, code: null });
  t.deepEqual(a.commands, ['ready', 'cancel', 'used']);
  t.is(await sys.api({ api_key: key, action: 'getBalance' }), 'ACCESS_BALANCE:75.00');
  t.is(await sys.api({ api_key: key, action: 'getStatus', id: a.id }), 'STATUS_WAIT_READY', 'the gateway sees the same activation');
  const ready = await api('POST', `/api/activations/${a.id}/status`, key, { command: 'ready' });
  t.like(ready.json.activation, { state: 'waitingForCode' });
  t.deepEqual(ready.json.activation.commands, ['retry', 'cancel', 'used']);
  await sys.sms(a.phone, 'Telegram', 'Telegram code: 55555');
  const got = await api('GET', `/api/activations/${a.id}`, key);
  t.like(got.json.activation, { state: 'codeArrived', code: '55555' });
  t.is(got.json.activation.messages[0].text, 'Telegram code: 55555');
  t.is((await api('POST', `/api/activations/${a.id}/status`, key, { command: 'cancel' })).json.code, 'notAllowed', 'no cancel once a code came');
  const done = await api('POST', `/api/activations/${a.id}/status`, key, { command: 'finish' });
  t.like(done.json.activation, { state: 'finished', live: false, commands: [] });
  t.is(await sys.api({ api_key: key, action: 'getStatus', id: a.id }), 'STATUS_ACCESS:55555');
});

test('orders and buttons refuse with a code the page translates', async (t) => {
  const poor = await sys.account({ rubles: 1 });
  const other = await sys.account({ rubles: 100 });
  const r = await api('POST', '/api/activations', poor.key, { service: 'telegram', country: 'ru' });
  t.is(r.status, 409);
  t.is(r.json.code, 'noBalance');
  t.is((await api('POST', '/api/activations', poor.key, { service: 'nope', country: 'ru' })).status, 422);
  t.is((await api('POST', '/api/activations', poor.key, { service: 'telegram', country: 'ru', operator: 'nope' })).status, 422);
  const mine = (await api('POST', '/api/activations', other.key, { service: 'vk', country: 'ru' })).json.activation;
  const foreign = await api('POST', `/api/activations/${mine.id}/status`, poor.key, { command: 'cancel' });
  t.is(foreign.status, 404, 'another account\'s activation is a missing one');
  t.is((await api('GET', `/api/activations/${mine.id}`, poor.key)).status, 404);
  t.is((await api('POST', `/api/activations/${mine.id}/status`, other.key, { command: 'explode' })).status, 422);
  t.is((await api('GET', '/api/activations/abc', other.key)).status, 404);
  const cancelled = await api('POST', `/api/activations/${mine.id}/status`, other.key, { command: 'cancel' });
  t.like(cancelled.json.activation, { state: 'cancelled', live: false });
  t.is(await sys.api({ api_key: other.key, action: 'getBalance' }), 'ACCESS_BALANCE:100.00', 'refunded');
});

test('History filters by state and service and pages newest first', async (t) => {
  const { key } = await sys.account({ rubles: 1000 });
  const ids: number[] = [];
  for (const service of ['telegram', 'telegram', 'whatsapp', 'telegram', 'whatsapp']) {
    ids.push((await api('POST', '/api/activations', key, { service, country: 'ru' })).json.activation.id);
  }
  await api('POST', `/api/activations/${ids[0]}/status`, key, { command: 'cancel' });
  const page0 = await api('GET', '/api/activations?limit=2', key);
  t.deepEqual(page0.json.activations.map((a: any) => a.id), [ids[4], ids[3]]);
  t.like(page0.json, { total: 5, page: 0, pageSize: 2 });
  const page2 = await api('GET', '/api/activations?limit=2&page=2', key);
  t.deepEqual(page2.json.activations.map((a: any) => a.id), [ids[0]]);
  const wa = await api('GET', '/api/activations?service=whatsapp', key);
  t.deepEqual(wa.json.activations.map((a: any) => a.id), [ids[4], ids[2]]);
  const ended = await api('GET', '/api/activations?state=ended', key);
  t.deepEqual(ended.json.activations.map((a: any) => a.id), [ids[0]]);
  const today = new Date().toISOString().slice(0, 10);
  t.is((await api('GET', `/api/activations?from=${today}&to=${today}`, key)).json.total, 5);
  t.is((await api('GET', '/api/activations?from=2000-01-01&to=2000-01-02', key)).json.total, 0);
});

test('History reaches back past thousands of activations: the database filters and pages, the total counts them all', async (t) => {
  const { id: accountId, key } = await sys.account({ rubles: 1000 });
  const store = sys.store;
  const sim = (await store.sims()).find((s) => s.online)!;
  const at = Date.now() - 86_400_000;
  // 5,010 ended activations on one SIM, the oldest first: ordered as free repeats, cancelled and released at once.
  const made: number[] = [];
  for (let i = 0; i < 5_010; i++) {
    const r = await store.openActivation({
      accountId, service: 'vk', filter: {}, forwarding: false, dialect: 'getsms', createdAt: at + i, expiresAt: at + i + 60_000,
      remaining: 0, initialState: 'waitingForCode', repeat: { iccid: sim.iccid, previousId: 0, chained: false },
    });
    if (!r.ok) throw new Error(`order ${i} refused: ${r.code}`);
    const a = r.activation;
    await store.saveActivation(a.id, { state: 'cancelled', live: false, code: null, messages: [], nextId: null, snapshot: {}, at: at + i }, a.version);
    await store.settleActivation({
      activationId: a.id, accountId, iccid: a.iccid, phone: a.phone, service: 'vk', refund: 0, claim: 'release', blacklist: false, at: at + i,
    });
    made.push(a.id);
  }
  const first = await api('GET', '/api/activations?limit=100', key);
  t.like(first.json, { total: 5_010, page: 0, pageSize: 100 });
  t.deepEqual(first.json.activations.map((a: any) => a.id), made.slice(-100).reverse());
  const last = await api('GET', '/api/activations?limit=100&page=50', key);
  t.deepEqual(last.json.activations.map((a: any) => a.id), made.slice(0, 10).reverse(), 'the oldest ten on the last page');
  const ended = await api('GET', '/api/activations?state=ended&service=vk&limit=100&page=50', key);
  t.like(ended.json, { total: 5_010 });
  t.is(ended.json.activations.at(-1).id, made[0]);
  t.is((await api('GET', '/api/activations?state=live', key)).json.total, 0);
});

test('a new API key works at once, is shown only in its answer, and the old one stops', async (t) => {
  const { key } = await sys.account();
  const r = await api('POST', '/api/me/key', key);
  t.is(r.status, 200);
  t.regex(r.json.apiKey, /^[0-9a-f]{32}$/);
  t.is((await api('GET', '/api/me', key)).status, 401);
  t.is((await api('GET', '/api/me', r.json.apiKey)).status, 200);
  t.is((await api('PUT', '/api/me/language', r.json.apiKey, { language: 'de' })).status, 422);
});

test('admin top-ups go through the ledger once per key; only admins see accounts; only operators the farm', async (t) => {
  const admin = await sys.account({ role: 'admin' });
  const operator = await sys.account({ role: 'operator' });
  const user = await sys.account({ rubles: 3 });
  const topUp = { amount: '97.50', note: 'cash', key: 'topup-0001' };
  const first = await api('POST', `/api/admin/accounts/${user.id}/topup`, admin.key, topUp);
  t.is(first.status, 201);
  t.deepEqual(first.json, { balance: '100.50', applied: true });
  const again = await api('POST', `/api/admin/accounts/${user.id}/topup`, admin.key, topUp);
  t.deepEqual(again.json, { balance: '100.50', applied: false }, 'a retried top-up credits once');
  const ledger = await api('GET', `/api/admin/accounts/${user.id}/ledger`, admin.key);
  t.like(ledger.json.entries[0], { amount: '97.50', balanceAfter: '100.50', reason: 'topup', note: 'cash', ref: `admin:${admin.id}` });
  t.like((await api('GET', '/api/me/ledger', user.key)).json, { page: 0, pageSize: 50, total: 2 });
  t.is((await api('GET', '/api/me/ledger', user.key)).json.entries.length, 2);
  const second = await api('GET', '/api/me/ledger?page=1&limit=1', user.key);
  t.like(second.json, { page: 1, pageSize: 1, total: 2 });
  t.like(second.json.entries, [{ amount: '3.00', reason: 'topup' }], 'the older entry (the opening balance) on page 2');
  t.like((await api('GET', `/api/admin/accounts/${user.id}/ledger?limit=1`, admin.key)).json, { total: 2, pageSize: 1, entries: [{ amount: '97.50' }] });
  t.is((await api('POST', `/api/admin/accounts/${user.id}/topup`, admin.key, { amount: '-5', key: 'topup-0002' })).status, 422);
  t.is((await api('POST', `/api/admin/accounts/${user.id}/topup`, admin.key, { amount: '5', key: 'x' })).status, 422);
  t.is((await api('POST', '/api/admin/accounts/999999/topup', admin.key, { amount: '5', key: 'topup-0003' })).status, 404);
  t.is((await api('POST', `/api/admin/accounts/${user.id}/topup`, operator.key, topUp)).status, 403);
  t.is((await api('GET', '/api/admin/accounts', user.key)).status, 403);
  t.true((await api('GET', '/api/admin/accounts', admin.key)).json.accounts.some((a: any) => a.id === user.id && a.balance === '100.50'));
  t.true((await api('GET', '/api/admin/prices', admin.key)).json.prices.some((p: any) => p.service === 'whatsapp' && p.country === 'kz' && p.price === '49.00'));
  t.is((await api('GET', '/api/farm', user.key)).status, 403);
  const farm = await api('GET', '/api/farm', operator.key);
  t.is(farm.json.channels.length, 4);
  t.is(farm.json.channels[0].slots.length, 2);
  t.truthy(farm.json.channels[0].slots[0].sim.iccid);
  t.is((await api('PUT', '/api/admin/prices', admin.key, { service: 'wa', country: 'kz', price: '50' })).status, 200, 'the existing PUT still answers beside the new GET');
});
