import { execFile } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { signatureHeader, verifySignature } from '../../../server/webhooks/index.ts';
import { httpRequest, startTestSystem, type TestSystem } from '../../helpers/system.ts';
import { until } from '../../helpers/until.ts';
import { order, systemFor } from '../live/helpers.ts';

/** The receivers here listen on 127.0.0.1, which webhooks may reach only when an operator allows it. */
const localReceiver = { WEBHOOK_ALLOW_PRIVATE: '1' };

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1 that answers `status(n)` to its n-th request (1-based). */
async function receiver(t: ExecutionContext, status: (n: number) => number = () => 200, port = 0) {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = status(got.length);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const close = () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
  t.teardown(close);
  return { got, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, port: (server.address() as AddressInfo).port, close };
}

async function setWebhook(sys: TestSystem, key: string, body: unknown) {
  const res = await httpRequest(sys.url, {
    method: 'PUT', path: '/api/me/webhook', body: JSON.stringify(body),
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
  });
  return { status: res.status, json: JSON.parse(res.body) as Record<string, unknown> };
}

async function getWebhook(sys: TestSystem, key: string) {
  const res = await httpRequest(sys.url, { path: '/api/me/webhook', headers: { authorization: `Bearer ${key}` } });
  return JSON.parse(res.body) as { webhook: { url: string; secret: string } | null; deliveries: Record<string, unknown>[] };
}

test('a webhook URL must be http or https: anything else is a 400 with a sentence', async (t) => {
  const sys = await systemFor(t, localReceiver);
  const ann = await sys.account();
  for (const [url, why] of [
    ['ftp://example.com/hook', /must be http:\/\/ or https:\/\/, not ftp/],
    ['javascript:alert(1)', /must be http:\/\/ or https:\/\/, not javascript/],
    ['file:///etc/passwd', /not file/],
    ['not a url', /is not a URL/],
    ['', /must be an http/],
    [42, /must be an http/],
    ['https://user:pw@example.com/', /user name or password/],
  ] as const) {
    const r = await setWebhook(sys, ann.key, { url });
    t.is(r.status, 400, String(url));
    t.regex(String(r.json.error), why);
  }
  t.is((await getWebhook(sys, ann.key)).webhook, null);
  const ok = await setWebhook(sys, ann.key, { url: 'https://hooks.example/getsms' });
  t.is(ok.status, 200);
  t.like(ok.json.webhook, { url: 'https://hooks.example/getsms', signatureHeader: 'X-Getsms-Signature' });
  const secret = (ok.json.webhook as { secret: string }).secret;
  t.regex(secret, /^whsec_[0-9a-f]{48}$/);
  t.is(((await setWebhook(sys, ann.key, { url: 'http://hooks.example/other' })).json.webhook as { secret: string }).secret, secret, 'the secret stays with a new URL');
  t.not(((await setWebhook(sys, ann.key, { url: 'http://hooks.example/other', rotateSecret: true })).json.webhook as { secret: string }).secret, secret);
  const del = await httpRequest(sys.url, { method: 'DELETE', path: '/api/me/webhook', headers: { authorization: `Bearer ${ann.key}` } });
  t.is(del.status, 204);
  t.is((await getWebhook(sys, ann.key)).webhook, null);
});

test('an SMS for the user\'s activation is POSTed as sms-activate\'s payload with a valid signature, and never for another user\'s', async (t) => {
  const hooks = await receiver(t);
  const sys = await systemFor(t, localReceiver);
  const ann = await sys.account();
  const bob = await sys.account();
  const annHook = await setWebhook(sys, ann.key, { url: `${hooks.url}/ann` });
  const secret = (annHook.json.webhook as { secret: string }).secret;
  await setWebhook(sys, bob.key, { url: `${hooks.url}/bob` });

  const a = await order(sys, ann.key, 'tg');
  const b = await order(sys, bob.key, 'vk');
  await sys.sms(a.phone, 'Telegram', 'Telegram code: 55123');
  await sys.sms(b.phone, 'VK', 'VK: 777888 — код подтверждения');
  await until('both deliveries', () => (hooks.got.length >= 2 ? true : undefined));
  const toAnn = hooks.got.filter((r) => r.path === '/ann');
  t.is(toAnn.length, 1, 'only Ann\'s SMS reaches Ann\'s URL');
  const r = toAnn[0]!;
  const body = JSON.parse(r.body) as Record<string, unknown>;
  t.deepEqual(Object.keys(body).sort(), ['activationId', 'code', 'country', 'receivedAt', 'service', 'text']);
  t.like(body, { activationId: a.id, service: 'tg', text: 'Telegram code: 55123', code: '55123', country: 0 });
  t.regex(String(body.receivedAt), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  t.is(r.headers['content-type'], 'application/json');
  const header = r.headers[signatureHeader.toLowerCase()] as string;
  t.regex(header, /^t=\d+,v1=[0-9a-f]{64}$/);
  t.true(verifySignature(secret, r.body, header, Math.floor(Date.now() / 1000)));
  t.false(verifySignature(secret, r.body.replace('55123', '55124'), header, Math.floor(Date.now() / 1000)), 'a changed body fails');
  t.false(verifySignature('whsec_other', r.body, header, Math.floor(Date.now() / 1000)), 'another secret fails');
  const toBob = hooks.got.filter((x) => x.path === '/bob');
  t.is(toBob.length, 1);
  t.like(JSON.parse(toBob[0]!.body), { activationId: b.id, code: '777888' });
  t.like((await getWebhook(sys, ann.key)).deliveries[0], { state: 'delivered', attempts: 1 });
});

test('a failed delivery is retried with back-off until it is accepted', async (t) => {
  const hooks = await receiver(t, (n) => (n <= 2 ? 500 : 200));
  const sys = await systemFor(t, { ...localReceiver, WEBHOOK_RETRY_MS: '50' });
  const ann = await sys.account();
  await setWebhook(sys, ann.key, { url: `${hooks.url}/flaky` });
  const a = await order(sys, ann.key);
  await sys.sms(a.phone, 'Telegram', 'Telegram code: 80808');
  const done = await until('delivered', async () => {
    const d = (await getWebhook(sys, ann.key)).deliveries[0];
    return d?.state === 'delivered' ? d : undefined;
  });
  t.like(done, { attempts: 3, lastError: null });
  t.is(hooks.got.length, 3);
  t.deepEqual(hooks.got.map((r) => r.headers['x-getsms-attempt']), ['1', '2', '3']);
  t.is(new Set(hooks.got.map((r) => r.body)).size, 1, 'the same body each time');
  t.is(new Set(hooks.got.map((r) => r.headers['x-getsms-delivery'])).size, 1, 'the same delivery id each time');
});

test('a delivery given up after its attempts stops; one pending across a restart is sent by the next process', async (t) => {
  // A port with nothing listening: every attempt is refused.
  const probe = await receiver(t);
  const deadUrl = probe.url;
  await probe.close();
  const dataDir = mkdtempSync(join(tmpdir(), 'getsms-webhook-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));

  const first = await startTestSystem({ ...localReceiver, DATA_DIR: dataDir, WEBHOOK_RETRY_MS: '60000', WEBHOOK_ATTEMPTS: '3' });
  const ann = await first.account();
  await setWebhook(first, ann.key, { url: `${deadUrl}/later` });
  const a = await order(first, ann.key);
  await first.sms(a.phone, 'Telegram', 'Telegram code: 60606');
  const pending = await until('a failed first attempt', async () => {
    const d = (await getWebhook(first, ann.key)).deliveries[0];
    return d && d.attempts === 1 && d.lastError !== null ? d : undefined;
  });
  t.is(pending.state, 'pending');
  t.regex(String(pending.lastError), /ECONNREFUSED/);
  await first.close();

  // The receiver is back on the same port; the next process finds the delivery in the store (its retry is due at once here).
  const hooks = await receiver(t, () => 200, probe.port);
  const second = await startTestSystem({ ...localReceiver, DATA_DIR: dataDir, WEBHOOK_RETRY_MS: '50', WEBHOOK_ATTEMPTS: '3' });
  t.teardown(() => second.close());
  await second.store.finishWebhook(pending.id as number, { delivered: false, error: 'test: due now', retryAt: Date.now(), at: Date.now() });
  await until('delivered after the restart', () => (hooks.got.length >= 1 ? true : undefined));
  t.like(JSON.parse(hooks.got[0]!.body), { activationId: a.id, code: '60606' });
  t.like((await getWebhook(second, ann.key)).deliveries[0], { state: 'delivered', attempts: 2 });

  // Nothing listening and few attempts: given up, not retried for ever.
  await hooks.close();
  const b = await order(second, ann.key, 'vk');
  await second.sms(b.phone, 'VK', 'VK: 123987 — код');
  const failed = await until('given up', async () => {
    const d = (await getWebhook(second, ann.key)).deliveries.find((x) => String(x.body).includes('123987'));
    return d?.state === 'failed' ? d : undefined;
  });
  t.is(failed.attempts, 3);
});

/** The real command line on a data directory. */
function cli(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'bin', 'getsms.js'), ...args], { cwd: root, env: { ...process.env, DATA_DIR: dataDir } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

test('the CLI sets and removes a user\'s webhook, refusing a non-http(s) URL with one sentence', async (t) => {
  const sys = await systemFor(t, localReceiver);
  const email = `hook-${process.pid}@test.local`;
  const ann = await sys.account({ email });
  const bad = await cli(sys.dataDir, 'user', 'webhook', '--email', email, '--url', 'ftp://example.com/x');
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--url must be http:\/\/ or https:\/\/, not ftp/);
  const set = await cli(sys.dataDir, 'user', 'webhook', '--email', email, '--url', 'https://hooks.example/cli');
  t.is(set.code, 0, set.stderr);
  const secret = /signing secret (whsec_[0-9a-f]+)/.exec(set.stdout)?.[1];
  t.truthy(secret);
  t.like((await getWebhook(sys, ann.key)).webhook, { url: 'https://hooks.example/cli', secret });
  t.is((await cli(sys.dataDir, 'user', 'webhook', '--email', email, '--remove')).code, 0);
  t.is((await getWebhook(sys, ann.key)).webhook, null);
});
