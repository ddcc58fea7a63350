import test, { type ExecutionContext } from 'ava';
import { SimulatedClock, initialTransition, transition } from 'xstate';
import { Inbox, RentRegistry, rentMachine, type RentView } from '../../../actors/index.ts';
import type { RentEvent } from '../../../actors/rent/index.ts';
import { books, domain, entries, T0, type Domain } from '../helpers.ts';

/**
 * The rent machine read through `transition()` (no effect runs), and the rent
 * registry over a real SQLite store on a SimulatedClock: SMS from anyone, an
 * end that comes by itself, across a restore, extensions and early cancels.
 */

const HOUR = 3_600_000;
const DAY = 14_400; // kopecks for 24 hours
const input = {
  id: 1, accountId: 7, iccid: 'i', phone: '79000000001', createdAt: T0, endsAt: T0 + 24 * HOUR, price: DAY,
  cancelWindowMs: 20 * 60_000,
};

function run(events: RentEvent[]) {
  let [snapshot] = initialTransition(rentMachine, input);
  for (const event of events) [snapshot] = transition(rentMachine, snapshot, event);
  return snapshot;
}

test('machine: a new rent is renting; it keeps every SMS once; finish ends it', (t) => {
  t.is(run([]).value, 'renting');
  const sms = { smsId: 5, from: 'Any Bank', text: 'no code here', at: T0 + 1 };
  const twice = run([{ type: 'sms.received', sms }, { type: 'sms.received', sms }]);
  t.deepEqual(twice.context.messages, [sms]);
  t.is(run([{ type: 'client.finish' }]).value, 'finished');
});

test('machine: a cancel is taken only in the first 20 minutes and before any SMS', (t) => {
  t.deepEqual(run([{ type: 'client.cancel', at: T0 + 19 * 60_000 }]).value, { cancelling: 'refunding' });
  t.is(run([{ type: 'client.cancel', at: T0 + 20 * 60_000 }]).value, 'renting');
  const sms = { smsId: 1, from: 'x', text: 'y', at: T0 };
  t.is(run([{ type: 'sms.received', sms }, { type: 'client.cancel', at: T0 + 1 }]).value, 'renting');
});

test('machine: an extension moves the end and the price; the snapshot survives JSON', (t) => {
  const s = run([{ type: 'rent.extended', endsAt: T0 + 48 * HOUR, price: 2 * DAY }]);
  t.like(s.context, { endsAt: T0 + 48 * HOUR, price: 2 * DAY });
  t.deepEqual(JSON.parse(JSON.stringify(s.context)), s.context);
});

// ── the registry ──────────────────────────────────────────────────────────

/** Two Russian SIMs, a day's rent price, and an inbox that routes to activations and rents. */
async function renting(t: ExecutionContext) {
  const d = await domain(t);
  await d.store.setRentPrice('ru', DAY);
  await d.store.setPrice('telegram', 'ru', 2_500);
  await d.sim();
  await d.sim();
  const rents = registryOn(t, d, d.clock);
  const inbox = new Inbox({ store: d.store, registry: d.registry, rents, log: d.log });
  await inbox.reloadRules();
  let n = 0;
  /** An SMS to a SIM, as the modem farm hands it to the inbox. */
  const text = (iccid: string, from: string, body: string) =>
    inbox.receive({ iccid, from, text: body, receivedAt: d.clock.now(), fingerprint: `f-${iccid}-${++n}` });
  return { d, rents, inbox, text };
}

function registryOn(t: ExecutionContext, d: Domain, clock: SimulatedClock) {
  const rents = new RentRegistry({ store: d.store, clock, log: d.log, hourMs: HOUR });
  t.teardown(() => rents.stop());
  return rents;
}

async function rent(rents: RentRegistry, accountId: number, hours = 24): Promise<RentView> {
  const r = await rents.rent({ accountId, filter: {}, service: 'full', dialect: 'getsms', hours });
  if (!r.ok) throw new Error(`rent refused: ${r.code}`);
  return r.rent;
}

/** Polls the store until the rent is in `state` (its snapshot is written after the clock moved). */
async function stored(d: Domain, id: number, state: string) {
  for (let i = 0; i < 500; i++) {
    const r = await d.store.rent(id);
    if (r?.state === state) return r;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`rent ${id} never stored as ${state}`);
}

test('every SMS the rented SIM receives, whoever sends it, goes to the rent; activations elsewhere are routed as before', async (t) => {
  const { d, rents, inbox, text } = await renting(t);
  const a = await d.account();
  const r = await rent(rents, a);
  const other = (await d.store.sims()).find((s) => s.iccid !== r.iccid)!;
  const order = await d.registry.order({ accountId: a, service: 'telegram', filter: {}, forwarding: false, dialect: 'smsActivate', count: 1 });
  if (!order.ok) return t.fail(order.code);
  t.is(order.activation.iccid, other.iccid, 'the rented SIM is sold to nobody');

  t.deepEqual((await text(r.iccid, 'Telegram', 'Telegram code: 12345')).rentIds, [r.id]);
  t.like(await text(r.iccid, '+79161234567', 'привет, no code at all'), { rentIds: [r.id], activationIds: [] });
  t.like(await text(other.iccid, 'Telegram', 'Telegram code: 54321'), { rentIds: [], activationIds: [order.activation.id] });
  const view = (await rents.view(a, r.id))!;
  t.deepEqual(view.messages.map((m) => [m.from, m.text]), [['Telegram', 'Telegram code: 12345'], ['+79161234567', 'привет, no code at all']]);
  t.like(await d.registry.view(a, order.activation.id), { state: 'codeArrived', code: '54321' });
  t.like(await d.store.rent(r.id), { messages: view.messages });

  // A re-read copy of an SMS changes nothing.
  const [first] = await d.store.smsOfSim(r.iccid, 10).then((all) => all.reverse());
  const again = await inbox.receive({ iccid: r.iccid, from: first!.sender, text: first!.text, receivedAt: first!.receivedAt, fingerprint: first!.fingerprint });
  t.true(again.duplicate);
  t.is((await rents.view(a, r.id))!.messages.length, 2);
  t.deepEqual(d.log.errors, []);
});

test('a rent ends by itself at its end, not before, with no refund, and its SIM is on sale again', async (t) => {
  const { d, rents } = await renting(t);
  const a = await d.account(DAY);
  const r = await rent(rents, a);
  d.clock.increment(24 * HOUR - 1);
  t.is((await rents.view(a, r.id))!.state, 'renting');
  t.deepEqual((await rents.ofAccount(a)).map((x) => x.id), [r.id]);
  d.clock.increment(1);
  t.like(await stored(d, r.id, 'expired'), { live: false });
  t.deepEqual(await rents.ofAccount(a), []);
  t.is((await d.store.accountById(a))!.balance, 0, 'a rent that ran its time is not refunded');
  t.deepEqual(await entries(d.store, a, 'refund'), []);
  t.is(await d.store.rentable({}), 2);
  await books(t, d.store, a);
});

test('a restored rent ends at its absolute end on a fresh clock, charged once', async (t) => {
  const { d, rents, text } = await renting(t);
  const a = await d.account(DAY);
  const r = await rent(rents, a);
  await text(r.iccid, 'Bank', 'balance 100');
  await rents.stop();

  // A restart 10 hours later: the snapshot comes back from JSON, the deadline from its absolute time.
  const later = new SimulatedClock();
  later.set(T0 + 10 * HOUR);
  const again = registryOn(t, d, later);
  t.is(await again.restore(), 1);
  t.like(await again.view(a, r.id), { state: 'renting', endsAt: T0 + 24 * HOUR });
  t.is((await again.view(a, r.id))!.messages.length, 1);
  later.increment(14 * HOUR - 1);
  t.is((await again.view(a, r.id))!.state, 'renting');
  later.increment(1);
  await stored(d, r.id, 'expired');
  t.is((await entries(d.store, a, 'charge')).length, 1);
  t.is((await d.store.accountById(a))!.balance, 0);

  // Restored after its end: it ends at once.
  const b = await d.account(DAY);
  const late = await rent(again, b);
  await again.stop();
  const muchLater = new SimulatedClock();
  muchLater.set(late.endsAt + HOUR);
  const third = registryOn(t, d, muchLater);
  await third.restore();
  muchLater.increment(0); // a SimulatedClock fires even a due timer only when it moves
  await stored(d, late.id, 'expired');
  await books(t, d.store, a);
  await books(t, d.store, b);
});

test('an extension is charged and moves the end; the deadline follows it', async (t) => {
  const { d, rents } = await renting(t);
  const a = await d.account(DAY * 2);
  const r = await rent(rents, a);
  d.clock.increment(23 * HOUR);
  const x = await rents.extend(a, r.id, 12);
  if (!x.ok) return t.fail(x.code);
  t.like(x, { charged: DAY / 2, rent: { endsAt: T0 + 36 * HOUR, price: DAY * 1.5, extensions: 1 } });
  d.clock.increment(12 * HOUR);
  t.is((await rents.view(a, r.id))!.state, 'renting', 'the old end passed; the new one not yet');
  d.clock.increment(HOUR);
  await stored(d, r.id, 'expired');
  t.deepEqual(await rents.extend(a, r.id, 2), { ok: false, code: 'ended' });
  t.deepEqual(await rents.extend(a + 1, r.id, 2), { ok: false, code: 'noRent' });
  t.is((await d.store.accountById(a))!.balance, DAY / 2);
  await books(t, d.store, a);
});

test('a cancel in the first 20 minutes with no SMS is refunded in full; later, or after an SMS, it is refused', async (t) => {
  const { d, rents, text } = await renting(t);
  const a = await d.account(DAY * 3);
  const early = await rent(rents, a);
  d.clock.increment(19 * 60_000);
  t.like(await rents.command(a, early.id, 'cancel'), { ok: true, rent: { state: 'cancelled', live: false } });
  t.like((await entries(d.store, a, 'refund'))[0], { amount: DAY, key: `rent-refund:${early.id}` });
  t.deepEqual(await rents.command(a, early.id, 'cancel'), { ok: false, code: 'ended' });

  const texted = await rent(rents, a);
  await text(texted.iccid, 'Shop', 'hello');
  t.deepEqual(await rents.command(a, texted.id, 'cancel'), { ok: false, code: 'cantCancel' });
  const late = await rent(rents, a);
  d.clock.increment(20 * 60_000);
  t.deepEqual(await rents.command(a, late.id, 'cancel'), { ok: false, code: 'cantCancel' });
  t.deepEqual(await rents.command(a + 1, late.id, 'finish'), { ok: false, code: 'noRent' }, 'someone else\'s rent is no rent');
  t.like(await rents.command(a, late.id, 'finish'), { ok: true, rent: { state: 'finished' } });
  t.is((await entries(d.store, a, 'refund')).length, 1);
  await books(t, d.store, a);
});

test('a rent of 8 weeks, longer than one timer can wait, ends neither early nor late', async (t) => {
  const { d, rents } = await renting(t);
  const a = await d.account(DAY * 56);
  const r = await rent(rents, a, 1344);
  d.clock.increment(2 ** 31); // the longest timer, and then some: it woke up and waits again
  t.is((await rents.view(a, r.id))!.state, 'renting');
  d.clock.increment(1344 * HOUR - 2 ** 31 - 1);
  t.is((await rents.view(a, r.id))!.state, 'renting');
  d.clock.increment(1);
  await stored(d, r.id, 'expired');
});
