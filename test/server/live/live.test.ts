import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { WebSocket } from 'ws';
import { apiKeyHash } from '../../../actors/index.ts';
import { SqliteStore } from '../../../server/store/index.ts';
import { until } from '../../helpers/until.ts';
import { connect, order, refusal, systemFor, waitFor, type Message } from './helpers.ts';

const codeOf = (m: Message) => m.type === 'sms.received';

test('a good key opens the channel, by query or bearer header; a wrong or missing one is refused with a plain 401', async (t) => {
  const sys = await systemFor(t);
  const user = await sys.account();
  const byQuery = await connect(sys, `api_key=${user.key}`);
  t.like(await waitFor(byQuery, 'ready', (m) => m.type === 'live.ready'), { topics: ['activations'] });
  const byHeader = await connect(sys, '', { headers: { authorization: `Bearer ${user.key}` } });
  await waitFor(byHeader, 'ready', (m) => m.type === 'live.ready');
  byQuery.ws.close();
  byHeader.ws.close();

  for (const [query, headers] of [
    ['api_key=0123456789abcdef0123456789abcdef', {}],
    ['', {}],
    ['', { authorization: 'Bearer nope' }],
    [`api_key=${user.key}&api_key=${user.key}`, {}],
  ] as const) {
    const r = await refusal(sys, query, headers);
    t.is(r.status, 401, query);
    t.deepEqual(JSON.parse(r.body), { error: 'a valid API key is needed: ?api_key=<key> or "Authorization: Bearer <key>"' });
  }
});

test('a plain user may not listen to operator topics; bad topics and since are 400', async (t) => {
  const sys = await systemFor(t);
  const user = await sys.account();
  const operator = await sys.account({ role: 'operator' });
  for (const topic of ['activations.all', 'sms', 'sims', 'channels']) {
    const r = await refusal(sys, `api_key=${user.key}&topics=${topic}`);
    t.is(r.status, 403, topic);
    t.regex(JSON.parse(r.body).error, /needs the operator role/);
  }
  t.is((await refusal(sys, `api_key=${user.key}&topics=everything`)).status, 400);
  t.is((await refusal(sys, `api_key=${user.key}&since=-1`)).status, 400);
  t.is((await refusal(sys, `api_key=${user.key}&since=abc`)).status, 400);
  const ops = await connect(sys, `api_key=${operator.key}&topics=activations.all,sms`);
  t.like(await waitFor(ops, 'ready', (m) => m.type === 'live.ready'), { topics: ['activations.all', 'sms'] });
  ops.ws.close();

  // A subscribe message is held to the same rule.
  const plain = await connect(sys, `api_key=${user.key}`);
  plain.ws.send(JSON.stringify({ type: 'subscribe', topics: ['activations.all'] }));
  t.regex(String((await waitFor(plain, 'error', (m) => m.type === 'error')).error), /needs the operator role/);
  plain.ws.close();
});

test('a user receives its own activation\'s events with status, code and text, never another user\'s; an operator watching all gets both', async (t) => {
  const sys = await systemFor(t);
  const ann = await sys.account();
  const bob = await sys.account();
  const operator = await sys.account({ role: 'operator' });
  const annLive = await connect(sys, `api_key=${ann.key}`);
  const bobLive = await connect(sys, `api_key=${bob.key}`);
  const opsLive = await connect(sys, `api_key=${operator.key}&topics=activations.all`);
  for (const c of [annLive, bobLive, opsLive]) await waitFor(c, 'ready', (m) => m.type === 'live.ready');

  const a = await order(sys, ann.key, 'tg');
  const b = await order(sys, bob.key, 'vk');
  await sys.sms(a.phone, 'Telegram', 'Telegram code: 24680');
  const sms = await waitFor(annLive, 'Ann\'s code', codeOf);
  t.like(sms, { type: 'sms.received', activationId: a.id, accountId: ann.id, status: 'codeArrived', code: '24680', text: 'Telegram code: 24680', from: 'Telegram', service: 'telegram', phone: a.phone });
  t.is(typeof sms.id, 'number');
  t.deepEqual(annLive.events().map((m) => m.type), ['activation.opened', 'activation.changed', 'sms.received']);
  const ids = annLive.events().map((m) => m.id as number);
  t.deepEqual([...ids].sort((x, y) => x - y), ids, 'ids increase');

  await waitFor(opsLive, 'Ann\'s code at the operator', codeOf);
  await until('Bob\'s two events', () => (bobLive.events().length >= 2 ? true : undefined));
  t.true(bobLive.events().every((m) => m.accountId === bob.id && m.activationId === b.id), 'Bob sees only his own');
  t.false(bobLive.messages.some(codeOf), 'Ann\'s SMS never reaches Bob');
  t.true(annLive.events().every((m) => m.accountId === ann.id));
  t.deepEqual(new Set(opsLive.events().map((m) => m.accountId)), new Set([ann.id, bob.id]));
  for (const c of [annLive, bobLive, opsLive]) c.ws.close();
});

test('a client that reconnects with since=<last id> receives everything it missed, once, in order', async (t) => {
  const sys = await systemFor(t);
  const ann = await sys.account();
  const first = await connect(sys, `api_key=${ann.key}`);
  await waitFor(first, 'ready', (m) => m.type === 'live.ready');
  const a = await order(sys, ann.key, 'tg');
  await until('two events', () => (first.events().length >= 2 ? true : undefined));
  const last = first.events().at(-1)!.id as number;
  first.ws.close();
  await first.closed;

  // Away: a code arrives, the client is done, and a second order opens.
  await sys.sms(a.phone, 'Telegram', 'Telegram code: 97531');
  await until('the code', async () => ((await sys.api({ api_key: ann.key, action: 'getStatus', id: a.id })) === 'STATUS_OK:97531' ? true : undefined));
  t.is(await sys.api({ api_key: ann.key, action: 'setStatus', id: a.id, status: 6 }), 'ACCESS_ACTIVATION');
  const second = await order(sys, ann.key, 'vk');
  const missed = await until('the log holds them', async () => {
    const all = await sys.store.eventsSince({ after: last, limit: 1000, accountId: ann.id });
    return all.some((e) => e.data.activationId === second.id && e.type === 'activation.changed') ? all : undefined;
  });

  const again = await connect(sys, `api_key=${ann.key}&since=${last}`);
  const ready = await waitFor(again, 'ready after the replay', (m) => m.type === 'live.ready');
  t.deepEqual(again.events().map((m) => m.id), missed.map((e) => e.id), 'every missed event, in order, nothing else');
  t.true(again.events().some((m) => m.type === 'sms.received' && m.code === '97531'));
  t.is(ready.lastEventId, missed.at(-1)!.id);
  t.is(again.messages.indexOf(ready), missed.length, 'ready comes after the replay');

  // And it goes on live without a gap or a repeat.
  await sys.sms(second.phone, 'VK', 'VK: 314159 — код подтверждения');
  const live = await waitFor(again, 'the live code', (m) => m.type === 'sms.received' && m.activationId === second.id);
  t.true((live.id as number) > (ready.lastEventId as number));
  const ids = again.events().map((m) => m.id as number);
  t.is(new Set(ids).size, ids.length, 'no event twice');
  again.ws.close();
});

test('a resume from before what retention kept is told about the gap', async (t) => {
  const sys = await systemFor(t);
  const ann = await sys.account();
  // The farm's start-up news (its SIMs coming online) is written now; an empty log makes the old events the oldest.
  await sys.live.farm.settled();
  await sys.store.pruneEvents({ before: Date.now() + 60_000, keep: 0 });
  for (let i = 0; i < 3; i++) await sys.store.appendEvent({ at: 1, topic: 'activation', type: 'activation.changed', accountId: ann.id, data: { activationId: 1 } });
  const kept = await sys.store.appendEvent({ at: Date.now(), topic: 'activation', type: 'activation.changed', accountId: ann.id, data: { activationId: 2 } });
  await sys.live.hub.prune();
  const c = await connect(sys, `api_key=${ann.key}&since=1`);
  await waitFor(c, 'ready', (m) => m.type === 'live.ready');
  t.like(c.messages[0], { type: 'live.gap', since: 1, oldestEventId: kept.id });
  t.deepEqual(c.events().map((m) => m.id), [kept.id]);
  c.ws.close();
});

// Serial: a heartbeat this short must not share the event loop with the bulk tests.
test.serial('a peer that stops answering pings is dropped; one that answers stays', async (t) => {
  const sys = await systemFor(t, { LIVE_HEARTBEAT_MS: '200' });
  const ann = await sys.account();
  const alive = await connect(sys, `api_key=${ann.key}`);
  let pings = 0;
  alive.ws.on('ping', () => pings++);
  const dead = await connect(sys, `api_key=${ann.key}`, { autoPong: false });
  const { code } = await dead.closed; // terminated: no close frame
  t.is(code, 1006);
  await until('five pings', () => (pings >= 5 ? true : undefined));
  t.false(alive.isClosed());
  alive.ws.close();
});

test('bad frames get an error message and crash nothing; the connection keeps working', async (t) => {
  const sys = await systemFor(t);
  const ann = await sys.account();
  const c = await connect(sys, `api_key=${ann.key}`);
  await waitFor(c, 'ready', (m) => m.type === 'live.ready');
  for (const frame of ['not json', '{"type":"subscribe","topics":"x"}', '[]', 'null', '{"type":"dance"}', '{"type":"subscribe","topics":[1,2]}']) {
    c.ws.send(frame);
  }
  c.ws.send(Buffer.from([0xff, 0x00, 0x13]), { binary: true });
  await until('seven errors', () => (c.messages.filter((m) => m.type === 'error').length >= 7 ? true : undefined));
  c.ws.send(JSON.stringify({ type: 'unsubscribe', topics: ['activations'] }));
  t.like(await waitFor(c, 'topics', (m) => m.type === 'live.topics'), { topics: [] });

  // Too large a frame closes that connection (1009) and nothing else.
  const other = await connect(sys, `api_key=${ann.key}`);
  c.ws.send('x'.repeat(10_000));
  t.is((await c.closed).code, 1009);
  const a = await order(sys, ann.key);
  t.like(await waitFor(other, 'still live', (m) => m.type === 'activation.opened'), { activationId: a.id });
  other.ws.close();
});

test('a slow consumer is cut off with 4008 at the buffer bound while a fast one gets every event; events another process appends are delivered', async (t) => {
  const sys = await systemFor(t, { LIVE_MAX_BUFFER_KB: '256', LIVE_POLL_MS: '50' });
  const ann = await sys.account();
  const fast = await connect(sys, `api_key=${ann.key}`);
  const slow = await connect(sys, `api_key=${ann.key}`);
  for (const c of [fast, slow]) await waitFor(c, 'ready', (m) => m.type === 'live.ready');
  slow.socket.pause();

  // Another process sharing the database appends: the hub finds the events by polling the log.
  const other = new SqliteStore(join(sys.dataDir, 'getsms.sqlite'));
  t.teardown(() => other.close());
  const count = 8000;
  const text = 'x'.repeat(1000);
  for (let i = 0; i < count; i++) {
    await other.appendEvent({ at: Date.now(), topic: 'activation', type: 'activation.changed', accountId: ann.id, data: { activationId: i, text } });
  }
  await until(`the fast client's ${count} events`, () => (fast.events().length >= count ? true : undefined), 120_000);
  slow.socket.resume();
  const { code, reason } = await slow.closed;
  t.is(code, 4008);
  t.is(reason, 'slow consumer');
  t.true(slow.events().length < count);
  t.false(fast.isClosed());
  const ids = fast.events().map((m) => m.id as number);
  t.is(new Set(ids).size, count, 'each once');
  fast.ws.close();
});

test.serial('a connection whose key was replaced is closed with 4001 at the next heartbeat', async (t) => {
  const sys = await systemFor(t, { LIVE_HEARTBEAT_MS: '200' });
  const ann = await sys.account();
  const c = await connect(sys, `api_key=${ann.key}`);
  await waitFor(c, 'ready', (m) => m.type === 'live.ready');
  await sys.store.setApiKeyHash(ann.id, apiKeyHash('a-new-key-0123456789'));
  t.deepEqual(await c.closed, { code: 4001, reason: 'credentials no longer valid' });
});

test('an upgrade on another path is a 404; the live channel is at /ws', async (t) => {
  const sys = await systemFor(t);
  const ann = await sys.account();
  const status = await new Promise<number | undefined>((resolve) => {
    const ws = new WebSocket(`${sys.url.replace(/^http/, 'ws')}/live?api_key=${ann.key}`);
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode));
    ws.on('open', () => resolve(101));
    ws.on('error', () => {});
  });
  t.is(status, 404);
});

test('with TLS configured the live channel answers on the HTTPS port too (wss)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'getsms-wss-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  const sys = await systemFor(t, { TLS_CERT: cert, TLS_KEY: key, TLS_PORT: '0' });
  const ann = await sys.account();
  const messages: Record<string, unknown>[] = [];
  const ws = new WebSocket(`wss://127.0.0.1:${sys.tlsPort}/ws?api_key=${ann.key}`, { rejectUnauthorized: false });
  ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as Record<string, unknown>));
  await until('ready over TLS', () => messages.find((m) => m.type === 'live.ready'));
  const a = await order(sys, ann.key);
  t.like(await until('the order over TLS', () => messages.find((m) => m.type === 'activation.opened')), { activationId: a.id });
  ws.close();
});
