import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulatorProcess } from '../helpers/simulator-process.ts';
import { startTestSystem, type TestSystem } from '../helpers/system.ts';
import { until } from '../helpers/until.ts';

/** One channel with two slots over a real PTY; the SIM in slot 2 waits on standby. */
async function twoSlotFarm(t: import('ava').ExecutionContext) {
  const sim = await startSimulatorProcess(['--channels', '1', '--slots', '2', '--sim-busy-ms', '100']);
  t.teardown(() => sim.stop());
  const dir = mkdtempSync(join(tmpdir(), 'getsms-slots-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'modems.json');
  writeFileSync(config, JSON.stringify({ [sim.ports[0]!]: { slots: 2, slotDialect: 'csus' } }));
  // No NO_NUMBERS cache: the test asks again the moment a SIM is free.
  const sys = await startTestSystem({ MODEM_PORTS: sim.ports.join(','), MODEM_CONFIG: config, NO_NUMBERS_CACHE_SECONDS: '0' });
  t.teardown(() => sys.close());
  const channel = sim.ports[0]!;
  const [home, away] = await until('slot 1 on sale and slot 2 on standby', async () => {
    const sims = await sys.store.sims();
    const one = sims.find((s) => s.slot === 1 && s.online);
    const two = sims.find((s) => s.slot === 2 && s.standby);
    const ready = sys.channels!.channels().find((c) => c.channel === channel)?.state === 'ready';
    return one && two && ready ? [one, two] as const : undefined;
  }, 60_000);
  return { sim, sys, channel, home, away, config };
}

const activeSlot = (sys: TestSystem, channel: string) => sys.channels!.channels().find((c) => c.channel === channel);

async function codeOf(sys: TestSystem, key: string, id: string) {
  return until(`the code of ${id}`, async () => {
    const s = await sys.api({ api_key: key, action: 'getStatus', id });
    return s.startsWith('STATUS_OK') ? s : undefined;
  }, 60_000);
}

test('a SIM in an inactive slot is sold by switching its channel to it, and the channel comes home when it is done', async (t) => {
  const { sim, sys, channel, home, away } = await twoSlotFarm(t);
  const { key } = await sys.account();
  const order = async (service: string) => sys.api({ api_key: key, action: 'getNumber', service, country: 'or' });

  // The active slot's SIM goes first, and while it holds an activation the channel cannot leave it.
  const first = await order('tg');
  t.regex(first, new RegExp(`^ACCESS_NUMBER:\\d+:${home.phone}$`));
  t.is(await order('tg'), 'NO_NUMBER', 'the standby SIM is not sold while the active one is held');
  const firstId = first.split(':')[1]!;
  await sim.call('POST', '/sms', { to: home.phone, from: 'Telegram', text: 'Telegram code: 11111' });
  t.is(await codeOf(sys, key, firstId), 'STATUS_OK:11111');
  t.is(await sys.api({ api_key: key, action: 'setStatus', id: firstId, status: '6' }), 'ACCESS_ACTIVATION');

  // The home SIM is used for telegram now: the next telegram order takes the standby SIM, and the channel goes to it.
  const second = await order('tg');
  t.regex(second, new RegExp(`^ACCESS_NUMBER:\\d+:${away.phone}$`));
  const secondId = second.split(':')[1]!;
  // Promised to the standby SIM, the channel sells its home SIM to nobody meanwhile, even for another service.
  const other = await order('wa');
  t.regex(other, new RegExp(`^ACCESS_NUMBER:\\d+:${away.phone}$`), 'another order goes to the SIM the channel serves');
  const otherId = other.split(':')[1]!;
  await until('the channel on slot 2', async () => (activeSlot(sys, channel)?.slot === 2 && activeSlot(sys, channel)?.state === 'ready' ? true : undefined), 60_000);
  t.like(await sys.store.simByIccid(home.iccid), { online: false, standby: true });
  // The network held the SMS until the SIM was active: it arrives, as on real hardware.
  await sim.call('POST', '/sms', { to: away.phone, from: 'Telegram', text: 'Telegram code: 22222' });
  t.is(await codeOf(sys, key, secondId), 'STATUS_OK:22222');
  t.is(await sys.api({ api_key: key, action: 'setStatus', id: secondId, status: '6' }), 'ACCESS_ACTIVATION');
  t.is(activeSlot(sys, channel)?.slot, 2, 'the channel stays while another activation needs the SIM');
  t.is(await sys.api({ api_key: key, action: 'setStatus', id: otherId, status: '-1' }), 'ACCESS_CANCEL');

  // Nothing needs slot 2 any more: home again, and the home SIM is on sale.
  await until('the channel home on slot 1', async () => (activeSlot(sys, channel)?.slot === 1 && activeSlot(sys, channel)?.state === 'ready' ? true : undefined), 60_000);
  await until('the home SIM on sale again', async () => ((await sys.store.simByIccid(home.iccid))?.online ? true : undefined));
  t.like(await sys.store.simByIccid(away.iccid), { online: false, standby: true });
  t.regex(await order('wa'), new RegExp(`^ACCESS_NUMBER:\\d+:${home.phone}$`));
});

test('a restart puts the channel back on the slot a live activation needs', async (t) => {
  const { sim, sys, channel, home, away, config } = await twoSlotFarm(t);
  const { key } = await sys.account();
  // Take the home SIM for telegram for good, so the standby SIM is sold.
  const first = (await sys.api({ api_key: key, action: 'getNumber', service: 'tg', country: 'or' })).split(':')[1]!;
  await sim.call('POST', '/sms', { to: home.phone, from: 'Telegram', text: 'Telegram code: 33333' });
  await codeOf(sys, key, first);
  await sys.api({ api_key: key, action: 'setStatus', id: first, status: '6' });
  const second = await sys.api({ api_key: key, action: 'getNumber', service: 'tg', country: 'or' });
  t.regex(second, new RegExp(`:${away.phone}$`));
  await until('the channel on slot 2', async () => (activeSlot(sys, channel)?.slot === 2 ? true : undefined), 60_000);

  await sys.stop();
  const again = await startTestSystem({ DATA_DIR: sys.dataDir, MODEM_PORTS: sim.ports.join(','), MODEM_CONFIG: config });
  t.teardown(() => again.close());
  await until('the channel back on slot 2 after the restart', async () =>
    (again.channels!.channels().find((c) => c.channel === channel)?.slot === 2 &&
      again.channels!.channels().find((c) => c.channel === channel)?.state === 'ready' ? true : undefined), 60_000);
  await sim.call('POST', '/sms', { to: away.phone, from: 'Telegram', text: 'Telegram code: 44444' });
  t.is(await codeOf(again, key, second.split(':')[1]!), 'STATUS_OK:44444');
});
