import test from 'ava';
import { httpRequest, startTestSystem, type TestSystem } from '../../helpers/system.ts';

let sys: TestSystem;
let admin: string;
let operator: string;
let user: string;

test.before(async () => {
  sys = await startTestSystem();
  admin = (await sys.account({ role: 'admin' })).key;
  operator = (await sys.account({ role: 'operator' })).key;
  user = (await sys.account({ role: 'user' })).key;
});
test.after.always(() => sys.close());

async function api(method: string, path: string, key: string | undefined, body?: unknown) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await httpRequest(sys.url, {
    method, path, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, type: String(res.headers['content-type']), json: JSON.parse(res.body) as Record<string, unknown> };
}

const anyPhone = () => sys.simulator!.slots()[0]!.sim.phone;

test('the simulator endpoint delivers an SMS that becomes the activation\'s code', async (t) => {
  const got = await sys.api({ api_key: user, action: 'getNumber', service: 'tg', country: 'or' });
  const [, id, phone] = got.split(':');
  const r = await api('POST', '/api/simulator/sms', operator, { to: phone, from: 'Telegram', text: 'Telegram code: 90210' });
  t.is(r.status, 202);
  t.is(await sys.api({ api_key: user, action: 'getStatus', id: id! }), 'STATUS_OK:90210');
});

test('the JSON API refuses without a key, with an unknown key, and below the role it needs', async (t) => {
  const body = { to: anyPhone(), from: 'X', text: 'hi' };
  const none = await api('POST', '/api/simulator/sms', undefined, body);
  t.is(none.status, 401);
  t.regex(String(none.json.error), /Bearer/);
  t.is((await api('POST', '/api/simulator/sms', 'f'.repeat(32), body)).status, 401);
  const forbidden = await api('POST', '/api/simulator/sms', user, body);
  t.is(forbidden.status, 403);
  t.regex(forbidden.type, /application\/json/);
  t.is((await api('GET', '/api/admin/activations', operator)).status, 403);
});

test('bad simulator input gets a 4xx with a sentence, never a stack trace', async (t) => {
  const unknown = await api('POST', '/api/simulator/sms', admin, { to: '19995550000', from: 'X', text: 'hi' });
  t.is(unknown.status, 404);
  t.regex(String(unknown.json.error), /19995550000/);
  const badTo = await api('POST', '/api/simulator/sms', admin, { to: 'abc', from: 'X', text: 'hi' });
  t.is(badTo.status, 422);
  const noText = await api('POST', '/api/simulator/sms', admin, { to: anyPhone(), from: 'X' });
  t.is(noText.status, 422);
  const broken = await api('POST', '/api/simulator/sms', admin, '{"to": ');
  t.is(broken.status, 400);
  t.notRegex(JSON.stringify(broken.json), /at \w+ \(/);
  const missing = await api('GET', '/api/no/such/thing', admin);
  t.is(missing.status, 404);
});

test('admins list live activations with id, phone, service and state', async (t) => {
  const got = await sys.api({ api_key: user, action: 'getNumber', service: 'vk', country: 'or' });
  const [, id, phone] = got.split(':');
  const r = await api('GET', '/api/admin/activations', admin);
  t.is(r.status, 200);
  const row = (r.json.activations as Record<string, unknown>[]).find((a) => a.id === Number(id));
  t.like(row, { phone, service: 'vk', state: 'waitingForReady' });
});

test('an admin\'s price change shows in getPrices at once, and announcements are listed', async (t) => {
  const r = await api('PUT', '/api/admin/prices', admin, { service: 'wa', country: 'kz', price: '51.50' });
  t.is(r.status, 200);
  const prices = JSON.parse(await sys.api({ api_key: user, action: 'getPrices', service: 'wa', country: 'kz' }));
  t.is(prices.kz.wa.cost, 51.5);
  t.is((await api('PUT', '/api/admin/prices', admin, { service: 'nope', country: 'kz', price: '1' })).status, 422);
  t.is((await api('PUT', '/api/admin/prices', admin, { service: 'wa', country: 'ru_mts', price: '1' })).status, 422);
  const made = await api('POST', '/api/admin/announcements', admin, { text: 'Изменение цены: WhatsApp (KZ) - 51.50 руб.' });
  t.is(made.status, 201);
  const list = await api('GET', '/api/announcements', user);
  t.is((list.json.announcements as { text: string }[])[0]!.text, 'Изменение цены: WhatsApp (KZ) - 51.50 руб.');
  // The site's banner is for every visitor: no key needed to read it.
  const open = await fetch(`${sys.url}/api/announcements`);
  t.is(open.status, 200);
  t.deepEqual(await open.json(), list.json);
  t.is((await api('POST', '/api/admin/announcements', operator, { text: 'x' })).status, 403);
});

test('/api/me tells the caller who they are and their balance', async (t) => {
  const r = await api('GET', '/api/me', user);
  t.like(r.json, { role: 'user', dialect: 'getsms' });
  t.regex(String(r.json.balance), /^\d+\.\d{2}$/);
});

test('an operator moves a SIM: the move is recorded, and done once the SIM is seen in its new slot, the same SIM', async (t) => {
  const [first, second] = sys.simulator!.slots();
  const sim = first!.sim;
  const target = { channel: second!.channel, slot: second!.slot };
  const r = await api('POST', '/api/sims/move', operator, { iccid: sim.iccid, ...target });
  t.is(r.status, 202);
  const move = (r.json as { move: { iccid: string; to: unknown; from: unknown; doneAt: number | null } }).move;
  t.like(move, { iccid: sim.iccid, to: target, from: { channel: first!.channel, slot: first!.slot } });
  t.not(move.doneAt, null, 'the simulator moved it at once, so the move is already done');
  const moved = await sys.store.simByIccid(sim.iccid);
  t.like(moved, { channel: target.channel, slot: target.slot, phone: sim.phone });
  t.is((await sys.store.sims()).filter((s) => s.iccid === sim.iccid).length, 1, 'recognised, not duplicated');
  const list = await api('GET', '/api/sims/moves', operator);
  t.true((list.json.moves as { iccid: string }[]).some((m) => m.iccid === sim.iccid));
  t.is((await api('POST', '/api/sims/move', operator, { iccid: '000', ...target })).status, 404);
  t.is((await api('POST', '/api/sims/move', operator, { iccid: sim.iccid, channel: 'nowhere', slot: 1 })).status, 422);
  t.is((await api('POST', '/api/sims/move', user, { iccid: sim.iccid, ...target })).status, 403);
});
