import test from 'ava';
import { until } from '../../helpers/until.ts';
import type { TestSystem } from '../../helpers/system.ts';
import { connect, order, refusal, systemFor, waitFor, type Message } from './helpers.ts';

/** A JSON API call with a bearer key; resolves to the status and the answer. */
async function json(sys: TestSystem, key: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${sys.url}/api${path}`, {
    method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const farmTypes = new Set(['channel.changed', 'sim.changed']);
const isRaw = (m: Message) => m.type === 'sms.received' && Array.isArray(m.activationIds);

test('an operator on sms and sims gets the raw SMS feed and SIM moves; a plain user gets neither and cannot ask', async (t) => {
  const sys = await systemFor(t);
  const operator = await sys.account({ role: 'operator' });
  const ann = await sys.account();
  const ops = await connect(sys, `api_key=${operator.key}&topics=channels,sims,sms`);
  const annLive = await connect(sys, `api_key=${ann.key}`);
  for (const c of [ops, annLive]) await waitFor(c, 'ready', (m) => m.type === 'live.ready');
  for (const topic of ['sms', 'sims', 'channels']) {
    t.is((await refusal(sys, `api_key=${ann.key}&topics=activations,${topic}`)).status, 403, topic);
  }
  annLive.ws.send(JSON.stringify({ type: 'subscribe', topics: ['sms'] }));
  t.regex(String((await waitFor(annLive, 'refusal', (m) => m.type === 'error')).error), /needs the operator role/);

  // An SMS that no one takes, and one that Ann's activation takes: both are in the raw feed.
  const sims = await sys.store.sims();
  const a = await order(sys, ann.key);
  const idle = sims.find((s) => s.online && s.phone !== a.phone)!;
  await sys.sms(idle.phone, 'Bank', 'Your balance is 100 rub');
  await sys.sms(a.phone, 'Telegram', 'Telegram code: 11223');
  const lonely = await waitFor(ops, 'the untaken SMS', (m) => isRaw(m) && m.text === 'Your balance is 100 rub');
  t.like(lonely, { type: 'sms.received', accountId: null, from: 'Bank', phone: idle.phone, iccid: idle.iccid, activationIds: [], rentIds: [] });
  t.is(typeof lonely.smsId, 'number');
  const taken = await waitFor(ops, 'the code SMS', (m) => isRaw(m) && m.phone === a.phone);
  t.deepEqual(taken.activationIds, [a.id]);
  t.false(ops.events().some((m) => typeof m.activationId === 'number'), 'no activation events without activations.all');

  // A SIM moved: asked for (moveRequested), then seen in its new slot (moved).
  const target = sims.find((s) => s.channel !== idle.channel)!;
  const moved = await json(sys, operator.key, 'POST', '/sims/move', { iccid: idle.iccid, channel: target.channel, slot: target.slot });
  t.is(moved.status, 202);
  const asked = await waitFor(ops, 'move requested', (m) => m.type === 'sim.changed' && m.iccid === idle.iccid && m.change === 'moveRequested');
  t.like(asked, { accountId: null, move: { to: { channel: target.channel, slot: target.slot }, doneAt: null } });
  t.like(await waitFor(ops, 'moved', (m) => m.type === 'sim.changed' && m.iccid === idle.iccid && m.change === 'moved'),
    { channel: target.channel, slot: target.slot, phone: idle.phone });

  // Ann saw her own activation and nothing of the farm.
  await waitFor(annLive, 'her code', (m) => m.type === 'sms.received' && m.code === '11223');
  t.true(annLive.events().every((m) => m.accountId === ann.id), 'only her own events');
  t.false(annLive.events().some((m) => isRaw(m) || farmTypes.has(String(m.type))));
  // A resume from the start replays her slice only.
  const again = await connect(sys, `api_key=${ann.key}&since=0`);
  await waitFor(again, 'replayed', (m) => m.type === 'live.ready');
  t.true(again.events().length > 0 && again.events().every((m) => m.accountId === ann.id));
  for (const c of [ops, annLive, again]) c.ws.close();
});

test('a renter gets her rent opened, each SMS and its end on her own stream; another user gets none', async (t) => {
  const sys = await systemFor(t);
  await sys.store.setRentPrice('ru', 24_000);
  const ann = await sys.account({ rubles: 1000 });
  const bob = await sys.account({ rubles: 1000 });
  const operator = await sys.account({ role: 'operator' });
  const annLive = await connect(sys, `api_key=${ann.key}`);
  const bobLive = await connect(sys, `api_key=${bob.key}`);
  const ops = await connect(sys, `api_key=${operator.key}&topics=activations.all,sms`);
  for (const c of [annLive, bobLive, ops]) await waitFor(c, 'ready', (m) => m.type === 'live.ready');

  const offers = await json(sys, ann.key, 'GET', '/rent/offers?hours=4');
  t.like(offers.body, { hours: 4 });
  t.like((offers.body.offers as Message[]).find((o) => o.country === 'ru'), { dayPrice: '240.00', price: '40.00' });
  const made = await json(sys, ann.key, 'POST', '/rents', { country: 'ru', hours: 4 });
  t.is(made.status, 201);
  const rent = made.body.rent as { id: number; phone: string; commands: string[] };
  t.deepEqual(rent.commands, ['finish', 'cancel']);
  t.like(await waitFor(annLive, 'opened', (m) => m.type === 'rent.opened'), { rentId: rent.id, phone: rent.phone, accountId: ann.id, status: 'renting', live: true });

  await sys.sms(rent.phone, 'SPORTMASTER', 'Скидка 20% только сегодня');
  t.like(await waitFor(annLive, 'the SMS', (m) => m.type === 'rent.sms'),
    { rentId: rent.id, from: 'SPORTMASTER', text: 'Скидка 20% только сегодня', accountId: ann.id });
  t.like(await waitFor(ops, 'raw feed names the rent', (m) => isRaw(m) && m.phone === rent.phone), { rentIds: [rent.id] });
  await waitFor(ops, 'operator watching all sees the rent', (m) => m.type === 'rent.sms' && m.rentId === rent.id);

  // After an SMS a cancel is refused (sms-activate's rule); finishing ends it.
  t.like((await json(sys, ann.key, 'POST', `/rents/${rent.id}/status`, { command: 'cancel' })), { status: 409, body: { code: 'cantCancel' } });
  t.like((await json(sys, bob.key, 'POST', `/rents/${rent.id}/status`, { command: 'finish' })), { status: 404, body: { code: 'noRent' } });
  const done = await json(sys, ann.key, 'POST', `/rents/${rent.id}/status`, { command: 'finish' });
  t.like(done, { status: 200, body: { rent: { state: 'finished', live: false, commands: [] } } });
  t.like(await waitFor(annLive, 'ended', (m) => m.type === 'rent.ended'), { rentId: rent.id, status: 'finished', live: false });
  const listed = await json(sys, ann.key, 'GET', '/rents');
  t.like((listed.body.rents as Message[])[0], { id: rent.id, state: 'finished', messages: [{ from: 'SPORTMASTER' }] });
  t.deepEqual((await json(sys, bob.key, 'GET', '/rents')).body.rents, []);

  // Bob heard nothing of it, live or on a resume from the start.
  await until('bob\'s quiet resume', async () => {
    const replay = await connect(sys, `api_key=${bob.key}&since=0`);
    await waitFor(replay, 'ready', (m) => m.type === 'live.ready');
    replay.ws.close();
    return replay.events().length === 0 ? true : undefined;
  });
  t.deepEqual(bobLive.events(), []);
  t.deepEqual(annLive.events().map((m) => m.type), ['rent.opened', 'rent.sms', 'rent.ended']);
  for (const c of [annLive, bobLive, ops]) c.ws.close();
});

test('an early cancel before any SMS is refunded and ends the rent on the renter\'s stream', async (t) => {
  const sys = await systemFor(t);
  await sys.store.setRentPrice('ru', 24_000);
  const ann = await sys.account({ rubles: 100 });
  const annLive = await connect(sys, `api_key=${ann.key}`);
  await waitFor(annLive, 'ready', (m) => m.type === 'live.ready');
  const made = await json(sys, ann.key, 'POST', '/rents', { country: 'ru', hours: 2 });
  const id = (made.body.rent as { id: number }).id;
  t.like((await json(sys, ann.key, 'GET', '/me')).body, { balance: '80.00' });
  t.like(await json(sys, ann.key, 'POST', `/rents/${id}/status`, { command: 'cancel' }), { status: 200, body: { rent: { state: 'cancelled' } } });
  t.like(await waitFor(annLive, 'ended', (m) => m.type === 'rent.ended'), { rentId: id, status: 'cancelled' });
  t.like((await json(sys, ann.key, 'GET', '/me')).body, { balance: '100.00' });
  t.like(await json(sys, ann.key, 'POST', '/rents', { country: 'ru', hours: 1 }), { status: 422, body: { code: 'badHours' } });
  t.like(await json(sys, ann.key, 'POST', '/rents', { country: 'ru', hours: 200 }), { status: 409, body: { code: 'noBalance' } });
  annLive.ws.close();
});

test('with modem channels (the AT simulator) an operator on channels gets each channel\'s picture', async (t) => {
  const sys = await systemFor(t, { SIMULATOR: 'at', SIM_MODEMS: '2' });
  const operator = await sys.account({ role: 'operator' });
  const ops = await connect(sys, `api_key=${operator.key}&topics=channels,sims&since=0`);
  const ready = await waitFor(ops, 'a ready channel', (m) => m.type === 'channel.changed' && m.state === 'ready', 120_000);
  t.like(ready, { accountId: null, registered: true });
  t.is(typeof ready.channel, 'string');
  t.regex(String(ready.iccid), /^\d{18,20}F?$/i);
  t.true(ops.events().some((m) => m.type === 'sim.changed' && m.change === 'online'));
  // Unchanged pictures are not written again: no two consecutive events of a channel say the same.
  const pictures = new Map<string, string>();
  for (const m of ops.events().filter((e) => e.type === 'channel.changed')) {
    const { id: _id, at: _at, ...picture } = m;
    const key = JSON.stringify(picture);
    t.not(pictures.get(String(m.channel)), key);
    pictures.set(String(m.channel), key);
  }
  ops.ws.close();
});
