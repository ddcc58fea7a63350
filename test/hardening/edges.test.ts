import test from 'ava';
import fc from 'fast-check';
import { connect as tcp, type Socket } from 'node:net';
import WebSocket from 'ws';
import { httpRequest, startTestSystem, type TestSystem } from '../helpers/system.ts';
import { until } from '../helpers/until.ts';
import { runs, seed } from './runs.ts';
import { leaksInternals, rawHttp } from './wire.ts';

/**
 * The JSON API's bodies, the live channel's frames, huge parameters and bodies, and slow or many clients.
 * Bad input gets a 4xx with {"error"} or a documented close code; an attack on some sockets leaves
 * everyone else answered. Nothing here measures speed: bounds are generous, and only "answered" counts.
 */

let sys: TestSystem;
let key: string;
let activation: number;
test.before(async () => {
  sys = await startTestSystem();
  ({ key } = await sys.account({ rubles: 1000 }));
  activation = Number((await sys.api({ api_key: key, action: 'getNumber', service: 'vk', country: 'ru' })).split(':')[1]);
});
test.after.always(() => sys?.close());

const status = () => sys.api({ api_key: key, action: 'getStatus', id: activation });

/** Any JSON value, and text that is almost JSON. */
const bodies = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.record({ command: fc.oneof(fc.string(), fc.jsonValue()), url: fc.oneof(fc.string(), fc.jsonValue()), email: fc.jsonValue(), password: fc.jsonValue() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{', '{"a":', '[1,2', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', 'null', '"str"', '1e999', '\u0000'),
);
// Not /api/me/key: it would replace the key the other tests poll with.
const routes = [['POST', '/api/activations'], ['POST', `/api/activations/1/status`], ['PUT', '/api/me/webhook'],
  ['POST', '/api/session'], ['POST', '/api/accounts'], ['POST', '/api/simulator/sms'], ['POST', '/api/rents'], ['PATCH', '/api/me']] as const;

test('JSON API: random bodies on every route that reads one: never a 5xx, every error a 4xx with {"error"}', async (t) => {
  const n = runs(400);
  let tried = 0;
  const statuses: Record<number, number> = {};
  await fc.assert(fc.asyncProperty(fc.constantFrom(...routes), bodies, fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'), async ([method, path], body, type) => {
    tried++;
    const r = await httpRequest(sys.url, { method, path, body, headers: { authorization: `Bearer ${key}`, 'content-type': type } });
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.status >= 500) throw new Error(`${method} ${path} ${body.slice(0, 100)}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
    if (leaksInternals(r.body)) throw new Error(`${method} ${path}: ${r.body.slice(0, 300)}`);
    if (r.status >= 400 && r.status !== 405) {
      const error = (JSON.parse(r.body) as { error?: unknown }).error;
      if (typeof error !== 'string' || error === '') throw new Error(`${method} ${path}: ${r.status} without {"error"}: ${r.body.slice(0, 200)}`);
    }
    return true;
  }), { numRuns: n, seed: seed() });
  t.log(`${tried} bodies; answers by status: ${JSON.stringify(statuses)}`);
  t.regex(await status(), /^(STATUS_|ACCESS_)/);
});

/** Close codes the live channel documents: normal, going away, protocol error, not text, invalid UTF-8, too big, its own 40xx. */
const documented = new Set([1000, 1001, 1002, 1003, 1007, 1009, 4001, 4008, 4009]);

test('live channel: random text and binary frames, invalid JSON and oversized ones: answered, or closed with a documented code', async (t) => {
  const n = runs(100);
  let tried = 0;
  const endings: Record<number | string, number> = {};
  const url = `${sys.url.replace(/^http/, 'ws')}/ws?api_key=${key}`;
  await fc.assert(fc.asyncProperty(
    fc.oneof(
      fc.string({ maxLength: 300, unit: 'binary' }).map((s) => ({ data: s as string | Buffer, binary: false })),
      fc.jsonValue({ maxDepth: 3 }).map((v) => ({ data: JSON.stringify(v) as string | Buffer, binary: false })),
      fc.record({ type: fc.constantFrom('subscribe', 'unsubscribe', 'x'), topics: fc.jsonValue() }).map((v) => ({ data: JSON.stringify(v) as string | Buffer, binary: false })),
      fc.uint8Array({ maxLength: 300 }).map((b) => ({ data: Buffer.from(b) as string | Buffer, binary: true })),
      fc.integer({ min: 4097, max: 200_000 }).map((size) => ({ data: 'x'.repeat(size) as string | Buffer, binary: false })),
      fc.constant({ data: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) as string | Buffer, binary: false }), // "{" invalid UTF-8 "}" as text
    ),
    async ({ data, binary }) => {
      tried++;
      const ws = new WebSocket(url, { perMessageDeflate: false });
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      ws.on('error', () => {});
      await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('unexpected-response', () => reject(new Error('refused'))); });
      const got: string[] = [];
      ws.on('message', (m) => got.push(m.toString()));
      ws.send(data, { binary });
      ws.send(JSON.stringify({ type: 'subscribe', topics: ['activations'] }));
      // Either the valid subscribe after it is answered (the connection survived), or the server closed it.
      const outcome = await Promise.race([
        closed.then((code) => `closed ${code}`),
        until('live.topics after a bad frame', () => got.find((m) => m.includes('"live.topics"') && m.includes('activations')), 60_000).then(() => 'answered'),
      ]);
      if (outcome === 'answered') ws.close(1000);
      else if (!documented.has(Number(outcome.slice(7)))) throw new Error(`${outcome} after ${String(data).slice(0, 80)}`);
      await closed;
      endings[outcome] = (endings[outcome] ?? 0) + 1;
      return true;
    },
  ), { numRuns: n, seed: seed() });
  t.log(`${tried} frames: ${JSON.stringify(endings)}`);
  t.regex(await status(), /^(STATUS_|ACCESS_)/, 'the server lives');
});

test('huge parameters and bodies: a protocol word or a 4xx, never a 5xx; memory stays bounded', async (t) => {
  const heapBefore = process.memoryUsage().heapUsed;
  const big = 'A'.repeat(60_000);
  const answers: string[] = [];
  // A request target over Node's 16 KiB header limit is its 431; under it, the gateway's word.
  for (const size of [1_000, 8_000, 15_000, 100_000]) {
    const r = await rawHttp(sys.port, `GET /stubs/handler_api.php?api_key=${key}&action=getStatus&id=${activation}&x=${'9'.repeat(size)} HTTP/1.0\r\nHost: a\r\n\r\n`);
    t.true(r.status === 200 || r.status === 431 || r.status === 414, `target of ${size}: ${r.status}`);
    if (r.status === 200) t.regex(r.body, /^(STATUS_|ACCESS_)/);
    answers.push(`${size}:${r.status}`);
  }
  // Form bodies past the 16 KiB limit are ignored (the query still counts); JSON past 64 KiB is a 413 with {"error"}.
  const form = await httpRequest(sys.url, { method: 'POST', path: `/stubs/handler_api.php?api_key=${key}&action=getStatus&id=${activation}`, body: `x=${big}` });
  t.is(form.status, 200);
  t.regex(form.body, /^(STATUS_|ACCESS_)/);
  const json = await httpRequest(sys.url, {
    method: 'PUT', path: '/api/me/webhook', body: JSON.stringify({ url: `https://example.com/${big}${big}` }),
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
  });
  t.is(json.status, 413);
  t.truthy((JSON.parse(json.body) as { error?: string }).error);
  const sms = await rawHttp(sys.port, `GET /getNum.php?apikey=${key}&service=${'v'.repeat(12_000)} HTTP/1.0\r\nHost: a\r\n\r\n`);
  t.is(sms.status, 200);
  t.like(JSON.parse(sms.body), { response: 'ERROR' });
  const grown = process.memoryUsage().heapUsed - heapBefore;
  t.log(`targets ${answers.join(', ')}; heap grew ${Math.round(grown / 1024)} KiB`);
  t.true(grown < 64 * 1024 * 1024, 'no request kept its bytes');
});

/** A socket that sends the start of a request and then one byte at a time, never finishing its headers. */
function dribble(bytes: string, everyMs: number): { socket: Socket; stop: () => void } {
  const socket = tcp(sys.port, '127.0.0.1');
  socket.on('error', () => {});
  let at = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || at >= bytes.length) return;
    socket.write(bytes[at++]!);
  }, everyMs);
  return { socket, stop: () => { clearInterval(timer); socket.destroy(); } };
}

test('slowloris and many half-open connections: other clients keep getting answers', async (t) => {
  const header = `GET /stubs/handler_api.php?api_key=${key}&action=getStatus&id=${activation} HTTP/1.1\r\nHost: a\r\n${'X-Slow: y\r\n'.repeat(200)}`;
  const slow = Array.from({ length: 50 }, () => dribble(header, 20));
  const idle = Array.from({ length: 200 }, () => {
    const s = tcp(sys.port, '127.0.0.1');
    s.on('error', () => {});
    return s;
  });
  const halfBodies = Array.from({ length: 50 }, () => {
    const s = tcp(sys.port, '127.0.0.1');
    s.on('error', () => {});
    s.write(`POST /stubs/handler_api.php HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\napi_key=`);
    return s;
  });
  t.teardown(() => {
    for (const s of slow) s.stop();
    for (const s of [...idle, ...halfBodies]) s.destroy();
  });
  let answered = 0;
  for (let i = 0; i < 20; i++) {
    t.regex(await status(), /^(STATUS_|ACCESS_)/); // it answers; how fast is bench/'s business
    answered++;
  }
  t.log(`${answered} getStatus answered beside 50 dribbling, 200 idle and 50 half-body connections`);
});

test('the server\'s own timeouts: headers must arrive within headersTimeout, or the socket is answered 408 and closed', async (t) => {
  const { socket, stop } = dribble('GET /stubs/handler_api.php HTTP/1.1\r\nHost: a\r\n' + 'X: y\r\n'.repeat(10_000), 200);
  t.teardown(stop);
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  await new Promise((resolve) => socket.on('close', resolve)); // headersTimeout (10 s) plus the 1 s check; no assertion on when
  t.regex(Buffer.concat(chunks).toString(), /^HTTP\/1\.1 408/);
});
