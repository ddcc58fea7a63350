import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { StoreError } from '../../../actors/index.ts';
import { SqliteStore } from '../../../server/store/index.ts';
import { storeContract } from './contract.ts';

// A fresh database file in its own temp directory per test.
storeContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'getsms-store-'));
  const store = new SqliteStore(join(dir, 'getsms.sqlite'));
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

test('sqlite: a closed database rejects with STORE_UNAVAILABLE instead of throwing where it is called', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'getsms-store-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = new SqliteStore(join(dir, 'getsms.sqlite'));
  await store.close();
  const at = 1_700_000_000_000;
  const calls: [string, () => Promise<unknown>][] = [
    ['moveMoney', () => store.moveMoney({ accountId: 1, amount: 1, reason: 'topup', ref: 'x', key: 'k', at })],
    ['openActivation', () => store.openActivation({
      accountId: 1, service: 'telegram', filter: {}, forwarding: false, dialect: 'getsms', createdAt: at, expiresAt: at, remaining: 0,
      initialState: 'waitingForReady',
    })],
    ['settleActivation', () => store.settleActivation({
      activationId: 1, accountId: 1, iccid: 'i', phone: 'p', service: 's', refund: 1, claim: 'release', blacklist: false, at,
    })],
    ['saveSms', () => store.saveSms({ fingerprint: 'f', iccid: 'i', phone: 'p', sender: 's', text: 't', receivedAt: at })],
  ];
  for (const [name, call] of calls) {
    let promise: Promise<unknown> | undefined;
    t.notThrows(() => void (promise = call()), `${name} threw where it was called`);
    const err = await t.throwsAsync(promise!);
    t.true(err instanceof StoreError, name);
    t.is((err as StoreError).code, 'STORE_UNAVAILABLE', name);
  }
});

test('sqlite: a key changed by another process (the CLI) is seen within 100 ms', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'getsms-store-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'getsms.sqlite');
  const server = new SqliteStore(file);
  const cli = new SqliteStore(file);
  t.teardown(async () => {
    await server.close();
    await cli.close();
  });
  const a = await cli.createAccount({ email: 'a@x.test', role: 'user', keyHash: 'old', dialect: 'getsms', createdAt: 1 });
  t.like(await server.keyOwner('old'), { id: a.id });
  t.is(await server.keyOwner('new'), undefined);
  await cli.setApiKeyHash(a.id, 'new');
  await new Promise((r) => setTimeout(r, 110));
  t.is(await server.keyOwner('old'), undefined);
  t.like(await server.keyOwner('new'), { id: a.id });
});
