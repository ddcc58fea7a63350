import test from 'ava';
import { simulatedSim, type IncomingSms } from '../../../modems/index.ts';
import { wired } from './wired.ts';

test('a sweep stores each whole message, and deletes its parts only after the store resolved', async (t) => {
  const { modem, channel, sim } = await wired(t);
  t.is(sim.iccid, simulatedSim(1).iccid);
  modem.receive({ from: 'Telegram', text: 'Telegram code: 11223', timestamp: new Date() });
  modem.receive({ from: '+79001234567', text: 'Длинное сообщение, '.repeat(6), timestamp: new Date() });
  const stored: IncomingSms[] = [];
  let storedButNotDeleted = -1;
  const n = await channel.sweep(sim.iccid, async (sms) => {
    storedButNotDeleted = modem.sim!.storage.used; // the modem still has it while we store
    stored.push(sms);
  });
  t.is(n, 2);
  t.deepEqual(stored.map((s) => s.text), ['Telegram code: 11223', 'Длинное сообщение, '.repeat(6)]);
  t.true(storedButNotDeleted > 0);
  t.is(modem.sim!.storage.used, 0, 'deleted once stored');
});

test('a store that fails leaves the SMS on the SIM for the next sweep', async (t) => {
  const { modem, channel, sim } = await wired(t);
  modem.receive({ from: 'VK', text: 'VK: 5555 - vash kod', timestamp: new Date() });
  await t.throwsAsync(channel.sweep(sim.iccid, async () => {
    throw new Error('disk full');
  }), { message: 'disk full' });
  t.is(modem.sim!.storage.used, 1);
  const again: string[] = [];
  await channel.sweep(sim.iccid, async (sms) => void again.push(sms.text));
  t.deepEqual(again, ['VK: 5555 - vash kod']);
});

test('an SMS the modem pushes (+CMT) instead of storing is handed over whole', async (t) => {
  const { modem, channel } = await wired(t);
  modem.settings.cnmi[1] = 2; // a modem that pushes whatever it was asked
  const pushed = new Promise<IncomingSms>((resolve) => channel.once('pushed', resolve));
  modem.receive({ from: 'WhatsApp', text: 'Your WhatsApp code: 246-810', timestamp: new Date() });
  const sms = await pushed;
  t.is(sms.text, 'Your WhatsApp code: 246-810');
  t.is(sms.from, 'WhatsApp');
});
