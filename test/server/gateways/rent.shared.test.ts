import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../../server/store/index.ts';
import { startServerProcess, type ServerProcess } from '../../helpers/process.ts';
import { until } from '../../helpers/until.ts';

/*
 * sms-activate's rent actions on two server processes sharing one SQLite data directory (SHARED_STORE=on), as
 * behind a round-robin balancer: A has the simulated modems, B none. A rent made on either is read, sent its SMS,
 * extended and finished on the other; a rent whose process is SIGKILLed ends on the survivor, once.
 */

/** A rented hour lasts 4 s here: the shortest rent (2 hours) ends 8 s after it starts. */
const HOUR_MS = 4_000;

async function call(server: ServerProcess, key: string, action: string, more: Record<string, string | number> = {}) {
  const query = new URLSearchParams([['api_key', key], ['action', action], ...Object.entries(more).map(([k, v]) => [k, String(v)])]);
  return (await (await fetch(`${server.url}/stubs/handler_api.php?${query}`)).json()) as Record<string, unknown>;
}

async function json(server: ServerProcess, key: string, method: string, path: string, body: unknown) {
  const res = await fetch(`${server.url}/api${path}`, {
    method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  return res.status;
}

test('a rent made on one process is read, texted, extended and finished on the other; a dead process\'s rent ends once on the survivor', async (t) => {
  t.timeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'getsms-rent-two-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const common = {
    DATA_DIR: dir, SHARED_STORE: 'on', SHARED_SYNC_MS: '300', RENT_HOUR_MS: String(HOUR_MS), RATE_LIMIT_RPS: '0',
    SMS_ACTIVATE_HOSTS: '127.0.0.1', // the handler API speaks sms-activate's dialect, whose rent actions these are
  };
  const a = await startServerProcess({ ...common, SIMULATOR: 'memory', SIM_MODEMS: '4', SIM_SLOTS: '1' });
  t.teardown(() => a.stop());
  const b = await startServerProcess({ ...common, SIMULATOR: 'none' });
  t.teardown(() => b.stop());
  const key = a.adminKey!;
  t.truthy(key, a.output());
  t.is(await json(a, key, 'POST', '/admin/accounts/1/topup', { amount: '1000', key: 'rent-two-topup' }), 201);
  t.is(await json(a, key, 'PUT', '/admin/rent-prices', { country: 'ru', price: '144' }), 200);

  const got = await call(b, key, 'getRentNumber', { service: 'full', rent_time: 2, country: 0 });
  t.is(got.status, 'success', JSON.stringify(got));
  const { id, number } = got.phone as { id: number; number: string };
  t.deepEqual(await call(a, key, 'getRentStatus', { id }), { status: 'error', message: 'STATUS_WAIT_CODE' }, 'seen on the other process');
  t.like(await call(a, key, 'getRentList'), { status: 'success', values: { 0: { id: String(id), phone: number } } });

  // The SIM's modem is on A; the rent was made on B.
  t.is(await json(a, key, 'POST', '/simulator/sms', { to: number, from: 'Bank', text: 'rent across processes' }), 202);
  const texted = await until('the SMS on process B', async () => {
    const status = await call(b, key, 'getRentStatus', { id });
    return status.status === 'success' ? status : undefined;
  });
  t.like(texted, { quantity: '1', values: { 0: { phoneFrom: 'Bank', text: 'rent across processes' } } });

  t.like(await call(a, key, 'continueRentNumber', { id, rent_time: 2 }), { status: 'success', phone: { id, number } });
  t.deepEqual(await call(b, key, 'setRentStatus', { id, status: 1 }), { status: 'success' });
  t.deepEqual(await call(a, key, 'getRentStatus', { id }), { status: 'error', message: 'STATUS_FINISH' });

  // B makes a rent, then dies: A ends it at its end (a few syncs late), once, and charges nothing more.
  const orphan = await call(b, key, 'getRentNumber', { service: 'full', rent_time: 2, country: 0 });
  t.is(orphan.status, 'success', JSON.stringify(orphan));
  const orphanId = (orphan.phone as { id: number }).id;
  await b.kill();
  const store = new SqliteStore(join(dir, 'getsms.sqlite'));
  t.teardown(() => store.close());
  const ended = await until('the dead process\'s rent ended', async () => {
    const r = await store.rent(orphanId);
    return r && !r.live ? r : undefined;
  }, 60_000);
  t.like(ended, { state: 'expired' });
  t.true(Date.now() >= ended.endsAt, 'not before its end');
  t.deepEqual(await call(a, key, 'getRentStatus', { id: orphanId }), { status: 'error', message: 'STATUS_FINISH' });

  const rentMoves = (await store.ledger(1)).filter((e) => e.ref.startsWith('rent:')).map((e) => e.key);
  t.deepEqual(rentMoves, [`rent:${id}`, `rent-extend:${id}:1`, `rent:${orphanId}`], 'each charged once, nothing refunded');
  const account = await store.accountById(1);
  t.is(account!.balance, (await store.ledger(1)).reduce((sum, e) => sum + e.amount, 0), 'the ledger adds up to the balance');
});
