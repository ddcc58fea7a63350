import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { startSimulatorProcess, type SimulatorProcess } from '../helpers/simulator-process.ts';
import { startTestSystem, type TestSystem } from '../helpers/system.ts';
import { until } from '../helpers/until.ts';

// Real-I/O faults: the AT simulator in its own process on real PTYs, getsms in-process on MODEM_PORTS.


const online = async (sys: TestSystem) => (await sys.store.sims()).filter((s) => s.online);

async function order(sys: TestSystem, key: string, service = 'tg') {
  const got = await sys.api({ api_key: key, action: 'getNumber', service, country: 'or' });
  const [, id, phone] = /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(got) ?? [];
  if (!id || !phone) throw new Error(got);
  return { id, phone };
}

const codeOf = (sys: TestSystem, key: string, id: string) =>
  until(`the code of activation ${id}`, async () => {
    const s = await sys.api({ api_key: key, action: 'getStatus', id });
    return s.startsWith('STATUS_OK') ? s : undefined;
  });

const storageEmptied = (sim: SimulatorProcess, phone: string) =>
  until(`the SIM storage of ${phone} emptied`, async () => {
    const left = await sim.call<unknown[]>('GET', `/sims/${phone}/storage`);
    return left.length === 0 ? left : undefined;
  });

/** How many rows getsms stored on the SIM with `phone` whose text is `text`. */
async function storedCopies(sys: TestSystem, phone: string, text: string) {
  const sim = await sys.store.simByPhone(phone);
  return (await sys.store.smsOfSim(sim!.iccid, 100)).filter((s) => s.text === text).length;
}

/**
 * From the simulator's `--trace` lines (`in "<chunk>"`, `out "<chunk>"`): what getsms wrote to the modem,
 * and what the modem answered after getsms's `nth` `command` (empty until that command went out).
 */
function wire(sim: SimulatorProcess, command: string, nth: number) {
  let host = '';
  let answer = '';
  let sent = false;
  for (const line of sim.output().split('\n')) {
    const m = /^(in|out) (".*")$/.exec(line);
    if (!m) continue;
    const chunk = JSON.parse(m[2]!) as string;
    if (m[1] === 'out') answer += sent ? chunk : '';
    else {
      host += chunk;
      if (count(host, command) >= nth) sent = true;
    }
  }
  return { sent: count(host, command), answer };
}

const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;

test('an SMS that arrives while getsms is down stays on the SIM, and after the restart becomes the code, stored once and then deleted', async (t) => {
  const sim = await startSimulatorProcess(['--channels', '1', '--slots', '1', '--sim-busy-ms', '100']);
  t.teardown(() => sim.stop());
  const dataDir = mkdtempSync(join(tmpdir(), 'getsms-faults-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = { MODEM_PORTS: sim.ports.join(','), DATA_DIR: dataDir };

  const first = await startTestSystem(env);
  let firstRunning = true;
  t.teardown(() => (firstRunning ? first.close() : undefined));
  await until('the SIM online', async () => ((await online(first)).length === 1 ? true : undefined));
  const { key } = await first.account();
  const { id, phone } = await order(first, key);
  firstRunning = false;
  await first.close();

  const text = 'Telegram code: 55012\n\nDo not give this code to anyone';
  await sim.call('POST', '/sms', { to: phone, from: 'Telegram', text });
  const held = await sim.call<unknown[]>('GET', `/sims/${phone}/storage`);
  t.is(held.length, 1, 'nobody read it: the SIM keeps it');

  const second = await startTestSystem(env);
  t.teardown(() => second.close());
  t.is(await codeOf(second, key, id), 'STATUS_OK:55012');
  t.deepEqual(await storageEmptied(sim, phone), []);
  t.is(await storedCopies(second, phone, text), 1);
});

test('a modem that wedges mid-read and is unplugged and replugged delivers the SMS exactly once', async (t) => {
  // At 2400 baud the +CMGL answer takes a few hundred ms on the wire: time enough to wedge the modem inside it.
  const sim = await startSimulatorProcess(['--channels', '1', '--slots', '1', '--sim-busy-ms', '100', '--baud', '2400', '--trace']);
  t.teardown(() => sim.stop());
  const sys = await startTestSystem({ MODEM_PORTS: sim.ports.join(',') });
  t.teardown(() => sys.close());
  await until('the SIM online', async () => ((await online(sys)).length === 1 ? true : undefined));
  const { key } = await sys.account();
  const { id, phone } = await order(sys, key);

  const text = 'Telegram code: 80417\n\nDo not give this code to anyone';
  const reads = await until('the start-up sweep listed the SIM', () => {
    const { sent, answer } = wire(sim, 'AT+CMGL=4', 1);
    return answer.includes('OK') ? sent : undefined;
  });
  await sim.call('POST', '/sms', { to: phone, from: 'Telegram', text });
  const partial = await until('the first bytes of the listing after +CMTI', () => {
    const { answer } = wire(sim, 'AT+CMGL=4', reads + 1);
    return answer.includes('+CMGL: ') ? answer : undefined;
  }, 10_000, 5);
  await sim.call('POST', '/channels/sim-001/hang');
  t.log(`the modem wedged after ${JSON.stringify(partial)} of its listing`);
  t.false(partial.includes('OK'), 'wedged inside the listing');
  // Whatever part of the listing got through, the delete cannot: the SIM still holds the SMS.
  t.is((await sim.call<unknown[]>('GET', `/sims/${phone}/storage`)).length, 1);

  await sim.call('POST', '/channels/sim-001/unplug');
  await sim.call('POST', '/channels/sim-001/resume');
  await sim.call('POST', '/channels/sim-001/replug');

  t.is(await codeOf(sys, key, id), 'STATUS_OK:80417');
  t.deepEqual(await storageEmptied(sim, phone), []);
  t.is(await storedCopies(sys, phone, text), 1);
  await until('the channel ready again', () => (sys.channels!.channels()[0]!.state === 'ready' ? true : undefined));
});

test('garbage bytes on the line while an SMS arrives: the code arrives, the channel is ready again, the other channel never noticed', async (t) => {
  const sim = await startSimulatorProcess(['--channels', '2', '--slots', '1', '--sim-busy-ms', '100']);
  t.teardown(() => sim.stop());
  const sys = await startTestSystem({ MODEM_PORTS: sim.ports.join(',') });
  t.teardown(() => sys.close());
  const sims = await until('both SIMs online', async () => ((await online(sys)).length === 2 ? online(sys) : undefined));
  await until('both channels ready', () => (sys.channels!.channels().every((c) => c.state === 'ready') ? true : undefined));
  const { key } = await sys.account();
  const { id, phone } = await order(sys, key);
  const noisy = sims.find((s) => s.phone === phone)!.channel;
  const quiet = sims.find((s) => s.phone !== phone)!.channel;
  const quietStates = new Set<string>();
  const watch = setInterval(() => quietStates.add(sys.channels!.channels().find((c) => c.channel === quiet)!.state), 10);
  t.teardown(() => clearInterval(watch));

  // NULs, high bytes, an escape sequence, a bare CR LF and half a URC: line noise, the same every run.
  const hex = '00fffe7f801b5b324a0d0a2b434d0d0a00';
  await sim.call('POST', `/channels/${basename(noisy)}/garbage`, { hex });
  await sim.call('POST', '/sms', { to: phone, from: 'Telegram', text: 'Telegram code: 31337' });
  await sim.call('POST', `/channels/${basename(noisy)}/garbage`, { hex });

  t.is(await codeOf(sys, key, id), 'STATUS_OK:31337');
  await until('both channels ready', () => (sys.channels!.channels().every((c) => c.state === 'ready') ? true : undefined));
  clearInterval(watch);
  t.deepEqual([...quietStates], ['ready']);
  t.is(sys.channels!.channels().find((c) => c.channel === quiet)!.lastError, null);
  t.is((await online(sys)).length, 2);
});

test('a full SIM memory refuses SMS; the network retries as cells are freed, and every one is delivered', async (t) => {
  const sim = await startSimulatorProcess(['--channels', '1', '--slots', '1', '--sim-busy-ms', '100', '--capacity', '2']);
  t.teardown(() => sim.stop());
  const sys = await startTestSystem({ MODEM_PORTS: sim.ports.join(',') });
  t.teardown(() => sys.close());
  await until('the SIM online', async () => ((await online(sys)).length === 1 ? true : undefined));
  const { key } = await sys.account();
  const { id, phone } = await order(sys, key);

  const texts = [1, 2, 3, 4, 5, 6].map((n) => `Telegram code: 7000${n}`);
  const pending = [];
  // A minute apart by the network's clock: freed cells are reused out of order, the timestamps say which came last.
  const sentAt = (n: number) => new Date(Date.now() - (texts.length - n) * 60_000).toISOString();
  for (const [n, text] of texts.entries()) {
    pending.push((await sim.call<{ pending: number }>('POST', '/sms', { to: phone, from: 'Telegram', text, timestamp: sentAt(n) })).pending);
  }
  t.true(pending.some((p) => p > 0), `some SMS found the memory full: ${pending.join()}`);

  const { iccid } = (await sys.store.simByPhone(phone))!;
  const stored = await until('every SMS stored', async () => {
    const rows = await sys.store.smsOfSim(iccid, 100);
    return texts.every((x) => rows.some((r) => r.text === x)) ? rows : undefined;
  });
  t.deepEqual(stored.map((r) => r.text).sort(), [...texts].sort(), 'each once');
  t.true(stored.every((r) => r.activationIds.includes(Number(id))), 'each went to the activation');
  // The status shows the newest code: the last SMS sent, so they came in order.
  t.is(await sys.api({ api_key: key, action: 'getStatus', id }), 'STATUS_OK:70006');
  t.deepEqual(await storageEmptied(sim, phone), []);
  t.is((await sim.call<{ held: number }>('GET', `/sims/${phone}`)).held, 0);
});
