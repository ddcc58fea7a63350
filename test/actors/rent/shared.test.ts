import test, { type ExecutionContext } from 'ava';
import { RentRegistry, type RentView } from '../../../actors/index.ts';
import { books, domain, entries, twoProcesses, until, type Domain } from '../helpers.ts';

/**
 * Two server processes on one store, as rent registries with their own connections to one SQLite file and one
 * clock: a rent opened on either is seen, extended, ended and sent its SMS on the other, its end is stored once
 * whoever fires it, and a process that stops has its rents' ends taken over.
 */

/** A short hour, so that a 2-hour rent ends inside its 20-minute cancel window. */
const HOUR = 5 * 60_000;
const DAY = 14_400; // kopecks for 24 hours
const PRICE = DAY / 12; // 2 hours

interface Pair {
  d: Domain;
  a: RentRegistry;
  b: RentRegistry;
}

async function pair(t: ExecutionContext, sims = 1): Promise<Pair> {
  const d = await domain(t);
  await d.store.setRentPrice('ru', DAY);
  for (let i = 0; i < sims; i++) await d.sim();
  return { d, ...twoProcesses(t, d, (store) => new RentRegistry({ store, clock: d.clock, log: d.log, hourMs: HOUR, shared: true })) };
}

async function rent(registry: RentRegistry, accountId: number, hours = 2): Promise<RentView> {
  const r = await registry.rent({ accountId, filter: {}, service: 'full', dialect: 'smsActivate', hours });
  if (!r.ok) throw new Error(`rent refused: ${r.code}`);
  return r.rent;
}

let smsIds = 7_000;
function sms(registry: RentRegistry, r: RentView, text: string, clock: Domain['clock']) {
  return registry.deliver({ smsId: ++smsIds, iccid: r.iccid, from: 'Bank', text, at: clock.now() });
}

test('a rent opened on one process is seen, listed, extended and finished on the other', async (t) => {
  const { d, a, b } = await pair(t);
  const user = await d.account(DAY);
  const opened = await rent(a, user);
  t.like(await b.view(user, opened.id), { id: opened.id, state: 'renting', live: true });
  t.deepEqual((await b.ofAccount(user)).map((r) => r.id), [opened.id], 'listed by the process that did not open it');

  const longer = await b.extend(user, opened.id, 2);
  t.like(longer, { ok: true, charged: PRICE, rent: { endsAt: opened.endsAt + 2 * HOUR, extensions: 1 } });
  t.like(await a.view(user, opened.id), { endsAt: opened.endsAt + 2 * HOUR, price: 2 * PRICE });
  d.clock.increment(2 * HOUR); // the old end: the process that opened it heard of the new one
  t.like(await a.view(user, opened.id), { state: 'renting' });

  t.like(await a.command(user, opened.id, 'finish'), { ok: true, rent: { state: 'finished', live: false } });
  t.like(await b.view(user, opened.id), { state: 'finished', live: false });
  t.deepEqual(await b.command(user, opened.id, 'finish'), { ok: false, code: 'ended' });
  t.deepEqual(await b.ofAccount(user), []);
  t.is((await d.store.accountById(user))!.balance, DAY - 2 * PRICE);
  await books(t, d.store, user);
  t.deepEqual(d.log.errors, []);
});

test('an SMS reaches a rent the other process opened a moment ago, before anything else told it', async (t) => {
  const { d, a, b } = await pair(t);
  const user = await d.account(DAY);
  const opened = await rent(b, user);
  // The SIM's modem is on process A.
  t.deepEqual(await sms(a, opened, 'balance 100', d.clock), [opened.id]);
  t.deepEqual((await b.view(user, opened.id))!.messages.map((m) => m.text), ['balance 100']);
  // B's actor is behind now: it reads the stored rent again before it takes the SMS, and both are kept.
  t.deepEqual(await sms(b, opened, 'balance 90', d.clock), [opened.id]);
  t.deepEqual((await a.view(user, opened.id))!.messages.map((m) => m.text), ['balance 100', 'balance 90']);
  t.deepEqual(await a.command(user, opened.id, 'cancel'), { ok: false, code: 'cantCancel' }, 'an SMS came: no refund');
  t.deepEqual(d.log.errors, []);
});

test('an extension racing an SMS on the other process is charged once, and the end follows it on both', async (t) => {
  const { d, a, b } = await pair(t);
  const user = await d.account(DAY);
  const opened = await rent(a, user);
  await sms(b, opened, 'hello', d.clock); // both hold it now, each with its own timer
  const [longer, took] = await Promise.all([a.extend(user, opened.id, 2), sms(b, opened, 'again', d.clock)]);
  t.like(longer, { ok: true, charged: PRICE });
  t.deepEqual(took, [opened.id]);
  t.deepEqual((await entries(d.store, user, 'charge')).map((e) => e.key), [`rent:${opened.id}`, `rent-extend:${opened.id}:1`]);
  d.clock.increment(2 * HOUR); // the old end, on both clocks' timers
  await a.sync();
  await b.sync();
  t.like(await d.store.rent(opened.id), { state: 'renting', live: true, endsAt: opened.endsAt + 2 * HOUR });
  t.deepEqual((await a.view(user, opened.id))!.messages.map((m) => m.text), ['hello', 'again']);
  d.clock.increment(2 * HOUR);
  await until(async () => (await d.store.liveRents()).length === 0);
  t.like(await d.store.rent(opened.id), { state: 'expired', live: false });
  t.is((await d.store.accountById(user))!.balance, DAY - 2 * PRICE);
  await books(t, d.store, user);
  t.deepEqual(d.log.errors, []);
});

test('an extension whose process died before telling anyone: the old end is refused, and a cancel gives it back too', async (t) => {
  const { d, a } = await pair(t);
  const user = await d.account(DAY);
  const opened = await rent(a, user);
  // Process B charged an extension and died before it wrote the rent's snapshot: A's actor knows the old end only.
  const longer = await d.store.extendRent({ rentId: opened.id, accountId: user, hours: 2, addMs: 2 * HOUR, at: d.clock.now() });
  t.like(longer, { ok: true, charged: PRICE });
  d.clock.increment(2 * HOUR); // A's old end fires: the store refuses it (the end moved), and A reads the rent again
  const cancel = await a.command(user, opened.id, 'cancel');
  t.like(cancel, { ok: true, rent: { state: 'cancelled', endsAt: opened.endsAt + 2 * HOUR } }, 'not over: inside its 20 minutes, no SMS');
  t.deepEqual((await entries(d.store, user, 'refund')).map((e) => [e.key, e.amount]), [[`rent-refund:${opened.id}`, 2 * PRICE]]);
  t.is((await d.store.accountById(user))!.balance, DAY);
  await books(t, d.store, user);
  t.deepEqual(d.log.errors, []);
});

test('a cancel on one process racing the end on the other refunds once or not at all', async (t) => {
  const { d, a, b } = await pair(t, 6);
  const user = await d.account(10 * DAY);
  const rents: RentView[] = [];
  for (let i = 0; i < 6; i++) rents.push(await rent(i % 2 === 0 ? a : b, user));
  d.clock.increment(2 * HOUR - 1);
  // Each cancel goes to the process that did not open the rent: it takes the rent up while the opener's end fires.
  const cancels = rents.map((r, i) => (i % 2 === 0 ? b : a).command(user, r.id, 'cancel'));
  d.clock.increment(1); // every end fires while the cancels are in flight
  const answers = await Promise.allSettled(cancels);
  await until(async () => (await d.store.liveRents()).length === 0);
  const ends = await Promise.all(rents.map(async (r) => (await d.store.rent(r.id))!.state));
  for (const [i, state] of ends.entries()) {
    t.true(state === 'cancelled' || state === 'expired', `rent ${rents[i]!.id} ended (${state})`);
    const answer = answers[i]!;
    if (state === 'expired' && answer.status === 'fulfilled') t.false(answer.value.ok, 'a cancel after the end is refused');
  }
  const refunds = await entries(d.store, user, 'refund');
  t.deepEqual(refunds.map((e) => e.key).sort(), rents.filter((_, i) => ends[i] === 'cancelled').map((r) => `rent-refund:${r.id}`).sort());
  const expired = ends.filter((s) => s === 'expired').length;
  t.is((await d.store.accountById(user))!.balance, 10 * DAY - expired * PRICE);
  await books(t, d.store, user);
  t.deepEqual(d.log.errors, []);
});

test('a process that stops leaves its rents\' ends to the other, which stores each once', async (t) => {
  const { d, a, b } = await pair(t, 3);
  const user = await d.account(DAY);
  const orphans = [await rent(b, user), await rent(b, user), await rent(b, user)];
  await b.stop(); // B dies: nothing of it runs again
  t.is(await a.sync(), 0, 'live and before their end: their process keeps them');
  d.clock.increment(2 * HOUR + 1);
  t.is(await a.sync(), 0, 'over once: its process is given time to act');
  t.is(await a.sync(), 0, 'over twice');
  t.is(await a.sync(), 3, 'still over and unchanged at the third sync: taken over');
  d.clock.increment(1); // the taken-over actors' ends (already past) run on this clock
  await until(async () => (await d.store.liveRents()).length === 0);
  for (const o of orphans) t.like(await d.store.rent(o.id), { state: 'expired', live: false, version: 1 });
  t.is((await d.store.accountById(user))!.balance, DAY - 3 * PRICE);
  t.deepEqual(await entries(d.store, user, 'refund'), []);
  t.is(await a.sync(), 0);
  await books(t, d.store, user);
});
