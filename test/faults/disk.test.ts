import test, { type ExecutionContext } from 'ava';
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { until } from '../helpers/until.ts';

/**
 * The data directory fails under a running server: a full disk (a small tmpfs filled up) and a file system
 * that turns read-only (ext4 on a loop device, errors=remount-ro, an error triggered through sysfs, which
 * is what a failing disk does). The real server runs as a child process with SQLite there. Root may mount;
 * where mounting is refused (a container without CAP_SYS_ADMIN), each test says so and passes without running.
 *
 * Why not `mount -o remount,ro` for read-only: the kernel refuses it (EBUSY) while any file on the mount is
 * open for writing, and SQLite holds its database, WAL and shared-memory files open read-write all along.
 */

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

/** A directory with a fresh tmpfs of `sizeMb` on it, unmounted at teardown; undefined (said) when mounting is refused. */
function tmpfs(t: ExecutionContext, sizeMb: number): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'getsms-disk-'));
  try {
    sh('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', dir]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    t.log(`SKIPPED: mount -t tmpfs was refused (${String((err as { stderr?: unknown }).stderr ?? err).trim()}); this fault test needs root with CAP_SYS_ADMIN`);
    return undefined;
  }
  t.teardown(() => unmount(dir));
  return dir;
}

/** Unmounts (read-write again first, in case a test left it read-only) and removes the directory. */
function unmount(dir: string) {
  try { sh('mount', ['-o', 'remount,rw', dir]); } catch { /* not mounted, or an aborted ext4 that stays read-only */ }
  try {
    sh('umount', [dir]);
  } catch {
    try { sh('umount', ['-l', dir]); } catch { /* not mounted */ } // still busy: detached now, gone once let go
  }
  rmSync(dir, { recursive: true, force: true });
}

/** Fills the file system of `dir` to the last byte with one file, which `free` removes. */
function fill(dir: string) {
  const file = join(dir, 'filler');
  const fd = openSync(file, 'w');
  try {
    for (const size of [1 << 20, 64 << 10, 4 << 10, 512]) {
      const block = Buffer.alloc(size, 0xaa);
      try { for (;;) writeSync(fd, block); } catch (err) { if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err; }
    }
  } finally {
    closeSync(fd);
  }
  return { free: () => rmSync(file) };
}

function client(server: ServerProcess, key: string) {
  const handler = async (params: Record<string, string>) =>
    (await fetch(`${server.url}/stubs/handler_api.php?${new URLSearchParams({ api_key: key, ...params })}`)).text();
  const smsReg = async (method: string, params: Record<string, string>) =>
    (await fetch(`${server.url}/${method}.php?${new URLSearchParams({ apikey: key, ...params })}`)).text();
  const json = async (method: string, path: string, body: unknown, bearer = key) => {
    const res = await fetch(`${server.url}${path}`, {
      method, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.text(), retryAfter: res.headers.get('retry-after') };
  };
  const order = async (service = 'tg') => {
    const [word, id, phone] = (await handler({ action: 'getNumber', service, country: 'ru' })).split(':');
    if (word !== 'ACCESS_NUMBER') throw new Error(`getNumber answered ${word}`);
    return { id: id!, phone: phone! };
  };
  const sms = (to: string, code: string) =>
    json('POST', '/api/simulator/sms', { to, from: 'Telegram', text: `Telegram code: ${code}` }, server.adminKey!);
  return { handler, smsReg, json, order, sms };
}

/** What the database holds, read through a read-only connection of its own. */
function picture(dataDir: string) {
  const db = new Database(join(dataDir, 'getsms.sqlite'), { readonly: true, fileMustExist: true });
  try {
    db.exec('BEGIN'); // one snapshot
    const accounts = db.prepare(`SELECT a.id, a.balance, coalesce((SELECT sum(amount) FROM ledger l WHERE l.account_id = a.id), 0) AS total
      FROM accounts a ORDER BY a.id`).all() as { id: number; balance: number; total: number }[];
    const activations = db.prepare('SELECT id, state, live, code FROM activations ORDER BY id').all() as { id: number; state: string; live: number; code: string | null }[];
    const ledger = db.prepare('SELECT key, amount, reason, ref FROM ledger ORDER BY id').all() as { key: string; amount: number; reason: string; ref: string }[];
    const rents = (db.prepare('SELECT count(*) AS n FROM rents').get() as { n: number }).n;
    const integrity = db.pragma('integrity_check', { simple: true }) as string;
    db.exec('COMMIT');
    return { accounts, activations, ledger, rents, integrity };
  } finally {
    db.close();
  }
}

/** The money adds up: every balance is its ledger's sum, every activation charged once and refunded at most once. */
function moneyAddsUp(t: ExecutionContext, p: ReturnType<typeof picture>) {
  for (const a of p.accounts) t.is(a.balance, a.total, `account ${a.id}: balance is its ledger's sum`);
  for (const a of p.activations) {
    const entries = p.ledger.filter((l) => l.ref === `activation:${a.id}`);
    t.is(entries.filter((l) => l.reason === 'charge').length, 1, `activation ${a.id} charged once`);
    const refunds = entries.filter((l) => l.reason === 'refund').length;
    t.true(refunds <= (a.code === null ? 1 : 0), `activation ${a.id} (${a.state}, code ${a.code}) refunded ${refunds} times`);
  }
}

const noStack = (body: string) => !/\n\s+at |SQLITE_|\.ts:\d/.test(body);

const env = (dataDir: string) => ({
  DATA_DIR: dataDir, SIMULATOR: 'memory', SIM_MODEMS: '6', SIM_SLOTS: '1', RATE_LIMIT_RPS: '0',
  NO_NUMBERS_CACHE_SECONDS: '0', ACTIVATION_TTL_SECONDS: '900',
});

test.serial('a full disk: orders answer ERROR_SQL and charge nothing, what exists still answers, and orders work again once space returns', async (t) => {
  t.timeout(180_000);
  const dir = tmpfs(t, 24);
  if (!dir) return t.pass();
  const server = await startServerProcess(env(dir));
  t.teardown(() => server.stop());
  const c = client(server, server.demoKey!);
  t.is((await c.json('PUT', '/api/admin/rent-prices', { country: 'ru', price: '3' }, server.adminKey!)).status, 200);

  const waiting = await c.order(); // gets its SMS while the disk is full
  const coded = await c.order();   // has its code before
  const cancelled = await c.order(); // cancelled while the disk is full
  for (const a of [waiting, coded, cancelled]) t.is(await c.handler({ action: 'setStatus', id: a.id, status: '1' }), 'ACCESS_READY');
  t.is((await c.sms(coded.phone, '11111')).status, 202);
  t.is(await c.handler({ action: 'getStatus', id: coded.id }), 'STATUS_OK:11111');
  const tzid = (JSON.parse(await c.smsReg('getNum', { service: 'telegram', country: 'ru' })) as { tzid: string }).tzid;
  const balance = await c.handler({ action: 'getBalance' });
  const before = picture(dir);
  const walBefore = statSync(join(dir, 'getsms.sqlite-wal')).size;

  const filler = fill(dir);
  t.log(`disk full: ${sh('df', ['-k', '--output=used,avail', dir]).split('\n')[1]!.trim()} (1K blocks used, available); WAL ${walBefore} bytes`);
  for (let i = 0; i < 3; i++) t.is(await c.handler({ action: 'getNumber', service: 'wa', country: 'ru' }), 'ERROR_SQL', 'API #1 getNumber');
  t.is(await c.smsReg('getNum', { service: 'whatsapp', country: 'ru' }), '{"response":"ERROR","error_msg":"ERROR_SQL"}', 'API #2 getNum');
  // getRentOneDay has the spec's own word for a fault on our side (nothing charged: one transaction).
  t.is(await c.handler({ action: 'getRentOneDay', country: 'ru' }), 'error, please try again', 'a rent is refused too');
  const viaJson = await c.json('POST', '/api/activations', { service: 'whatsapp', country: 'ru' });
  t.is(viaJson.status, 503, viaJson.body);
  t.is((JSON.parse(viaJson.body) as { code: string }).code, 'storeUnavailable');
  t.is(viaJson.retryAfter, '5');
  t.true(noStack(viaJson.body), viaJson.body);
  const topup = await c.json('POST', '/api/admin/accounts/2/topup', { amount: '100', key: 'disk-full-1' }, server.adminKey!);
  t.is(topup.status, 503, topup.body);

  // What exists still answers, and nothing moved.
  t.is(await c.handler({ action: 'getStatus', id: waiting.id }), 'STATUS_WAIT_CODE');
  t.is(await c.handler({ action: 'getStatus', id: coded.id }), 'STATUS_OK:11111');
  t.regex(await c.smsReg('getState', { tzid }), /"response":"TZ_NUM_PREPARE"/);
  t.is(await c.handler({ action: 'getBalance' }), balance);
  // The network's SMS reaches the SIM but cannot be stored: not a 202, and the simulated modem keeps it.
  const held = await c.sms(waiting.phone, '22222');
  t.is(held.status, 503, held.body);
  t.is((JSON.parse(held.body) as { code: string }).code, 'smsHeld');
  t.is(await c.handler({ action: 'setStatus', id: cancelled.id, status: '-1' }), 'ERROR_SQL', 'a cancel it cannot record');
  // What was not recorded did not happen as far as the client is told: the stored state, and ERROR_SQL again for a retry.
  t.is(await c.handler({ action: 'getStatus', id: cancelled.id }), 'STATUS_WAIT_CODE');
  t.is(await c.handler({ action: 'setStatus', id: cancelled.id, status: '-1' }), 'ERROR_SQL');
  // A write outside a transaction (a price) fails as an unavailable store too, not as an internal error.
  const price = await c.json('PUT', '/api/admin/prices', { service: 'tg', country: 'ru', price: '30' }, server.adminKey!);
  t.is(price.status, 503, price.body);
  // Long enough for the farm's retry (5 s), the settlement's retries (1 s) and the live channel's writes to fail a few times.
  await new Promise((r) => setTimeout(r, 7_000));
  t.is(server.child.exitCode, null, 'the server is still running');
  t.is(await c.handler({ action: 'getBalance' }), balance);
  const during = picture(dir);
  t.deepEqual(during.activations, before.activations, 'no activation made or changed');
  t.deepEqual(during.ledger, before.ledger, 'no money moved');
  t.is(during.rents, before.rents);
  t.is(during.integrity, 'ok');
  t.false(existsSync(join(dir, 'getsms.sqlite-journal')), 'WAL mode: no rollback journal');
  const walFull = statSync(join(dir, 'getsms.sqlite-wal')).size;
  t.log(`WAL while full: ${walFull} bytes (${walFull - walBefore} more: frames of transactions that could not finish)`);

  filler.free();
  // The held SMS is handed over again (every 5 s) and becomes the code of the activation that waited.
  await until('the held SMS to become the code', async () =>
    ((await c.handler({ action: 'getStatus', id: waiting.id })) === 'STATUS_OK:22222' ? true : undefined), 20_000, 200);
  const again = await c.order('wa');
  t.regex(await c.handler({ action: 'getStatus', id: again.id }), /^STATUS_WAIT_/);
  t.regex(await c.smsReg('getNum', { service: 'whatsapp', country: 'ru' }), /"response":"1"/);
  t.is((await c.json('POST', '/api/activations', { service: 'vk', country: 'ru' })).status, 201);
  t.is((await c.json('POST', '/api/admin/accounts/2/topup', { amount: '100', key: 'disk-full-1' }, server.adminKey!)).status, 201);
  // The cancel that answered ERROR_SQL: carried out once the store can record it (the settlement retries), refunded once.
  await until('the cancel asked during the outage to settle', async () =>
    (picture(dir).activations.find((a) => a.id === Number(cancelled.id))?.live === 0 ? true : undefined), 20_000, 200);
  const after = picture(dir);
  t.is(after.integrity, 'ok');
  moneyAddsUp(t, after);
  t.is(after.activations.find((a) => a.id === Number(cancelled.id))?.state, 'cancelled');
  t.is(after.ledger.filter((l) => l.key === `refund:${cancelled.id}`).length, 1);
  t.is(after.activations.length, before.activations.length + 3, 'the three orders after the outage, nothing from during it');

  // Stopped while the disk is full again: the WAL cannot be checkpointed into a database file that would
  // have to grow, so it stays, and the next start (with room) reads everything from it.
  const full = fill(dir);
  await server.stop();
  t.is(server.child.exitCode, 0, 'SIGTERM on a full disk stops it cleanly');
  t.true(statSync(join(dir, 'getsms.sqlite-wal')).size > 0, 'the WAL stays');
  full.free();
  const restarted = await startServerProcess(env(dir));
  t.teardown(() => restarted.stop());
  const c2 = client(restarted, server.demoKey!);
  t.is(await c2.handler({ action: 'getStatus', id: waiting.id }), 'STATUS_OK:22222');
  t.regex(await c2.handler({ action: 'getStatus', id: again.id }), /^STATUS_WAIT_/);
  t.deepEqual(picture(dir).ledger, after.ledger);
  await restarted.stop();
  // A clean stop with room checkpoints the WAL into the database and removes it.
  t.false(existsSync(join(dir, 'getsms.sqlite-wal')) && statSync(join(dir, 'getsms.sqlite-wal')).size > 0, 'WAL checkpointed at stop');
  t.is(picture(dir).integrity, 'ok');
});

/** An ext4 file system of `sizeMb` on a loop device, errors=remount-ro; undefined (said) where that cannot be made. */
function ext4(t: ExecutionContext, sizeMb: number) {
  const dir = mkdtempSync(join(tmpdir(), 'getsms-ro-'));
  const image = `${dir}.img`;
  try {
    sh('truncate', ['-s', `${sizeMb}M`, image]);
    sh('mkfs.ext4', ['-q', '-F', image]);
    sh('mount', ['-o', 'loop,errors=remount-ro', image, dir]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    rmSync(image, { force: true });
    t.log(`SKIPPED: an ext4 loop mount could not be made (${String((err as { stderr?: unknown }).stderr ?? err).trim()}); this fault test needs root, loop devices and mkfs.ext4`);
    return undefined;
  }
  const device = basename(sh('findmnt', ['-no', 'SOURCE', dir]).trim());
  t.teardown(() => {
    unmount(dir);
    rmSync(image, { force: true });
  });
  const trigger = `/sys/fs/ext4/${device}/trigger_fs_error`;
  if (!existsSync(trigger)) {
    t.log(`SKIPPED: this kernel has no ${trigger} to make the file system fail`);
    return undefined;
  }
  return {
    dir,
    /** What errors=remount-ro does on a disk error: the mounted file system turns read-only under its writers. */
    fail: () => writeFileSync(trigger, 'getsms fault test: the data directory turns read-only'),
    /** An aborted ext4 stays read-only until unmounted and checked: the way back an operator takes. */
    repair: () => {
      sh('umount', [dir]);
      try { sh('e2fsck', ['-fy', image]); } catch (err) { if ((err as { status?: number }).status !== 1) throw err; } // 1: errors corrected
      sh('mount', ['-o', 'loop,errors=remount-ro', image, dir]);
    },
  };
}

test.serial('a data directory that turns read-only under the server: orders answer ERROR_SQL, the server lives and stops cleanly, and after the repair nothing is lost or half-made', async (t) => {
  t.timeout(180_000);
  const fs = ext4(t, 64);
  if (!fs) return t.pass();
  const first = await startServerProcess(env(fs.dir));
  let running: ServerProcess | undefined = first;
  t.teardown(() => running?.stop());
  const key = first.demoKey!;
  const c = client(first, key);
  const waiting = await c.order();
  const coded = await c.order();
  for (const a of [waiting, coded]) t.is(await c.handler({ action: 'setStatus', id: a.id, status: '1' }), 'ACCESS_READY');
  t.is((await c.sms(coded.phone, '33333')).status, 202);
  const balance = await c.handler({ action: 'getBalance' });
  // synchronous=NORMAL: commits reach the disk at the next checkpoint or the kernel's writeback; an ext4 abort
  // (like a power cut) loses what had not. Flushed here, so the test is about the server, not the page cache.
  sh('sync', ['-f', fs.dir]);
  const before = picture(fs.dir);

  fs.fail();
  t.regex(sh('findmnt', ['-no', 'OPTIONS', fs.dir]).trim(), /(^|,)(ro|emergency_ro)(,|$)/);
  for (let i = 0; i < 3; i++) t.is(await c.handler({ action: 'getNumber', service: 'wa', country: 'ru' }), 'ERROR_SQL');
  t.is(await c.smsReg('getNum', { service: 'whatsapp', country: 'ru' }), '{"response":"ERROR","error_msg":"ERROR_SQL"}');
  const viaJson = await c.json('POST', '/api/activations', { service: 'whatsapp', country: 'ru' });
  t.is(viaJson.status, 503, viaJson.body);
  t.true(noStack(viaJson.body), viaJson.body);
  t.is(await c.handler({ action: 'getStatus', id: waiting.id }), 'STATUS_WAIT_CODE');
  t.is(await c.handler({ action: 'getStatus', id: coded.id }), 'STATUS_OK:33333');
  t.is(await c.handler({ action: 'getBalance' }), balance);
  await new Promise((r) => setTimeout(r, 3_000));
  t.is(first.child.exitCode, null, 'the server is still running');
  t.is(await c.handler({ action: 'getStatus', id: waiting.id }), 'STATUS_WAIT_CODE');

  const stopping = Date.now();
  await first.stop();
  running = undefined;
  t.is(first.child.exitCode, 0, 'SIGTERM stops it cleanly on a read-only directory');
  t.log(`stopped in ${Date.now() - stopping} ms`);

  fs.repair();
  const second = await startServerProcess(env(fs.dir));
  running = second;
  t.is(second.demoKey, undefined, 'the same data: no first start again');
  const c2 = client(second, key);
  t.is(await c2.handler({ action: 'getStatus', id: waiting.id }), 'STATUS_WAIT_CODE');
  t.is(await c2.handler({ action: 'getStatus', id: coded.id }), 'STATUS_OK:33333');
  t.is(await c2.handler({ action: 'getBalance' }), balance);
  const after = picture(fs.dir);
  t.deepEqual(after.activations, before.activations, 'no activation made, lost or changed');
  t.deepEqual(after.ledger, before.ledger, 'no money moved');
  t.is(after.integrity, 'ok');
  await c2.order('wa');
  moneyAddsUp(t, picture(fs.dir));
});

test.serial('started on a read-only data directory, getsms refuses in one sentence naming it, and starts on the same data once it is writable', async (t) => {
  t.timeout(120_000);
  const dir = tmpfs(t, 24);
  if (!dir) return t.pass();
  const first = await startServerProcess(env(dir));
  const key = first.demoKey!;
  await client(first, key).order();
  await first.stop();

  sh('mount', ['-o', 'remount,ro', dir]);
  const refused = await startServerProcess(env(dir)).then(
    async (s) => { await s.stop(); return 'started'; },
    (err: Error) => err.message,
  );
  t.regex(refused, /exited with 1/);
  t.regex(refused, new RegExp(`getsms: cannot start: the data directory ${dir} is on a read-only file system`));
  t.true(noStack(refused), refused);

  sh('mount', ['-o', 'remount,rw', dir]);
  const again = await startServerProcess(env(dir));
  t.teardown(() => again.stop());
  t.is(again.demoKey, undefined);
  t.regex(await client(again, key).handler({ action: 'getStatus', id: '1' }), /^STATUS_WAIT_/);
});
