import test from 'ava';
import { SimulatedClock, createActor, fromPromise } from 'xstate';
import { channelMachine, type Registration, type SimCheck } from '../../../actors/channel/index.ts';
import type { SimIdentity } from '../../../modems/index.ts';

/** A fake modem whose answers a test sets; counts what the machine asked of it. */
function fakeModem() {
  const sims: Record<number, SimCheck> = { 1: { status: 'ready', sim: sim('8970100000000000001') } };
  const m = {
    opens: 0, sweeps: 0, switches: [] as number[],
    openFails: 0, sweepFails: 0, registered: true,
    sims,
    sweepGate: undefined as Promise<void> | undefined,
  };
  const machine = channelMachine.provide({
    actors: {
      open: fromPromise(async () => {
        m.opens++;
        if (m.openFails > 0) {
          m.openFails--;
          throw new Error('ENOENT: /dev/ttyUSB0');
        }
      }),
      initialise: fromPromise(async () => {}),
      readSim: fromPromise(async ({ input }: { input: { channel: string; slot: number } }) => m.sims[input.slot] ?? { status: 'absent' }),
      register: fromPromise(async (): Promise<Registration> => ({ registered: m.registered, operator: 'MegaFon', signalDbm: -71 })),
      sweep: fromPromise(async () => {
        m.sweeps++;
        await m.sweepGate;
        if (m.sweepFails > 0) {
          m.sweepFails--;
          throw new Error('AT_TIMEOUT');
        }
        return 0;
      }),
      switchSlot: fromPromise(async ({ input }: { input: { channel: string; slot: number } }) => {
        m.switches.push(input.slot);
      }),
    },
  });
  return { m, machine };
}

function sim(iccid: string): SimIdentity {
  return { iccid, imsi: '250020000000001', phone: '79260000001', country: 'ru', operator: 'megafon', canForward: true };
}

const settle = () => new Promise((r) => setImmediate(r));
async function flush(times = 10) {
  for (let i = 0; i < times; i++) await settle();
}

function start(machine: ReturnType<typeof fakeModem>['machine']) {
  const clock = new SimulatedClock();
  const actor = createActor(machine, { input: { channel: '/dev/ttyUSB0', slot: 1 }, clock });
  actor.start();
  const state = () => JSON.stringify(actor.getSnapshot().value);
  return { actor, clock, state };
}

test('a channel opens, initialises, reads its SIM, registers and sweeps stored SMS once ready', async (t) => {
  const { m, machine } = fakeModem();
  const { actor, state } = start(machine);
  await flush();
  t.is(state(), '{"ready":"idle"}');
  t.like(actor.getSnapshot().context, { registered: true, operator: 'MegaFon', signalDbm: -71, failures: 0 });
  t.is(actor.getSnapshot().context.sim?.iccid, '8970100000000000001');
  t.is(m.sweeps, 1, 'the start-up sweep reads what arrived while we were down');
});

test('an SMS indication sweeps at once; one during a sweep asks for exactly one more', async (t) => {
  const { m, machine } = fakeModem();
  const { actor, state } = start(machine);
  await flush();
  let open!: () => void;
  m.sweepGate = new Promise((r) => (open = r));
  actor.send({ type: 'sms.indicated' });
  await flush();
  t.is(state(), '{"ready":"sweeping"}');
  actor.send({ type: 'sms.indicated' });
  actor.send({ type: 'sms.indicated' });
  m.sweepGate = undefined;
  open();
  await flush();
  t.is(m.sweeps, 3, 'start-up, the indication, and one more for the two that came during it');
  t.is(state(), '{"ready":"idle"}');
});

test('a sweep runs every 30–40 s even without indications (a lost +CMTI is still found)', async (t) => {
  const { m, machine } = fakeModem();
  const { clock } = start(machine);
  await flush();
  clock.increment(29_999);
  await flush();
  t.is(m.sweeps, 1);
  clock.increment(10_001);
  await flush();
  t.is(m.sweeps, 2);
});

test('a lost port reconnects with a growing back-off and comes back ready', async (t) => {
  const { m, machine } = fakeModem();
  const { actor, clock, state } = start(machine);
  await flush();
  m.openFails = 1;
  actor.send({ type: 'port.lost', reason: 'USB unplugged' });
  t.is(state(), '"reconnecting"');
  t.like(actor.getSnapshot().context, { lastError: 'USB unplugged', registered: false });
  clock.increment(1_000);
  await flush();
  t.is(state(), '"reconnecting"', 'the first reopen failed');
  t.is(actor.getSnapshot().context.lastError, 'ENOENT: /dev/ttyUSB0');
  clock.increment(1_999);
  await flush();
  t.is(m.opens, 2, 'the back-off doubled: no third try before 2 s');
  clock.increment(1);
  await flush();
  t.is(m.opens, 3);
  t.is(state(), '{"ready":"idle"}');
  t.is(actor.getSnapshot().context.failures, 0);
});

test('no SIM: the channel says so and looks again every 30 s', async (t) => {
  const { m, machine } = fakeModem();
  m.sims[1] = { status: 'absent' };
  const { clock, state, actor } = start(machine);
  await flush();
  t.is(state(), '"noSim"');
  t.is(actor.getSnapshot().context.sim, null);
  m.sims[1] = { status: 'ready', sim: sim('8970100000000000009') };
  clock.increment(30_000);
  await flush();
  t.is(state(), '{"ready":"idle"}');
  t.is(actor.getSnapshot().context.sim?.iccid, '8970100000000000009');
});

test('a busy SIM (right after a switch) is asked again after 2 s', async (t) => {
  const { m, machine } = fakeModem();
  m.sims[1] = { status: 'busy' };
  const { clock, state } = start(machine);
  await flush();
  t.is(state(), '"simBusy"');
  m.sims[1] = { status: 'ready', sim: sim('8970100000000000001') };
  clock.increment(2_000);
  await flush();
  t.is(state(), '{"ready":"idle"}');
});

test('switching the slot re-reads the identity: the new SIM is the channel\'s', async (t) => {
  const { m, machine } = fakeModem();
  m.sims[2] = { status: 'ready', sim: sim('8970100000000000002') };
  const { actor, state } = start(machine);
  await flush();
  actor.send({ type: 'slot.switch', slot: 2 });
  await flush();
  t.deepEqual(m.switches, [2]);
  t.is(state(), '{"ready":"idle"}');
  t.like(actor.getSnapshot().context, { slot: 2 });
  t.is(actor.getSnapshot().context.sim?.iccid, '8970100000000000002');
});

test('failing sweeps degrade the channel; five failures in a row reconnect it', async (t) => {
  const { m, machine } = fakeModem();
  const { actor, clock, state } = start(machine);
  await flush();
  m.sweepFails = 5;
  actor.send({ type: 'sms.indicated' });
  await flush();
  t.is(state(), '"degraded"');
  for (let i = 0; i < 10 && state() !== '"reconnecting"'; i++) {
    clock.increment(60_000);
    await flush();
  }
  t.is(state(), '"reconnecting"');
  clock.increment(60_000);
  await flush();
  t.is(state(), '{"ready":"idle"}', 'after the reconnect it sweeps fine again');
});

test('not registered yet: the channel searches and asks the network again every 5 s', async (t) => {
  const { m, machine } = fakeModem();
  m.registered = false;
  const { clock, state } = start(machine);
  await flush();
  t.is(state(), '"searching"');
  m.registered = true;
  clock.increment(5_000);
  await flush();
  t.is(state(), '{"ready":"idle"}');
});

test('a multi-slot channel scans its other slots once the port is up, then settles on its own slot', async (t) => {
  const { m, machine } = fakeModem();
  const scans: { slot: number; slots: number }[] = [];
  const scanning = machine.provide({
    actors: {
      scanSlots: fromPromise(async ({ input }: { input: { channel: string; slot: number; slots: number } }) => {
        scans.push({ slot: input.slot, slots: input.slots });
      }),
    },
  });
  const clock = new SimulatedClock();
  const actor = createActor(scanning, { input: { channel: '/dev/ttyUSB0', slot: 1, slots: 4 }, clock });
  actor.start();
  await flush();
  t.deepEqual(scans, [{ slot: 1, slots: 4 }]);
  t.is(JSON.stringify(actor.getSnapshot().value), '{"ready":"idle"}');
  t.is(m.sweeps, 1);
});

test('a switch asked for mid-sweep or before the channel is ready waits, and is taken up between sweeps', async (t) => {
  const { m, machine } = fakeModem();
  m.sims[2] = { status: 'ready', sim: sim('8970100000000000002') };
  let open!: () => void;
  m.sweepGate = new Promise((r) => (open = r));
  const { actor, state } = start(machine);
  actor.send({ type: 'slot.switch', slot: 2 }); // asked while connecting
  await flush();
  t.is(state(), '{"ready":"sweeping"}', 'the start-up sweep runs first');
  t.deepEqual(m.switches, [], 'no switch while a sweep could still delete from this SIM');
  m.sweepGate = undefined;
  open();
  await flush();
  t.deepEqual(m.switches, [2]);
  t.is(actor.getSnapshot().context.sim?.iccid, '8970100000000000002');
  t.like(actor.getSnapshot().context, { slot: 2, wantedSlot: null });
});

test('a SIM pulled from a ready channel is read at once (sim.changed), not at the next sweep; put back, it is read at once too', async (t) => {
  const { m, machine } = fakeModem();
  const { actor, state } = start(machine);
  await flush();
  t.is(state(), '{"ready":"idle"}');
  m.sims[1] = { status: 'absent' };
  actor.send({ type: 'sim.changed' });
  await flush();
  t.is(state(), '"noSim"');
  t.is(actor.getSnapshot().context.sim, null);
  m.sims[1] = { status: 'ready', sim: sim('8970100000000000001') };
  actor.send({ type: 'sim.changed' });
  await flush();
  t.is(state(), '{"ready":"idle"}');
  t.is(actor.getSnapshot().context.sim?.iccid, '8970100000000000001');
});
