import test, { type ExecutionContext } from 'ava';
import { StoreError, type ActivationFilter, type ActivationRecord, type LiveEvent, type Store } from '../../../actors/index.ts';
import {
  account, books, counts, DAY, HOUR, move, opened, order, rented, rentOrder, settle, sim, sortPrices, T0, TG, TTL, WA,
} from './contract-fixtures.ts';
import { poolTicketContract } from './contract-pool.ts';

/**
 * The Store contract: what every adapter must do, said through the Store port
 * only (no SQL, no adapter internals), so SQLite and MongoDB run it unchanged.
 * `open` gives a fresh, empty store per test.
 */
export type OpenStore = () => Promise<{ store: Store; cleanup(): Promise<void> }>;
/** Declares one contract test on a fresh store. */
export type It = (title: string, body: (t: ExecutionContext, store: Store) => Promise<void>) => void;


export function storeContract(name: string, open: OpenStore): void {
  /** A test on a fresh store, closed and removed afterwards. */
  const it: It = (title, body) =>
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

  it('a password hash is kept per account and replaced, never shown with the account', async (t, store) => {
    const a = await store.createAccount({ email: 'pw@x.test', role: 'user', keyHash: 'pw-key', dialect: 'getsms', createdAt: T0 });
    t.is(await store.passwordHash(a.id), undefined);
    await store.setPasswordHash(a.id, 'scrypt$1');
    await store.setPasswordHash(a.id, 'scrypt$2');
    t.is(await store.passwordHash(a.id), 'scrypt$2');
    t.false(JSON.stringify(await store.accountById(a.id)).includes('scrypt'));
  });

  it('an agent token works until revoked; a name with a working token refuses another, a revoked name takes a new one', async (t, store) => {
    t.like(await store.createAgentToken({ name: 'rack-1', tokenHash: 'ah-1', createdAt: T0 }), { name: 'rack-1', revokedAt: null });
    t.like(await store.agentByTokenHash('ah-1'), { name: 'rack-1', tokenHash: 'ah-1', createdAt: T0, revokedAt: null });
    t.is(await store.agentByTokenHash('ah-x'), undefined, 'unknown');
    const taken = await store.createAgentToken({ name: 'rack-1', tokenHash: 'ah-2', createdAt: T0 + 1 }).catch((e: unknown) => e);
    t.true(taken instanceof StoreError && taken.code === 'STORE_CONFLICT');
    t.like(await store.agentByTokenHash('ah-1'), { name: 'rack-1' }, 'the refused create changed nothing');
    t.true(await store.revokeAgentToken('rack-1', T0 + 2));
    t.false(await store.revokeAgentToken('rack-1', T0 + 3), 'revoked once');
    t.false(await store.revokeAgentToken('nobody', T0 + 3));
    t.is(await store.agentByTokenHash('ah-1'), undefined, 'a revoked token opens nothing');
    t.deepEqual(await store.agentTokens(), [{ name: 'rack-1', tokenHash: 'ah-1', createdAt: T0, revokedAt: T0 + 2 }]);
    await store.createAgentToken({ name: 'rack-1', tokenHash: 'ah-3', createdAt: T0 + 4 });
    await store.createAgentToken({ name: 'rack-0', tokenHash: 'ah-4', createdAt: T0 + 5 });
    t.like(await store.agentByTokenHash('ah-3'), { name: 'rack-1', revokedAt: null });
    t.is(await store.agentByTokenHash('ah-1'), undefined);
    t.deepEqual((await store.agentTokens()).map((a) => [a.name, a.revokedAt]), [['rack-0', null], ['rack-1', null]]);
  });

  it('a browser session names its account until it expires or is deleted; expired ones go at the next sign-in', async (t, store) => {
    const a = await store.createAccount({ email: 's@x.test', role: 'admin', keyHash: 's-key', dialect: 'getsms', createdAt: T0 });
    await store.createSession({ tokenHash: 'tok-1', accountId: a.id, createdAt: T0, expiresAt: T0 + 1000 });
    await store.createSession({ tokenHash: 'tok-2', accountId: a.id, createdAt: T0, expiresAt: T0 + 5000 });
    t.deepEqual(await store.sessionOwner('tok-1', T0 + 999), { id: a.id, email: 's@x.test', role: 'admin', dialect: 'getsms' });
    t.is(await store.sessionOwner('tok-1', T0 + 1000), undefined, 'expired');
    t.is(await store.sessionOwner('tok-3', T0), undefined, 'unknown');
    await store.deleteSession('tok-2');
    await store.deleteSession('tok-2');
    t.is(await store.sessionOwner('tok-2', T0 + 1), undefined, 'signed out');
    await store.createSession({ tokenHash: 'tok-4', accountId: a.id, createdAt: T0 + 2000, expiresAt: T0 + 9000 });
    t.is(await store.sessionOwner('tok-1', T0), undefined, 'the expired session was dropped, not only hidden');
    t.like(await store.sessionOwner('tok-4', T0 + 2001), { id: a.id });
  });

  it('a new password ends every session of its account but the one kept, and no one else\'s', async (t, store) => {
    const a = await store.createAccount({ email: 'e1@x.test', role: 'user', keyHash: 'e1-key', dialect: 'getsms', createdAt: T0 });
    const b = await store.createAccount({ email: 'e2@x.test', role: 'user', keyHash: 'e2-key', dialect: 'getsms', createdAt: T0 });
    for (const [token, owner] of [['a-1', a], ['a-2', a], ['a-3', a], ['b-1', b]] as const) {
      await store.createSession({ tokenHash: token, accountId: owner.id, createdAt: T0, expiresAt: T0 + 60_000 });
    }
    t.is(await store.endSessions(a.id, 'a-2'), 2);
    t.is(await store.sessionOwner('a-1', T0), undefined);
    t.is(await store.sessionOwner('a-3', T0), undefined);
    t.like(await store.sessionOwner('a-2', T0), { id: a.id }, 'the kept one');
    t.like(await store.sessionOwner('b-1', T0), { id: b.id }, 'another account\'s');
    t.is(await store.endSessions(a.id), 1);
    t.is(await store.sessionOwner('a-2', T0), undefined);
    t.is(await store.endSessions(a.id), 0);
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

  // ── concurrency ─────────────────────────────────────────────────────────

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

  // ── call forwarding and partners ────────────────────────────────────────

  it('a forwarding record is kept per activation, its outcome updated in place, found by account, number and state', async (t, store) => {
    const a = await account(store, 10_000);
    await store.setPrice('avito', 'ru', TG);
    const s = sim({ canForward: true });
    await store.upsertSim(s);
    const act = await opened(store, order(a, 'avito', { forwarding: true }));
    const pending = {
      activationId: act.id, accountId: a, iccid: s.iccid, phone: s.phone, to: '79261234567', state: 'pending' as const,
      error: null, attempts: 0, requestedAt: T0 + 1, doneAt: null,
    };
    await store.saveForwarding(pending);
    t.deepEqual(await store.forwarding(act.id), pending);
    t.deepEqual((await store.forwardings({ state: 'pending', limit: 10 })).map((f) => f.activationId), [act.id]);
    await store.saveForwarding({ ...pending, state: 'set', attempts: 1, doneAt: T0 + 2 });
    t.like(await store.forwarding(act.id), { state: 'set', attempts: 1, doneAt: T0 + 2, to: '79261234567' });
    t.deepEqual(await store.forwardings({ state: 'pending', limit: 10 }), []);
    t.deepEqual((await store.forwardings({ accountId: a, phone: s.phone, state: 'set', limit: 10 })).map((f) => f.activationId), [act.id]);
    t.deepEqual(await store.forwardings({ accountId: a + 1000, limit: 10 }), []);
    t.deepEqual(await store.forwardings({ accountId: a, phone: '79999999999', limit: 10 }), []);
    t.is(await store.forwarding(act.id + 1000), undefined);
  });

  it('a partner is found by its code in any case; a code belongs to one partner only', async (t, store) => {
    const p1 = await account(store, 0);
    const p2 = await account(store, 0);
    const made = await store.setPartner({ accountId: p1, code: 'BAS-Soft', shareBp: 1000, at: T0 });
    t.like(made, { accountId: p1, code: 'bas-soft', shareBp: 1000, createdAt: T0 });
    t.like(await store.partnerByCode('bas-SOFT'), { accountId: p1 });
    t.is(await store.partnerByCode('nobody'), undefined);
    await t.throwsAsync(store.setPartner({ accountId: p2, code: 'bas-soft', shareBp: 500, at: T0 }), { instanceOf: StoreError });
    await store.setPartner({ accountId: p1, code: 'bas2', shareBp: 1500, at: T0 + 5 });
    t.like(await store.partner(p1), { code: 'bas2', shareBp: 1500, createdAt: T0, at: T0 + 5 });
    t.is(await store.partnerByCode('bas-soft'), undefined, 'the old code is free again');
    t.deepEqual((await store.partners()).map((p) => p.accountId), [p1]);
  });

  it('a referred activation pays its partner the share of its price once its charge stands, once; never when refunded', async (t, store) => {
    const partnerId = await account(store, 0);
    await store.setPartner({ accountId: partnerId, code: '20111', shareBp: 1250, at: T0 });
    const buyer = await account(store, 10_000);
    await store.setPrice('telegram', 'ru', TG);
    for (let i = 0; i < 3; i++) await store.upsertSim(sim());
    const referral = { partnerId, shareBp: 1250 };
    const paid = await opened(store, order(buyer, 'telegram', { referral }));
    const refunded = await opened(store, order(buyer, 'telegram', { referral }));
    const plain = await opened(store, order(buyer, 'telegram'));
    await store.settleActivation(settle(paid, { refund: 0, claim: 'used' }));
    await store.settleActivation(settle(paid, { refund: 0, claim: 'used' }));
    await store.settleActivation(settle(refunded, { refund: TG, claim: 'release' }));
    await store.settleActivation(settle(plain, { refund: 0, claim: 'used' }));
    const commission = Math.floor((TG * 1250) / 10_000);
    const ledger = await store.ledger(partnerId);
    t.deepEqual(ledger.map((e) => [e.reason, e.amount, e.ref]), [['commission', commission, `activation:${paid.id}`]]);
    t.is((await store.accountById(partnerId))!.balance, commission);
    t.is((await store.accountById(buyer))!.balance, 10_000 - 2 * TG, 'the customer pays the price, never the commission');
    await books(t, store, partnerId);
    await books(t, store, buyer);
    const referrals = await store.referrals(partnerId, 10);
    t.deepEqual(referrals.map((r) => [r.activationId, r.commission, r.paidAt]), [
      [refunded.id, commission, null], [paid.id, commission, T0 + 60_000],
    ]);
    t.like(referrals[1], { service: 'telegram', country: 'ru', price: TG, orderedAt: T0 });
  });

  it('a free order (a repeat) and a share that rounds to nothing refer nothing', async (t, store) => {
    const partnerId = await account(store, 0);
    await store.setPartner({ accountId: partnerId, code: 'tiny', shareBp: 1, at: T0 });
    const buyer = await account(store, 10_000);
    await store.setPrice('telegram', 'ru', 50);
    await store.upsertSim(sim());
    const a = await opened(store, order(buyer, 'telegram', { referral: { partnerId, shareBp: 1 } }));
    await store.settleActivation(settle(a, { refund: 0, claim: 'used' }));
    t.deepEqual(await store.referrals(partnerId, 10), []);
    t.deepEqual(await store.ledger(partnerId), []);
  });

  poolTicketContract(it);
}
