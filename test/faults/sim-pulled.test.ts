import test from 'ava';
import { basename } from 'node:path';
import { startSimulatorProcess } from '../helpers/simulator-process.ts';
import { startTestSystem, type TestSystem } from '../helpers/system.ts';
import { until } from '../helpers/until.ts';

// The AT simulator in its own process on real PTYs (its control API is the operator's hands), getsms in-process on MODEM_PORTS.

const online = async (sys: TestSystem) => (await sys.store.sims()).filter((s) => s.online);

async function order(sys: TestSystem, key: string) {
  const got = await sys.api({ api_key: key, action: 'getNumber', service: 'tg', country: 'or' });
  const [, id, phone] = /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(got) ?? [];
  if (!id || !phone) throw new Error(got);
  return { id, phone };
}

test('a SIM pulled during an activation: offline at once and sold to nobody, the activation still answers, takes no other SIM\'s SMS and can be cancelled; put back, it gets the SMS the network held', async (t) => {
  t.timeout(180_000);
  const sim = await startSimulatorProcess(['--channels', '3', '--slots', '1', '--sim-busy-ms', '100']);
  t.teardown(() => sim.stop());
  const sys = await startTestSystem({ MODEM_PORTS: sim.ports.join(',') });
  t.teardown(() => sys.close());
  await until('three SIMs online', async () => ((await online(sys)).length === 3 ? true : undefined), 60_000);
  await until('every channel ready', () => (sys.channels!.channels().every((c) => c.state === 'ready') ? true : undefined), 60_000);
  await sys.store.setSetting('earlyCancelDenied', 'on'); // sms-activate's rule: no cancel in the first 2 minutes
  const account = await sys.account({ dialect: 'smsActivate' });
  const key = account.key;
  const status = (id: string) => sys.api({ api_key: key, action: 'getStatus', id });
  const balance = () => sys.api({ api_key: key, action: 'getBalance' });

  const a = await order(sys, key); // its SIM is pulled, then put back
  const c = await order(sys, key); // its SIM is pulled, and it is cancelled
  const sims = await sys.store.sims();
  const simOf = (phone: string) => sims.find((s) => s.phone === phone)!;
  const [x, z] = [simOf(a.phone), simOf(c.phone)];
  t.is(await sys.api({ api_key: key, action: 'setStatus', id: a.id, status: '8' }), 'EARLY_CANCEL_DENIED', 'the rule holds on a working SIM');

  const pulledAt = Date.now();
  for (const s of [x, z]) await sim.call('POST', '/sims/remove', { sim: s.iccid });
  await until('both pulled SIMs offline', async () =>
    ((await online(sys)).some((s) => s.iccid === x.iccid || s.iccid === z.iccid) ? undefined : true), 60_000, 50);
  const offlineMs = Date.now() - pulledAt;
  t.log(`pulled SIMs offline after ${offlineMs} ms`);
  // The modem says +CPIN: NOT INSERTED at once; without it the channel would notice at its next sweep (30–40 s).
  t.true(offlineMs < 25_000, `offline after ${offlineMs} ms`);

  t.is(await status(a.id), 'STATUS_WAIT_CODE', 'the activation still answers');
  t.is(await status(c.id), 'STATUS_WAIT_CODE');
  const b = await order(sys, key);
  t.false([x.phone, z.phone].includes(b.phone), 'the third SIM is sold, not a pulled one');
  t.is(await sys.api({ api_key: key, action: 'getNumber', service: 'tg', country: 'or' }), 'NO_NUMBERS', 'nothing else to sell: the pulled SIMs are not');

  // A cancel on a pulled SIM: allowed even in the first 2 minutes (the number cannot receive anything), refunded.
  const before = await balance();
  t.is(await sys.api({ api_key: key, action: 'setStatus', id: c.id, status: '8' }), 'ACCESS_CANCEL');
  t.is(await status(c.id), 'STATUS_CANCEL');
  const price = (await sys.store.activation(Number(c.id)))!.price;
  t.is(await balance(), `ACCESS_BALANCE:${((Number(before.split(':')[1]) * 100 + price) / 100).toFixed(2)}`);

  // Another SIM's SMS is its own activation's, never the waiting one's.
  await sim.call('POST', '/sms', { to: b.phone, from: 'Telegram', text: 'Telegram code: 55555' });
  await until('the code on the third SIM', async () => ((await status(b.id)) === 'STATUS_OK:55555' ? true : undefined));
  t.is(await status(a.id), 'STATUS_WAIT_CODE');

  // The network holds an SMS for a SIM that is out, and hands it over when the SIM is back in (the same ICCID).
  const held = await sim.call<{ pending: number }>('POST', '/sms', { to: x.phone, from: 'Telegram', text: 'Telegram code: 44444' });
  t.is(held.pending, 1, 'held by the network');
  t.is(await status(a.id), 'STATUS_WAIT_CODE');
  await sim.call('POST', '/sims/move', { sim: x.iccid, to: { channel: basename(x.channel), slot: x.slot } });
  await until('the SIM put back online', async () => ((await sys.store.simByIccid(x.iccid))!.online ? true : undefined), 60_000);
  t.is(await until('the held SMS to become the code', async () => {
    const s = await status(a.id);
    return s.startsWith('STATUS_OK') ? s : undefined;
  }, 60_000), 'STATUS_OK:44444');

  // The ledger adds up: three charges, one refund (the cancelled one).
  const ledger = await sys.store.ledger(account.id);
  t.is(ledger.filter((l) => l.reason === 'charge').length, 3);
  t.deepEqual(ledger.filter((l) => l.reason === 'refund').map((l) => l.ref), [`activation:${c.id}`]);
  t.false((await sys.store.simByIccid(z.iccid))!.online, 'the SIM still out stays offline');
});
