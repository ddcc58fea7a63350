import test from 'ava';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreError } from '../../../actors/index.ts';
import { SqliteStore } from '../../../server/store/index.ts';
import { startTestSystem } from '../../helpers/system.ts';

// Without mounting anything: a second connection holding the write lock past the busy timeout (5 s) makes every
// write fail as a full disk or a read-only directory does (test/faults/disk.test.ts has those, as root).

test('a write outside a transaction that SQLite refuses is a StoreError STORE_UNAVAILABLE, not a raw SqliteError', async (t) => {
  t.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), 'getsms-sqlite-faults-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = new SqliteStore(join(dir, 'getsms.sqlite'));
  t.teardown(() => store.close());
  const blocker = new Database(join(dir, 'getsms.sqlite'));
  blocker.exec('BEGIN IMMEDIATE');
  t.teardown(() => blocker.close());
  for (const [name, write] of [
    ['setPrice (one statement)', () => store.setPrice('telegram', 'ru', 2500)],
    ['moveMoney (a transaction)', () => store.moveMoney({ accountId: 1, amount: 1, reason: 'topup', ref: 'x', key: 'k-1', at: 1 })],
  ] as const) {
    const err = await t.throwsAsync(write());
    t.true(err instanceof StoreError, `${name}: ${err?.constructor.name}`);
    t.is((err as StoreError).code, 'STORE_UNAVAILABLE', name);
  }
  blocker.exec('ROLLBACK');
  await t.notThrowsAsync(store.setPrice('telegram', 'ru', 2500));
});

test('the JSON API answers an unavailable store with 503 storeUnavailable and Retry-After, the gateway with ERROR_SQL', async (t) => {
  const sys = await startTestSystem();
  t.teardown(() => sys.close());
  const { key } = await sys.account();
  sys.store.openActivation = async () => {
    throw new StoreError('STORE_UNAVAILABLE', 'database or disk is full');
  };
  const res = await fetch(`${sys.url}/api/activations`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ service: 'telegram', country: 'ru' }),
  });
  t.is(res.status, 503);
  t.is(res.headers.get('retry-after'), '5');
  const body = await res.json() as { error: string; code: string };
  t.is(body.code, 'storeUnavailable');
  t.false(body.error.includes('disk is full'), 'the cause stays in the log');
  t.is(await sys.api({ api_key: key, action: 'getNumber', service: 'tg', country: 'ru' }), 'ERROR_SQL');
});
