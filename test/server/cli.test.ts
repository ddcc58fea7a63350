import test from 'ava';
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestSystem, type TestSystem } from '../helpers/system.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'getsms.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real command line, as an admin runs it, on a data directory. */
function getsms(dataDir: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, DATA_DIR: dataDir } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Like getsms, but the command must succeed. */
async function ok(dataDir: string, ...args: string[]): Promise<string> {
  const r = await getsms(dataDir, ...args);
  if (r.code !== 0) throw new Error(`getsms ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

let emails = 0;
const newEmail = () => `cli${++emails}-${process.pid}@test.local`;

/** An account made by the CLI; its key as `user add` printed it. */
async function userAdd(dataDir: string, ...extra: string[]): Promise<{ email: string; key: string }> {
  const email = newEmail();
  const out = await ok(dataDir, 'user', 'add', '--email', email, '--role', 'user', ...extra);
  const key = /^api_key ([0-9a-f]{32}) /m.exec(out)?.[1];
  if (!key) throw new Error(`no api_key in: ${out}`);
  return { email, key };
}

async function system(t: { teardown(fn: () => Promise<void>): void }): Promise<TestSystem> {
  const sys = await startTestSystem();
  t.teardown(() => sys.close());
  return sys;
}

function tempDataDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'getsms-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'data');
}

test('the key user add prints works for getBalance on the running server', async (t) => {
  const sys = await system(t);
  const { email, key } = await userAdd(sys.dataDir, '--balance', '12.50');
  t.is(await sys.api({ api_key: key, action: 'getBalance' }), 'ACCESS_BALANCE:12.50');
  t.regex(await ok(sys.dataDir, 'user', 'list'), new RegExp(`${email.replace(/\./g, '\\.')}\\s+user\\s+getsms\\s+12\\.50`));
});

test('user key issues a key that works and the old one stops working', async (t) => {
  const sys = await system(t);
  const { email, key: old } = await userAdd(sys.dataDir);
  const out = await ok(sys.dataDir, 'user', 'key', '--email', email);
  const key = /api_key for \S+: ([0-9a-f]{32})/.exec(out)?.[1];
  t.truthy(key, out);
  t.is(await sys.api({ api_key: key!, action: 'getBalance' }), 'ACCESS_BALANCE:0.00');
  t.is(await sys.api({ api_key: old, action: 'getBalance' }), 'BAD_KEY');
});

test('a credit shows in getBalance at once, and its key repeated changes nothing', async (t) => {
  const sys = await system(t);
  const { email, key } = await userAdd(sys.dataDir);
  const credit = ['balance', 'credit', '--email', email, '--amount', '49.50', '--reason', 'bank transfer 17', '--key', 'tx-17'];
  t.regex(await ok(sys.dataDir, ...credit), /credited 49\.50 .*balance 49\.50/);
  t.is(await sys.api({ api_key: key, action: 'getBalance' }), 'ACCESS_BALANCE:49.50');
  t.regex(await ok(sys.dataDir, ...credit), /already done: key tx-17/);
  t.is(await sys.api({ api_key: key, action: 'getBalance' }), 'ACCESS_BALANCE:49.50');

  const ledger = JSON.parse(await ok(sys.dataDir, 'ledger', '--email', email, '--json'));
  t.true(ledger.addsUp);
  t.deepEqual(
    ledger.entries.map((e: { amount: string; reason: string; note: string; key: string }) => [e.amount, e.reason, e.note, e.key]),
    [['49.50', 'topup', 'bank transfer 17', 'tx-17']],
  );
});

test('a debit below zero is refused in a sentence and leaves the balance alone', async (t) => {
  const sys = await system(t);
  const { email, key } = await userAdd(sys.dataDir, '--balance', '10');
  const r = await getsms(sys.dataDir, 'balance', 'debit', '--email', email, '--amount', '10.01', '--reason', 'chargeback');
  t.is(r.code, 2);
  t.is(r.stderr, `getsms: cannot debit 10.01 from ${email}: the balance is 10.00 and may not go below zero\n`);
  t.is(r.stdout, '');
  t.is(await sys.api({ api_key: key, action: 'getBalance' }), 'ACCESS_BALANCE:10.00');

  t.regex(await ok(sys.dataDir, 'balance', 'debit', '--email', email, '--amount', '10', '--reason', 'chargeback'), /debited 10\.00/);
  t.is(await sys.api({ api_key: key, action: 'getBalance' }), 'ACCESS_BALANCE:0.00');
  const ledger = await ok(sys.dataDir, 'ledger', '--email', email);
  t.regex(ledger, /\+10\.00\s+10\.00\s+topup/);
  t.regex(ledger, /-10\.00\s+0\.00\s+debit\s+admin:cli\s+chargeback/);
  t.regex(ledger, /2 entries add up to 0\.00/);
});

test('a ledger that does not add up to the balance is reported with exit 1', async (t) => {
  const dataDir = tempDataDir(t);
  const { email } = await userAdd(dataDir, '--balance', '5');
  t.regex(await ok(dataDir, 'ledger', '--email', email), /1 entries add up to 5\.00/);
  const db = new Database(join(dataDir, 'getsms.sqlite'));
  db.prepare('UPDATE accounts SET balance = 700 WHERE email = ?').run(email); // a write that skipped the ledger
  db.close();
  const r = await getsms(dataDir, 'ledger', '--email', email);
  t.is(r.code, 1);
  t.is(r.stderr, `getsms: the ledger adds up to 5.00 but the balance of ${email} is 7.00\n`);
});

test('price set shows in the gateway\'s getPrices, by getsms code or catalogue id', async (t) => {
  const sys = await system(t);
  const { key } = await userAdd(sys.dataDir);
  t.regex(await ok(sys.dataDir, 'price', 'set', '--service', 'wa', '--country', 'kz', '--price', '55.50'), /WhatsApp in Kazakhstan: 55\.50/);
  await ok(sys.dataDir, 'price', 'set', '--service', 'telegram', '--country', 'uk', '--price', '120');
  const kz = JSON.parse(await sys.api({ api_key: key, action: 'getPrices', service: 'wa', country: 'kz' }));
  t.is(kz.kz.wa.cost, 55.5);
  const uk = JSON.parse(await sys.api({ api_key: key, action: 'getPrices', service: 'tg', country: 'uk' }));
  t.is(uk.uk.tg.cost, 120);

  const listed = JSON.parse(await ok(sys.dataDir, 'price', 'list', '--service', 'wa', '--country', 'kz', '--json'));
  t.deepEqual(listed, [{ service: 'whatsapp', name: 'WhatsApp', getsms: 'wa', smsActivate: 'wa', country: 'kz', countryCode: 'kz', price: '55.50' }]);
});

test('rent price sets what a day\'s rent costs in a country; getRentOneDay charges it', async (t) => {
  const sys = await system(t);
  const { key } = await userAdd(sys.dataDir, '--balance', '500');
  t.is(await sys.api({ api_key: key, action: 'getRentOneDay', country: 'ru' }), 'no numbers', 'no rent price yet');
  t.regex(await ok(sys.dataDir, 'rent', 'price', '--country', 'ru', '--price', '150'), /a day's rent in Russia: 150\.00/);
  t.regex(await ok(sys.dataDir, 'rent', 'price', '--country', 'ru', '--price', '149.50'), /149\.50 \(was 150\.00\)/);
  t.deepEqual(JSON.parse(await ok(sys.dataDir, 'rent', 'prices', '--json')), [{ country: 'ru', countryCode: 'ru', price: '149.50' }]);
  t.regex(await sys.api({ api_key: key, action: 'getRentOneDay', country: 'ru' }), /^success: 7\d{10}$/);
  t.is(await sys.api({ api_key: key, action: 'getBalance' }), 'ACCESS_BALANCE:350.50');
});

test('a price set before the server ever ran leaves the rest of the catalogue on sale', async (t) => {
  const dataDir = tempDataDir(t);
  await ok(dataDir, 'price', 'set', '--service', 'wa', '--country', 'ru', '--price', '1');
  const all = JSON.parse(await ok(dataDir, 'price', 'list', '--json')) as unknown[];
  t.true(all.length > 100);
});

test('--json lists parse: accounts, SIMs, activations, announcements, settings', async (t) => {
  const sys = await system(t);
  const { email, key } = await userAdd(sys.dataDir, '--balance', '100', '--dialect', 'sms-activate');
  const bought = await sys.api({ api_key: key, action: 'getNumber', service: 'tg', country: 0 });
  const [, id, phone] = /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(bought) ?? [];
  t.truthy(id, bought);

  const accounts = JSON.parse(await ok(sys.dataDir, 'user', 'list', '--json'));
  t.like(accounts.find((a: { email: string }) => a.email === email), { role: 'user', dialect: 'sms-activate', balance: '75.00' });
  const sims = JSON.parse(await ok(sys.dataDir, 'sims', 'list', '--json'));
  t.is(sims.length, 8); // SIM_MODEMS 4 × SIM_SLOTS 2
  t.true(sims.some((s: { phone: string }) => s.phone === phone));
  const live = JSON.parse(await ok(sys.dataDir, 'activations', 'list', '--live', '--email', email, '--json'));
  t.like(live, [{ id: Number(id), email, service: 'telegram', serviceCode: 'tg', phone, price: '25.00', live: true }]);

  await ok(sys.dataDir, 'announce', 'add', 'price change: WhatsApp (KZ) 49 rub');
  t.like(JSON.parse(await ok(sys.dataDir, 'announce', 'list', '--json')), [{ text: 'price change: WhatsApp (KZ) 49 rub' }]);
  t.like(JSON.parse(await ok(sys.dataDir, 'setting', 'get', 'early-cancel-denied', '--json')), { value: 'off', isDefault: true });
});

test('early-cancel-denied on makes the running server refuse an sms-activate cancel in the first minutes', async (t) => {
  const sys = await system(t);
  const { key } = await userAdd(sys.dataDir, '--balance', '100', '--dialect', 'sms-activate');
  const first = /^ACCESS_NUMBER:(\d+):/.exec(await sys.api({ api_key: key, action: 'getNumber', service: 'tg', country: 0 }))?.[1];
  t.is(await sys.api({ api_key: key, action: 'setStatus', id: first!, status: 8 }), 'ACCESS_CANCEL');

  t.is(await ok(sys.dataDir, 'setting', 'set', 'early-cancel-denied', 'on'), 'early-cancel-denied is on\n');
  const second = /^ACCESS_NUMBER:(\d+):/.exec(await sys.api({ api_key: key, action: 'getNumber', service: 'tg', country: 0 }))?.[1];
  t.is(await sys.api({ api_key: key, action: 'setStatus', id: second!, status: 8 }), 'EARLY_CANCEL_DENIED');
});

test('rule set refuses a regular expression that does not compile', async (t) => {
  const dataDir = tempDataDir(t);
  const bad = await getsms(dataDir, 'rule', 'set', '--service', 'tg', '--match', 'telegram(');
  t.is(bad.code, 2);
  t.regex(bad.stderr, /^getsms: --match is not a regular expression/);
  await ok(dataDir, 'rule', 'set', '--service', 'tg', '--match', 'telegram', '--code', '(\\d{5})');
  t.like(JSON.parse(await ok(dataDir, 'rule', 'list', '--json')), [{ service: 'telegram', match: 'telegram', code: '(\\d{5})' }]);
});

const badInput: [string, string[], RegExp][] = [
  ['an unknown command', ['frobnicate'], /no command "frobnicate"/],
  ['an unknown subcommand', ['user', 'remove'], /no command "user remove"; user has: add, list, key, dialect/],
  ['a missing flag', ['balance', 'credit', '--email', 'a@b.c', '--amount', '5'], /balance credit needs --reason/],
  ['an unknown flag', ['user', 'list', '--all'], /user list has no option --all/],
  ['a bad amount', ['balance', 'credit', '--email', 'a@b.c', '--amount', '5.555', '--reason', 'x'], /--amount must be rubles such as 49 or 49\.50, not "5\.555"/],
  ['a zero amount', ['balance', 'debit', '--email', 'a@b.c', '--amount', '0', '--reason', 'x'], /--amount must be more than zero/],
  ['an unknown email', ['ledger', '--email', 'nobody@test.local'], /there is no account nobody@test\.local/],
  ['an unknown service', ['price', 'set', '--service', 'zz', '--country', 'ru', '--price', '1'], /there is no service "zz"/],
  ['an unknown country', ['price', 'set', '--service', 'wa', '--country', 'xx', '--price', '1'], /there is no country "xx"/],
  ['an operator for a country', ['price', 'set', '--service', 'wa', '--country', 'ru_mts', '--price', '1'], /names an operator/],
  ['a bad role', ['user', 'add', '--email', 'x@test.local', '--role', 'root'], /--role must be one of user, operator, admin/],
  ['a bad setting value', ['setting', 'set', 'early-cancel-denied', 'yes'], /early-cancel-denied is on or off/],
];

// One data directory for all of them: a refusal changes nothing in it.
const refusals = mkdtempSync(join(tmpdir(), 'getsms-cli-'));
test.before(() => ok(refusals, 'user', 'add', '--email', 'a@b.c', '--role', 'user', '--balance', '1'));
test.after.always(() => rmSync(refusals, { recursive: true, force: true }));

for (const [what, args, message] of badInput) {
  test(`${what} exits 2 with one sentence and no stack trace`, async (t) => {
    const r = await getsms(refusals, ...args);
    t.is(r.code, 2);
    t.regex(r.stderr, message);
    t.regex(r.stderr, /^getsms: [^\n]+\n$/);
    t.notRegex(r.stderr, /\n\s+at /);
    t.is(r.stdout, '');
  });
}

test('a read on a data directory that does not exist says so instead of making one', async (t) => {
  const r = await getsms(tempDataDir(t), 'user', 'list');
  t.is(r.code, 2);
  t.regex(r.stderr, /^getsms: there is no data directory .*: set DATA_DIR/);
});

test('help lists every command group', async (t) => {
  const r = await getsms(tempDataDir(t), 'help');
  t.is(r.code, 0);
  for (const group of ['user add', 'balance credit', 'ledger', 'price set', 'sims list', 'activations list', 'announce add', 'setting set', 'rule set']) {
    t.true(r.stdout.includes(`getsms ${group} `), group);
  }
  t.is((await getsms(tempDataDir(t), '--help')).stdout, r.stdout);
});

test('channels list shows the modem channels the server stored, as a table and as JSON', async (t) => {
  const sys = await system(t);
  t.regex(await ok(sys.dataDir, 'channels', 'list'), /no modem channels seen yet/);
  await sys.store.saveChannel({
    id: '/dev/ttyUSB3', state: 'reconnecting', slot: 2, iccid: '8970100000000000003', phone: '79260000003',
    operator: 'MegaFon', registered: false, signalDbm: -85, lastError: 'USB unplugged', updatedAt: Date.now(),
  });
  const text = await ok(sys.dataDir, 'channels', 'list');
  t.regex(text, /\/dev\/ttyUSB3\s+reconnecting\s+2\s+79260000003/);
  t.regex(text, /USB unplugged/);
  const [row] = JSON.parse(await ok(sys.dataDir, 'channels', 'list', '--json')) as { id: string; signalDbm: number }[];
  t.like(row, { id: '/dev/ttyUSB3', signalDbm: -85 });
});

test('sims move records a move that stays "moving" until the farm sees the SIM in its new slot', async (t) => {
  const sys = await system(t);
  const [a, b] = sys.simulator!.slots();
  const sim = a!.sim;
  const said = await ok(sys.dataDir, 'sims', 'move', '--iccid', sim.iccid, '--channel', b!.channel, '--slot', String(b!.slot));
  t.regex(said, /moving until it is seen there/);
  t.regex(await ok(sys.dataDir, 'sims', 'moves', '--pending'), new RegExp(`${sim.iccid}.*moving`));
  await sys.simulator!.move(sim.iccid, b!.channel, b!.slot);
  t.regex(await ok(sys.dataDir, 'sims', 'moves', '--pending'), /no SIM is moving/);
  const [row] = JSON.parse(await ok(sys.dataDir, 'sims', 'moves', '--json')) as { iccid: string; doneAt: string | null }[];
  t.is(row!.iccid, sim.iccid);
  t.truthy(row!.doneAt);
  const bad = await getsms(sys.dataDir, 'sims', 'move', '--iccid', 'nope', '--channel', 'x', '--slot', '1');
  t.is(bad.code, 2);
  t.regex(bad.stderr, /no SIM has the ICCID nope/);
});

test('sims number tells a SIM its number; a bad number or ICCID is refused in a sentence', async (t) => {
  const sys = await system(t);
  const sim = sys.simulator!.slots()[0]!.sim;
  t.regex(await ok(sys.dataDir, 'sims', 'number', '--iccid', sim.iccid, '--phone', '+79990001122'), /has the number 79990001122/);
  t.is((await sys.store.simByIccid(sim.iccid))!.phone, '79990001122');
  const bad = await getsms(sys.dataDir, 'sims', 'number', '--iccid', sim.iccid, '--phone', '12');
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--phone must be/);
});
