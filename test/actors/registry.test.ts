import test, { type ExecutionContext } from 'ava';
import { ActivationRegistry, seedCatalogue, StoreError, type ActivationView, type ClientCommand, type OrderRequest } from '../../actors/index.ts';
import { books, domain, entries, newsOf, TTL, type Domain } from './helpers.ts';

/**
 * The activation registry over a real SQLite store: which SIM an order gets,
 * what it costs, how count=N and getRepeat continue on the same number.
 */

const TG = 2_500;
const WA = 3_500;

async function priced(t: ExecutionContext, opts: Parameters<typeof domain>[1] = {}): Promise<Domain> {
  const d = await domain(t, opts);
  await d.store.setPrice('telegram', 'ru', TG);
  await d.store.setPrice('whatsapp', 'ru', WA);
  return d;
}

const req = (accountId: number, service = 'telegram', over: Partial<OrderRequest> = {}): OrderRequest => ({
  accountId, service, filter: {}, forwarding: false, dialect: 'getsms', count: 1, ...over,
});

async function ordered(d: Domain, r: OrderRequest): Promise<ActivationView> {
  const got = await d.registry.order(r);
  if (!got.ok) throw new Error(`order refused: ${got.code}`);
  return got.activation;
}

async function command(d: Domain, a: ActivationView, c: ClientCommand): Promise<ActivationView> {
  const got = await d.registry.command(a.accountId, a.id, c);
  if (!got.ok) throw new Error(`${c} refused: ${got.code}`);
  return got.activation;
}

let smsIds = 1_000;
/** An SMS for the activation's service straight to the registry, with its code. */
async function code(d: Domain, a: ActivationView, value: string): Promise<number[]> {
  return d.registry.deliver(
    { smsId: ++smsIds, iccid: a.iccid, from: 'Service', text: `code ${value}`, at: d.clock.now() },
    (services) => services.filter((s) => s === a.service).map((service) => ({ service, code: value })),
  );
}

// ── allocation ────────────────────────────────────────────────────────────

test('a SIM is never handed out again for a service it received a code for; other services still get it', async (t) => {
  const d = await domain(t, { farm: { channels: 1, slots: 1 } });
  await seedCatalogue(d.store);
  const [slot] = d.farm!.slots();
  const a = await d.account();
  const b = await d.account();
  const first = await ordered(d, req(a));
  t.like(first, { iccid: slot!.sim.iccid, phone: slot!.sim.phone, state: 'waitingForReady' });
  await command(d, first, 'client.ready');
  t.true(await d.farm!.deliver(slot!.sim.phone, 'Telegram', 'Telegram code: 77123'));
  t.like(await d.registry.view(a, first.id), { state: 'codeArrived', code: '77123' });
  await command(d, first, 'client.finish');
  t.like(await d.store.activation(first.id), { state: 'finished', live: false, code: '77123' });

  t.deepEqual(await d.registry.order(req(b)), { ok: false, code: 'noNumbers' });
  t.deepEqual(await d.registry.order(req(a)), { ok: false, code: 'noNumbers' });
  t.like(await ordered(d, req(b, 'whatsapp')), { iccid: slot!.sim.iccid });
  t.deepEqual(d.log.errors, []);
});

test('a SIM holding a live activation of a service is not handed out for it; a cancel frees it', async (t) => {
  const d = await priced(t);
  const sim = await d.sim();
  const a = await d.account();
  const b = await d.account();
  const held = await ordered(d, req(a));
  t.deepEqual(await d.registry.order(req(b)), { ok: false, code: 'noNumbers' });
  t.like(await ordered(d, req(b, 'whatsapp')), { iccid: sim.iccid });
  await command(d, held, 'client.cancel');
  t.like(await ordered(d, req(b)), { iccid: sim.iccid, accountId: b });
});

test('a code on a live activation keeps the SIM held for the service until and after it finishes', async (t) => {
  const d = await priced(t);
  await d.sim();
  const a = await d.account();
  const b = await d.account();
  const first = await ordered(d, req(a, 'telegram', { dialect: 'smsActivate' }));
  t.is(first.state, 'waitingForCode');
  t.deepEqual(await code(d, first, '4242'), [first.id]);
  t.deepEqual(await d.registry.order(req(b)), { ok: false, code: 'noNumbers' });
  await command(d, first, 'client.retry');
  t.deepEqual(await d.registry.order(req(b)), { ok: false, code: 'noNumbers' });
  await command(d, first, 'client.finish');
  t.deepEqual(await d.registry.order(req(b)), { ok: false, code: 'noNumbers' });
});

test('a number that expired without a code is withheld from that user only, until the blacklist is cleared', async (t) => {
  const d = await priced(t);
  const sim = await d.sim();
  const a = await d.account();
  const b = await d.account();
  const first = await ordered(d, req(a));
  const expired = newsOf(d.registry, first.id, 'expired');
  d.clock.increment(TTL);
  await expired;
  t.deepEqual(await d.store.blacklist(a), [sim.phone]);
  t.deepEqual(await d.registry.order(req(a)), { ok: false, code: 'noNumbers' });
  t.deepEqual(await d.registry.order(req(a, 'whatsapp')), { ok: false, code: 'noNumbers' });
  t.like(await ordered(d, req(b)), { iccid: sim.iccid });
  t.is(await d.store.clearBlacklist(a), 1);
  t.like(await ordered(d, req(a, 'whatsapp')), { iccid: sim.iccid });
});

test('status 10 blacklists the number for the user and spends it for the service', async (t) => {
  const d = await priced(t);
  const sim = await d.sim();
  const a = await d.account();
  const b = await d.account();
  const first = await ordered(d, req(a));
  t.like(await command(d, first, 'client.numberUsed'), { state: 'rejected', live: false });
  t.deepEqual(await d.store.blacklist(a), [sim.phone]);
  t.deepEqual(await d.store.blacklist(b), []);
  t.deepEqual(await d.registry.order(req(b)), { ok: false, code: 'noNumbers' });
  t.deepEqual(await d.registry.order(req(a, 'whatsapp')), { ok: false, code: 'noNumbers' });
  t.like(await ordered(d, req(b, 'whatsapp')), { iccid: sim.iccid });
});

// ── money ─────────────────────────────────────────────────────────────────

test('the price is charged at the order and refunded on cancel, status 10 and expiry, never after a code', async (t) => {
  const d = await priced(t);
  for (let i = 0; i < 4; i++) await d.sim();
  const a = await d.account(10 * TG);
  const expiring = await ordered(d, req(a));
  t.is((await d.store.accountById(a))!.balance, 9 * TG);
  d.clock.increment(TTL / 2);
  const cancelled = await ordered(d, req(a));
  const rejected = await ordered(d, req(a));
  const coded = await ordered(d, req(a));
  t.is((await d.store.accountById(a))!.balance, 6 * TG);
  t.is((await entries(d.store, a, 'charge')).length, 4);

  await command(d, cancelled, 'client.cancel');
  await command(d, rejected, 'client.numberUsed');
  await command(d, coded, 'client.ready');
  await code(d, coded, '1234');
  await command(d, coded, 'client.finish');
  const expired = newsOf(d.registry, expiring.id, 'expired');
  d.clock.increment(TTL / 2);
  await expired;

  t.deepEqual(
    (await entries(d.store, a, 'refund')).map((e) => [e.ref, e.amount]).sort(),
    [cancelled, rejected, expiring].map((x) => [`activation:${x.id}`, TG]).sort(),
  );
  t.is((await d.store.accountById(a))!.balance, 9 * TG);
  await books(t, d.store, a);
  t.deepEqual(d.registry.live(), []);
  t.deepEqual(d.log.errors, []);
});

test('an order without the money for it gets noBalance and leaves the SIM free', async (t) => {
  const d = await priced(t);
  const sim = await d.sim();
  const poor = await d.account(TG - 1);
  const rich = await d.account();
  t.deepEqual(await d.registry.order(req(poor)), { ok: false, code: 'noBalance' });
  t.is((await d.store.accountById(poor))!.balance, TG - 1);
  t.deepEqual(d.registry.live(), []);
  t.like(await ordered(d, req(rich)), { iccid: sim.iccid });
  await books(t, d.store, poor);
});

test('commands a state does not allow, on ended activations or on someone else’s are refused', async (t) => {
  const d = await priced(t);
  await d.sim();
  const a = await d.account();
  const b = await d.account();
  const first = await ordered(d, req(a));
  t.deepEqual(await d.registry.command(a, first.id, 'client.finish'), { ok: false, code: 'notAllowed' });
  t.deepEqual(await d.registry.command(b, first.id, 'client.cancel'), { ok: false, code: 'noActivation' });
  t.deepEqual(await d.registry.command(a, 999_999, 'client.cancel'), { ok: false, code: 'noActivation' });
  t.is(await d.registry.view(b, first.id), undefined);
  await command(d, first, 'client.cancel');
  t.deepEqual(await d.registry.command(a, first.id, 'client.cancel'), { ok: false, code: 'notAllowed' });
  t.like(await d.registry.view(a, first.id), { state: 'cancelled', live: false });
  t.is((await entries(d.store, a, 'refund')).length, 1);
});

// ── count=N ───────────────────────────────────────────────────────────────

test('count=3 continues on the same SIM each time one activation finishes, charged once', async (t) => {
  const d = await priced(t);
  const sim = await d.sim();
  await d.sim();
  const a = await d.account(10 * TG);
  const first = await ordered(d, req(a, 'telegram', { count: 3 }));
  t.like(first, { remaining: 2, iccid: sim.iccid });

  let current = first;
  const chain = [first];
  for (let i = 0; i < 3; i++) {
    if (current.state === 'waitingForReady') await command(d, current, 'client.ready');
    t.deepEqual(await code(d, current, `10${i}0`), [current.id]);
    const done = await command(d, current, 'client.finish');
    t.like(done, { state: 'finished', live: false, code: `10${i}0` });
    t.like(await d.store.activation(current.id), { nextId: done.nextId });
    if (i === 2) {
      t.is(done.nextId, null);
      break;
    }
    t.truthy(done.nextId);
    const next = (await d.registry.view(a, done.nextId!))!;
    t.like(next, {
      iccid: sim.iccid, phone: sim.phone, service: 'telegram', price: 0, remaining: 1 - i, repeatOf: current.id,
      state: 'waitingForCode', live: true, code: null,
    });
    chain.push(next);
    current = next;
  }
  t.is(new Set(chain.map((x) => x.id)).size, 3);
  t.is((await entries(d.store, a, 'charge')).length, 1);
  t.is((await d.store.accountById(a))!.balance, 9 * TG);
  t.deepEqual(d.registry.live(), []);
  await books(t, d.store, a);
  t.deepEqual(d.log.errors, []);
});

test('count=2 whose SIM left the farm finishes without a next activation', async (t) => {
  const d = await priced(t);
  const sim = await d.sim();
  const a = await d.account();
  const first = await ordered(d, req(a, 'telegram', { count: 2 }));
  await code(d, first, '5555');
  await d.store.setSimOnline(sim.iccid, false, d.clock.now());
  t.like(await command(d, first, 'client.finish'), { state: 'finished', nextId: null });
  t.deepEqual(d.registry.live(), []);
});

// ── getRepeat ─────────────────────────────────────────────────────────────

test('a repeat needs a coded previous activation of that account on that number and service', async (t) => {
  const d = await priced(t);
  const sim = await d.sim();
  const a = await d.account();
  const b = await d.account();
  t.deepEqual(await d.registry.repeat(a, sim.phone, 'telegram', 'getsms'), { ok: false, code: 'noNumbers' });
  const cancelled = await ordered(d, req(a));
  await command(d, cancelled, 'client.cancel');
  t.deepEqual(await d.registry.repeat(a, sim.phone, 'telegram', 'getsms'), { ok: false, code: 'noNumbers' });
  const coded = await ordered(d, req(a));
  await code(d, coded, '8080');
  await command(d, coded, 'client.finish');
  t.deepEqual(await d.registry.repeat(b, sim.phone, 'telegram', 'getsms'), { ok: false, code: 'noNumbers' });
  t.deepEqual(await d.registry.repeat(a, sim.phone, 'whatsapp', 'getsms'), { ok: false, code: 'noNumbers' });
  t.deepEqual(await d.registry.repeat(a, '70000000000', 'telegram', 'getsms'), { ok: false, code: 'noNumbers' });
  t.like(await d.registry.repeat(a, sim.phone, 'telegram', 'getsms'), { ok: true, activation: { repeatOf: coded.id } });
});

test('a repeat is free, on the same number, and doubleRetry while an activation still holds it', async (t) => {
  const d = await priced(t);
  const sim = await d.sim();
  const a = await d.account(10 * TG);
  const first = await ordered(d, req(a));
  await command(d, first, 'client.ready');
  await code(d, first, '1111');
  // The first is still open (code arrived, not finished): it holds the number.
  t.deepEqual(await d.registry.repeat(a, sim.phone, 'telegram', 'getsms'), { ok: false, code: 'doubleRetry' });
  await command(d, first, 'client.finish');
  const balance = (await d.store.accountById(a))!.balance;

  const r1 = await d.registry.repeat(a, sim.phone, 'telegram', 'getsms');
  if (!r1.ok) return t.fail(r1.code);
  t.like(r1.activation, { iccid: sim.iccid, phone: sim.phone, price: 0, repeatOf: first.id, state: 'waitingForCode', live: true });
  t.deepEqual(await d.registry.repeat(a, sim.phone, 'telegram', 'getsms'), { ok: false, code: 'doubleRetry' });
  await code(d, r1.activation, '2222');
  await command(d, r1.activation, 'client.finish');

  const r2 = await d.registry.repeat(a, sim.phone, 'telegram', 'getsms');
  t.like(r2, { ok: true, activation: { repeatOf: r1.activation.id, price: 0 } });
  if (!r2.ok) return;
  // A repeat that ends without a code refunds nothing (it was free) and leaves the number used.
  await command(d, r2.activation, 'client.cancel');
  t.is((await d.store.accountById(a))!.balance, balance);
  t.deepEqual(await entries(d.store, a, 'refund'), []);
  t.like(await d.registry.repeat(a, sim.phone, 'telegram', 'getsms'), { ok: true, activation: { repeatOf: r1.activation.id } });
  await books(t, d.store, a);
});

test('a repeat needs the same SIM card still in the farm', async (t) => {
  const d = await priced(t);
  const sim = await d.sim();
  const a = await d.account();
  const first = await ordered(d, req(a));
  await code(d, first, '1111');
  await command(d, first, 'client.finish');
  await d.store.setSimOnline(sim.iccid, false, d.clock.now());
  t.deepEqual(await d.registry.repeat(a, sim.phone, 'telegram', 'getsms'), { ok: false, code: 'noNumbers' });
  // The operator put a new card with the same number in: not the SIM the code came to.
  d.clock.increment(1_000);
  await d.sim({ phone: sim.phone, slot: sim.slot });
  t.deepEqual(await d.registry.repeat(a, sim.phone, 'telegram', 'getsms'), { ok: false, code: 'noNumbers' });
  // The old card comes back (seen last): the repeat works again.
  d.clock.increment(1_000);
  await d.store.upsertSim({ ...sim, at: d.clock.now() });
  t.like(await d.registry.repeat(a, sim.phone, 'telegram', 'getsms'), { ok: true, activation: { iccid: sim.iccid } });
});

test('the registry hears what it stores: opened and changed news carry the stored state', async (t) => {
  const d = await priced(t);
  await d.sim();
  const a = await d.account();
  const news: string[] = [];
  d.registry.subscribe((n) => news.push(`${n.type}:${n.activation.state}`));
  const first = await ordered(d, req(a));
  await command(d, first, 'client.cancel');
  // The order itself stored the first state: it is announced as opened, never rewritten.
  t.deepEqual(news, ['activation.opened:waitingForReady', 'activation.changed:cancelling', 'activation.changed:cancelled']);
  t.like(await d.store.activation(first.id), { state: 'cancelled', live: false, version: 2 });
});

test('with the early-cancel rule on, a cancel in the first two minutes is refused', async (t) => {
  const d = await priced(t);
  await d.sim();
  const a = await d.account();
  const first = await ordered(d, req(a));
  t.deepEqual(await d.registry.command(a, first.id, 'client.cancel', true), { ok: false, code: 'earlyCancel' });
  t.like(await d.registry.view(a, first.id), { state: 'waitingForReady', live: true });
  d.clock.increment(120_000);
  t.like(await d.registry.command(a, first.id, 'client.cancel', true), { ok: true, activation: { state: 'cancelled' } });
});

// ── restore ───────────────────────────────────────────────────────────────

test('an order stored before its actor ever ran (a crash right after the order) is restored from its record', async (t) => {
  const d = await priced(t);
  await d.sim();
  const a = await d.account(10 * TG);
  const now = d.clock.now();
  const stored = await d.store.openActivation({
    accountId: a, service: 'telegram', filter: {}, forwarding: false, dialect: 'getsms', createdAt: now,
    expiresAt: now + TTL, remaining: 0, initialState: 'waitingForReady',
  });
  if (!stored.ok) return t.fail(stored.code);
  t.is(await d.registry.restore(), 1);
  t.like(await d.registry.view(a, stored.activation.id), { state: 'waitingForReady', live: true });
  t.like(await d.store.activation(stored.activation.id), { state: 'waitingForReady', version: 0 });
  const expired = newsOf(d.registry, stored.activation.id, 'expired');
  d.clock.increment(TTL);
  await expired;
  t.is((await entries(d.store, a, 'refund')).length, 1);
  await books(t, d.store, a);
});

test('restored in the middle of a count=N continuation, the next activation is made once', async (t) => {
  const d = await priced(t);
  await d.sim();
  const a = await d.account(10 * TG);
  // The first process dies after the next activation was stored, before its actor started.
  let chained = 0;
  const dying = new Proxy(d.store, {
    get(target, prop) {
      if (prop === 'openActivation') {
        return async (o: Parameters<typeof target.openActivation>[0]) => {
          const r = await target.openActivation(o);
          if (!o.repeat?.chained) return r;
          chained++;
          return new Promise<never>(() => {});
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const first = new ActivationRegistry({ store: dying, clock: d.clock, log: d.log, ttlMs: TTL });
  const got = await first.order(req(a, 'telegram', { count: 2 }));
  if (!got.ok) return t.fail(got.code);
  await first.deliver(
    { smsId: 1, iccid: got.activation.iccid, from: 'Telegram', text: 'Telegram code: 1212', at: d.clock.now() },
    (services) => services.map((service) => ({ service, code: '1212' })),
  );
  first.command(a, got.activation.id, 'client.finish').catch(() => {});
  while (chained === 0) await new Promise((r) => setImmediate(r));
  await first.stop();
  t.like(await d.store.activation(got.activation.id), { state: 'finishing', live: true });
  t.is((await d.store.liveActivations()).length, 2);

  const finished = newsOf(d.registry, got.activation.id, 'finished');
  t.is(await d.registry.restore(), 2);
  const done = await finished;
  const all = await d.store.activations({ accountId: a, limit: 10 });
  t.is(all.length, 2);
  const next = all.find((x) => x.id !== got.activation.id)!;
  t.is(done.nextId, next.id);
  t.like(await d.registry.view(a, next.id), { state: 'waitingForCode', live: true, repeatOf: got.activation.id, price: 0 });
  t.is((await entries(d.store, a, 'charge')).length, 1);
  await books(t, d.store, a);
});

test('a command whose new state cannot be stored is reported as a store failure, not as done', async (t) => {
  const d = await domain(t);
  const accountId = await d.account();
  await d.sim();
  await d.store.setPrice('telegram', 'ru', 2500);
  const ordered = await d.registry.order({ accountId, service: 'telegram', filter: {}, forwarding: false, dialect: 'getsms', count: 1 });
  if (!ordered.ok) return t.fail(ordered.code);
  const save = d.store.saveActivation.bind(d.store);
  d.store.saveActivation = async () => {
    throw new StoreError('STORE_UNAVAILABLE', 'disk full');
  };
  await t.throwsAsync(d.registry.command(accountId, ordered.activation.id, 'client.ready'), { instanceOf: StoreError });
  t.like(await d.registry.view(accountId, ordered.activation.id), { state: 'waitingForReady' }, 'what was not stored is not told');
  await t.throwsAsync(d.registry.command(accountId, ordered.activation.id, 'client.cancel'), { instanceOf: StoreError }, 'nor built on');
  d.store.saveActivation = save;
  // Once the store works again the next change stores the newest snapshot.
  const r = await d.registry.command(accountId, ordered.activation.id, 'client.cancel');
  t.true(r.ok);
  t.is((await d.store.activation(ordered.activation.id))!.state, 'cancelled');
});
