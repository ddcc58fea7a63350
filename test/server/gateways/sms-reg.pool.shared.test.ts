import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase, startFerretDb } from '../../helpers/ferretdb.ts';
import { startServerProcess, type ServerProcess } from '../../helpers/process.ts';
import { until } from '../../helpers/until.ts';

/*
 * sms-reg's pool behind a round-robin balancer: two server processes on one store, A with a farm of one
 * SIM, B with none. An order that waits in the pool (TZ_INPOOL) is answered for by either process, gets
 * its number once whichever process asks when the SIM frees up, is charged once, and is withdrawn on
 * either side.
 */

type Reg = Record<string, unknown>;

async function reg(server: ServerProcess, method: string, params: Record<string, string | number>): Promise<Reg> {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const res = await fetch(`${server.url}/${method}.php?${query}`);
  return (await res.json()) as Reg;
}

test('sms-reg pool on one MongoDB, two processes: TZ_INPOOL on both, one number, one charge, withdrawn on either side', async (t) => {
  const db = await startFerretDb();
  t.teardown(() => db.stop());
  await scenario(t, { MONGODB_URI: db.uri(freshDatabase()) });
});

test('sms-reg pool on one SQLite data directory (SHARED_STORE=on), two processes: the same', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'getsms-pool-two-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await scenario(t, { DATA_DIR: dir, SHARED_STORE: 'on' });
});

async function scenario(t: ExecutionContext, storeEnv: Record<string, string>) {
  t.timeout(240_000);
  const common = { ...storeEnv, NO_NUMBERS_CACHE_SECONDS: '120', SHARED_SYNC_MS: '500', LIVE_POLL_MS: '200', RATE_LIMIT_RPS: '0' };
  const a = await startServerProcess({ ...common, SIMULATOR: 'memory', SIM_MODEMS: '1', SIM_SLOTS: '1' });
  t.teardown(() => a.stop());
  const b = await startServerProcess({ ...common, SIMULATOR: 'none' });
  t.teardown(() => b.stop());
  const holder = a.adminKey!;
  const waiter = a.demoKey!;
  t.truthy(holder && waiter, a.output());
  const topup = await fetch(`${a.url}/api/admin/accounts/1/topup`, {
    method: 'POST', headers: { authorization: `Bearer ${holder}`, 'content-type': 'application/json' },
    body: JSON.stringify({ amount: '1000', key: 'pool-shared-holder' }),
  });
  t.is(topup.status, 201);

  // The holder takes the farm's one SIM; the waiter's orders, on B, wait in the pool.
  const holderBefore = Number((await reg(a, 'getBalance', { apikey: holder })).balance);
  const held = await reg(a, 'getNum', { apikey: holder, service: 'telegram', country: 'all' });
  t.is(held.response, '1');
  // The SIM's price for Telegram (it depends on its country): what the waiter must pay once.
  const price = holderBefore - Number((await reg(a, 'getBalance', { apikey: holder })).balance);
  t.true(price > 0);
  const waiting = await reg(b, 'getNum', { apikey: waiter, service: 'telegram', country: 'all' });
  const dropped = await reg(b, 'getNum', { apikey: waiter, service: 'telegram', country: 'all' });
  const tzid = String(waiting.tzid);
  t.true(Number(tzid) >= 2_000_000_000, `a pool tzid: ${tzid}`);
  for (const side of [a, b]) {
    t.deepEqual(await reg(side, 'getState', { apikey: waiter, tzid }), { response: 'TZ_INPOOL' });
    t.deepEqual(await reg(side, 'getState', { apikey: holder, tzid }), { response: 'ERROR', error_msg: 'There is no TZID value' },
      'another account\'s pooled order');
  }
  const before = await reg(a, 'getBalance', { apikey: waiter });

  // One of them is withdrawn on A though B took it: TZ_DELETED on both sides, and it never takes a number.
  t.deepEqual(await reg(a, 'setOperationOver', { apikey: waiter, tzid: String(dropped.tzid) }), { response: '1', tzid: String(dropped.tzid) });
  t.like(await reg(b, 'getState', { apikey: waiter, tzid: String(dropped.tzid) }), { response: 'TZ_DELETED' });

  // The SIM frees up while eight pollers ask about the ticket on both processes at once.
  t.deepEqual(await reg(b, 'setOperationOver', { apikey: holder, tzid: String(held.tzid) }), { response: '1', tzid: String(held.tzid) });
  const seen: Reg[] = [];
  await Promise.all(Array.from({ length: 8 }, (_, i) => until(`poller ${i} to see the number`, async () => {
    const s = await reg(i % 2 ? a : b, 'getState', { apikey: waiter, tzid });
    seen.push(s);
    return s.response === 'TZ_NUM_PREPARE' ? s : undefined;
  })));
  t.true(seen.every((s) => s.response === 'TZ_INPOOL' || s.response === 'TZ_NUM_PREPARE'), JSON.stringify(seen.filter((s) => s.response !== 'TZ_INPOOL' && s.response !== 'TZ_NUM_PREPARE')));
  const numbers = new Set(seen.filter((s) => s.response === 'TZ_NUM_PREPARE').map((s) => s.number));
  t.is(numbers.size, 1, `one number for the ticket: ${[...numbers].join(', ')}`);
  t.like(await reg(b, 'getState', { apikey: waiter, tzid: String(dropped.tzid) }), { response: 'TZ_DELETED' }, 'the withdrawn one stayed out');

  // Charged once, and one operation: every method works on the tzid, on either side.
  const after = await reg(b, 'getBalance', { apikey: waiter });
  t.is(Number(before.balance) - Number(after.balance), price, `charged once: ${String(before.balance)} → ${String(after.balance)}`);
  const ops = await reg(a, 'getOperations', { apikey: waiter, opstate: 'active' }) as unknown as Reg[];
  t.is(ops.length, 1, JSON.stringify(ops));
  t.deepEqual(await reg(a, 'setReady', { apikey: waiter, tzid }), { response: '1' });
  t.like(await reg(b, 'getState', { apikey: waiter, tzid }), { response: 'TZ_NUM_WAIT' });
  t.deepEqual(await reg(b, 'setOperationOver', { apikey: waiter, tzid }), { response: '1', tzid });
  t.like(await reg(a, 'getState', { apikey: waiter, tzid }), { response: 'TZ_DELETED' });
  t.is(Number((await reg(a, 'getBalance', { apikey: waiter })).balance), Number(before.balance), 'refunded once');
}
