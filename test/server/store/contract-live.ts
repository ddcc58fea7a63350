import { StoreError, type ActivationRecord, type LiveEvent } from '../../../actors/index.ts';
import type { It } from './contract.ts';
import { account, opened, order, sim, T0, TG, TTL } from './contract-fixtures.ts';

/** The store contract: the live event log and webhooks. */
export function liveContract(it: It): void {
  // ── live events and webhooks ────────────────────────────────────────────

  it('events get increasing ids and are read back after an id, per account or all, in pages', async (t, store) => {
    t.deepEqual(await store.eventBounds(), { oldest: 0, newest: 0 });
    const a = await account(store, 0);
    const b = await account(store, 0);
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) {
      const accountId = i % 3 === 2 ? null : i % 2 === 0 ? a : b;
      const e = await store.appendEvent({ at: T0 + i, topic: accountId === null ? 'sim' : 'activation', type: 'activation.changed', accountId, data: { n: i, text: 'Код: 12345' } });
      t.like(e, { at: T0 + i, accountId, data: { n: i } });
      ids.push(e.id);
    }
    t.true(ids.every((id, i) => i === 0 || id > ids[i - 1]!), 'ids increase');
    t.deepEqual(await store.eventBounds(), { oldest: ids[0]!, newest: ids[5]! });
    const all = await store.eventsSince({ after: 0, limit: 100 });
    t.deepEqual(all.map((e) => e.id), ids);
    t.deepEqual(all[1], { id: ids[1]!, at: T0 + 1, topic: 'activation', type: 'activation.changed', accountId: b, data: { n: 1, text: 'Код: 12345' } });
    t.deepEqual((await store.eventsSince({ after: ids[1]!, limit: 2 })).map((e) => e.id), [ids[2], ids[3]]);
    t.deepEqual((await store.eventsSince({ after: 0, limit: 100, accountId: a })).map((e) => e.data.n), [0, 4]);
    t.deepEqual((await store.eventsSince({ after: ids[0]!, limit: 100, accountId: a })).map((e) => e.data.n), [4]);
    t.deepEqual(await store.eventsSince({ after: ids[5]!, limit: 100 }), []);
  });

  it('a batch of events is appended with ids in its order, after the events before it', async (t, store) => {
    const first = await store.appendEvent({ at: T0, topic: 'activation', type: 'activation.opened', accountId: null, data: { n: 0 } });
    const batch = await store.appendEvents([1, 2, 3].map((n) => ({ at: T0 + n, topic: 'activation' as const, type: 'activation.changed', accountId: null, data: { n } })));
    t.deepEqual(batch.map((e) => e.data.n), [1, 2, 3]);
    t.true(batch[0]!.id > first.id && batch[1]!.id > batch[0]!.id && batch[2]!.id > batch[1]!.id);
    t.deepEqual((await store.eventsSince({ after: first.id, limit: 10 })).map((e) => e.data.n), [1, 2, 3]);
    t.deepEqual(await store.appendEvents([]), []);
  });

  it('due activations: live past their deadline, or settling; not the ones within it, nor the ended', async (t, store) => {
    const a = await account(store, 100_000);
    await store.setPrice('telegram', 'ru', TG);
    for (let i = 0; i < 4; i++) await store.upsertSim(sim());
    const overdue = await opened(store, order(a, 'telegram', { expiresAt: T0 + 1_000 }));
    const fresh = await opened(store, order(a, 'telegram'));
    const settling = await opened(store, order(a, 'telegram'));
    const ended = await opened(store, order(a, 'telegram', { expiresAt: T0 + 1_000 }));
    const at = (state: ActivationRecord['state'], live: boolean) => ({ state, live, code: null, messages: [], nextId: null, snapshot: {}, at: T0 + 1 });
    const v = await store.saveActivation(settling.id, at('cancelling', true), settling.version);
    await store.saveActivation(ended.id, at('cancelled', false), ended.version);
    t.deepEqual((await store.liveActivationsDue(T0 + 1_000)).map((x) => x.id), [overdue.id, settling.id]);
    t.deepEqual((await store.liveActivationsDue(T0 + 999)).map((x) => x.id), [settling.id], 'a deadline not yet reached');
    await store.saveActivation(settling.id, at('cancelled', false), v);
    t.deepEqual((await store.liveActivationsDue(T0 + TTL)).map((x) => x.id), [overdue.id, fresh.id]);
  });

  it('an order and a snapshot append the events they tell in the same step (the outbox); a refused one appends none', async (t, store) => {
    const a = await account(store, 100_000);
    await store.setPrice('telegram', 'ru', TG);
    await store.upsertSim(sim());
    const heard: LiveEvent[][] = [];
    const stop = store.onAppended((events) => heard.push([...events]));
    const before = (await store.eventBounds()).newest;
    const told: ActivationRecord[] = [];
    const announce = (made: ActivationRecord) => {
      told.push(made);
      return [{ at: T0, topic: 'activation' as const, type: 'activation.opened', accountId: made.accountId, data: { activationId: made.id } }];
    };
    const got = await opened(store, order(a, 'telegram', { announce }));
    t.deepEqual(told, [got], 'the order is told of exactly what it answers');
    t.deepEqual(await store.openActivation(order(a, 'telegram', { announce })), { ok: false, code: 'noNumbers' });
    const changed = (n: number) => ({ at: T0 + n, topic: 'activation' as const, type: 'activation.changed', accountId: a, data: { n } });
    const v1 = await store.saveActivation(got.id, {
      state: 'waitingForCode', live: true, code: null, messages: [], nextId: null, snapshot: { v: 1 }, at: T0 + 1, events: [changed(1), changed(2)],
    }, got.version);
    await t.throwsAsync(store.saveActivation(got.id, {
      state: 'cancelled', live: false, code: null, messages: [], nextId: null, snapshot: {}, at: T0 + 3, events: [changed(3)],
    }, got.version), { instanceOf: StoreError }, 'a stale version writes nothing, its events neither');
    await store.saveActivation(got.id, { state: 'waitingForCode', live: true, code: null, messages: [], nextId: null, snapshot: { v: 2 }, at: T0 + 4 }, v1);
    const log = await store.eventsSince({ after: before, limit: 100 });
    t.deepEqual(log.map((e) => [e.type, e.data.n ?? e.data.activationId]), [['activation.opened', got.id], ['activation.changed', 1], ['activation.changed', 2]]);
    t.deepEqual(heard.flat().map((e) => e.id), log.map((e) => e.id), 'each appended event is announced once, in order');
    stop();
    await store.appendEvent(changed(5));
    t.is(heard.flat().length, 3, 'a stopped listener hears nothing more');
  });

  it('pruning drops events older than a time and beyond a count, and a pruned id is never handed out again', async (t, store) => {
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) {
      ids.push((await store.appendEvent({ at: T0 + i * 1000, topic: 'activation', type: 'activation.opened', accountId: null, data: {} })).id);
    }
    t.is(await store.pruneEvents({ before: T0 + 3000, keep: 1_000 }), 3, 'the three older than the cut');
    t.deepEqual(await store.eventBounds(), { oldest: ids[3]!, newest: ids[9]! });
    t.is(await store.pruneEvents({ before: 0, keep: 4 }), 3, 'all but the newest four');
    t.deepEqual((await store.eventsSince({ after: 0, limit: 100 })).map((e) => e.id), ids.slice(6));
    t.is(await store.pruneEvents({ before: T0 + 60_000, keep: 1_000 }), 4);
    t.deepEqual(await store.eventBounds(), { oldest: 0, newest: 0 });
    const next = await store.appendEvent({ at: T0, topic: 'activation', type: 'activation.opened', accountId: null, data: {} });
    t.true(next.id > ids[9]!, 'ids go on after the newest ever given');
  });

  it('a webhook is set, replaced and removed per account', async (t, store) => {
    const a = await account(store, 0);
    t.is(await store.webhook(a), undefined);
    await store.setWebhook(a, { url: 'https://hooks.example/one', secret: 's1' }, T0);
    t.deepEqual(await store.webhook(a), { accountId: a, url: 'https://hooks.example/one', secret: 's1', updatedAt: T0 });
    await store.setWebhook(a, { url: 'http://hooks.example/two', secret: 's1' }, T0 + 1);
    t.like(await store.webhook(a), { url: 'http://hooks.example/two', updatedAt: T0 + 1 });
    await store.setWebhook(a, null, T0 + 2);
    t.is(await store.webhook(a), undefined);
  });

  it('a webhook delivery is queued once per key, leased when claimed, retried when due, and finished once', async (t, store) => {
    const a = await account(store, 0);
    const d = { key: 'sms:1:1', accountId: a, url: 'https://hooks.example/x', body: '{"activationId":1}', createdAt: T0, dueAt: T0 };
    t.true(await store.enqueueWebhook(d));
    t.false(await store.enqueueWebhook({ ...d, body: 'other' }), 'the same key twice is one delivery');
    t.deepEqual(await store.claimWebhooks({ now: T0 - 1, leaseUntil: T0 + 10_000, limit: 10 }), [], 'not due yet');
    const [first, ...none] = await store.claimWebhooks({ now: T0, leaseUntil: T0 + 10_000, limit: 10 });
    t.deepEqual(none, []);
    t.like(first, { key: 'sms:1:1', body: '{"activationId":1}', attempts: 1, state: 'pending', dueAt: T0 + 10_000 });
    t.deepEqual(await store.claimWebhooks({ now: T0 + 5_000, leaseUntil: T0 + 20_000, limit: 10 }), [], 'leased: nobody else takes it');
    await store.finishWebhook(first!.id, { delivered: false, error: 'HTTP 500', retryAt: T0 + 30_000, at: T0 + 1 });
    t.deepEqual(await store.claimWebhooks({ now: T0 + 29_999, leaseUntil: T0 + 40_000, limit: 10 }), []);
    const [second] = await store.claimWebhooks({ now: T0 + 30_000, leaseUntil: T0 + 40_000, limit: 10 });
    t.like(second, { id: first!.id, attempts: 2, lastError: 'HTTP 500' });
    await store.finishWebhook(second!.id, { delivered: true, at: T0 + 30_001 });
    await store.finishWebhook(second!.id, { delivered: false, error: 'late', retryAt: T0 + 50_000, at: T0 + 30_002 });
    t.deepEqual(await store.claimWebhooks({ now: T0 + 99_000, leaseUntil: T0 + 100_000, limit: 10 }), [], 'delivered is final');
    t.like((await store.webhookDeliveries(a, 10))[0], { state: 'delivered', attempts: 2, doneAt: T0 + 30_001, lastError: null });

    t.true(await store.enqueueWebhook({ ...d, key: 'sms:1:2' }));
    const [third] = await store.claimWebhooks({ now: T0, leaseUntil: T0 + 1, limit: 10 });
    await store.finishWebhook(third!.id, { delivered: false, error: 'connection refused', retryAt: null, at: T0 + 2 });
    t.like((await store.webhookDeliveries(a, 10))[0], { key: 'sms:1:2', state: 'failed', lastError: 'connection refused', doneAt: T0 + 2 });
    t.deepEqual(await store.claimWebhooks({ now: T0 + 99_000, leaseUntil: T0 + 100_000, limit: 10 }), [], 'given up is final');
    t.true(await store.enqueueWebhook({ ...d, key: 'sms:1:3' }));
    t.is(await store.pruneWebhooks(T0 + 30_001), 1, 'only the finished one before the cut');
    t.deepEqual((await store.webhookDeliveries(a, 10)).map((x) => x.key), ['sms:1:3', 'sms:1:1']);
  });
}
