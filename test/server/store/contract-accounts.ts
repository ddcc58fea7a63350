import { StoreError } from '../../../actors/index.ts';
import type { It } from './contract.ts';
import { account, books, move, sortPrices, T0 } from './contract-fixtures.ts';

/** The store contract: accounts, money, the catalogue and settings. */
export function accountsContract(it: It): void {
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

  it('a ledger is read a page at a time, newest entry first, with how many entries it has', async (t, store) => {
    const a = await account(store, 0);
    const other = await account(store, 500);
    t.deepEqual(await store.ledgerPage(a, { offset: 0, limit: 10 }), { entries: [], total: 0 });
    for (let i = 1; i <= 12; i++) await store.moveMoney(move(a, i * 100, `page-${i}`, 'topup'));
    const all = await store.ledger(a);
    const newest = [...all].reverse();
    t.deepEqual(await store.ledgerPage(a, { offset: 0, limit: 5 }), { entries: newest.slice(0, 5), total: 12 });
    t.deepEqual(await store.ledgerPage(a, { offset: 10, limit: 5 }), { entries: newest.slice(10), total: 12 }, 'the last page');
    t.deepEqual(await store.ledgerPage(a, { offset: 12, limit: 5 }), { entries: [], total: 12 }, 'past the end');
    t.deepEqual((await store.ledgerPage(other, { offset: 0, limit: 5 })).entries.map((e) => e.key), [`opening:${other}`], 'per account');
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
}
