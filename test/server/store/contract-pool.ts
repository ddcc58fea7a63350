import { StoreError, type PoolTicket } from '../../../actors/index.ts';
import type { It } from './contract.ts';
import { account, books, opened, order, sim, T0, TG } from './contract-fixtures.ts';

/**
 * The store contract, sms-reg's pool: tickets any process reads and changes by compare-and-set, and
 * orders that name a ticket, made once per ticket.
 */
export function poolTicketContract(it: It): void {
  const ticket = (over: Partial<PoolTicket> = {}): PoolTicket => ({
    tzid: 2_000_000_001, accountId: 1, service: 'telegram', filter: { country: 'ru', operators: ['mts', 'beeline'] },
    createdAt: T0, until: T0 + 30_000, state: 'looking', activationId: null, triedAt: T0, leaseUntil: 0, ...over,
  });
  const mark = (t: PoolTicket) => ({ state: t.state, triedAt: t.triedAt, leaseUntil: t.leaseUntil });

  it('a pool ticket is kept as given, under a tzid no second ticket takes', async (t, store) => {
    const first = ticket();
    t.true(await store.insertPoolTicket(first));
    t.false(await store.insertPoolTicket(ticket({ accountId: 2, service: 'viber' })), 'the tzid is taken');
    t.deepEqual(await store.poolTicket(first.tzid), first, 'the refused one changed nothing');
    t.is(await store.poolTicket(2_000_000_002), undefined);
  });

  it('a pool ticket changes only while it is as the writer read it; of two writers from one reading, one wins', async (t, store) => {
    const looking = ticket();
    await store.insertPoolTicket(looking);
    const lease = { triedAt: T0 + 1_000, leaseUntil: T0 + 11_000 };
    const races = await Promise.all([1, 2, 3].map(() => store.updatePoolTicket(looking.tzid, mark(looking), lease)));
    t.is(races.filter(Boolean).length, 1, 'one try takes the lease');
    const leased = { ...looking, ...lease };
    t.deepEqual(await store.poolTicket(looking.tzid), leased);
    t.false(await store.updatePoolTicket(looking.tzid, mark(looking), { state: 'withdrawn' }), 'a stale reading is refused');
    t.false(await store.updatePoolTicket(2_000_000_009, mark(looking), { state: 'withdrawn' }), 'no such ticket');
    t.true(await store.updatePoolTicket(looking.tzid, mark(leased), { state: 'filled', activationId: 41, leaseUntil: 0 }));
    t.deepEqual(await store.poolTicket(looking.tzid), { ...leased, state: 'filled', activationId: 41, leaseUntil: 0 });
    // The same values again (a reading from before a change and its undoing) are the ticket as it is: taken.
    const filled = { ...leased, state: 'filled' as const, activationId: 41, leaseUntil: 0 };
    t.true(await store.updatePoolTicket(looking.tzid, mark(filled), {}));
    t.deepEqual(await store.poolTicket(looking.tzid), filled);
  });

  it('old pool tickets that never got a number are pruned whole, their tzids free again; filled ones stay', async (t, store) => {
    const old = ticket({ tzid: 2_000_000_100 });
    const oldFilled = ticket({ tzid: 2_000_000_150 });
    const young = ticket({ tzid: 2_000_000_200, createdAt: T0 + 60_000, triedAt: T0 + 60_000 });
    for (const x of [old, oldFilled, young]) await store.insertPoolTicket(x);
    // A few changes each, so the old tickets are more than their first writing.
    const tried = async (x: PoolTicket, n: number) => {
      let now = x;
      for (let i = 1; i <= n; i++) {
        const next = { ...now, triedAt: T0 + i * 1_000 };
        t.true(await store.updatePoolTicket(now.tzid, mark(now), { triedAt: next.triedAt }));
        now = next;
      }
      return now;
    };
    await tried(old, 3);
    const leased = await tried(oldFilled, 2);
    t.true(await store.updatePoolTicket(oldFilled.tzid, mark(leased), { state: 'filled', activationId: 77 }));
    const filled = { ...leased, state: 'filled' as const, activationId: 77 };

    t.is(await store.prunePoolTickets(T0 + 30_000), 1);
    t.is(await store.poolTicket(old.tzid), undefined);
    t.deepEqual(await store.poolTicket(oldFilled.tzid), filled, 'a filled one stays as it ended');
    t.deepEqual(await store.poolTicket(young.tzid), young);
    t.false(await store.insertPoolTicket(ticket({ tzid: oldFilled.tzid, createdAt: T0 + 90_000 })), 'its tzid stays taken');
    const again = ticket({ tzid: old.tzid, accountId: 7, createdAt: T0 + 90_000, triedAt: T0 + 90_000 });
    t.true(await store.insertPoolTicket(again));
    t.deepEqual(await store.poolTicket(old.tzid), again, 'the new ticket, nothing of the old one');
    t.is(await store.prunePoolTickets(T0 + 30_000), 0);
    t.deepEqual(await store.poolTicket(oldFilled.tzid), filled, 'pruning again changes nothing');
  });

  it('an order naming a pool ticket is made once: ordering again answers the same activation, charged once', async (t, store) => {
    const a = await account(store, 100_000);
    await store.setPrice('telegram', 'ru', TG);
    await store.upsertSim(sim());
    await store.upsertSim(sim());
    t.is(await store.activationOfTicket(2_000_000_300), undefined, 'nothing made for it yet');
    const first = await opened(store, order(a, 'telegram', { ticket: 2_000_000_300 }));
    const again = await opened(store, order(a, 'telegram', { ticket: 2_000_000_300 }));
    t.is(again.id, first.id);
    t.is(again.iccid, first.iccid);
    t.like(await store.activationOfTicket(2_000_000_300), { id: first.id, iccid: first.iccid, accountId: a });
    t.is((await store.ledger(a)).filter((e) => e.reason === 'charge').length, 1);
    const other = await opened(store, order(a, 'telegram', { ticket: 2_000_000_301 }));
    t.not(other.iccid, first.iccid, 'another ticket gets another SIM');
    t.deepEqual(await store.openActivation(order(a, 'telegram', { ticket: 2_000_000_302 })), { ok: false, code: 'noNumbers' });
    t.is(await store.activationOfTicket(2_000_000_302), undefined);
    await books(t, store, a);
  });

  it('orders naming one pool ticket at once make one activation; each answers it or is refused as a conflict', async (t, store) => {
    const a = await account(store, 100_000);
    await store.setPrice('telegram', 'ru', TG);
    for (let i = 0; i < 4; i++) await store.upsertSim(sim());
    const results = await Promise.all([1, 2, 3, 4].map(() =>
      store.openActivation(order(a, 'telegram', { ticket: 2_000_000_400 })).catch((err: unknown) => err)));
    const made = await store.activationOfTicket(2_000_000_400);
    t.truthy(made);
    for (const r of results) {
      if (r instanceof StoreError) t.is(r.code, 'STORE_CONFLICT');
      else t.like(r, { ok: true, activation: { id: made!.id } });
    }
    t.true(results.some((r) => !(r instanceof StoreError)), 'at least one answers the activation');
    t.deepEqual((await store.liveActivations()).map((x) => x.id), [made!.id], 'no other order left live');
    t.is((await store.ledger(a)).filter((e) => e.reason === 'charge' && e.key.startsWith('charge:')).length
      - (await store.ledger(a)).filter((e) => e.reason === 'refund').length, 1, 'one charge stands');
    await books(t, store, a);
  });
}
