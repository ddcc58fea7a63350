import test from 'ava';
import { pino } from 'pino';
import type { ChannelSupervisor, Sim, Store } from '../../actors/index.ts';
import { simulatedSim, type CarriedSim, type SimulatedSlot } from '../../modems/index.ts';
import { RemoteFarm } from '../../server/agents/index.ts';
import type { SimulatorCall } from '../../server/agents/protocol.ts';
import { Simulators } from '../../server/simulators.ts';

/**
 * An agent's simulated farm behind its link, as a table of slots: what the
 * agent answers to each simulator call. `fail` makes every call reject, as a
 * link that went does.
 */
function host(slots: Record<string, CarriedSim | undefined>) {
  const h = {
    slots, delivered: [] as string[], fail: false, failInsert: false,
    simulate: async (call: SimulatorCall): Promise<unknown> => {
      if (h.fail) throw Object.assign(new Error('agent offline'), { code: 'AGENT_OFFLINE' });
      const where = (sim: string) => Object.keys(slots).find((k) => slots[k]?.card.identity.iccid === sim || slots[k]?.card.identity.phone === sim);
      switch (call.op) {
        case 'slots': return Object.entries(slots).flatMap(([k, c]) => (c ? [{ channel: k.split('#')[0], slot: Number(k.split('#')[1]), sim: c.card.identity }] : []));
        case 'deliver': return where(call.to) ? (h.delivered.push(call.text), true) : false;
        case 'take': {
          const k = where(call.sim);
          if (!k) return null;
          const carried = slots[k]!;
          slots[k] = undefined;
          return { ...carried, from: { channel: k.split('#')[0], slot: Number(k.split('#')[1]) } };
        }
        case 'insert': {
          if (h.failInsert) {
            h.failInsert = false; // once: the slot was jammed, the next card goes in
            throw Object.assign(new Error('slot jammed'), { code: 'FARM_CONFLICT' });
          }
          slots[`${call.channel}#${call.slot}`] = call.carried;
          return undefined;
        }
        default: return null;
      }
    },
  };
  return h;
}

const card = (index: number): CarriedSim => ({
  card: { identity: simulatedSim(index), capacity: 30, numberOnSim: true, ussd: {}, forwarding: [], stored: [] }, held: [],
});

function setup(o: { inventory?: Partial<Sim>[]; local?: { slots(): SimulatedSlot[]; deliver(to: string): Promise<boolean> } } = {}) {
  const a = host({ 'sim-001#1': card(1000) });
  const b = host({ 'sim-001#1': card(1003) });
  const farms = [new RemoteFarm('a1', a.simulate), new RemoteFarm('b1', b.simulate)];
  const reprobed: string[] = [];
  const store = {
    simByPhone: async (phone: string) => o.inventory?.find((s) => s.phone === phone) as Sim | undefined,
    simByIccid: async (iccid: string) => o.inventory?.find((s) => s.iccid === iccid) as Sim | undefined,
  } as unknown as Store;
  const channels = { reprobe: (id: string) => (reprobed.push(id), true) } as unknown as ChannelSupervisor;
  const local = o.local && { ...o.local, move: async () => true, stop: async () => {} };
  const sims = new Simulators({ local, farms: () => farms, channels, store, log: pino({ level: 'silent' }) });
  return { a, b, farms, sims, reprobed };
}

test('an SMS for a SIM on an agent goes to the host the inventory names first, and no further', async (t) => {
  const sim = simulatedSim(1003);
  const { a, b, sims } = setup({ inventory: [{ iccid: sim.iccid, phone: sim.phone, channel: 'b1/sim-001' }] });
  a.fail = true; // were it asked first, the SMS would fail over to b1 only after its error
  t.true(await sims.deliver(sim.phone, 'Telegram', 'code 1'));
  t.deepEqual(b.delivered, ['code 1']);
  t.true(await sims.deliver(sim.iccid, 'Telegram', 'code 2'), 'by ICCID');
  t.false(await sims.deliver('79990000000', 'Telegram', 'code 3').catch(() => false));
});

test('no farm has the number: false; an agent that did not answer makes it SIM_HOST_UNREACHABLE, never a quiet false', async (t) => {
  const { a, sims } = setup({ local: { slots: () => [], deliver: async () => false } });
  t.false(await sims.deliver('79990000000', 'x', 'y'));
  a.fail = true;
  const err = await t.throwsAsync(sims.deliver('79990000000', 'x', 'y'));
  t.is((err as { code?: string }).code, 'SIM_HOST_UNREACHABLE');
  t.regex(err!.message, /agent a1 did not answer/);
  t.true(sims.reachable);
});

test('a SIM carried from a1 to b1 swaps with the SIM there, and both channels read their slots again', async (t) => {
  const { a, b, sims, reprobed } = setup();
  const x = simulatedSim(1000);
  t.is(await sims.refusesMove(x.iccid, 'b1/sim-001'), undefined);
  t.true(await sims.move(x.iccid, 'b1/sim-001', 1));
  t.is(b.slots['sim-001#1']!.card.identity.iccid, x.iccid);
  t.is(a.slots['sim-001#1']!.card.identity.iccid, simulatedSim(1003).iccid);
  t.deepEqual(reprobed.sort(), ['a1/sim-001', 'b1/sim-001']);
  t.deepEqual(sims.slots().map((s) => `${s.channel}#${s.slot}:${s.sim.iccid}`).sort(),
    [`a1/sim-001#1:${simulatedSim(1003).iccid}`, `b1/sim-001#1:${x.iccid}`].sort());
});

test('a carry that fails half-way puts every card back where it was', async (t) => {
  const { a, b, sims, reprobed } = setup();
  b.failInsert = true;
  const x = simulatedSim(1000);
  await t.throwsAsync(sims.move(x.iccid, 'b1/sim-001', 1), { message: 'slot jammed' });
  t.is(a.slots['sim-001#1']!.card.identity.iccid, x.iccid);
  t.is(b.slots['sim-001#1']!.card.identity.iccid, simulatedSim(1003).iccid);
  t.deepEqual(reprobed, []);
});

test('the in-memory farm\'s SIMs do not change hosts: refused before anything is recorded; a SIM nowhere reachable is refused too', async (t) => {
  const own = simulatedSim(0);
  const { sims } = setup({ local: { slots: () => [{ channel: 'sim-001', slot: 1, sim: own }], deliver: async () => false } });
  t.regex((await sims.refusesMove(simulatedSim(1000).iccid, 'sim-001'))!, /in-memory farm/);
  t.regex((await sims.refusesMove(own.iccid, 'a1/sim-001'))!, /in-memory farm/);
  t.regex((await sims.refusesMove('8900000000000000000', 'a1/sim-001'))!, /no simulated farm reachable/);
  t.false(await sims.move(own.iccid, 'a1/sim-001', 1));
});
