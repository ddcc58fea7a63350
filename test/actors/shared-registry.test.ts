import test, { type ExecutionContext } from 'ava';
import { ActivationRegistry, type ActivationView, type OrderRequest } from '../../actors/index.ts';
import { books, domain, TTL, twoProcesses, until, type Domain } from './helpers.ts';

/**
 * Two server processes on one store, as registries with their own connections to one SQLite file and one clock:
 * whichever process a request reaches sees the truth, a conflict is decided once, and a process that stops
 * advancing its activations has them taken over.
 */

const TG = 2_500;

interface Pair {
  d: Domain;
  a: ActivationRegistry;
  b: ActivationRegistry;
}

async function pair(t: ExecutionContext): Promise<Pair> {
  const d = await domain(t);
  await d.store.setPrice('telegram', 'ru', TG);
  return { d, ...twoProcesses(t, d, (store) => new ActivationRegistry({ store, clock: d.clock, log: d.log, ttlMs: TTL, shared: true })) };
}

const req = (accountId: number): OrderRequest => ({
  accountId, service: 'telegram', filter: {}, forwarding: false, dialect: 'getsms', count: 1,
});

async function ordered(registry: ActivationRegistry, accountId: number): Promise<ActivationView> {
  const got = await registry.order(req(accountId));
  if (!got.ok) throw new Error(`order refused: ${got.code}`);
  return got.activation;
}

let smsIds = 5_000;
function sms(registry: ActivationRegistry, a: ActivationView, code: string, clock: Domain['clock']) {
  return registry.deliver(
    { smsId: ++smsIds, iccid: a.iccid, from: 'Telegram', text: `code ${code}`, at: clock.now() },
    (services) => services.filter((s) => s === 'telegram').map((service) => ({ service, code })),
  );
}

test('an activation opened on one process is seen, commanded and sent its SMS on the other', async (t) => {
  const { d, a, b } = await pair(t);
  await d.sim();
  const user = await d.account(10_000);
  const opened = await ordered(a, user);
  t.like(await b.view(user, opened.id), { id: opened.id, state: 'waitingForReady', live: true });

  t.like(await b.command(user, opened.id, 'client.ready'), { ok: true, activation: { state: 'waitingForCode' } });
  t.like(await a.view(user, opened.id), { state: 'waitingForCode' }, 'the process that opened it answers what the other did');

  // The SIM's modem is on process A; A's actor is behind and must find out before it takes the SMS.
  t.deepEqual(await sms(a, opened, '55123', d.clock), [opened.id]);
  t.like(await b.view(user, opened.id), { state: 'codeArrived', code: '55123' });
  t.like(await a.command(user, opened.id, 'client.finish'), { ok: true, activation: { state: 'finished', live: false } });
  t.like(await b.view(user, opened.id), { state: 'finished', live: false, code: '55123' });
  await money(t, d, user, 10_000 - TG);
  t.deepEqual(d.log.errors, []);
});

test('a cancel on one process racing the deadline on the other refunds once', async (t) => {
  const { d, a, b } = await pair(t);
  for (let i = 0; i < 6; i++) await d.sim();
  const user = await d.account(100_000);
  const orders = [];
  for (let i = 0; i < 6; i++) orders.push(await ordered(i % 2 === 0 ? a : b, user));
  // Each process holds every activation (B takes A's up by reading them): both arm every deadline.
  for (const o of orders) await b.command(user, o.id, 'client.ready').then(() => a.view(user, o.id));
  await a.sync();
  d.clock.increment(TTL - 1);
  const cancels = orders.map((o, i) => (i % 2 === 0 ? b : a).command(user, o.id, 'client.cancel'));
  d.clock.increment(1); // every deadline fires while the cancels are in flight
  await Promise.allSettled(cancels);
  await until(async () => (await d.store.liveActivations()).length === 0);
  for (const o of orders) {
    const stored = await d.store.activation(o.id);
    t.true(stored!.state === 'cancelled' || stored!.state === 'expired', `activation ${o.id} ended (${stored!.state})`);
  }
  await money(t, d, user, 100_000);
  t.deepEqual(d.log.errors, []);
});

test('an SMS reaches an activation the other process opened a moment ago, before anything else told it', async (t) => {
  const { d, a, b } = await pair(t);
  await d.sim();
  const user = await d.account(10_000);
  const opened = await ordered(b, user);
  t.deepEqual(await sms(a, opened, '90817', d.clock), [opened.id]);
  t.like(await b.view(user, opened.id), { state: 'codeArrived', code: '90817' });
});

test('a process that stops leaves its deadlines to the other, which fires each once', async (t) => {
  const { d, a, b } = await pair(t);
  for (let i = 0; i < 3; i++) await d.sim();
  const user = await d.account(100_000);
  const orphans = [await ordered(b, user), await ordered(b, user), await ordered(b, user)];
  await b.stop(); // B dies: nothing of it runs again
  t.is(await a.sync(), 0, 'live and within their deadline: their process keeps them');
  d.clock.increment(TTL + 1);
  t.is(await a.sync(), 0, 'overdue once: its process is given time to act');
  t.is(await a.sync(), 0, 'overdue twice');
  t.is(await a.sync(), 3, 'still overdue and unchanged at the third sync: taken over');
  d.clock.increment(1); // the taken-over actors' deadlines (already past) run on this clock
  await until(async () => (await d.store.liveActivations()).length === 0);
  for (const o of orphans) t.like(await d.store.activation(o.id), { state: 'expired', live: false });
  await money(t, d, user, 100_000);
  t.is(await a.sync(), 0);
});

test('two processes moving one activation at once: both decide on the stored truth, the cancel refunds once', async (t) => {
  const { d, a, b } = await pair(t);
  await d.sim();
  const user = await d.account(10_000);
  const opened = await ordered(a, user);
  await b.view(user, opened.id);
  // Whichever writes second conflicts, reads the first one's version and decides again on it.
  const [cancel, ready] = await Promise.all([
    a.command(user, opened.id, 'client.cancel'),
    b.command(user, opened.id, 'client.ready'),
  ]);
  t.like(cancel, { ok: true, activation: { state: 'cancelled' } }, JSON.stringify([cancel, ready]));
  t.true(ready.ok ? ready.activation.state === 'waitingForCode' : ready.code === 'notAllowed', JSON.stringify(ready));
  t.like(await d.store.activation(opened.id), { state: 'cancelled', live: false });
  await money(t, d, user, 10_000);
  t.deepEqual(d.log.errors, []);
});

/** The account's balance, and its ledger adding up to it. */
async function money(t: ExecutionContext, d: Domain, accountId: number, balance: number) {
  t.is((await d.store.accountById(accountId))!.balance, balance);
  await books(t, d.store, accountId);
}
