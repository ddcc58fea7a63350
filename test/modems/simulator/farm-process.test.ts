import test, { type ExecutionContext } from 'ava';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { simulatedSim } from '../../../modems/index.ts';
import { closePort, openPort, serveControl, VirtualFarm, type ChannelView } from '../../../modems/simulator/at/index.ts';
import { Host, tempDir } from './helpers.ts';

/** The simulated farm and its JSON control API, with drivers on the far side of real PTYs. */

async function farm(t: ExecutionContext, channels = 2, slots = 2) {
  const dir = await tempDir(t);
  const f = await VirtualFarm.start({ dir, channels, slots, modem: { simBusyMs: 50, ussdDelayMs: 10 } });
  const { server, url } = await serveControl(f);
  t.teardown(async () => {
    server.close();
    await f.stop();
  });
  const call = async <T = unknown>(method: string, path: string, body?: unknown) => {
    const res = await fetch(url + path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, body: (await res.json()) as T };
  };
  /** A driver's serialport on a channel's host-side PTY, closed after the test. */
  const host = async (channel: number) => {
    const port = await openPort(f.ports()[channel]!);
    t.teardown(() => closePort(port));
    const h = new Host(port);
    await h.command('ATE0');
    await h.command('AT+CMEE=1;+CNMI=2,1,0,0,0');
    return h;
  };
  const sim = (channel: number, slot: number) => simulatedSim(channel * slots + slot - 1);
  return { dir, farm: f, call, host, sim };
}

/** Asks `AT+CPIN?` until the SIM is ready, as a driver does after a boot. */
async function simReady(host: Host) {
  for (let i = 0; i < 100; i++) {
    if ((await host.command('AT+CPIN?')).includes('READY')) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('SIM never became ready');
}

const exists = (path: string) => lstat(path).then(() => true, () => false);

test('lists N × K channels with the in-process farm\'s SIMs, at the PTY paths MODEM_PORTS takes', async (t) => {
  const { call, sim, dir } = await farm(t, 2, 2);
  const { body } = await call<ChannelView[]>('GET', '/channels');
  t.deepEqual(body.map((c) => c.channel), ['sim-001', 'sim-002']);
  t.deepEqual(body.map((c) => c.slots.map((s) => s.sim!.iccid)), [
    [sim(0, 1).iccid, sim(0, 2).iccid],
    [sim(1, 1).iccid, sim(1, 2).iccid],
  ]);
  t.like(body[0], { path: join(dir, 'sim-001'), plugged: true, activeSlot: 1, simState: 'ready', registration: 1 });
  const ports = await call<{ MODEM_PORTS: string }>('GET', '/ports');
  t.is(ports.body.MODEM_PORTS, `${join(dir, 'sim-001')},${join(dir, 'sim-002')}`);
  t.true(await exists(join(dir, 'sim-002')));
});

test('POST /sms stores the SMS on the SIM and its channel announces it; long texts go in parts', async (t) => {
  const { call, host, sim } = await farm(t);
  const driver = await host(1);
  const to = sim(1, 1).phone;
  const one = await call('POST', '/sms', { to, from: '+79161234567', text: 'Your code is 1234' });
  t.deepEqual(one.body, { iccid: sim(1, 1).iccid, channel: 'sim-002', slot: 1, parts: 1, stored: [1], direct: 0, pending: 0 });
  t.is(await driver.urc(), '\r\n+CMTI: "SM",1\r\n');
  const long = await call<{ parts: number; stored: number[] }>('POST', '/sms', { to: `+${to}`, from: 'Bank', text: 'Код: 1234. '.repeat(10) });
  t.is(long.body.parts, 2);
  t.deepEqual(long.body.stored, [2, 3]);
  t.is(await driver.next(/"SM",3\r\n/), '\r\n+CMTI: "SM",2\r\n\r\n+CMTI: "SM",3\r\n');
  t.regex(await driver.command('AT+CMGR=1'), /^\r\n\+CMGR: 0,,\d+\r\n00[0-9A-F]+\r\n\r\nOK\r\n$/);
});

test('an SMS for a SIM in an inactive slot waits at the network until the channel switches to it', async (t) => {
  const { call, host, sim } = await farm(t);
  const driver = await host(0);
  const sent = await call<{ pending: number }>('POST', '/sms', { to: sim(0, 2).phone, from: '900', text: 'held' });
  t.is(sent.body.pending, 1);
  t.like((await call('GET', `/sims/${sim(0, 2).iccid}`)).body, { held: 1, channel: 'sim-001', slot: 2 });
  t.is(await driver.command('AT+CSUS=1'), '\r\nOK\r\n');
  t.is(await driver.next(/\+CMTI: "SM",1\r\n/), '\r\n+CPIN: READY\r\n\r\n+CMTI: "SM",1\r\n');
  t.like((await call('GET', `/sims/${sim(0, 2).iccid}`)).body, { held: 0, stored: 1 });
});

test('unplug: the driver\'s port closes and its path goes; replug: same path, and what came meanwhile is stored', async (t) => {
  const { call, host, sim, farm: f } = await farm(t);
  const path = f.ports()[0]!;
  const driver = await host(0);
  t.like((await call('POST', '/channels/sim-001/unplug')).body, { plugged: false, registration: 0 });
  t.true(await driver.disconnected());
  t.false(await exists(path));
  t.like((await call('POST', '/sms', { to: sim(0, 1).phone, from: '900', text: 'while away' })).body, { pending: 1 });
  t.like((await call('POST', '/channels/sim-001/replug')).body, { plugged: true });
  t.true(await exists(path));
  const again = await host(0);
  await simReady(again); // the modem booted: its SIM initialises first
  t.regex(await again.command('AT+CMGL=4'), /\+CMGL: 1,0,,\d+/);
});

test('a SIM moved to another channel keeps its ICCID and storage; the old slot is empty; occupied slots refuse', async (t) => {
  const { call, host, sim } = await farm(t);
  const [one, two] = [await host(0), await host(1)];
  await call('POST', '/sms', { to: sim(0, 1).phone, from: '900', text: 'travels with the card' });
  t.is((await call('POST', '/sims/move', { sim: sim(0, 1).iccid, to: { channel: 'sim-002', slot: 2 } })).status, 409);
  t.like((await call('POST', '/sims/remove', { sim: sim(1, 2).iccid })).body, { iccid: sim(1, 2).iccid });
  const moved = await call<ChannelView>('POST', '/sims/move', { sim: sim(0, 1).iccid, to: { channel: 'sim-002', slot: 2 } });
  t.is(moved.body.slots[1]!.sim!.iccid, sim(0, 1).iccid);
  t.is(await one.next(/NOT INSERTED\r\n/), '\r\n+CMTI: "SM",1\r\n\r\n+CPIN: NOT INSERTED\r\n');
  t.is(await one.command('AT+CCID'), '\r\n+CME ERROR: 10\r\n');
  await two.command('AT+CSUS=1');
  await two.next(/READY\r\n/);
  t.is(await two.command('AT+CCID'), `\r\n+CCID: ${sim(0, 1).iccid}\r\n\r\nOK\r\n`);
  t.regex(await two.command('AT+CMGL=4'), /^\r\n\+CMGL: 1,0,,\d+\r\n/); // still unread on the card
  t.like((await call('GET', `/sims/${sim(0, 1).iccid}`)).body, { channel: 'sim-002', slot: 2 });
  t.like((await call('GET', `/sims/${sim(1, 2).iccid}`)).body, { channel: null, slot: null });
  t.is((await call('POST', '/sims/move', { sim: sim(1, 2).iccid, to: { channel: 'sim-001', slot: 1 } })).status, 200);
  await one.next(/READY\r\n/);
  t.is(await one.command('AT+CIMI'), `\r\n${sim(1, 2).imsi}\r\n\r\nOK\r\n`);
});

test('signal, USSD replies, call forwarding, hang/resume and garbage, over the API', async (t) => {
  const { call, host, sim } = await farm(t);
  const driver = await host(0);
  const iccid = sim(0, 1).iccid;
  t.like((await call('PUT', '/channels/sim-001/signal', { rssi: 9 })).body, { signal: 9 });
  t.is(await driver.command('AT+CSQ'), '\r\n+CSQ: 9,99\r\n\r\nOK\r\n');
  t.like((await call('PUT', `/sims/${iccid}/ussd`, { code: '*123#', reply: 'Bonus: 50' })).body, { '*123#': 'Bonus: 50' });
  await driver.command('AT+CUSD=1,"*123#",15');
  t.is(await driver.urc(), '\r\n+CUSD: 0,"Bonus: 50",15\r\n');
  const forwarding = await call('GET', `/sims/${iccid}/forwarding`);
  t.deepEqual(forwarding.body, {});
  if (sim(0, 1).canForward) {
    await driver.command('AT+CCFC=0,3,"+79161234567",145');
    t.like((await call('GET', `/sims/${iccid}/forwarding`)).body, { 0: { active: true, number: '+79161234567' } });
  }
  t.like((await call('POST', '/channels/sim-001/hang')).body, { hung: true });
  await t.throwsAsync(driver.command('AT', 300));
  await call('POST', '/channels/sim-001/resume');
  t.is(await driver.command('AT'), '\r\nOK\r\n');
  t.deepEqual((await call('POST', '/channels/sim-001/garbage', { hex: '00ff1b' })).body, { injected: 3 });
  t.deepEqual([...Buffer.from(await driver.next(/^[^]{3}/), 'latin1')], [0x00, 0xff, 0x1b]);
});

test('the API refuses what it cannot do, with a status and a stable code', async (t) => {
  const { call } = await farm(t, 1, 1);
  t.like(await call('GET', '/channels/sim-404'), { status: 404, body: { code: 'FARM_NOT_FOUND' } });
  t.like(await call('POST', '/sms', { to: '1', from: 'x', text: 'y' }), { status: 404, body: { code: 'FARM_NOT_FOUND' } });
  t.like(await call('POST', '/sms', { to: '1' }), { status: 400, body: { code: 'FARM_BAD_REQUEST' } });
  t.like(await call('PUT', '/channels/sim-001/signal', { rssi: 'high' }), { status: 400 });
  t.is((await call('DELETE', '/channels')).status, 405);
  t.is((await call('GET', '/nowhere')).status, 404);
});

test('a SIM carried to another farm (another host) takes its SMS memory, its network account and what the network held for it', async (t) => {
  const { farm: a, sim } = await farm(t, 1, 2);
  const dir = await tempDir(t);
  const b = await VirtualFarm.start({ dir, channels: 1, slots: 2, firstSim: 100, modem: { simBusyMs: 50, ussdDelayMs: 10 } });
  t.teardown(() => b.stop());
  const active = sim(0, 1);
  const standby = sim(0, 2);
  a.deliver(active.phone, 'Telegram', 'stored on the card');
  a.deliver(standby.phone, 'Telegram', 'held by the network'); // slot 2 is not the active one
  a.sim(active.iccid).sim.ussd['*122#'] = 'Баланс: 1 р.';
  a.sim(active.iccid).sim.forwarding.set(0, { active: true, number: '+79261234567', type: 145, class: 1 });

  const carried = a.takeOut(active.iccid);
  t.deepEqual(carried.from, { channel: 'sim-001', slot: 1 });
  t.throws(() => a.sim(active.iccid), { message: /no SIM/ }, 'it left the first farm');
  const out = b.takeOut(simulatedSim(100).iccid); // room for it
  b.putIn(carried, { channel: 'sim-001', slot: 1 });
  const there = b.sim(active.iccid);
  t.like(there, { slot: 1 });
  t.is(there.sim.storage.used, 1);
  t.is(there.sim.ussd['*122#'], 'Баланс: 1 р.');
  t.like(there.sim.forwarding.get(0), { number: '+79261234567' });
  t.throws(() => b.putIn(out, { channel: 'sim-001', slot: 1 }), { message: /taken/ });
  t.throws(() => b.putIn(carried, { channel: 'sim-001', slot: 2 }), { message: /already/ }, 'no SIM in a farm twice');

  // A SIM whose SMS the network held takes that with it: in the new farm's active slot, it is handed over.
  b.takeOut(active.iccid);
  const held = a.takeOut(standby.iccid);
  t.is(held.held.length, 1);
  t.is(held.card.stored.length, 0);
  b.putIn(held, { channel: 'sim-001', slot: 1 });
  for (let i = 0; i < 1500 && b.sim(standby.iccid).sim.storage.used === 0; i++) await new Promise((r) => setTimeout(r, 20));
  t.is(b.sim(standby.iccid).sim.storage.used, 1);
  t.is(b.centre.held(standby.iccid), 0);
});
