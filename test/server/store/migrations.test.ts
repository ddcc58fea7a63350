import test from 'ava';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../../server/store/index.ts';
import { migrations } from '../../../server/store/sqlite/index.ts';

function tempFile(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'getsms-migrate-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'getsms.sqlite');
}

function userVersion(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

test('a data directory at schema 1 is brought to the newest schema with its data kept', async (t) => {
  const file = tempFile(t);
  const old = new Database(file);
  old.exec(migrations[0]!);
  old.pragma('user_version = 1');
  old.prepare(`INSERT INTO accounts (email, role, key_hash, balance, dialect, created_at)
    VALUES ('old@x.test', 'user', 'old-key', 4200, 'getsms', 1600000000000)`).run();
  old.prepare(`INSERT INTO ledger (account_id, amount, balance_after, reason, ref, key, note, at)
    VALUES (1, 4200, 4200, 'topup', 'admin:cli', 'opening:1', '', 1600000000000)`).run();
  old.close();

  const store = new SqliteStore(file);
  t.teardown(() => store.close());
  t.like(await store.accountByEmail('old@x.test'), { id: 1, role: 'user', balance: 4200, dialect: 'getsms', createdAt: 1600000000000 });
  t.like(await store.accountByKeyHash('old-key'), { email: 'old@x.test' });
  t.like(await store.ledger(1), [{ amount: 4200, balanceAfter: 4200, key: 'opening:1' }]);
  // Step 2 ran: service rules can be kept.
  await store.setRule('telegram', { match: 'tgram' });
  t.deepEqual((await store.rules()).get('telegram'), { match: 'tgram' });
  await store.close();
  t.is(userVersion(file), migrations.length);
});

test('opening a migrated database again runs nothing and keeps everything', async (t) => {
  const file = tempFile(t);
  const first = new SqliteStore(file);
  const a = await first.createAccount({ email: 'a@x.test', role: 'admin', keyHash: 'h', dialect: 'smsActivate', createdAt: 1 });
  await first.setRule('whatsapp', { match: 'wa', code: '(\\d+)' });
  await first.close();
  const again = new SqliteStore(file);
  t.teardown(() => again.close());
  t.deepEqual(await again.accountById(a.id), a);
  t.deepEqual((await again.rules()).get('whatsapp'), { match: 'wa', code: '(\\d+)' });
  t.is(userVersion(file), migrations.length);
});

test('a data directory from a newer getsms is refused with a clear error and left as it was', (t) => {
  const file = tempFile(t);
  const newer = migrations.length + 1;
  const db = new Database(file);
  db.exec('CREATE TABLE from_the_future (x INTEGER)');
  db.pragma(`user_version = ${newer}`);
  db.close();
  const err = t.throws(() => new SqliteStore(file));
  t.regex(err!.message, new RegExp(`schema ${newer}.*newer than this getsms \\(${migrations.length}\\)`));
  t.is(userVersion(file), newer);
  // Refused without holding the file open: it can be removed and reopened at once.
  const check = new Database(file);
  t.deepEqual(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all(), [{ name: 'from_the_future' }]);
  check.close();
});
