import test, { type ExecutionContext } from 'ava';
import {
  StoreError, type ActivationOrder, type ActivationRecord, type Settlement, type SimSighting, type Store,
} from '../../../actors/index.ts';

/**
 * The Store contract: what every adapter must do, said through the Store port
 * only (no SQL, no adapter internals), so SQLite and MongoDB run it unchanged.
 * `open` gives a fresh, empty store per test.
 */
export type OpenStore = () => Promise<{ store: Store; cleanup(): Promise<void> }>;

const T0 = 1_700_000_000_000;
const TTL = 20 * 60_000;
const TG = 2_500; // kopecks
const WA = 3_500;

export function storeContract(name: string, open: OpenStore): void {
  /** A test on a fresh store, closed and removed afterwards. */
  const it = (title: string, body: (t: ExecutionContext, store: Store) => Promise<void>) =>
    test(`${name}: ${title}`, async (t) => {
      const { store, cleanup } = await open();
      t.teardown(cleanup);
      await body(t, store);
    });

  // ── accounts ────────────────────────────────────────────────────────────

  it('a key\'s owner follows key and dialect changes at once; an unknown key has none', async (t, store) => {
    const a = await store.createAccount({ email: 'k@x.test', role: 'operator', keyHash: 'hash-1', dialect: 'getsms', createdAt: T0 });
    t.deepEqual(await store.keyOwner('hash-1'), { id: a.id, email: 'k@x.test', role: 'operator', dialect: 'getsms' });
    t.is(await store.keyOwner('hash-2'), undefined);
    await store.setApiKeyHash(a.id, 'hash-2');
    t.is(await store.keyOwner('hash-1'), undefined, 'the old key stops working');
    t.like(await store.keyOwner('hash-2'), { id: a.id });
    await store.setDialect(a.id, 'smsActivate');
    t.like(await store.keyOwner('hash-2'), { dialect: 'smsActivate' });
  });

  it('a SIM move is recorded pending and done when the SIM is seen at its target', async (t, store) => {
    const m = await store.recordMove({ iccid: 'i1', from: { channel: 'c1', slot: 1 }, to: { channel: 'c2', slot: 3 }, requestedBy: 7, at: T0 });
    t.like(m, { iccid: 'i1', doneAt: null });
    t.is(await store.completeMoves('i1', 'c2', 2, T0 + 1), 0, 'seen elsewhere: still moving');
    t.deepEqual((await store.moves({ pending: true, limit: 10 })).map((x) => x.id), [m.id]);
    t.is(await store.completeMoves('i1', 'c2', 3, T0 + 2), 1);
    t.deepEqual(await store.moves({ pending: true, limit: 10 }), []);
    t.like((await store.moves({ limit: 10 }))[0], { id: m.id, doneAt: T0 + 2, to: { channel: 'c2', slot: 3 }, requestedBy: 7 });
  });

  it('a channel\'s picture is kept, one row per channel, the newest winning', async (t, store) => {
    const picture = {
      id: '/dev/ttyUSB0', state: 'ready', slot: 1, iccid: '8970100000000000001', phone: '79260000001', operator: 'MegaFon',
      registered: true, signalDbm: -71, lastError: null, updatedAt: T0,
    };
    await store.saveChannel(picture);
    await store.saveChannel({ ...picture, id: '/dev/ttyUSB1', state: 'noSim', iccid: null, phone: null, registered: false });
    await store.saveChannel({ ...picture, state: 'reconnecting', lastError: 'USB unplugged', updatedAt: T0 + 1 });
    const all = await store.channels();
    t.deepEqual(all.map((c) => c.id), ['/dev/ttyUSB0', '/dev/ttyUSB1']);
    t.like(all[0], { state: 'reconnecting', lastError: 'USB unplugged', updatedAt: T0 + 1, operator: 'MegaFon' });
    t.like(all[1], { state: 'noSim', iccid: null, registered: false });
  });

  it('an account is created with a zero balance and found by id, email and key hash', async (t, store) => {
    const a = await store.createAccount({ email: 'a@x.test', role: 'user', keyHash: 'hash-a', dialect: 'getsms', createdAt: T0 });
    t.like(a, { email: 'a@x.test', role: 'user', balance: 0, dialect: 'getsms', createdAt: T0 });
    t.deepEqual(await store.accountById(a.id), a);
    t.deepEqual(await store.accountByEmail('a@x.test'), a);
    t.deepEqual(await store.accountByKeyHash('hash-a'), a);
    t.is(await store.accountByEmail('nobody@x.test'), undefined);
    t.is(await store.accountByKeyHash('no-such-hash'), undefined);
    t.is(await store.accountById(a.id + 1000), undefined);
    t.deepEqual(await store.accounts(), [a]);
  });

  it('an email and a key hash belong to one account only: a second one is a conflict', async (t, store) => {
    const first = await store.createAccount({ email: 'same@x.test', role: 'user', keyHash: 'k1', dialect: 'getsms', createdAt: T0 });
    const taken = await t.throwsAsync(
      store.createAccount({ email: 'same@x.test', role: 'admin', keyHash: 'k2', dialect: 'getsms', createdAt: T0 }),
    );
    t.true(taken instanceof StoreError);
    t.is((taken as StoreError).code, 'STORE_CONFLICT');
    const key = await t.throwsAsync(
      store.createAccount({ email: 'other@x.test', role: 'user', keyHash: 'k1', dialect: 'getsms', createdAt: T0 }),
    );
    t.is((key as StoreError).code, 'STORE_CONFLICT');
    t.deepEqual(await store.accounts(), [first]);
    t.is(await store.accountByKeyHash('k2'), undefined);
  });

  it('a new key hash replaces the old one, and the dialect can change', async (t, store) => {
    const a = await store.createAccount({ email: 'k@x.test', role: 'user', keyHash: 'old', dialect: 'getsms', createdAt: T0 });
    await store.setApiKeyHash(a.id, 'new');
    await store.setDialect(a.id, 'smsActivate');
    t.is(await store.accountByKeyHash('old'), undefined);
    t.like(await store.accountByKeyHash('new'), { id: a.id, dialect: 'smsActivate' });
  });

  // ── money ───────────────────────────────────────────────────────────────

  it('money is credited and debited, each move with its ledger entry', async (t, store) => {
    const a = await account(store, 0);
    t.deepEqual(await store.moveMoney(move(a, 10_000, 'top-1', 'topup')), { ok: true, balance: 10_000, applied: true });
    t.deepEqual(await store.moveMoney(move(a, -2_550, 'debit-1', 'debit')), { ok: true, balance: 7_450, applied: true });
    t.is((await store.accountById(a))!.balance, 7_450);
    const ledger = await store.ledger(a);
    t.deepEqual(
      ledger.map(({ amount, balanceAfter, reason, ref, key, note }) => ({ amount, balanceAfter, reason, ref, key, note })),
      [
        { amount: 10_000, balanceAfter: 10_000, reason: 'topup', ref: 'admin:test', key: 'top-1', note: 'why' },
        { amount: -2_550, balanceAfter: 7_450, reason: 'debit', ref: 'admin:test', key: 'debit-1', note: 'why' },
      ],
    );
    t.true(ledger.every((e) => e.accountId === a));
    await books(t, store, a);
  });

  it('money never goes below zero: the move is refused and nothing is written', async (t, store) => {
    const a = await account(store, 1_000);
    t.deepEqual(await store.moveMoney(move(a, -1_001, 'too-much', 'debit')), { ok: false, code: 'insufficientFunds' });
    t.is((await store.accountById(a))!.balance, 1_000);
    t.is((await store.ledger(a)).length, 1);
    // Down to exactly zero is fine.
    t.like(await store.moveMoney(move(a, -1_000, 'all-of-it', 'debit')), { ok: true, balance: 0, applied: true });
    // A refused key is not burnt: the same key may succeed later.
    await store.moveMoney(move(a, 5_000, 'top-2', 'topup'));
    t.like(await store.moveMoney(move(a, -1_001, 'too-much', 'debit')), { ok: true, balance: 3_999, applied: true });
    await books(t, store, a);
  });

  it('a move is applied once per key: the same key twice changes nothing the second time', async (t, store) => {
    const a = await account(store, 0);
    t.like(await store.moveMoney(move(a, 5_000, 'once', 'topup')), { ok: true, balance: 5_000, applied: true });
    t.deepEqual(await store.moveMoney(move(a, 5_000, 'once', 'topup')), { ok: true, balance: 5_000, applied: false });
    t.is((await store.accountById(a))!.balance, 5_000);
    t.is((await store.ledger(a)).length, 1);
    await books(t, store, a);
  });

  it('money for an unknown account is refused', async (t, store) => {
    t.deepEqual(await store.moveMoney(move(424_242, 100, 'ghost', 'topup')), { ok: false, code: 'noAccount' });
  });

  // ── catalogue, settings, announcements ──────────────────────────────────

  it('prices round-trip and a second price for the same service and country replaces the first', async (t, store) => {
    await store.setPrice('telegram', 'ru', 2_500);
    await store.setPrice('telegram', 'kz', 3_500);
    await store.setPrice('whatsapp', 'kz', 4_900);
    await store.setPrice('telegram', 'ru', 2_700);
    t.deepEqual(sortPrices(await store.prices()), [
      { service: 'telegram', country: 'kz', price: 3_500 },
      { service: 'telegram', country: 'ru', price: 2_700 },
      { service: 'whatsapp', country: 'kz', price: 4_900 },
    ]);
  });

  it('SMS rules round-trip, with and without a code pattern, and a new rule replaces the old', async (t, store) => {
    t.is((await store.rules()).size, 0);
    await store.setRule('telegram', { match: 'tgram' });
    await store.setRule('whatsapp', { match: 'whatsapp', code: '(\\d{3})-(\\d{3})' });
    t.deepEqual(
      await store.rules(),
      new Map<string, { match: string; code?: string }>([
        ['telegram', { match: 'tgram' }],
        ['whatsapp', { match: 'whatsapp', code: '(\\d{3})-(\\d{3})' }],
      ]),
    );
    await store.setRule('whatsapp', { match: 'wa', code: undefined });
    t.deepEqual((await store.rules()).get('whatsapp'), { match: 'wa' });
  });

  it('settings round-trip and a new value replaces the old', async (t, store) => {
    t.is(await store.setting('earlyCancel'), undefined);
    await store.setSetting('earlyCancel', 'on');
    t.is(await store.setting('earlyCancel'), 'on');
    await store.setSetting('earlyCancel', 'off');
    t.is(await store.setting('earlyCancel'), 'off');
  });

  it('announcements are kept with their time', async (t, store) => {
    const first = await store.addAnnouncement('Price change: WhatsApp (KZ) - 49 руб.', T0);
    const second = await store.addAnnouncement('New SIMs in Kazakhstan', T0 + 1);
    t.like(first, { text: 'Price change: WhatsApp (KZ) - 49 руб.', at: T0 });
    t.not(first.id, second.id);
    t.deepEqual([...(await store.announcements())].sort((a, b) => a.at - b.at), [first, second]);
  });

  // ── SIMs ────────────────────────────────────────────────────────────────

  it('a SIM seen for the first time is inserted and found by ICCID and by phone', async (t, store) => {
    const s = sim({ canForward: true });
    const saved = await store.upsertSim(s);
    t.like(saved, { ...s, seenAt: s.at });
    t.like(await store.simByIccid(s.iccid), { ...s });
    t.like(await store.simByPhone(s.phone), { iccid: s.iccid });
    t.is(await store.simByIccid('0000'), undefined);
    t.is(await store.simByPhone('0000'), undefined);
    t.deepEqual((await store.sims()).map((x) => x.iccid), [s.iccid]);
  });

  it('a SIM moved to another slot is the same SIM, updated, not a second one', async (t, store) => {
    const s = sim({ channel: 'ch-1', slot: 3 });
    await store.upsertSim(s);
    const moved = await store.upsertSim({ ...s, channel: 'ch-7', slot: 1, operator: 'beeline', at: T0 + 60_000 });
    t.like(moved, { iccid: s.iccid, channel: 'ch-7', slot: 1, operator: 'beeline', seenAt: T0 + 60_000 });
    const all = await store.sims();
    t.is(all.length, 1);
    t.like(all[0], { iccid: s.iccid, channel: 'ch-7', slot: 1 });
  });

  it('a SIM goes offline and back online', async (t, store) => {
    const s = sim();
    await store.upsertSim(s);
    await store.setSimOnline(s.iccid, false, T0 + 10);
    t.like(await store.simByIccid(s.iccid), { online: false, seenAt: T0 + 10 });
    await store.setSimOnline(s.iccid, true, T0 + 20);
    t.like(await store.simByIccid(s.iccid), { online: true, seenAt: T0 + 20 });
  });

  it('availability counts free SIMs per service, and the ones that can forward calls', async (t, store) => {
    const a = await account(store, 100_000);
    await store.setPrice('telegram', 'ru', TG);
    await store.setPrice('avito', 'ru', 1_800);
    await store.setPrice('avito', 'kz', 2_500);
    await store.upsertSim(sim({ country: 'ru', canForward: true }));
    await store.upsertSim(sim({ country: 'ru' }));
    await store.upsertSim(sim({ country: 'kz', canForward: true }));
    await store.upsertSim(sim({ country: 'kz', canForward: true, online: false }));
    await store.upsertSim(sim({ country: 'de' })); // nothing is sold in Germany
    const all = await store.availability({ accountId: a, filter: {} });
    t.deepEqual(counts(all, ['telegram', 'avito', 'whatsapp']), {
      telegram: { any: 2, forwarding: 1 },
      avito: { any: 3, forwarding: 2 },
      whatsapp: { any: 0, forwarding: 0 },
    });
    const kz = await store.availability({ accountId: a, filter: { country: 'kz' } });
    t.deepEqual(counts(kz, ['telegram', 'avito']), { telegram: { any: 0, forwarding: 0 }, avito: { any: 1, forwarding: 1 } });
  });

  it('availability leaves out SIMs held for the service and numbers on the account’s blacklist', async (t, store) => {
    const a = await account(store, 100_000);
    const b = await account(store, 100_000);
    await store.setPrice('telegram', 'ru', TG);
    await store.setPrice('whatsapp', 'ru', WA);
    await store.upsertSim(sim());
    await store.upsertSim(sim());
    await store.upsertSim(sim());
    const held = await opened(store, order(a, 'telegram'));
    const listed = await opened(store, order(a, 'whatsapp'));
    await store.settleActivation(settle(listed, { refund: WA, claim: 'release', blacklist: true }));
    t.deepEqual(counts(await store.availability({ accountId: a, filter: {} }), ['telegram', 'whatsapp']), {
      telegram: { any: listed.iccid === held.iccid ? 2 : 1, forwarding: 0 },
      whatsapp: { any: 2, forwarding: 0 },
    });
    t.deepEqual(counts(await store.availability({ accountId: b, filter: {} }), ['telegram', 'whatsapp']), {
      telegram: { any: 2, forwarding: 0 },
      whatsapp: { any: 3, forwarding: 0 },
    });
  });

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

  // ── concurrency ─────────────────────────────────────────────────────────

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

// ── fixtures ──────────────────────────────────────────────────────────────

let sims = 0;
let emails = 0;

/** A SIM sighting with a fresh ICCID and phone; Russian, online, no forwarding unless told. */
function sim(over: Partial<SimSighting> = {}): SimSighting {
  const n = ++sims;
  return {
    iccid: `8970199${String(n).padStart(12, '0')}`, imsi: `25001${String(n).padStart(10, '0')}`,
    phone: `7900${String(n).padStart(7, '0')}`, country: 'ru', operator: 'mts', channel: 'ch-1', slot: n,
    canForward: false, online: true, at: T0, ...over,
  };
}

/** A new account with an opening balance (kopecks) credited through the ledger. */
async function account(store: Store, kopecks: number): Promise<number> {
  const a = await store.createAccount({
    email: `user${++emails}@contract.test`, role: 'user', keyHash: `key-${emails}`, dialect: 'getsms', createdAt: T0,
  });
  if (kopecks > 0) {
    const r = await store.moveMoney({ accountId: a.id, amount: kopecks, reason: 'topup', ref: 'account:opening', key: `opening:${a.id}`, at: T0 });
    if (!r.ok) throw new Error(`opening balance refused: ${r.code}`);
  }
  return a.id;
}

function move(accountId: number, amount: number, key: string, reason: 'topup' | 'debit') {
  return { accountId, amount, reason, ref: 'admin:test', key, note: 'why', at: T0 };
}

function order(accountId: number, service: string, over: Partial<ActivationOrder> = {}): ActivationOrder {
  return {
    accountId, service, filter: {}, forwarding: false, dialect: 'getsms', createdAt: T0, expiresAt: T0 + TTL,
    remaining: 0, initialState: 'waitingForReady', ...over,
  } as ActivationOrder;
}

async function opened(store: Store, o: ActivationOrder): Promise<ActivationRecord> {
  const r = await store.openActivation(o);
  if (!r.ok) throw new Error(`order refused: ${r.code}`);
  return r.activation;
}

function settle(a: ActivationRecord, over: Partial<Settlement>): Settlement {
  return {
    activationId: a.id, accountId: a.accountId, iccid: a.iccid, phone: a.phone, service: a.service, refund: 0,
    claim: 'release', blacklist: false, at: T0 + 60_000, ...over,
  };
}

function counts(m: Map<string, { any: number; forwarding: number }>, services: string[]) {
  return Object.fromEntries(services.map((s) => [s, m.get(s) ?? { any: 0, forwarding: 0 }]));
}

function sortPrices<T extends { service: string; country: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => a.service.localeCompare(b.service) || a.country.localeCompare(b.country));
}

/** The books add up: the ledger sums to the balance, each entry's balanceAfter is the running sum, keys are unique. */
async function books(t: ExecutionContext, store: Store, accountId: number) {
  const ledger = await store.ledger(accountId);
  let running = 0;
  for (const e of [...ledger].sort((a, b) => a.id - b.id)) {
    running += e.amount;
    t.is(e.balanceAfter, running, `ledger entry ${e.key}`);
  }
  t.is(running, (await store.accountById(accountId))!.balance, 'ledger sum equals balance');
  t.is(new Set(ledger.map((e) => e.key)).size, ledger.length);
}
