import test from 'ava';
import { lookup } from 'node:dns/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { guardedLookup, isPrivateAddress, privateHost } from '../../server/webhooks/index.ts';
import { httpRequest, startTestSystem, type TestSystem } from '../helpers/system.ts';
import { until } from '../helpers/until.ts';
import { order } from '../server/live/helpers.ts';

/**
 * Webhooks and SSRF: an account may not point its webhook at loopback, private or link-local addresses
 * (cloud metadata at 169.254.169.254, the admin port on 127.0.0.1, the office LAN) unless an operator
 * sets WEBHOOK_ALLOW_PRIVATE; and a name is checked again when a delivery resolves it (DNS rebinding).
 */

test('private, loopback, link-local and reserved addresses are private; public ones are not', (t) => {
  for (const ip of ['127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1',
    '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', '::ffff:127.0.0.1', '::ffff:7f00:1',
    '::ffff:10.0.0.1', '::ffff:a9fe:a9fe', 'ff02::1', 'not an ip']) {
    t.true(isPrivateAddress(ip), ip);
  }
  for (const ip of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '192.169.0.1', '100.128.0.1', '2a00:1450:4010::8a', '2606:4700::1111', '::ffff:8.8.8.8']) {
    t.false(isPrivateAddress(ip), ip);
  }
});

test('a URL\'s host is refused as written: IP literals in every spelling the URL parser accepts, and localhost', (t) => {
  for (const url of ['http://127.0.0.1/x', 'http://2130706433/', 'http://0x7f.1/', 'http://0177.0.0.1/', 'http://[::1]:8080/',
    'http://[::ffff:127.0.0.1]/', 'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/', 'http://localhost:3000/',
    'http://LOCALHOST./', 'http://admin.localhost/', 'http://0/']) {
    t.truthy(privateHost(url), url);
  }
  for (const url of ['https://hooks.example.com/sms', 'http://8.8.8.8/', 'https://[2606:4700::1111]/']) t.is(privateHost(url), undefined, url);
});

async function put(sys: TestSystem, key: string, url: string) {
  const r = await httpRequest(sys.url, {
    method: 'PUT', path: '/api/me/webhook', body: JSON.stringify({ url }),
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
  });
  return { status: r.status, json: JSON.parse(r.body) as { error?: string } };
}

test('PUT /api/me/webhook refuses a private target with a 400 and a sentence; WEBHOOK_ALLOW_PRIVATE lets an operator allow it', async (t) => {
  const strict = await startTestSystem();
  t.teardown(() => strict.close());
  const { key } = await strict.account();
  for (const url of ['http://127.0.0.1:9/hook', 'http://169.254.169.254/latest', 'http://[::1]/', 'http://localhost/', 'http://192.168.0.10/']) {
    const r = await put(strict, key, url);
    t.is(r.status, 400, url);
    t.regex(r.json.error ?? '', /private|loopback/, url);
  }
  t.is((await put(strict, key, 'https://hooks.example.com/sms')).status, 200);
  const open = await startTestSystem({ WEBHOOK_ALLOW_PRIVATE: '1' });
  t.teardown(() => open.close());
  t.is((await put(open, (await open.account()).key, 'http://127.0.0.1:9/hook')).status, 200);
});

test('guardedLookup refuses a name that resolves to a private address, and passes it when allowed', async (t) => {
  const refused = await new Promise<NodeJS.ErrnoException | null>((resolve) => guardedLookup(false)('localhost', {}, (err) => resolve(err)));
  t.is(refused?.code, 'WEBHOOK_PRIVATE_ADDRESS');
  const allowed = await new Promise<string>((resolve, reject) => guardedLookup(true)('localhost', {}, (err, address) => (err ? reject(err) : resolve(address as string))));
  t.true(isPrivateAddress(allowed));
});

test('DNS rebinding: a name that passed as a name is checked again at delivery, and a private answer is never connected to', async (t) => {
  // The machine's own name resolves to loopback here (/etc/hosts), as an attacker's name would after rebinding.
  const name = hostname();
  const address = await lookup(name).then((a) => a.address, () => undefined);
  if (address === undefined || !isPrivateAddress(address)) return t.pass(`${name} does not resolve to a private address here`);
  const got: string[] = [];
  const receiver = createServer((req, res) => { got.push(req.url ?? ''); res.end('ok'); });
  await new Promise<void>((resolve) => receiver.listen(0, address, resolve));
  t.teardown(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  const sys = await startTestSystem({ WEBHOOK_RETRY_MS: '50', WEBHOOK_ATTEMPTS: '2' });
  t.teardown(() => sys.close());
  const { id, key } = await sys.account();
  const url = `http://${name}:${(receiver.address() as AddressInfo).port}/hook`;
  t.is(privateHost(url), undefined, 'the name itself looks harmless');
  await sys.store.setWebhook(id, { url, secret: 'whsec_test' }, Date.now()); // as if it had resolved publicly when set
  const a = await order(sys, key);
  await sys.sms(a.phone, 'Telegram', 'Telegram code: 24680');
  const failed = await until('the delivery given up', async () => {
    const d = (await sys.store.webhookDeliveries(id, 5))[0];
    return d && d.state !== 'pending' ? d : undefined;
  });
  t.regex(failed.lastError ?? '', /WEBHOOK_PRIVATE_ADDRESS/);
  t.deepEqual(got, [], 'nothing reached the private receiver');
});
