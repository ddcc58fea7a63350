import test from 'ava';
import { SimulatedClock, initialTransition, transition, type AnyEventObject } from 'xstate';
import {
  activationMachine, isSettling, stateOf, type ActivationEvent, type ActivationInput, type ActivationSnapshot,
} from '../../../actors/activation/index.ts';
import { ActivationRegistry, type ReceivedSms, type Settlement } from '../../../actors/index.ts';
import { books, domain, entries, newsOf, TTL } from '../helpers.ts';

/**
 * The lifecycle table of the reference protocol, checked with XState's pure
 * `initialTransition` / `transition`: no effect runs, we only read the next
 * state and the effects the machine asks for.
 */

const T0 = 1_700_000_000_000;
const input: ActivationInput = {
  id: 41, accountId: 7, service: 'telegram', iccid: '8970199000000000001', phone: '79001234567', price: 2_500,
  createdAt: T0, expiresAt: T0 + 20 * 60_000, remaining: 0, repeatOf: null, skipReady: false,
};

const sms = (smsId: number, code: string): Extract<ActivationEvent, { type: 'sms.received' }> => ({
  type: 'sms.received',
  sms: { smsId, from: 'Telegram', text: `Telegram code: ${code}`, code, at: T0 + smsId } satisfies ReceivedSms,
});

type Step = ActivationEvent | 'deadline';

/** Runs events from the start; 'deadline' is the expiry timer the machine scheduled for its current state. */
function run(steps: Step[], over: Partial<ActivationInput> = {}) {
  let [snapshot, actions] = initialTransition(activationMachine, { ...input, ...over });
  for (const step of steps) {
    const event = step === 'deadline' ? deadline(snapshot) : step;
    [snapshot, actions] = transition(activationMachine, snapshot, event as ActivationEvent);
  }
  return { snapshot, actions, state: stateOf(snapshot) };
}

/** The `after` event the current state armed (XState raises it delayed; we raise it by hand). */
function deadline(snapshot: ActivationSnapshot): AnyEventObject {
  const state = stateOf(snapshot);
  return { type: `xstate.after.untilExpiry.activation.${state}` };
}

/** The settlement the machine invokes `settle` with, if it asked for one. */
function settlementOf(actions: { type: string; params?: unknown }[]): Omit<Settlement, 'at'> | undefined {
  const spawn = actions.find((a) => a.type === 'xstate.spawnChild' && (a.params as { src?: unknown }).src === 'settle');
  return (spawn?.params as { input?: Omit<Settlement, 'at'> } | undefined)?.input;
}

const base = {
  activationId: input.id, accountId: input.accountId, iccid: input.iccid, phone: input.phone, service: input.service,
};

test('a getsms activation starts waiting for ready (status 0) with its deadline armed', (t) => {
  const [snapshot, actions] = initialTransition(activationMachine, input);
  t.is(stateOf(snapshot), 'waitingForReady');
  t.like(snapshot.context, { id: 41, code: null, messages: [], nextId: null });
  t.true(actions.some((a) => a.type === 'xstate.raise' && (a.params as { id?: string }).id === 'xstate.after.untilExpiry.activation.waitingForReady'));
});

test('an sms-activate activation (skipReady) and a repeat start waiting for the code', (t) => {
  t.is(run([], { skipReady: true }).state, 'waitingForCode');
  t.is(run([], { repeatOf: 40 }).state, 'waitingForCode');
});

test('waiting for ready: 1 → waiting for code, -1 → cancelling, 10 → rejecting', (t) => {
  t.is(run([{ type: 'client.ready' }]).state, 'waitingForCode');
  t.is(run([{ type: 'client.cancel' }]).state, 'cancelling');
  t.is(run([{ type: 'client.numberUsed' }]).state, 'rejecting');
});

test('waiting for ready: finish and retry are not allowed', (t) => {
  const { snapshot } = run([]);
  t.false(snapshot.can({ type: 'client.finish' }));
  t.false(snapshot.can({ type: 'client.retry' }));
  t.is(stateOf(transition(activationMachine, snapshot, { type: 'client.finish' })[0]), 'waitingForReady');
});

test('waiting for code: -1 cancels, an SMS brings the code, finish is not allowed', (t) => {
  t.is(run([{ type: 'client.ready' }, { type: 'client.cancel' }]).state, 'cancelling');
  const got = run([{ type: 'client.ready' }, sms(1, '12345')]);
  t.is(got.state, 'codeArrived');
  t.like(got.snapshot.context, { code: '12345', messages: [sms(1, '12345').sms] });
  t.false(run([{ type: 'client.ready' }]).snapshot.can({ type: 'client.finish' }));
});

test('an SMS that arrives before ready still counts', (t) => {
  const { state, snapshot } = run([sms(1, '5555')]);
  t.is(state, 'codeArrived');
  t.is(snapshot.context.code, '5555');
});

test('code arrived (status 2): 6 finishes, 3 asks for another code, cancel is not allowed', (t) => {
  t.is(run([sms(1, '1111'), { type: 'client.finish' }]).state, 'finishing');
  t.is(run([sms(1, '1111'), { type: 'client.retry' }]).state, 'waitingForRetry');
  const { snapshot } = run([sms(1, '1111')]);
  t.false(snapshot.can({ type: 'client.cancel' }));
  t.false(snapshot.can({ type: 'client.numberUsed' }));
});

test('waiting for retry (status 3): the next SMS brings a new code, 6 finishes, cancel is not allowed', (t) => {
  const retry = [sms(1, '1111'), { type: 'client.retry' } as const];
  t.is(run([...retry, { type: 'client.finish' }]).state, 'finishing');
  const again = run([...retry, sms(2, '2222')]);
  t.is(again.state, 'codeArrived');
  t.is(again.snapshot.context.code, '2222');
  t.is(again.snapshot.context.messages.length, 2);
  t.false(run(retry).snapshot.can({ type: 'client.cancel' }));
});

test('the same SMS delivered twice changes nothing the second time', (t) => {
  const retry = [sms(1, '1111'), { type: 'client.retry' } as const];
  const { state, snapshot } = run([...retry, sms(1, '1111')]);
  t.is(state, 'waitingForRetry');
  t.is(snapshot.context.messages.length, 1);
});

test('waiting for resend (status 5): -1 cancels, 1 goes back to waiting for the code, an SMS brings the code', (t) => {
  const resend = [{ type: 'client.ready' } as const, { type: 'client.retry' } as const];
  t.is(run(resend).state, 'waitingForResend');
  t.is(run([...resend, { type: 'client.cancel' }]).state, 'cancelling');
  t.is(run([...resend, { type: 'client.ready' }]).state, 'waitingForCode');
  t.is(run([...resend, sms(1, '4444')]).state, 'codeArrived');
  t.is(run([...resend, { type: 'client.numberUsed' }]).state, 'rejecting');
});

test('cancel without a code: settle refunds the price and releases the SIM, no blacklist', (t) => {
  const { state, actions } = run([{ type: 'client.cancel' }]);
  t.is(state, 'cancelling');
  t.true(isSettling(state));
  t.deepEqual(settlementOf(actions), { ...base, refund: 2_500, claim: 'release', blacklist: false });
});

test('status 10 (number already used): refund, the SIM spent for the service, the number blacklisted', (t) => {
  const { actions } = run([{ type: 'client.numberUsed' }]);
  t.deepEqual(settlementOf(actions), { ...base, refund: 2_500, claim: 'used', blacklist: true });
});

test('the deadline without a code: expiring refunds, releases the SIM and blacklists the number', (t) => {
  for (const steps of [[], [{ type: 'client.ready' }], [{ type: 'client.ready' }, { type: 'client.retry' }]] as Step[][]) {
    const { state, actions } = run([...steps, 'deadline']);
    t.is(state, 'expiring');
    t.deepEqual(settlementOf(actions), { ...base, refund: 2_500, claim: 'release', blacklist: true });
  }
});

test('finishing after a code: no refund, the SIM used for the service, no blacklist', (t) => {
  const { actions } = run([sms(1, '1111'), { type: 'client.finish' }]);
  t.deepEqual(settlementOf(actions), { ...base, refund: 0, claim: 'used', blacklist: false });
});

test('the deadline after a code finishes the activation: no refund, no blacklist', (t) => {
  for (const steps of [[sms(1, '1111')], [sms(1, '1111'), { type: 'client.retry' }]] as Step[][]) {
    const { state, actions } = run([...steps, 'deadline']);
    t.is(state, 'finishing');
    t.deepEqual(settlementOf(actions), { ...base, refund: 0, claim: 'used', blacklist: false });
  }
});

test('a repeat is free and its SIM stays used for the service whichever way it ends', (t) => {
  const repeat = { repeatOf: 40, price: 0 };
  t.deepEqual(settlementOf(run([{ type: 'client.cancel' }], repeat).actions), { ...base, refund: 0, claim: 'used', blacklist: false });
  t.deepEqual(settlementOf(run(['deadline'], repeat).actions), { ...base, refund: 0, claim: 'used', blacklist: true });
});

test('a settled ending moves to its final state; a count=N order continues before finishing', (t) => {
  const done = (src: string, output?: unknown): AnyEventObject => ({ type: `xstate.done.actor.0.activation.${src}`, output });
  const cancelled = run([{ type: 'client.cancel' }]);
  const [final] = transition(activationMachine, cancelled.snapshot, done('cancelling.settling') as never);
  t.is(stateOf(final), 'cancelled');
  t.is(final.status, 'done');

  const chain = run([sms(1, '1111'), { type: 'client.finish' }], { remaining: 2 });
  const [continuing, actions] = transition(activationMachine, chain.snapshot, done('finishing.settling') as never);
  t.deepEqual(continuing.value, { finishing: 'continuing' });
  t.true(actions.some((a) => a.type === 'xstate.spawnChild' && (a.params as { src?: unknown }).src === 'continueOrder'));
  const [finished] = transition(activationMachine, continuing, done('finishing.continuing', 99) as never);
  t.is(stateOf(finished), 'finished');
  t.is(finished.context.nextId, 99);

  const single = run([sms(1, '1111'), { type: 'client.finish' }]);
  t.is(stateOf(transition(activationMachine, single.snapshot, done('finishing.settling') as never)[0]), 'finished');
});

test('a failed settlement is retried, not dropped', (t) => {
  const { snapshot } = run([{ type: 'client.cancel' }]);
  const [retrying] = transition(activationMachine, snapshot, { type: 'xstate.error.actor.0.activation.cancelling.settling', error: new Error('db') } as never);
  t.deepEqual(retrying.value, { cancelling: 'retrying' });
  const [again, actions] = transition(activationMachine, retrying, { type: 'xstate.after.1000.activation.cancelling.retrying' } as never);
  t.deepEqual(again.value, { cancelling: 'settling' });
  t.truthy(settlementOf(actions));
});

test('resume re-arms the deadline of a waiting state and is ignored while settling', (t) => {
  const { snapshot } = run([{ type: 'client.ready' }]);
  const [resumed, actions] = transition(activationMachine, snapshot, { type: 'resume' });
  t.is(stateOf(resumed), 'waitingForCode');
  t.true(actions.some((a) => a.type === 'xstate.raise' && (a.params as { id?: string }).id === 'xstate.after.untilExpiry.activation.waitingForCode'));
  const settling = run([{ type: 'client.cancel' }]);
  const [still, none] = transition(activationMachine, settling.snapshot, { type: 'resume' });
  t.deepEqual(still.value, { cancelling: 'settling' });
  t.falsy(settlementOf(none));
});

// ── restore: the real registry on a real SQLite store, on SimulatedClocks ──

const order = (accountId: number) => ({
  accountId, service: 'telegram', filter: {}, forwarding: false, dialect: 'getsms' as const, count: 1,
});
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

test('restored before its deadline, an activation expires exactly once: one refund, blacklisted, SIM released', async (t) => {
  const d = await domain(t);
  await d.store.setPrice('telegram', 'ru', 2_500);
  const sim = await d.sim();
  const a = await d.account(10_000);
  const b = await d.account(10_000);
  const got = await d.registry.order(order(a));
  if (!got.ok) return t.fail(got.code);
  const id = got.activation.id;
  await d.registry.stop();

  const stored = (await d.store.activation(id))!;
  t.is(stored.state, 'waitingForReady');
  t.deepEqual(JSON.parse(JSON.stringify(stored.snapshot)), stored.snapshot);
  d.clock.increment(2 * TTL); // the old process's clock runs on: its stopped actors do nothing

  const clock = new SimulatedClock();
  clock.set(stored.expiresAt - 1_000);
  const registry = new ActivationRegistry({ store: d.store, clock, log: d.log, ttlMs: TTL });
  t.teardown(() => registry.stop());
  t.is(await registry.restore(), 1);
  t.like(await registry.view(a, id), { state: 'waitingForReady', live: true });

  clock.increment(999);
  await tick();
  t.like(await registry.view(a, id), { state: 'waitingForReady', live: true });

  const expired = newsOf(registry, id, 'expired');
  clock.increment(1);
  await expired;
  clock.increment(2 * TTL);
  await tick();

  t.like(await d.store.activation(id), { state: 'expired', live: false, code: null });
  t.is((await entries(d.store, a, 'charge')).length, 1);
  t.like(await entries(d.store, a, 'refund'), [{ amount: 2_500, ref: `activation:${id}` }]);
  t.is((await entries(d.store, a, 'refund')).length, 1);
  t.is((await d.store.accountById(a))!.balance, 10_000);
  t.deepEqual(await d.store.blacklist(a), [sim.phone]);
  t.deepEqual(registry.live(), []);
  // Released: another account gets the same SIM for the same service; the one that let it expire does not.
  t.deepEqual(await registry.order(order(a)), { ok: false, code: 'noNumbers' });
  t.like(await registry.order(order(b)), { ok: true, activation: { iccid: sim.iccid } });
  await books(t, d.store, a);
  t.deepEqual(d.log.errors, []);
});

test('restored after a crash between refund and final snapshot, the expiry settles again without a second refund', async (t) => {
  const d = await domain(t);
  await d.store.setPrice('telegram', 'ru', 2_500);
  await d.sim();
  const a = await d.account(10_000);
  // The first process dies right after the settlement was written, before the actor heard it.
  let settled = 0;
  const dying = new Proxy(d.store, {
    get(target, prop) {
      if (prop === 'settleActivation') {
        return async (s: Settlement) => {
          await target.settleActivation(s);
          settled++;
          return new Promise<void>(() => {});
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const first = new ActivationRegistry({ store: dying, clock: d.clock, log: d.log, ttlMs: TTL });
  const got = await first.order(order(a));
  if (!got.ok) return t.fail(got.code);
  const id = got.activation.id;
  d.clock.increment(TTL);
  while (settled === 0) await tick();
  await first.stop();
  t.like(await d.store.activation(id), { state: 'expiring', live: true });
  t.is((await entries(d.store, a, 'refund')).length, 1);

  const clock = new SimulatedClock();
  clock.set(got.activation.expiresAt + 60_000);
  const registry = new ActivationRegistry({ store: d.store, clock, log: d.log, ttlMs: TTL });
  t.teardown(() => registry.stop());
  const expired = newsOf(registry, id, 'expired');
  t.is(await registry.restore(), 1);
  await expired;
  t.like(await d.store.activation(id), { state: 'expired', live: false });
  t.is((await entries(d.store, a, 'refund')).length, 1);
  t.is((await d.store.accountById(a))!.balance, 10_000);
  await books(t, d.store, a);
});

test('restored in codeArrived, an activation finishes at its deadline: no refund, SIM used, no blacklist', async (t) => {
  const d = await domain(t);
  await d.store.setPrice('telegram', 'ru', 2_500);
  const sim = await d.sim();
  const a = await d.account(10_000);
  const b = await d.account(10_000);
  const got = await d.registry.order(order(a));
  if (!got.ok) return t.fail(got.code);
  const id = got.activation.id;
  const taken = await d.registry.deliver(
    { smsId: 1, iccid: sim.iccid, from: 'Telegram', text: 'Telegram code: 31337', at: T0 + 5_000 },
    (services) => services.map((service) => ({ service, code: '31337' })),
  );
  t.deepEqual(taken, [id]);
  await d.registry.stop();
  const stored = (await d.store.activation(id))!;
  t.like(stored, { state: 'codeArrived', code: '31337' });

  const clock = new SimulatedClock();
  clock.set(stored.expiresAt - 10);
  const registry = new ActivationRegistry({ store: d.store, clock, log: d.log, ttlMs: TTL });
  t.teardown(() => registry.stop());
  t.is(await registry.restore(), 1);
  t.like(await registry.view(a, id), { state: 'codeArrived', code: '31337' });
  const finished = newsOf(registry, id, 'finished');
  clock.increment(10);
  await finished;

  t.like(await d.store.activation(id), { state: 'finished', live: false, code: '31337', nextId: null });
  t.deepEqual(await entries(d.store, a, 'refund'), []);
  t.is((await d.store.accountById(a))!.balance, 10_000 - 2_500);
  t.deepEqual(await d.store.blacklist(a), []);
  t.deepEqual(await registry.order(order(b)), { ok: false, code: 'noNumbers' });
  await books(t, d.store, a);
  t.deepEqual(d.log.errors, []);
});

test('restored after the server was down past the deadline, the activation expires at once', async (t) => {
  const d = await domain(t);
  await d.store.setPrice('telegram', 'ru', 2_500);
  await d.sim();
  const a = await d.account(10_000);
  const got = await d.registry.order({ ...order(a), dialect: 'smsActivate' });
  if (!got.ok) return t.fail(got.code);
  await d.registry.stop();
  t.like(await d.store.activation(got.activation.id), { state: 'waitingForCode' });

  const clock = new SimulatedClock();
  clock.set(got.activation.expiresAt + 3_600_000);
  const registry = new ActivationRegistry({ store: d.store, clock, log: d.log, ttlMs: TTL });
  t.teardown(() => registry.stop());
  const expired = newsOf(registry, got.activation.id, 'expired');
  await registry.restore();
  clock.increment(0);
  await expired;
  t.is((await entries(d.store, a, 'refund')).length, 1);
  await books(t, d.store, a);
});

test('readied: set by "ready", false until then, true for activations that never need it (API #2 tells TZ_OVER_NR by it)', (t) => {
  t.is(run([]).snapshot.context.readied, false);
  t.is(run(['deadline']).snapshot.context.readied, false, 'expired without ever being ready');
  t.is(run([{ type: 'client.ready' }]).snapshot.context.readied, true);
  t.is(run([{ type: 'client.ready' }, 'deadline']).snapshot.context.readied, true);
  t.is(run([], { skipReady: true }).snapshot.context.readied, true);
  t.is(run([], { repeatOf: 40 }).snapshot.context.readied, true);
});
