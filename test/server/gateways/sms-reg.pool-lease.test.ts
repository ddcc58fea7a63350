import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActivationView, OrderOutcome, PoolTicket, Store } from '../../../actors/index.ts';
import { OrderPool } from '../../../server/gateways/index.ts';
import { SqliteStore } from '../../../server/store/index.ts';

/*
 * The pool's tries across processes: two OrderPools on one store stand for two server processes behind a
 * balancer. Each order here is a real one in the store, naming its ticket; a "process that died" is a
 * try whose order never comes back.
 */

const T0 = 1_700_000_000_000;
const LEASE = 10_000;

interface Farm {
  store: Store;
  accountId: number;
  clock: { now: number };
  pool(): OrderPool;
  /** Places the ticket's order in the store, as the registry would, counting each call. */
  order(ticket: PoolTicket, hold?: Promise<void>): () => Promise<OrderOutcome>;
  /** A getState's look at a ticket through `pool`: the ticket as that process reads it, tried when due. */
  look(pool: OrderPool, tzid: number): Promise<PoolTicket>;
  /** Two processes' pools, and a ticket opened on the first a second ago (its next try is due). */
  two(): Promise<{ a: OrderPool; b: OrderPool; opened: PoolTicket }>;
  /** A try through `pool` whose order is placed only at `release()`: a slow process. */
  held(pool: OrderPool, ticket: PoolTicket): { release(): void; done: Promise<PoolTicket> };
  orders: number;
  /** Activations given back (made for a ticket that had ended meanwhile). */
  given: number[];
  charges(): Promise<number>;
}

async function farm(t: ExecutionContext, sims = 1): Promise<Farm> {
  const dir = mkdtempSync(join(tmpdir(), 'getsms-pool-'));
  const store = new SqliteStore(join(dir, 'getsms.sqlite'));
  t.teardown(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const a = await store.createAccount({ email: 'w@pool.test', role: 'user', keyHash: 'w', dialect: 'getsms', createdAt: T0 });
  await store.moveMoney({ accountId: a.id, amount: 100_000, reason: 'topup', ref: 'test', key: 'open', at: T0 });
  await store.setPrice('telegram', 'ru', 2_500);
  for (let i = 1; i <= sims; i++) {
    await store.upsertSim({
      iccid: `897010000000000000${i}`, imsi: `25001000000000${i}`, phone: `7900000000${i}`, country: 'ru', operator: 'mts',
      channel: 'ch-1', slot: i, canForward: false, online: true, at: T0,
    });
  }
  const clock = { now: T0 };
  const f: Farm = {
    store, accountId: a.id, clock, orders: 0, given: [],
    pool: () => new OrderPool({ store, windowMs: 30_000, keepMs: 3_600_000, retryMs: 1_000, leaseMs: LEASE, now: () => clock.now }),
    order: (ticket, hold) => async () => {
      f.orders++;
      await hold;
      const r = await store.openActivation({
        accountId: a.id, service: ticket.service, filter: ticket.filter, forwarding: false, dialect: 'getsms',
        createdAt: clock.now, expiresAt: clock.now + 600_000, remaining: 0, initialState: 'waitingForReady', ticket: ticket.tzid,
      });
      if (!r.ok) return { ok: false, code: r.code === 'noBalance' ? 'noBalance' : 'noNumbers' };
      return { ok: true, activation: { id: r.activation.id } as ActivationView };
    },
    look: async (pool, tzid) => {
      const ticket = (await pool.get(a.id, tzid))!;
      return pool.look(ticket, f.order(ticket), async (id) => void f.given.push(id));
    },
    two: async () => {
      const [one, other] = [f.pool(), f.pool()];
      const opened = await one.open(a.id, 'telegram', { country: 'ru' });
      clock.now += 1_000;
      return { a: one, b: other, opened };
    },
    held: (pool, ticket) => {
      let release!: () => void;
      const hold = new Promise<void>((resolve) => (release = resolve));
      return { release, done: pool.look(ticket, f.order(ticket, hold), async (id) => void f.given.push(id)) };
    },
    charges: async () => (await store.ledger(a.id)).filter((e) => e.reason === 'charge').length
      - (await store.ledger(a.id)).filter((e) => e.reason === 'refund').length,
  };
  return f;
}

const giveBackInto = (f: Farm) => async (id: number) => {
  f.given.push(id);
};
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('two processes look at one ticket at once: one places the order, the other answers TZ_INPOOL, then both see it filled', async (t) => {
  const f = await farm(t);
  const [a, b] = [f.pool(), f.pool()];
  const opened = await a.open(f.accountId, 'telegram', { country: 'ru' });
  t.true(opened.tzid >= 2_000_000_000 && opened.tzid <= 0x7fffffff);
  t.like(await b.get(f.accountId, opened.tzid), { state: 'looking', activationId: null }, 'the other process knows it');
  t.is(await b.get(f.accountId + 1, opened.tzid), undefined, 'another account does not');
  f.clock.now += 1_000;
  const first = f.held(a, opened);
  await settle(20);
  const meanwhile = await f.look(b, opened.tzid);
  t.like(meanwhile, { state: 'looking', activationId: null }, 'B answers as it stands while A tries');
  first.release();
  const filled = await first.done;
  t.like(filled, { state: 'filled', leaseUntil: 0 });
  t.like(await f.look(b, opened.tzid), { state: 'filled', activationId: filled.activationId });
  t.is(f.orders, 1, 'one order for the ticket');
  t.is(await f.charges(), 1);
});

test('a try whose process died after making the order: once its lease runs out, the other process finds the activation', async (t) => {
  const f = await farm(t);
  const { a, b, opened } = await f.two();
  // A makes the activation, then "dies": its order never answers.
  const never = new Promise<OrderOutcome>(() => {});
  void a.look(opened, async () => {
    await f.order(opened)();
    return never;
  }, giveBackInto(f));
  await settle(50);
  const made = await f.store.activationOfTicket(opened.tzid);
  t.truthy(made);
  f.clock.now += LEASE - 1;
  t.like(await f.look(b, opened.tzid), { state: 'looking' }, 'not before the lease runs out');
  f.clock.now += 2;
  const found = await f.look(b, opened.tzid);
  t.like(found, { state: 'filled', activationId: made!.id, leaseUntil: 0 });
  t.is(f.orders, 1, 'B placed no second order');
  t.is(await f.charges(), 1);
});

test('a try whose process died before ordering: once its lease runs out, the other process orders', async (t) => {
  const f = await farm(t);
  const { a, b, opened } = await f.two();
  void a.look(opened, () => new Promise<OrderOutcome>(() => {}), giveBackInto(f));
  await settle(20);
  f.clock.now += LEASE + 1;
  const found = await f.look(b, opened.tzid);
  t.like(found, { state: 'filled', leaseUntil: 0 });
  t.is((await f.store.activationOfTicket(opened.tzid))?.id, found.activationId!);
  t.is(await f.charges(), 1);
});

test('a withdrawal waits for a try under way in another process, and answers filled when it got the number', async (t) => {
  const f = await farm(t);
  const { a, b, opened } = await f.two();
  const trying = f.held(a, opened);
  await settle(20);
  let withdrawn: PoolTicket | undefined;
  const withdrawing = b.withdraw((await b.get(f.accountId, opened.tzid))!).then((w) => (withdrawn = w));
  await settle(100);
  t.is(withdrawn, undefined, 'still waiting for the try');
  trying.release();
  await trying.done;
  t.like(await withdrawing, { state: 'filled' });
  t.is(await f.charges(), 1);
});

test('a withdrawal with nothing under way ends the ticket at once, and no process tries it again', async (t) => {
  const f = await farm(t);
  const [a, b] = [f.pool(), f.pool()];
  const opened = await a.open(f.accountId, 'telegram', { country: 'ru' });
  t.like(await b.withdraw(opened), { state: 'withdrawn' });
  f.clock.now += 5_000;
  t.like(await f.look(a, opened.tzid), { state: 'withdrawn' });
  t.is(f.orders, 0);
});

test('a slow try outlives its lease and the ticket is withdrawn meanwhile: the activation it made is given back', async (t) => {
  const f = await farm(t);
  const { a, b, opened } = await f.two();
  const slow = f.held(a, opened);
  await settle(20);
  f.clock.now += LEASE + 1; // A is stalled past its lease: B takes it for dead
  t.like(await b.withdraw((await b.get(f.accountId, opened.tzid))!), { state: 'withdrawn' });
  slow.release();
  t.like(await slow.done, { state: 'withdrawn' });
  const made = await f.store.activationOfTicket(opened.tzid);
  t.truthy(made, 'the stalled order was made');
  t.deepEqual(f.given, [made!.id], 'and given back at once');
});

test('the window runs out with no try under way: WARNING_NO_NUMS (noNumbers), and nothing is ordered after it', async (t) => {
  const f = await farm(t, 0);
  const a = f.pool();
  const opened = await a.open(f.accountId, 'telegram', { country: 'ru' });
  f.clock.now += 1_000;
  t.like(await a.look(opened, f.order(opened), giveBackInto(f)), { state: 'looking' });
  t.is(f.orders, 1, 'tried once a second');
  t.like(await f.look(a, opened.tzid), { state: 'looking' });
  t.is(f.orders, 1, 'not again within the second');
  f.clock.now += 30_000;
  t.like(await f.look(a, opened.tzid), { state: 'noNumbers' });
  t.is(f.orders, 1);
});
