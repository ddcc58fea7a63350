import test from 'ava';
import mongoose from 'mongoose';
import { StoreError } from '../../../actors/index.ts';
import { openMongoStore } from '../../../server/store/index.ts';
import { freshDatabase, startFerretDb, type FerretDb } from '../../helpers/ferretdb.ts';
import { storeContract } from './contract.ts';

// One FerretDB 1.x (SQLite backend, temp directory) for this file; a fresh database per test.
let ferret: Promise<FerretDb> | undefined;
const server = () => (ferret ??= startFerretDb());
test.after.always(async () => {
  if (ferret) await (await ferret).stop();
});

storeContract('mongo', async () => {
  const uri = (await server()).uri(freshDatabase());
  const store = await openMongoStore(uri);
  return {
    store,
    async cleanup() {
      await store.close();
    },
  };
});

test('mongo: a server that cannot be reached rejects the open with STORE_UNAVAILABLE', async (t) => {
  const err = await t.throwsAsync(openMongoStore('mongodb://127.0.0.1:9/nothing', { serverSelectionTimeoutMS: 300 }));
  t.true(err instanceof StoreError);
  t.is((err as StoreError).code, 'STORE_UNAVAILABLE');
});

test('mongo: a closed store rejects with STORE_UNAVAILABLE instead of throwing where it is called', async (t) => {
  const store = await openMongoStore((await server()).uri(freshDatabase()));
  await store.close();
  const at = 1_700_000_000_000;
  const calls: [string, () => Promise<unknown>][] = [
    ['moveMoney', () => store.moveMoney({ accountId: 1, amount: 1, reason: 'topup', ref: 'x', key: 'k', at })],
    ['openActivation', () => store.openActivation({
      accountId: 1, service: 'telegram', filter: {}, forwarding: false, dialect: 'getsms', createdAt: at, expiresAt: at, remaining: 0,
      initialState: 'waitingForReady',
    })],
    ['saveSms', () => store.saveSms({ fingerprint: 'f', iccid: 'i', phone: 'p', sender: 's', text: 't', receivedAt: at })],
    ['appendEvent', () => store.appendEvent({ at, topic: 'sim', type: 'sim.seen', accountId: null, data: {} })],
  ];
  for (const [name, call] of calls) {
    let promise: Promise<unknown> | undefined;
    t.notThrows(() => void (promise = call()), `${name} threw where it was called`);
    const err = await t.throwsAsync(promise!);
    t.true(err instanceof StoreError, name);
    t.is((err as StoreError).code, 'STORE_UNAVAILABLE', name);
  }
});

test('mongo: a key changed by another process is seen within 100 ms', async (t) => {
  const uri = (await server()).uri(freshDatabase());
  const serverStore = await openMongoStore(uri);
  const cli = await openMongoStore(uri);
  t.teardown(async () => {
    await serverStore.close();
    await cli.close();
  });
  const a = await cli.createAccount({ email: 'a@x.test', role: 'user', keyHash: 'old', dialect: 'getsms', createdAt: 1 });
  t.like(await serverStore.keyOwner('old'), { id: a.id });
  t.is(await serverStore.keyOwner('new'), undefined);
  await cli.setApiKeyHash(a.id, 'new');
  await new Promise((r) => setTimeout(r, 110));
  t.is(await serverStore.keyOwner('old'), undefined);
  t.like(await serverStore.keyOwner('new'), { id: a.id });
});

test('mongo: two processes racing on one database never sell a SIM twice, overdraw, or both advance a snapshot', async (t) => {
  const uri = (await server()).uri(freshDatabase());
  const one = await openMongoStore(uri);
  const two = await openMongoStore(uri);
  t.teardown(async () => {
    await one.close();
    await two.close();
  });
  const at = 1_700_000_000_000;
  await one.setPrice('telegram', 'ru', 100);
  for (let i = 0; i < 20; i++) {
    await one.upsertSim({
      iccid: `8970177${String(i).padStart(12, '0')}`, imsi: `25099${String(i).padStart(10, '0')}`, phone: `7911${String(i).padStart(7, '0')}`,
      country: 'ru', operator: 'mts', channel: `ch-${i}`, slot: 1, canForward: false, online: true, at,
    });
  }
  const buyers: number[] = [];
  for (let i = 0; i < 2; i++) {
    const a = await one.createAccount({ email: `race${i}@x.test`, role: 'user', keyHash: `race-${i}`, dialect: 'getsms', createdAt: at });
    await one.moveMoney({ accountId: a.id, amount: 1_500, reason: 'topup', ref: 'test', key: `open:${a.id}`, at });
    buyers.push(a.id);
  }
  const orders = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? one : two).openActivation({
    accountId: buyers[i % 2]!, service: 'telegram', filter: {}, forwarding: false, dialect: 'getsms', createdAt: at,
    expiresAt: at + 60_000, remaining: 0, initialState: 'waitingForReady',
  })));
  const won = orders.flatMap((r) => (r.ok ? [r.activation] : []));
  t.is(won.length, 20);
  t.is(new Set(won.map((a) => a.iccid)).size, 20, 'no SIM twice');
  t.is(new Set(won.map((a) => a.id)).size, 20);

  // Debits from both processes on one account: exactly as many as the money allows.
  const debits = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? one : two).moveMoney({
    accountId: buyers[0]!, amount: -100, reason: 'debit', ref: 'test', key: `debit:${i}`, at,
  })));
  const spent = won.filter((a) => a.accountId === buyers[0]).length * 100;
  t.is(debits.filter((d) => d.ok).length, (1_500 - spent) / 100);
  for (const id of buyers) {
    const ledger = await two.ledger(id);
    let running = 0;
    for (const e of ledger) {
      running += e.amount;
      t.is(e.balanceAfter, running);
    }
    t.is((await one.accountById(id))!.balance, running, 'the ledger adds up to the balance');
    t.true(running >= 0);
  }

  // Both processes write the next version of one activation: one wins, the other gets STORE_CONFLICT.
  const a = won[0]!;
  const update = { state: 'cancelled' as const, live: false, code: null, messages: [], nextId: null, snapshot: {}, at };
  const saves = await Promise.allSettled([one.saveActivation(a.id, update, a.version), two.saveActivation(a.id, update, a.version)]);
  t.is(saves.filter((s) => s.status === 'fulfilled').length, 1);
  t.like(saves.find((s) => s.status === 'rejected'), { reason: { code: 'STORE_CONFLICT' } });
});

test('mongo: an order a crash left half made is voided at the next start: its SIM and its money come back', async (t) => {
  const { uri, before, accountId, iccid, at } = await halfMadeOrder(41, 'own:41', true);
  const order = {
    accountId, service: 'telegram', filter: {}, forwarding: false, dialect: 'getsms' as const, createdAt: at,
    expiresAt: at + 60_000, remaining: 0, initialState: 'waitingForReady' as const,
  };
  t.deepEqual(await before.openActivation(order), { ok: false, code: 'noNumbers' }, 'held by the half-made order');
  await before.close();

  const after = await openMongoStore(uri);
  t.teardown(() => after.close());
  t.is(await after.activation(41), undefined);
  t.deepEqual(await after.liveActivations(), []);
  t.is(await after.countActivations({ accountId }), 0, 'a voided order is not in History');
  t.deepEqual(await after.activations({ accountId, limit: 10 }), []);
  t.is((await after.accountById(accountId))!.balance, 10_000);
  t.like((await after.ledger(accountId)).at(-1), { amount: 2_500, reason: 'refund', key: 'refund:41' });
  t.like(await after.openActivation(order), { ok: true, activation: { iccid } });
});

test('mongo: a pool ticket\'s order a crash left half made is voided, and the ticket can be filled again', async (t) => {
  const tzid = 2_000_000_500;
  const { uri, before, accountId, iccid, at } = await halfMadeOrder(42, `ticket:${tzid}`, false);
  await before.close();

  const after = await openMongoStore(uri);
  t.teardown(() => after.close());
  t.is(await after.activationOfTicket(tzid), undefined, 'a voided order filled nothing');
  const order = {
    accountId, service: 'telegram', filter: {}, forwarding: false, dialect: 'getsms' as const, createdAt: at,
    expiresAt: at + 60_000, remaining: 0, initialState: 'waitingForReady' as const, ticket: tzid,
  };
  const made = await after.openActivation(order);
  t.like(made, { ok: true, activation: { iccid } }, 'the voided order gave its key back');
  t.like(await after.activationOfTicket(tzid), { id: made.ok ? made.activation.id : -1 });
  t.is((await after.accountById(accountId))!.balance, 10_000 - 2_500);
});

/**
 * A store holding what an order had written when its process died: its reservation under `chainKey`, the
 * SIM's hold (the farm's one SIM), and (`charged`) the charge, but no version 0.
 */
async function halfMadeOrder(id: number, chainKey: string, charged: boolean) {
  const uri = (await server()).uri(freshDatabase());
  const before = await openMongoStore(uri);
  const at = 1_700_000_000_000;
  const iccid = `89701880000000000${String(id).padStart(2, '0')}`;
  const phone = `791100000${String(id).padStart(2, '0')}`;
  await before.setPrice('telegram', 'ru', 2_500);
  await before.upsertSim({
    iccid, imsi: `2509900000000${String(id).padStart(2, '0')}`, phone, country: 'ru', operator: 'mts', channel: 'ch-1', slot: 1,
    canForward: false, online: true, at,
  });
  const a = await before.createAccount({ email: `crash${id}@x.test`, role: 'user', keyHash: `crash${id}`, dialect: 'getsms', createdAt: at });
  await before.moveMoney({ accountId: a.id, amount: 10_000, reason: 'topup', ref: 'test', key: 'open', at });
  const raw = mongoose.createConnection(uri);
  await raw.asPromise();
  await raw.collection('activations').insertOne({
    _id: id as never, accountId: a.id, service: 'telegram', iccid, phone, country: 'ru', operator: 'mts',
    price: 2_500, forwarding: false, dialect: 'getsms', createdAt: at, expiresAt: at + 60_000, remaining: 0, repeatOf: null,
    chainKey, live: true, pending: true, openedAt: Date.now() - 120_000,
  });
  await raw.collection('claims').insertOne({ _id: `h:${iccid}:telegram` as never, kind: 'hold', iccid, service: 'telegram', activationId: id });
  await raw.close();
  if (charged) {
    await before.moveMoney({ accountId: a.id, amount: -2_500, reason: 'charge', ref: `activation:${id}`, key: `charge:${id}`, at });
  }
  return { uri, before, accountId: a.id, iccid, at };
}

test('mongo: events appended by two processes get distinct increasing ids, and a poller after the last id it saw misses none', async (t) => {
  const uri = (await server()).uri(freshDatabase());
  const one = await openMongoStore(uri);
  const two = await openMongoStore(uri);
  const reader = await openMongoStore(uri);
  t.teardown(async () => {
    await Promise.all([one.close(), two.close(), reader.close()]);
  });
  const seen: number[] = [];
  let writing = true;
  const polling = (async () => {
    let last = 0;
    while (writing || seen.length < 60) {
      for (const e of await reader.eventsSince({ after: last, limit: 7 })) {
        seen.push(e.id);
        last = e.id;
      }
      if (!writing && (await reader.eventBounds()).newest === last) break;
    }
  })();
  const appended = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? one : two).appendEvent({
    at: 1_700_000_000_000 + i, topic: 'sim', type: 'sim.seen', accountId: null, data: { i },
  })));
  writing = false;
  await polling;
  const ids = appended.map((e) => e.id);
  t.is(new Set(ids).size, 60);
  t.deepEqual(seen, [...ids].sort((a, b) => a - b), 'in order, each once, none missed');
});

test('mongo: events a crash left in a version\'s outbox are relayed at the next start, each once, even when some were in', async (t) => {
  const uri = (await server()).uri(freshDatabase());
  const before = await openMongoStore(uri);
  const at = 1_700_000_000_000;
  await before.setPrice('telegram', 'ru', 2_500);
  await before.upsertSim({
    iccid: '8970188000000000009', imsi: '250990000000009', phone: '79110000009', country: 'ru', operator: 'mts', channel: 'ch-1', slot: 1,
    canForward: false, online: true, at,
  });
  const a = await before.createAccount({ email: 'outbox@x.test', role: 'user', keyHash: 'outbox', dialect: 'getsms', createdAt: at });
  await before.moveMoney({ accountId: a.id, amount: 10_000, reason: 'topup', ref: 'test', key: 'outbox', at });
  const made = await before.openActivation({
    accountId: a.id, service: 'telegram', filter: {}, forwarding: false, dialect: 'getsms', createdAt: at, expiresAt: at + 60_000,
    remaining: 0, initialState: 'waitingForReady',
  });
  if (!made.ok) throw new Error('order refused');
  const told = (n: number) => ({ at, topic: 'activation' as const, type: 'sms.received', accountId: a.id, data: { n } });
  await before.saveActivation(made.activation.id, {
    state: 'codeArrived', live: true, code: '1', messages: [], nextId: null, snapshot: {}, at, events: [told(1), told(2), told(3)],
  }, made.activation.version);
  await before.close();
  // As the process left it had it died after its version was in and the first of its three events: the rest unrelayed.
  const raw = mongoose.createConnection(uri);
  await raw.asPromise();
  const versionId = `${made.activation.id}:${made.activation.version + 1}`;
  const relayed = await raw.collection('events').find({ source: { $in: [`activation:${versionId}#1`, `activation:${versionId}#2`] } }).toArray();
  t.is(relayed.length, 2);
  await raw.collection('events').deleteMany({ source: { $in: [`activation:${versionId}#1`, `activation:${versionId}#2`] } });
  await raw.collection('activationVersions').updateOne({ _id: versionId as never }, {
    $set: { relay: true, events: JSON.stringify([told(1), told(2), told(3)]) },
  });
  await raw.close();

  const after = await openMongoStore(uri);
  t.teardown(() => after.close());
  const log = await after.eventsSince({ after: 0, limit: 100 });
  t.deepEqual(log.filter((e) => e.type === 'sms.received').map((e) => e.data.n).sort(), [1, 2, 3], 'each of the three once');
  await after.reconcile(Date.now() + 120_000);
  t.is((await after.eventsSince({ after: 0, limit: 100 })).length, log.length, 'relaying again appends nothing');
});
