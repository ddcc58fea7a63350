import test from 'ava';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { httpRequest, startTestSystem, type RawResponse, type TestSystem } from '../../helpers/system.ts';

let sys: TestSystem;
let host: string;
let origin: string;
let emails = 0;

test.before(async () => {
  sys = await startTestSystem();
  host = new URL(sys.url).host;
  origin = sys.url;
});
test.after.always(() => sys.close());

interface Call {
  cookie?: string | undefined;
  csrf?: string | undefined;
  origin?: string | null;
  key?: string;
  body?: unknown;
}

async function call(method: string, path: string, c: Call = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', host };
  if (c.origin !== null) headers.origin = c.origin ?? origin;
  if (c.cookie) headers.cookie = c.cookie;
  if (c.csrf) headers['x-csrf-token'] = c.csrf;
  if (c.key) headers.authorization = `Bearer ${c.key}`;
  const res = await httpRequest(sys.url, { method, path, headers, body: c.body === undefined ? undefined : JSON.stringify(c.body) });
  return { ...res, json: res.body ? (JSON.parse(res.body) as Record<string, any>) : {} };
}

/** The `name=value` part of a response's session cookie, to send back. */
function cookieOf(res: RawResponse): string {
  const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const mine = set.find((c) => c.startsWith('getsms_session='));
  if (!mine) throw new Error('no session cookie was set');
  return mine.split(';')[0]!;
}

async function signUp(password = 'correct horse battery') {
  const email = `web${++emails}@test.local`;
  const res = await call('POST', '/api/session/sign-up', { body: { email, password } });
  if (res.status !== 201) throw new Error(`sign-up answered ${res.status}: ${res.body}`);
  return { email, password, cookie: cookieOf(res), csrf: res.json.csrfToken as string, id: res.json.account.id as number, res };
}

test('sign-up opens a session in an HttpOnly, SameSite=Lax cookie (not Secure over http) and the JSON API accepts it', async (t) => {
  const u = await signUp();
  const set = String(([] as string[]).concat(u.res.headers['set-cookie'] ?? [])[0]);
  t.regex(set, /; HttpOnly/);
  t.regex(set, /; SameSite=Lax/);
  t.regex(set, /; Path=\//);
  t.notRegex(set, /Secure/);
  t.like(u.res.json.account, { email: u.email, role: 'user', balance: '0.00' });
  const me = await call('GET', '/api/me', { cookie: u.cookie, origin: null });
  t.is(me.status, 200);
  t.is(me.json.email, u.email);
  const session = await call('GET', '/api/session', { cookie: u.cookie, origin: null });
  t.is(session.json.csrfToken, u.csrf);
  t.is(session.headers['cache-control'], 'no-store');
});

test('the password is kept only as a salted scrypt hash', async (t) => {
  const a = await signUp('same password 1');
  const b = await signUp('same password 1');
  const ha = (await sys.store.passwordHash(a.id))!;
  const hb = (await sys.store.passwordHash(b.id))!;
  t.regex(ha, /^scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+$/);
  t.false(ha.includes('same password'));
  t.not(ha, hb, 'each hash has its own salt');
});

test('a state-changing request on a session needs the CSRF token and our own origin; GETs and API keys need neither', async (t) => {
  const u = await signUp();
  const body = { language: 'ru' };
  const none = await call('PUT', '/api/me/language', { cookie: u.cookie, body });
  t.is(none.status, 403, 'no token');
  t.is(none.json.code, 'csrf');
  t.is((await call('PUT', '/api/me/language', { cookie: u.cookie, csrf: 'x'.repeat(43), body })).status, 403, 'a wrong token');
  const other = await signUp();
  t.is((await call('PUT', '/api/me/language', { cookie: u.cookie, csrf: other.csrf, body })).status, 403, 'another session\'s token');
  const cross = await call('PUT', '/api/me/language', { cookie: u.cookie, csrf: u.csrf, origin: 'https://evil.example', body });
  t.is(cross.status, 403);
  t.is(cross.json.code, 'crossSite');
  t.is((await call('PUT', '/api/me/language', { cookie: u.cookie, csrf: u.csrf, origin: null, body })).status, 403, 'no Origin nor Referer');
  const ok = await call('PUT', '/api/me/language', { cookie: u.cookie, csrf: u.csrf, body });
  t.is(ok.status, 200);
  t.is((await call('GET', '/api/session', { cookie: u.cookie })).json.account.language, 'ru');
  // An API key is no ambient credential: no CSRF token, no Origin.
  const { key } = await sys.account({ role: 'admin' });
  const announced = await call('POST', '/api/admin/announcements', { key, origin: null, body: { text: 'hello' } });
  t.is(announced.status, 201);
});

test('sign-in checks the password, sign-out ends the session, and an ended session is refused', async (t) => {
  const u = await signUp();
  const wrong = await call('POST', '/api/session', { body: { email: u.email, password: 'not the password' } });
  t.is(wrong.status, 401);
  t.is(wrong.json.code, 'wrongPassword');
  const unknown = await call('POST', '/api/session', { body: { email: 'nobody@test.local', password: 'whatever1' } });
  t.is(unknown.status, 401, 'an unknown email gets the same answer as a wrong password');
  t.is(unknown.json.error, wrong.json.error);
  const good = await call('POST', '/api/session', { body: { email: u.email.toUpperCase(), password: u.password } });
  t.is(good.status, 200);
  const cookie = cookieOf(good);
  t.not(cookie, u.cookie, 'each sign-in opens its own session');
  t.is((await call('GET', '/api/me', { cookie })).status, 200);
  const out = await call('DELETE', '/api/session', { cookie, csrf: good.json.csrfToken });
  t.is(out.status, 204);
  t.regex(String(([] as string[]).concat(out.headers['set-cookie'] ?? [])[0]), /getsms_session=; .*Max-Age=0/);
  const after = await call('GET', '/api/me', { cookie });
  t.is(after.status, 401);
  t.is((await call('GET', '/api/me/ledger', { cookie: u.cookie })).status, 200, 'the other session goes on');
});

test('sign-up refuses a taken email, a bad email and a short password; sign-in refuses another site\'s form', async (t) => {
  const u = await signUp();
  const taken = await call('POST', '/api/session/sign-up', { body: { email: u.email, password: 'another password' } });
  t.is(taken.status, 409);
  t.is(taken.json.code, 'emailTaken');
  t.is((await call('POST', '/api/session/sign-up', { body: { email: 'not-an-email', password: 'long enough' } })).status, 422);
  t.is((await call('POST', '/api/session/sign-up', { body: { email: 'short@test.local', password: 'short' } })).status, 422);
  const cross = await call('POST', '/api/session', { origin: 'https://evil.example', body: { email: u.email, password: u.password } });
  t.is(cross.status, 403, 'login CSRF: another site cannot sign the browser into an account');
  t.is(cross.headers['set-cookie'], undefined);
});

test('after 5 wrong passwords for an email, sign-in is refused with 429 and Retry-After, even with the right one', async (t) => {
  const u = await signUp();
  for (let i = 0; i < 5; i++) {
    t.is((await call('POST', '/api/session', { body: { email: u.email, password: `wrong guess ${i}` } })).status, 401);
  }
  const blocked = await call('POST', '/api/session', { body: { email: u.email, password: u.password } });
  t.is(blocked.status, 429);
  t.is(blocked.json.code, 'tooMany');
  t.true(Number(blocked.headers['retry-after']) > 0);
  t.is((await call('GET', '/api/me/ledger', { cookie: u.cookie })).status, 200, 'sessions already open are not touched');
});

test('a session cookie that is malformed, unknown or repeated is no session', async (t) => {
  const u = await signUp();
  t.is((await call('GET', '/api/me', { cookie: 'getsms_session=abc' })).status, 401);
  t.is((await call('GET', '/api/me', { cookie: `getsms_session=${'A'.repeat(43)}` })).status, 401);
  t.is((await call('GET', '/api/me', { cookie: `${u.cookie}; ${u.cookie}` })).status, 401);
  t.is((await call('GET', '/api/session', {})).status, 401);
});

test('the live channel takes a session cookie from our own origin, and refuses it from another site', async (t) => {
  const u = await signUp();
  const open = (headers: Record<string, string>) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(`${sys.url.replace(/^http/, 'ws')}/ws`, { headers });
      ws.once('open', () => {
        ws.close();
        resolve(101);
      });
      ws.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
      });
      ws.once('error', () => {});
    });
  t.is(await open({ cookie: u.cookie, origin }), 101);
  t.is(await open({ cookie: u.cookie, origin: 'https://evil.example' }), 401);
  t.is(await open({ cookie: u.cookie }), 401, 'no Origin: not a page of ours');
});

test('pages are served with a strict content security policy and no framing', async (t) => {
  const res = await httpRequest(sys.url, { path: '/' });
  t.is(res.status, 200);
  t.regex(String(res.headers['content-type']), /text\/html/);
  t.regex(String(res.headers['content-security-policy']), /default-src 'self'.*frame-ancestors 'none'/);
  t.is(res.headers['x-frame-options'], 'DENY');
  const app = await httpRequest(sys.url, { path: '/history' });
  t.is(app.body, res.body, 'the application routes its own paths');
  t.is((await httpRequest(sys.url, { path: '/no-such-file.js' })).status, 404);
  t.is((await httpRequest(sys.url, { path: '/../package.json' })).status, 404);
});

test('over https the session cookie is also Secure', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'getsms-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  const tls = await startTestSystem({ TLS_CERT: cert, TLS_KEY: key, TLS_PORT: '0', SIMULATOR: 'memory' });
  t.teardown(() => tls.close());
  const body = JSON.stringify({ email: 'tls@test.local', password: 'long enough password' });
  const setCookie = await new Promise<string>((resolve, reject) => {
    const r = httpsRequest(
      {
        host: '127.0.0.1', port: tls.tlsPort, method: 'POST', path: '/api/session/sign-up', rejectUnauthorized: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), origin: `https://127.0.0.1:${tls.tlsPort}` },
      },
      (res) => {
        res.resume();
        resolve(String(([] as string[]).concat(res.headers['set-cookie'] ?? [])[0]));
      },
    );
    r.on('error', reject);
    r.end(body);
  });
  t.regex(setCookie, /^getsms_session=[\w-]+; .*HttpOnly; SameSite=Lax; Secure$/);
});

test('`getsms user password` gives an account made with a key only (the first admin) a web password that signs in', async (t) => {
  const { key } = await sys.account({ role: 'admin', email: 'first-admin@test.local' });
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [join(root, 'bin', 'getsms.js'), 'user', 'password', '--email', 'first-admin@test.local', '--json'],
      { cwd: root, env: { ...process.env, DATA_DIR: sys.dataDir } }, (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout))));
  const { password } = JSON.parse(out) as { password: string };
  t.regex(password, /^[\w-]{16}$/);
  const signedIn = await call('POST', '/api/session', { body: { email: 'first-admin@test.local', password } });
  t.is(signedIn.status, 200);
  t.is(signedIn.json.account.role, 'admin');
  t.is((await call('GET', '/api/me', { key })).status, 200, 'the API key goes on working');
});

test('a password is changed only with the current one (CSRF-checked like every write), signing out every other browser; a key-only account sets its first', async (t) => {
  const u = await signUp('first password 1');
  const change = (c: Call['body'], extra: Partial<Call> = {}) => call('PUT', '/api/me/password', { cookie: u.cookie, csrf: u.csrf, body: c, ...extra });
  const wrong = await change({ current: 'not it at all', password: 'second password 2' });
  t.is(wrong.status, 403);
  t.is(wrong.json.code, 'wrongCurrentPassword');
  t.is((await change({ current: 'first password 1', password: 'short' })).status, 422);
  t.is((await change({ current: 'first password 1', password: 'second password 2' }, { csrf: undefined })).status, 403, 'no CSRF token');
  const elsewhere = await call('POST', '/api/session', { body: { email: u.email, password: 'first password 1' } });
  const otherCookie = cookieOf(elsewhere);
  t.is((await call('GET', '/api/me/ledger', { cookie: otherCookie })).status, 200, 'signed in in another browser');
  t.is((await change({ current: 'first password 1', password: 'second password 2' })).status, 204);
  t.is((await call('GET', '/api/me/ledger', { cookie: otherCookie })).status, 401, 'the other browser is signed out by the new password');
  t.is((await call('GET', '/api/me/ledger', { cookie: u.cookie })).status, 200, 'the browser that changed it stays signed in');
  t.is((await call('POST', '/api/session', { body: { email: u.email, password: 'first password 1' } })).status, 401);
  t.is((await call('POST', '/api/session', { body: { email: u.email, password: 'second password 2' } })).status, 200);

  const { key } = await sys.account({ email: 'key-only@test.local' });
  t.is((await call('PUT', '/api/me/password', { key, origin: null, body: { password: 'my first password' } })).status, 204);
  t.is((await call('POST', '/api/session', { body: { email: 'key-only@test.local', password: 'my first password' } })).status, 200);
});
