import test from 'ava';
import { SimulatedFarm, SimulatorError, type FarmEvent, type IncomingSms } from '../../../modems/index.ts';
import { until } from '../../helpers/until.ts';

/** A farm of one SIM whose domain fails to store SMS while `failing` is true. */
async function farmWithFlakyStore() {
  const farm = new SimulatedFarm({ channels: 1, slots: 1, retryMs: 50 });
  const stored: IncomingSms[] = [];
  const state = { failing: true };
  await farm.start(async (event: FarmEvent) => {
    if (event.type !== 'sms.received') return;
    if (state.failing) throw new Error('database or disk is full');
    stored.push(event.sms);
  });
  return { farm, stored, state, phone: farm.slots()[0]!.sim.phone };
}

test('an SMS the domain could not store is not reported delivered: SIM_SMS_HELD, kept, and handed over once the store works', async (t) => {
  const { farm, stored, state, phone } = await farmWithFlakyStore();
  t.teardown(() => farm.stop());
  const err = await t.throwsAsync(farm.deliver(phone, 'Telegram', 'Telegram code: 12345'), { instanceOf: SimulatorError });
  t.is(err?.code, 'SIM_SMS_HELD');
  t.is(farm.pending(), 1, 'the simulated modem keeps it');
  t.deepEqual(stored, []);
  state.failing = false;
  await until('the held SMS handed over again', () => (farm.pending() === 0 ? true : undefined), 5_000, 10);
  t.deepEqual(stored.map((s) => s.text), ['Telegram code: 12345'], 'stored once');
});

test('an SMS the domain stored is delivered (true), and one for an unknown number is false', async (t) => {
  const { farm, stored, state, phone } = await farmWithFlakyStore();
  t.teardown(() => farm.stop());
  state.failing = false;
  t.true(await farm.deliver(phone, 'Telegram', 'Telegram code: 54321'));
  t.is(farm.pending(), 0);
  t.is(stored.length, 1);
  t.false(await farm.deliver('70000000000', 'Telegram', 'nobody'));
});
