import { StoreError, type ActivationFilter, type ActivationRecord } from '../../../actors/index.ts';
import type { It } from './contract.ts';
import { account, books, counts, opened, order, settle, sim, T0, TG, TTL, WA } from './contract-fixtures.ts';

/** The store contract: orders, snapshots, settlement and SMS. */
export function activationsContract(it: It): void {
  // ── orders ──────────────────────────────────────────────────────────────

  it('an order claims a free SIM for the service and charges its price in one step', async (t, store) => {
    const a = await account(store, 10_000);
    await store.setPrice('telegram', 'ru', TG);
    const s = sim({ operator: 'beeline' });
    await store.upsertSim(s);
    const got = await opened(store, order(a, 'telegram', { remaining: 2 }));
    t.like(got, {
      accountId: a, service: 'telegram', iccid: s.iccid, phone: s.phone, country: 'ru', operator: 'beeline',
      price: TG, forwarding: false, dialect: 'getsms', createdAt: T0, expiresAt: T0 + TTL, remaining: 2,
      repeatOf: null, live: true, code: null, messages: [], nextId: null,
    });
    t.is((await store.accountById(a))!.balance, 10_000 - TG);
    const charge = (await store.ledger(a)).filter((e) => e.reason === 'charge');
    t.like(charge, [{ amount: -TG, ref: `activation:${got.id}` }]);
    t.like(await store.activation(got.id), { id: got.id, iccid: s.iccid, live: true });
    t.deepEqual((await store.liveActivations()).map((x) => x.id), [got.id]);
    t.deepEqual((await store.activations({ accountId: a, limit: 10 })).map((x) => x.id), [got.id]);
    await books(t, store, a);
  });

  it('a SIM is never handed out twice for a service while its activation is live', async (t, store) => {
    const a = await account(store, 100_000);
    await store.setPrice('telegram', 'ru', TG);
    await store.setPrice('whatsapp', 'ru', WA);
    await store.upsertSim(sim());
    await store.upsertSim(sim());
    const first = await opened(store, order(a, 'telegram'));
    const second = await opened(store, order(a, 'telegram'));
    t.not(first.iccid, second.iccid);
    t.deepEqual(await store.openActivation(order(a, 'telegram')), { ok: false, code: 'noNumbers' });
    // Another service may still use both SIMs.
    const wa1 = await opened(store, order(a, 'whatsapp'));
    const wa2 = await opened(store, order(a, 'whatsapp'));
    t.deepEqual(new Set([wa1.iccid, wa2.iccid]), new Set([first.iccid, second.iccid]));
    await books(t, store, a);
  });

  it('a SIM used for a service (claim spent) is never handed out for it again; a released one is', async (t, store) => {
    const a = await account(store, 100_000);
    const b = await account(store, 100_000);
    await store.setPrice('telegram', 'ru', TG);
    await store.setPrice('whatsapp', 'ru', WA);
    await store.upsertSim(sim());
    const used = await opened(store, order(a, 'telegram'));
    await store.settleActivation(settle(used, { refund: 0, claim: 'used' }));
    t.deepEqual(await store.openActivation(order(b, 'telegram')), { ok: false, code: 'noNumbers' });
    t.deepEqual(await store.openActivation(order(a, 'telegram')), { ok: false, code: 'noNumbers' });
    const wa = await opened(store, order(b, 'whatsapp'));
    t.is(wa.iccid, used.iccid);
    await store.settleActivation(settle(wa, { refund: WA, claim: 'release' }));
    const again = await opened(store, order(a, 'whatsapp'));
    t.is(again.iccid, used.iccid);
    t.deepEqual((await store.simByIccid(used.iccid))!.usedFor, ['telegram'], 'the SIM record says what it was used for');
  });

  it('an order for a country where the service has no price, or with no SIM at all, gets noNumbers', async (t, store) => {
    const a = await account(store, 100_000);
    t.deepEqual(await store.openActivation(order(a, 'telegram')), { ok: false, code: 'noNumbers' });
    await store.setPrice('telegram', 'ru', TG);
    await store.upsertSim(sim({ country: 'de' }));
    await store.upsertSim(sim({ country: 'ru', online: false }));
    t.deepEqual(await store.openActivation(order(a, 'telegram')), { ok: false, code: 'noNumbers' });
    t.deepEqual(await store.liveActivations(), []);
    t.is((await store.accountById(a))!.balance, 100_000);
  });

  it('an order without enough money leaves nothing behind: no activation, no claim, no charge', async (t, store) => {
    const poor = await account(store, TG - 1);
    const rich = await account(store, 100_000);
    await store.setPrice('telegram', 'ru', TG);
    const s = sim();
    await store.upsertSim(s);
    t.deepEqual(await store.openActivation(order(poor, 'telegram')), { ok: false, code: 'noBalance' });
    t.is((await store.accountById(poor))!.balance, TG - 1);
    t.is((await store.ledger(poor)).length, 1);
    t.deepEqual(await store.activations({ limit: 100 }), []);
    t.deepEqual(await store.liveActivations(), []);
    t.deepEqual(counts(await store.availability({ accountId: rich, filter: {} }), ['telegram']), {
      telegram: { any: 1, forwarding: 0 },
    });
    t.like(await opened(store, order(rich, 'telegram')), { iccid: s.iccid });
    await books(t, store, poor);
  });

  it('an order takes only SIMs of the country and operators asked for', async (t, store) => {
    const a = await account(store, 100_000);
    await store.setPrice('telegram', 'ru', TG);
    await store.setPrice('telegram', 'kz', TG);
    const mts = sim({ country: 'ru', operator: 'mts' });
    const beeline = sim({ country: 'ru', operator: 'beeline' });
    const kz = sim({ country: 'kz', operator: 'beeline' });
    for (const s of [mts, beeline, kz]) await store.upsertSim(s);
    t.like(await opened(store, order(a, 'telegram', { filter: { country: 'ru', operators: ['beeline'] } })), {
      iccid: beeline.iccid, country: 'ru', operator: 'beeline',
    });
    t.deepEqual(
      await store.openActivation(order(a, 'telegram', { filter: { country: 'ru', operators: ['beeline'] } })),
      { ok: false, code: 'noNumbers' },
    );
    t.like(await opened(store, order(a, 'telegram', { filter: { country: 'kz' } })), { iccid: kz.iccid });
    t.deepEqual(await store.openActivation(order(a, 'telegram', { filter: { country: 'de' } })), { ok: false, code: 'noNumbers' });
    t.like(await opened(store, order(a, 'telegram', { filter: { operators: ['tele2', 'mts'] } })), { iccid: mts.iccid });
  });

  it('an order with forwarding takes only SIMs that can forward calls', async (t, store) => {
    const a = await account(store, 100_000);
    await store.setPrice('avito', 'ru', 1_800);
    await store.upsertSim(sim({ canForward: false }));
    const fw = sim({ canForward: true });
    await store.upsertSim(fw);
    t.like(await opened(store, order(a, 'avito', { forwarding: true })), { iccid: fw.iccid, forwarding: true });
    t.deepEqual(await store.openActivation(order(a, 'avito', { forwarding: true })), { ok: false, code: 'noNumbers' });
    t.like(await opened(store, order(a, 'avito')), { forwarding: false });
  });

  it('a repeat is free, pinned to its SIM, and busy while another live activation holds the SIM for the service', async (t, store) => {
    const a = await account(store, 10_000);
    await store.setPrice('telegram', 'ru', TG);
    const s = sim();
    await store.upsertSim(s);
    await store.upsertSim(sim());
    const first = await opened(store, order(a, 'telegram', { filter: { operators: [s.operator] } }));
    const repeat = { iccid: first.iccid, previousId: first.id, chained: false };
    // The first activation still holds the SIM for telegram.
    t.deepEqual(await store.openActivation(order(a, 'telegram', { repeat })), { ok: false, code: 'busy' });
    await store.settleActivation(settle(first, { refund: 0, claim: 'used' }));
    const balance = (await store.accountById(a))!.balance;
    const r1 = await opened(store, order(a, 'telegram', { repeat }));
    t.like(r1, { iccid: first.iccid, phone: first.phone, price: 0, repeatOf: first.id, live: true });
    t.is((await store.accountById(a))!.balance, balance);
    t.deepEqual(await store.openActivation(order(a, 'telegram', { repeat })), { ok: false, code: 'busy' });
    // Still used for everybody else's order.
    t.not((await opened(store, order(a, 'telegram'))).iccid, first.iccid);
    await store.settleActivation(settle(r1, { refund: 0, claim: 'used' }));
    t.like(await opened(store, order(a, 'telegram', { repeat: { ...repeat, previousId: r1.id } })), {
      iccid: first.iccid, price: 0, repeatOf: r1.id,
    });
    await books(t, store, a);
  });

  it('a channel serves one slot at a time: a standby SIM is sold only from a ready channel none of whose other SIMs is held', async (t, store) => {
    const a = await account(store, 100_000);
    await store.setPrice('telegram', 'ru', TG);
    await store.setPrice('whatsapp', 'ru', WA);
    const picture = { id: 'bank-1', state: 'ready', slot: 1, iccid: null, phone: null, operator: null, registered: true, signalDbm: -70, lastError: null, updatedAt: T0 };
    await store.saveChannel(picture);
    const active = sim({ channel: 'bank-1', slot: 1 });
    const waiting = sim({ channel: 'bank-1', slot: 2, online: false, standby: true });
    await store.upsertSim(active);
    t.like(await store.upsertSim(waiting), { online: false, standby: true });
    t.deepEqual(counts(await store.availability({ accountId: a, filter: {} }), ['telegram']), { telegram: { any: 2, forwarding: 0 } });

    // While the active SIM holds an activation, the standby one is not sold: the channel cannot leave its slot.
    const onActive = await opened(store, order(a, 'telegram'));
    t.is(onActive.iccid, active.iccid);
    t.deepEqual(await store.openActivation(order(a, 'telegram')), { ok: false, code: 'noNumbers' });
    await store.settleActivation(settle(onActive, { claim: 'used' }));

    // A channel that is down sells no standby SIM.
    await store.saveChannel({ ...picture, state: 'reconnecting', updatedAt: T0 + 1 });
    t.deepEqual(await store.openActivation(order(a, 'telegram')), { ok: false, code: 'noNumbers' });
    await store.saveChannel({ ...picture, updatedAt: T0 + 2 });
    const onStandby = await opened(store, order(a, 'telegram'));
    t.is(onStandby.iccid, waiting.iccid);
    // Now the channel is promised to the standby SIM: it takes more orders, its active SIM none.
    t.is((await opened(store, order(a, 'whatsapp'))).iccid, waiting.iccid);
    t.deepEqual(await store.openActivation(order(a, 'whatsapp')), { ok: false, code: 'noNumbers' });
    t.deepEqual(counts(await store.availability({ accountId: a, filter: {} }), ['whatsapp']), { whatsapp: { any: 0, forwarding: 0 } });

    // The channel switched: the standby SIM is the active one, and the old one waits in its slot.
    await store.setSimStandby(active.iccid, T0 + 3);
    await store.setSimOnline(waiting.iccid, true, T0 + 3);
    t.like(await store.simByIccid(active.iccid), { online: false, standby: true });
    t.like(await store.simByIccid(waiting.iccid), { online: true, standby: false });
    await store.setPrice('vk', 'ru', TG);
    t.is((await opened(store, order(a, 'vk'))).iccid, waiting.iccid);
    t.deepEqual(await store.openActivation(order(a, 'vk')), { ok: false, code: 'noNumbers' }, 'the old SIM waits until the channel is free');
    await books(t, store, a);
  });

  it('a repeat on a SIM that is offline or unknown gets noNumbers', async (t, store) => {
    const a = await account(store, 10_000);
    await store.setPrice('telegram', 'ru', TG);
    const s = sim();
    await store.upsertSim(s);
    const first = await opened(store, order(a, 'telegram'));
    await store.settleActivation(settle(first, { refund: 0, claim: 'used' }));
    await store.setSimOnline(s.iccid, false, T0 + 5);
    t.deepEqual(
      await store.openActivation(order(a, 'telegram', { repeat: { iccid: s.iccid, previousId: first.id, chained: false } })),
      { ok: false, code: 'noNumbers' },
    );
    t.deepEqual(
      await store.openActivation(order(a, 'telegram', { repeat: { iccid: 'no-such-sim', previousId: first.id, chained: false } })),
      { ok: false, code: 'noNumbers' },
    );
  });

  it('the chained next activation of a count=N order is made once per previous activation', async (t, store) => {
    const a = await account(store, 10_000);
    await store.setPrice('telegram', 'ru', TG);
    await store.upsertSim(sim());
    const first = await opened(store, order(a, 'telegram', { remaining: 1 }));
    await store.settleActivation(settle(first, { refund: 0, claim: 'used' }));
    const chain = { iccid: first.iccid, previousId: first.id, chained: true };
    const next = await opened(store, order(a, 'telegram', { remaining: 0, repeat: chain }));
    t.like(next, { iccid: first.iccid, price: 0, repeatOf: first.id, remaining: 0, live: true });
    const again = await opened(store, order(a, 'telegram', { remaining: 0, repeat: chain }));
    t.is(again.id, next.id);
    t.is((await store.activations({ accountId: a, limit: 10 })).length, 2);
    t.is((await store.accountById(a))!.balance, 10_000 - TG);
    await books(t, store, a);
  });

  // ── snapshots ───────────────────────────────────────────────────────────

  it('an activation snapshot is written with compare-and-set on its version', async (t, store) => {
    const a = await account(store, 10_000);
    await store.setPrice('telegram', 'ru', TG);
    await store.upsertSim(sim());
    const got = await opened(store, order(a, 'telegram'));
    const v0 = got.version;
    const snapshot = { status: 'active', value: 'waitingForCode', context: { id: got.id, nested: [1, 'two', null] } };
    const sms = { smsId: 7, from: 'Telegram', text: 'Telegram code: 12345', code: '12345', at: T0 + 1 };
    const v1 = await store.saveActivation(
      got.id, { state: 'codeArrived', live: true, code: '12345', messages: [sms], nextId: null, snapshot, at: T0 + 1 }, v0,
    );
    t.is(v1, v0 + 1);
    t.like(await store.activation(got.id), { state: 'codeArrived', live: true, code: '12345', messages: [sms], version: v1 });
    t.deepEqual((await store.activation(got.id))!.snapshot, snapshot);

    const stale = await t.throwsAsync(
      store.saveActivation(got.id, { state: 'cancelled', live: false, code: null, messages: [], nextId: null, snapshot: {}, at: T0 + 2 }, v0),
    );
    t.true(stale instanceof StoreError);
    t.is((stale as StoreError).code, 'STORE_CONFLICT');
    t.like(await store.activation(got.id), { state: 'codeArrived', version: v1 });

    const v2 = await store.saveActivation(
      got.id, { state: 'finished', live: false, code: '12345', messages: [sms], nextId: 99, snapshot: { done: true }, at: T0 + 3 }, v1,
    );
    t.is(v2, v1 + 1);
    t.like(await store.activation(got.id), { state: 'finished', live: false, nextId: 99, version: v2 });
    t.deepEqual(await store.liveActivations(), []);
    t.deepEqual((await store.activations({ accountId: a, live: false, limit: 10 })).map((x) => x.id), [got.id]);
    t.deepEqual(await store.activations({ accountId: a, live: true, limit: 10 }), []);
  });

  it('a snapshot for an activation that does not exist is a conflict', async (t, store) => {
    const err = await t.throwsAsync(
      store.saveActivation(987_654, { state: 'cancelled', live: false, code: null, messages: [], nextId: null, snapshot: {}, at: T0 }, 0),
    );
    t.is((err as StoreError).code, 'STORE_CONFLICT');
  });

  it('activations are listed newest first, per account and up to a limit', async (t, store) => {
    const a = await account(store, 100_000);
    const b = await account(store, 100_000);
    await store.setPrice('telegram', 'ru', TG);
    for (let i = 0; i < 4; i++) await store.upsertSim(sim());
    const a1 = await opened(store, order(a, 'telegram'));
    const b1 = await opened(store, order(b, 'telegram'));
    const a2 = await opened(store, order(a, 'telegram'));
    const a3 = await opened(store, order(a, 'telegram'));
    t.deepEqual((await store.activations({ accountId: a, limit: 10 })).map((x) => x.id), [a3.id, a2.id, a1.id]);
    t.deepEqual((await store.activations({ accountId: a, limit: 2 })).map((x) => x.id), [a3.id, a2.id]);
    t.deepEqual((await store.activations({ limit: 10 })).map((x) => x.id), [a3.id, a2.id, b1.id, a1.id]);
    t.deepEqual((await store.liveActivations()).map((x) => x.id).sort((x, y) => x - y), [a1.id, b1.id, a2.id, a3.id].sort((x, y) => x - y));
    t.deepEqual((await store.liveActivations(b1.iccid)).map((x) => x.id), [b1.id], 'one SIM: only the activations on it');
  });

  it('activations are filtered by service, time and state, paged from the newest, and counted as filtered', async (t, store) => {
    const a = await account(store, 1_000_000);
    const other = await account(store, 1_000_000);
    await store.setPrice('telegram', 'ru', TG);
    await store.setPrice('whatsapp', 'ru', WA);
    for (let i = 0; i < 6; i++) await store.upsertSim(sim());
    // Twelve, one a minute: telegram and whatsapp in turn; every third one ended.
    const made: ActivationRecord[] = [];
    for (let i = 0; i < 12; i++) {
      const at = T0 + i * 60_000;
      const x = await opened(store, order(a, i % 2 ? 'whatsapp' : 'telegram', { createdAt: at, expiresAt: at + TTL }));
      made.push(x);
      if (i % 3 === 0) {
        await store.saveActivation(x.id, {
          state: 'cancelled', live: false, code: null, messages: [], nextId: null, snapshot: {}, at: at + 1,
        }, x.version);
        await store.settleActivation(settle(x, { refund: x.price, claim: 'release', at: at + 1 }));
      }
    }
    await opened(store, order(other, 'telegram'));
    const ids = (xs: ActivationRecord[]) => xs.map((x) => x.id);
    const newest = [...made].reverse();
    const check = async (filter: ActivationFilter, expected: ActivationRecord[], what: string) => {
      t.is(await store.countActivations(filter), expected.length, `${what}: count`);
      t.deepEqual(ids(await store.activations({ ...filter, limit: 100 })), ids(expected), `${what}: all`);
      t.deepEqual(ids(await store.activations({ ...filter, offset: 2, limit: 3 })), ids(expected.slice(2, 5)), `${what}: a page`);
      t.deepEqual(await store.activations({ ...filter, offset: expected.length, limit: 3 }), [], `${what}: past the end`);
    };
    await check({ accountId: a }, newest, 'all');
    await check({ accountId: a, service: 'whatsapp' }, newest.filter((x) => x.service === 'whatsapp'), 'one service');
    await check({ accountId: a, live: false }, newest.filter((_, i) => (11 - i) % 3 === 0), 'ended');
    await check({ accountId: a, live: true }, newest.filter((_, i) => (11 - i) % 3 !== 0), 'live');
    await check({ accountId: a, createdFrom: T0 + 3 * 60_000, createdBefore: T0 + 9 * 60_000 }, newest.slice(3, 9), 'a time range');
    await check({ accountId: a, service: 'telegram', live: true, createdFrom: T0 + 60_000 },
      newest.filter((x, i) => x.service === 'telegram' && (11 - i) % 3 !== 0 && x.createdAt >= T0 + 60_000), 'all filters at once');
    t.is(await store.countActivations({}), 13, 'every account\'s');
  });

  // ── settlement ──────────────────────────────────────────────────────────

  it('a settlement refunds once, even when it runs twice, and a released SIM is free again', async (t, store) => {
    const a = await account(store, 10_000);
    const b = await account(store, 10_000);
    await store.setPrice('telegram', 'ru', TG);
    await store.upsertSim(sim());
    const got = await opened(store, order(a, 'telegram'));
    const s = settle(got, { refund: TG, claim: 'release' });
    await store.settleActivation(s);
    await store.settleActivation(s);
    t.is((await store.accountById(a))!.balance, 10_000);
    t.like((await store.ledger(a)).filter((e) => e.reason === 'refund'), [{ amount: TG, ref: `activation:${got.id}` }]);
    t.is((await store.ledger(a)).filter((e) => e.reason === 'refund').length, 1);
    t.like(await opened(store, order(b, 'telegram')), { iccid: got.iccid });
    await books(t, store, a);
  });

  it('a spent claim stays spent when the settlement runs again', async (t, store) => {
    const a = await account(store, 10_000);
    await store.setPrice('telegram', 'ru', TG);
    await store.upsertSim(sim());
    const got = await opened(store, order(a, 'telegram'));
    await store.settleActivation(settle(got, { refund: 0, claim: 'used' }));
    // A late settlement of the same activation must not free what it already spent.
    await store.settleActivation(settle(got, { refund: 0, claim: 'release' }));
    t.deepEqual(await store.openActivation(order(a, 'telegram')), { ok: false, code: 'noNumbers' });
    t.is((await store.ledger(a)).filter((e) => e.reason === 'refund').length, 0);
  });

  it('a released repeat stops holding its SIM but leaves it used for the service', async (t, store) => {
    const a = await account(store, 10_000);
    const b = await account(store, 10_000);
    await store.setPrice('telegram', 'ru', TG);
    await store.upsertSim(sim());
    const first = await opened(store, order(a, 'telegram'));
    await store.settleActivation(settle(first, { refund: 0, claim: 'used' }));
    const repeat = { iccid: first.iccid, previousId: first.id, chained: false };
    const r1 = await opened(store, order(a, 'telegram', { repeat }));
    await store.settleActivation(settle(r1, { refund: 0, claim: 'release' }));
    t.deepEqual(await store.openActivation(order(b, 'telegram')), { ok: false, code: 'noNumbers' });
    t.like(await opened(store, order(a, 'telegram', { repeat })), { iccid: first.iccid, price: 0 });
  });

  it('a blacklisted number is withheld from that account only, until its blacklist is cleared', async (t, store) => {
    const a = await account(store, 10_000);
    const b = await account(store, 10_000);
    await store.setPrice('telegram', 'ru', TG);
    await store.setPrice('whatsapp', 'ru', WA);
    const s = sim();
    await store.upsertSim(s);
    const got = await opened(store, order(a, 'telegram'));
    await store.settleActivation(settle(got, { refund: TG, claim: 'release', blacklist: true }));
    t.deepEqual(await store.blacklist(a), [s.phone]);
    t.deepEqual(await store.blacklist(b), []);
    t.deepEqual(await store.openActivation(order(a, 'telegram')), { ok: false, code: 'noNumbers' });
    t.deepEqual(await store.openActivation(order(a, 'whatsapp')), { ok: false, code: 'noNumbers' });
    const other = await opened(store, order(b, 'telegram'));
    t.is(other.iccid, s.iccid);
    await store.settleActivation(settle(other, { refund: TG, claim: 'release' }));
    t.is(await store.clearBlacklist(a), 1);
    t.deepEqual(await store.blacklist(a), []);
    t.is(await store.clearBlacklist(a), 0);
    t.like(await opened(store, order(a, 'telegram')), { iccid: s.iccid });
  });

  it('the last coded activation is the newest one of that account, number and service with a code', async (t, store) => {
    const a = await account(store, 100_000);
    const b = await account(store, 100_000);
    await store.setPrice('telegram', 'ru', TG);
    await store.setPrice('whatsapp', 'ru', WA);
    const s = sim();
    await store.upsertSim(s);
    const coded = async (accountId: number, service: string, code: string | null, repeat?: ActivationRecord) => {
      const got = await opened(store, order(accountId, service, repeat ? { repeat: { iccid: repeat.iccid, previousId: repeat.id, chained: false } } : {}));
      await store.saveActivation(
        got.id, { state: code ? 'finished' : 'cancelled', live: false, code, messages: [], nextId: null, snapshot: {}, at: T0 + 1 }, got.version,
      );
      await store.settleActivation(settle(got, code ? { refund: 0, claim: 'used' } : { refund: got.price, claim: 'release' }));
      return got;
    };
    t.is(await store.lastCodedActivation(a, s.phone, 'telegram'), undefined);
    await coded(a, 'whatsapp', null);
    const first = await coded(a, 'telegram', '11111');
    const second = await coded(a, 'telegram', '22222', first);
    await coded(a, 'telegram', null, second);
    t.like(await store.lastCodedActivation(a, s.phone, 'telegram'), { id: second.id, code: '22222' });
    t.is(await store.lastCodedActivation(a, s.phone, 'whatsapp'), undefined);
    t.is(await store.lastCodedActivation(b, s.phone, 'telegram'), undefined);
    t.is(await store.lastCodedActivation(a, '70000000000', 'telegram'), undefined);
  });

  // ── SMS ─────────────────────────────────────────────────────────────────

  it('an SMS is kept once per fingerprint; a second copy is reported as a duplicate', async (t, store) => {
    const s = sim();
    await store.upsertSim(s);
    const incoming = { fingerprint: 'fp-1', iccid: s.iccid, phone: s.phone, sender: 'Telegram', text: 'code 12345', receivedAt: T0 };
    const first = await store.saveSms(incoming);
    t.false(first.duplicate);
    t.like(first.sms, { ...incoming, activationIds: [] });
    const second = await store.saveSms({ ...incoming, text: 'a re-read copy', receivedAt: T0 + 5 });
    t.true(second.duplicate);
    t.deepEqual(second.sms, first.sms);
    t.is((await store.smsOfSim(s.iccid, 10)).length, 1);
  });

  it('an SMS is linked to the activations that took it, and listed per SIM, newest first', async (t, store) => {
    const s = sim();
    const other = sim();
    const base = { iccid: s.iccid, phone: s.phone, sender: 'INFO', text: 'hello' };
    const m1 = (await store.saveSms({ ...base, fingerprint: 'a', receivedAt: T0 })).sms;
    const m2 = (await store.saveSms({ ...base, fingerprint: 'b', receivedAt: T0 + 1 })).sms;
    const m3 = (await store.saveSms({ ...base, fingerprint: 'c', receivedAt: T0 + 2 })).sms;
    await store.saveSms({ ...base, iccid: other.iccid, phone: other.phone, fingerprint: 'd', receivedAt: T0 + 3 });
    await store.linkSms(m2.id, [5, 6]);
    t.deepEqual((await store.smsOfSim(s.iccid, 10)).map((m) => [m.id, m.activationIds]), [[m3.id, []], [m2.id, [5, 6]], [m1.id, []]]);
    t.deepEqual((await store.smsOfSim(s.iccid, 2)).map((m) => m.id), [m3.id, m2.id]);
    t.deepEqual((await store.saveSms({ ...base, fingerprint: 'b', receivedAt: T0 + 9 })).sms.activationIds, [5, 6]);
    t.deepEqual(await store.smsOfSim('no-such-sim', 10), []);
  });

  it('200 concurrent orders on a farm of 50 SIMs: exactly 50 succeed, no SIM twice, the ledger adds up', async (t, store) => {
    await store.setPrice('telegram', 'ru', TG);
    for (let i = 0; i < 50; i++) await store.upsertSim(sim());
    const accounts = await Promise.all([0, 1, 2, 3].map(() => account(store, 60 * TG)));
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => store.openActivation(order(accounts[i % 4]!, 'telegram'))),
    );
    const won = results.flatMap((r) => (r.ok ? [r.activation] : []));
    t.is(won.length, 50);
    t.true(results.every((r) => r.ok || r.code === 'noNumbers'));
    t.is(new Set(won.map((a) => a.iccid)).size, 50);
    t.is(new Set(won.map((a) => a.id)).size, 50);
    let spent = 0;
    for (const id of accounts) {
      const acc = await store.accountById(id);
      spent += 60 * TG - acc!.balance;
      await books(t, store, id);
    }
    t.is(spent, 50 * TG);
    t.is((await store.liveActivations()).length, 50);
    t.deepEqual(counts(await store.availability({ accountId: accounts[0]!, filter: {} }), ['telegram']), {
      telegram: { any: 0, forwarding: 0 },
    });
  });
}
