import { StoreError } from '../../../actors/index.ts';
import type { It } from './contract.ts';
import { account, books, opened, order, settle, sim, T0, TG } from './contract-fixtures.ts';

/** The store contract: call forwarding and partners. */
export function partnersContract(it: It): void {
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
}
