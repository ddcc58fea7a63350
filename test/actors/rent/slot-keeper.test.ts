import test from 'ava';
import { RentRegistry, SlotKeeper, type ChannelSupervisor } from '../../../actors/index.ts';
import { until } from '../../helpers/until.ts';
import { domain } from '../helpers.ts';

/**
 * A rent on a SIM waiting in an inactive slot holds its channel on that slot
 * for the whole rent, as a live activation does, and lets it go home after.
 * The channels are a stand-in that records the switches it is asked for.
 */
test('a live rent on a standby SIM switches its channel to that slot until the rent ends, also after a restart', async (t) => {
  const d = await domain(t);
  await d.store.setRentPrice('ru', 14_400);
  await d.store.saveChannel({
    id: 'bank-1', state: 'ready', slot: 1, iccid: null, phone: null, operator: null, registered: true, signalDbm: -70,
    lastError: null, updatedAt: d.clock.now(),
  });
  await d.sim({ channel: 'bank-1', slot: 1 });
  const away = await d.sim({ channel: 'bank-1', slot: 2, online: false, standby: true, operator: 'beeline' });
  const view = { channel: 'bank-1', slot: 1, slots: 2, home: 1, state: 'ready' };
  const visits: number[] = [];
  const channels = {
    channels: () => [view],
    visit: (_channel: string, slot: number) => {
      visits.push(slot);
      view.slot = slot; // the stand-in switches at once
      return true;
    },
  } as unknown as ChannelSupervisor;
  const rents = new RentRegistry({ store: d.store, clock: d.clock, log: d.log, hourMs: 3_600_000 });
  t.teardown(() => rents.stop());
  const keeper = new SlotKeeper({ store: d.store, registry: d.registry, rents, channels, log: d.log, everyMs: 60_000 });
  await keeper.start();
  t.teardown(() => keeper.stop());

  const a = await d.account();
  const r = await rents.rent({ accountId: a, filter: { operators: ['beeline'] }, service: 'full', dialect: 'getsms', hours: 24 });
  if (!r.ok) return t.fail(r.code);
  t.is(r.rent.iccid, away.iccid);
  await until('the channel switched to the rented SIM', () => (visits.includes(2) ? true : undefined), 10_000, 20);

  // A keeper started afresh (a restart) finds the live rent in the store and keeps the channel there.
  keeper.stop();
  view.slot = 1;
  const restarted = new SlotKeeper({ store: d.store, registry: d.registry, rents, channels, log: d.log, everyMs: 60_000 });
  await restarted.start();
  t.teardown(() => restarted.stop());
  await until('the restarted keeper switched back to the rent', () => (visits.filter((s) => s === 2).length === 2 ? true : undefined), 10_000, 20);

  // The rent ends: the channel goes home.
  t.true((await rents.command(a, r.rent.id, 'finish')).ok);
  await until('the channel came home', () => (visits.at(-1) === 1 ? true : undefined), 10_000, 20);
  t.deepEqual(visits, [2, 2, 1]);
  t.deepEqual(d.log.errors, []);
});
