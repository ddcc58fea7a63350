import { StoreError } from '../../../actors/index.ts';
import type { It } from './contract.ts';
import { account, books, counts, DAY, HOUR, opened, order, rented, rentOrder, settle, sim, T0, TG, WA } from './contract-fixtures.ts';

/** The store contract: number rent. */
export function rentContract(it: It): void {
  // ── rent ────────────────────────────────────────────────────────────────

  it('a rent takes a SIM on sale, charges the day price pro rata, and keeps the SIM from everyone else until it ends', async (t, store) => {
    const a = await account(store, 100_000);
    await store.setPrice('telegram', 'ru', TG);
    await store.setRentPrice('ru', 15_000);
    await store.setRentPrice('ru', DAY);
    t.deepEqual(await store.rentPrices(), [{ country: 'ru', price: DAY }]);
    const s = sim();
    await store.upsertSim(s);
    t.is(await store.rentable({}), 1);
    const r = await rented(store, rentOrder(a, { hours: 5 }));
    t.like(r, {
      accountId: a, iccid: s.iccid, phone: s.phone, country: 'ru', operator: 'mts', service: 'full', hours: 5, extensions: 0,
      price: Math.ceil((DAY * 5) / 24), createdAt: T0, endsAt: T0 + 5 * HOUR, state: 'renting', live: true, messages: [], version: 0,
    });
    t.like((await store.ledger(a)).at(-1), { amount: -Math.ceil((DAY * 5) / 24), reason: 'charge', ref: `rent:${r.id}`, key: `rent:${r.id}` });
    t.is(await store.rentable({}), 0);
    t.deepEqual(await store.openRent(rentOrder(a)), { ok: false, code: 'noNumbers' }, 'one live rent per SIM');
    t.deepEqual(await store.openActivation(order(a, 'telegram')), { ok: false, code: 'noNumbers' }, 'a rented SIM is not sold');
    t.deepEqual(counts(await store.availability({ accountId: a, filter: {} }), ['telegram']), { telegram: { any: 0, forwarding: 0 } });
    t.deepEqual((await store.liveRents()).map((x) => x.id), [r.id]);
    t.deepEqual((await store.liveRents(s.iccid)).map((x) => x.id), [r.id], 'one SIM: the rent on it');
    t.deepEqual(await store.liveRents('8970199000000000000'), [], 'another SIM: none');

    // Its end is stored with its snapshot: the SIM is on sale again, and no money comes back.
    const ended = { state: 'expired' as const, live: false, messages: [{ smsId: 7, from: 'Bank', text: 'hi', at: T0 + 1 }], snapshot: { ok: 1 }, at: T0 + 5 * HOUR };
    t.is(await store.saveRent(r.id, ended, 0), 1);
    await t.throwsAsync(store.saveRent(r.id, ended, 0), { instanceOf: StoreError, message: /version 0/ }, 'compare-and-set on the version');
    t.like(await store.rent(r.id), { state: 'expired', live: false, messages: ended.messages, snapshot: { ok: 1 }, version: 1 });
    t.deepEqual(await store.liveRents(), []);
    t.like(await opened(store, order(a, 'telegram')), { iccid: s.iccid });
    t.is((await store.ledger(a)).filter((e) => e.ref === `rent:${r.id}`).length, 1);
    await books(t, store, a);
  });

  it('a SIM a live activation holds is not rented; no rent price or not enough money rents nothing and charges nothing', async (t, store) => {
    const rich = await account(store, 100_000);
    const poor = await account(store, DAY - 1);
    await store.setPrice('telegram', 'ru', TG);
    const busy = sim();
    await store.upsertSim(busy);
    t.deepEqual(await store.openRent(rentOrder(rich)), { ok: false, code: 'noNumbers' }, 'no rent price in Russia');
    await store.setRentPrice('ru', DAY);
    const held = await opened(store, order(rich, 'telegram'));
    t.deepEqual(await store.openRent(rentOrder(rich)), { ok: false, code: 'noNumbers' }, 'held by an activation');
    await store.settleActivation(settle(held, { claim: 'used' }));
    t.deepEqual(await store.openRent(rentOrder(poor)), { ok: false, code: 'noBalance' });
    t.deepEqual(await store.openRent(rentOrder(rich, { filter: { country: 'kz' } })), { ok: false, code: 'noNumbers' });
    t.deepEqual(await store.openRent(rentOrder(rich, { filter: { operators: ['beeline'] } })), { ok: false, code: 'noNumbers' });
    t.deepEqual(await store.rents({ limit: 10 }), []);
    t.is((await store.accountById(poor))!.balance, DAY - 1);
    t.like(await rented(store, rentOrder(rich, { filter: { country: 'ru', operators: ['mts'] } })), { iccid: busy.iccid });
    await books(t, store, rich);
    await books(t, store, poor);
  });

  it('an extension is charged once each, under its own key, and refused once the rent ended or its time is up', async (t, store) => {
    const a = await account(store, DAY * 2);
    await store.setRentPrice('ru', DAY);
    await store.upsertSim(sim());
    const r = await rented(store, rentOrder(a, { hours: 24 }));
    const once = await store.extendRent({ rentId: r.id, accountId: a, hours: 12, addMs: 12 * HOUR, at: T0 + 1 });
    t.like(once, { ok: true, charged: DAY / 2, rent: { endsAt: T0 + 36 * HOUR, hours: 36, extensions: 1, price: DAY * 1.5 } });
    const twice = await store.extendRent({ rentId: r.id, accountId: a, hours: 12, addMs: 12 * HOUR, at: T0 + 2 });
    t.like(twice, { ok: true, rent: { endsAt: T0 + 48 * HOUR, extensions: 2, price: DAY * 2 } });
    await t.throwsAsync(
      store.saveRent(r.id, { state: 'expired', live: false, messages: [], snapshot: null, at: T0 + 24 * HOUR }, 0),
      { instanceOf: StoreError }, 'an end the extensions moved is not stored (another process ran out the old one)',
    );
    t.deepEqual((await store.ledger(a)).filter((e) => e.ref === `rent:${r.id}`).map((e) => e.key), [`rent:${r.id}`, `rent-extend:${r.id}:1`, `rent-extend:${r.id}:2`]);
    t.deepEqual(await store.extendRent({ rentId: r.id, accountId: a, hours: 24, addMs: 24 * HOUR, at: T0 + 3 }), { ok: false, code: 'noBalance' });
    const other = await account(store, DAY);
    t.deepEqual(await store.extendRent({ rentId: r.id, accountId: other, hours: 2, addMs: 2 * HOUR, at: T0 + 3 }), { ok: false, code: 'noRent' }, 'someone else\'s rent');
    t.deepEqual(await store.extendRent({ rentId: r.id, accountId: a, hours: 2, addMs: 2 * HOUR, at: T0 + 48 * HOUR }), { ok: false, code: 'ended' }, 'its time is up');
    await store.saveRent(r.id, { state: 'cancelling', live: true, messages: [], snapshot: null, at: T0 + 4 }, 0);
    t.deepEqual(
      await store.extendRent({ rentId: r.id, accountId: a, hours: 2, addMs: 2 * HOUR, at: T0 + 4 }), { ok: false, code: 'ended' },
      'being cancelled: its refund is being decided (another process may hold an older snapshot)',
    );
    await store.saveRent(r.id, { state: 'cancelled', live: false, messages: [], snapshot: null, at: T0 + 4 }, 1);
    t.deepEqual(await store.extendRent({ rentId: r.id, accountId: a, hours: 2, addMs: 2 * HOUR, at: T0 + 5 }), { ok: false, code: 'ended' });
    t.like(await store.rent(r.id), { endsAt: T0 + 48 * HOUR, extensions: 2 });
    await books(t, store, a);
  });

  it('a rent refund is made once, even when it runs twice', async (t, store) => {
    const a = await account(store, DAY);
    await store.setRentPrice('ru', DAY);
    await store.upsertSim(sim());
    const r = await rented(store, rentOrder(a));
    t.is((await store.accountById(a))!.balance, 0);
    await store.refundRent({ rentId: r.id, accountId: a, amount: DAY, at: T0 + 60_000 });
    await store.refundRent({ rentId: r.id, accountId: a, amount: DAY, at: T0 + 61_000 });
    t.is((await store.accountById(a))!.balance, DAY);
    t.like((await store.ledger(a)).at(-1), { amount: DAY, reason: 'refund', ref: `rent:${r.id}`, key: `rent-refund:${r.id}` });
    await books(t, store, a);
  });

  it('a live rent holds its SIM\'s channel as a live activation does: one slot at a time', async (t, store) => {
    const a = await account(store, 100_000);
    await store.setPrice('telegram', 'ru', TG);
    await store.setRentPrice('ru', DAY);
    await store.saveChannel({ id: 'bank-2', state: 'ready', slot: 1, iccid: null, phone: null, operator: null, registered: true, signalDbm: -70, lastError: null, updatedAt: T0 });
    const active = sim({ channel: 'bank-2', slot: 1 });
    const waiting = sim({ channel: 'bank-2', slot: 2, online: false, standby: true, operator: 'beeline' });
    await store.upsertSim(active);
    await store.upsertSim(waiting);
    t.is(await store.rentable({}), 2);

    // A rent on the active SIM keeps the standby SIM off sale (the channel cannot leave the renter's slot).
    const onActive = await rented(store, rentOrder(a));
    t.is(onActive.iccid, active.iccid, 'SIMs in active slots are rented first');
    t.deepEqual(await store.openActivation(order(a, 'telegram')), { ok: false, code: 'noNumbers' });
    t.deepEqual(await store.openRent(rentOrder(a)), { ok: false, code: 'noNumbers' });
    await store.saveRent(onActive.id, { state: 'finished', live: false, messages: [], snapshot: null, at: T0 + 1 }, 0);

    // While the active SIM holds an activation, the channel cannot leave its slot: the standby SIM is not rented.
    const beeline = { filter: { operators: ['beeline'] } };
    const held = await opened(store, order(a, 'telegram'));
    t.deepEqual(await store.openRent(rentOrder(a, beeline)), { ok: false, code: 'noNumbers' });
    await store.settleActivation(settle(held, { claim: 'used' }));
    // A rent on the standby SIM: the channel is promised to it, so its active SIM is sold to nobody.
    const onStandby = await rented(store, rentOrder(a, beeline));
    t.is(onStandby.iccid, waiting.iccid);
    t.deepEqual(await store.openRent(rentOrder(a)), { ok: false, code: 'noNumbers' });
    await store.setPrice('whatsapp', 'ru', WA);
    t.deepEqual(await store.openActivation(order(a, 'whatsapp')), { ok: false, code: 'noNumbers' });
    t.deepEqual(counts(await store.availability({ accountId: a, filter: {} }), ['whatsapp']), { whatsapp: { any: 0, forwarding: 0 } });
    await books(t, store, a);
  });

  it('rents are listed newest first, per account and live or not', async (t, store) => {
    const a = await account(store, 100_000);
    const b = await account(store, 100_000);
    await store.setRentPrice('ru', DAY);
    for (let i = 0; i < 3; i++) await store.upsertSim(sim());
    const r1 = await rented(store, rentOrder(a));
    const r2 = await rented(store, rentOrder(b));
    const r3 = await rented(store, rentOrder(a));
    await store.saveRent(r1.id, { state: 'cancelled', live: false, messages: [], snapshot: null, at: T0 + 1 }, 0);
    t.deepEqual((await store.rents({ accountId: a, limit: 10 })).map((r) => r.id), [r3.id, r1.id]);
    t.deepEqual((await store.rents({ accountId: a, live: true, limit: 10 })).map((r) => r.id), [r3.id]);
    t.deepEqual((await store.rents({ limit: 2 })).map((r) => r.id), [r3.id, r2.id]);
    t.is(await store.rent(r3.id + 100), undefined);
  });
}
