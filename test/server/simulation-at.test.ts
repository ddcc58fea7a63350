import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from '../helpers/process.ts';
import { httpRequest, startTestSystem, type TestSystem } from '../helpers/system.ts';
import { until } from '../helpers/until.ts';

// SIMULATOR=at (the default of `npm start`): virtual AT modems on socat PTYs in the server's process, read by the
// same AtChannel and channel supervisor as MODEM_PORTS. One system at a time: each runs a socat per channel.

async function json(sys: TestSystem, method: string, path: string, key: string, body?: unknown) {
  const res = await httpRequest(sys.url, {
    method, path, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: JSON.parse(res.body) as Record<string, unknown> };
}

const atFarm = { SIMULATOR: 'at', SIM_MODEMS: '2', SIM_SLOTS: '2' };

test.serial('start-up ends with every simulated channel ready over its PTY and every SIM known; stop ends every socat', async (t) => {
  const sys = await startTestSystem(atFarm);
  let closed = false;
  t.teardown(() => (closed ? undefined : sys.close()));
  const ptyDirs = `getsms-farm-${process.pid}-`; // this process's farm
  t.is(processesWith(ptyDirs).length, 2, 'a socat per channel');
  t.deepEqual(sys.farm, { kind: 'at', census: { channels: 2, ready: 2, sims: 4, active: 2 }, fellBack: undefined });
  const operator = await sys.account({ role: 'operator' });
  const { json: { channels } } = await json(sys, 'GET', '/api/channels', operator.key);
  type Picture = { channel: string; state: string; registered: boolean; sim: { iccid: string } | null };
  const pictures = (channels as Picture[]).sort((a, b) => a.channel.localeCompare(b.channel));
  t.deepEqual(pictures.map((c) => c.channel), ['sim-001', 'sim-002'], 'the farm\'s channel names, not PTY paths');
  t.true(pictures.every((c) => c.registered && c.sim !== null), JSON.stringify(pictures));
  const sims = await sys.store.sims();
  t.deepEqual(sims.map((s) => s.iccid).sort(), sys.simulator!.slots().map((s) => s.sim.iccid).sort());
  closed = true;
  await sys.close();
  t.deepEqual(processesWith(ptyDirs), [], 'stopped: no socat left');
});

test.serial('getNumber, then an SMS through POST /api/simulator/sms travels as a PDU over the PTY to STATUS_OK', async (t) => {
  const sys = await startTestSystem(atFarm);
  t.teardown(() => sys.close());
  const operator = await sys.account({ role: 'operator' });
  const { key } = await sys.account();
  const got = await sys.api({ api_key: key, action: 'getNumber', service: 'tg', country: 'or' });
  const [, id, phone] = /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(got) ?? [];
  t.truthy(phone, got);
  t.is(await sys.api({ api_key: key, action: 'setStatus', id: id!, status: 1 }), 'ACCESS_READY');

  const sent = await json(sys, 'POST', '/api/simulator/sms', operator.key, { to: phone, from: 'Telegram', text: 'Telegram code: 53117' });
  t.is(sent.status, 202);
  // The endpoint answers once the channel stored the SMS (and only then deleted it from the SIM).
  t.is(await sys.api({ api_key: key, action: 'getStatus', id: id! }), 'STATUS_OK:53117');
  const iccid = (await sys.store.activation(Number(id)))!.iccid;
  const [sms] = await sys.store.smsOfSim(iccid, 1);
  t.like(sms, { sender: 'Telegram', text: 'Telegram code: 53117' });
  t.is(sms!.receivedAt % 1000, 0, 'the time is the PDU\'s service-centre stamp, to the second');

  // The test helper takes the same road; a number no simulated SIM has is refused.
  const again = await sys.api({ api_key: key, action: 'getNumber', service: 'wa', country: 'or' });
  const [, id2, phone2] = /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(again) ?? [];
  await sys.sms(phone2!, 'WhatsApp', 'Your WhatsApp code: 120-334');
  t.is(await sys.api({ api_key: key, action: 'getStatus', id: id2! }), 'STATUS_OK:120334');
  t.is((await json(sys, 'POST', '/api/simulator/sms', operator.key, { to: '19995550000', from: 'X', text: 'hi' })).status, 404);
});

test.serial('an operator\'s SIM move is made by the simulator\'s hands and done once the channel reads the SIM there', async (t) => {
  const sys = await startTestSystem(atFarm);
  t.teardown(() => sys.close());
  const operator = await sys.account({ role: 'operator' });
  const at = (channel: string, slot: number) => sys.simulator!.slots().find((s) => s.channel === channel && s.slot === slot)!.sim;
  // From sim-001's active slot to sim-002's other slot: the SIM there takes its place.
  const moving = at('sim-001', 1);
  const displaced = at('sim-002', 2);
  const r = await json(sys, 'POST', '/api/sims/move', operator.key, { iccid: moving.iccid, channel: 'sim-002', slot: 2 });
  t.is(r.status, 202, JSON.stringify(r.json));
  t.is(at('sim-002', 2).iccid, moving.iccid);
  t.is(at('sim-001', 1).iccid, displaced.iccid);

  type Move = { id: number; iccid: string; doneAt: number | null };
  const id = (r.json.move as Move).id;
  const done = await until('the move to be done', async () => {
    const { json: list } = await json(sys, 'GET', '/api/sims/moves', operator.key);
    const move = (list.moves as Move[]).find((m) => m.id === id);
    return move?.doneAt ? move : undefined;
  }, 90_000);
  t.is(done.iccid, moving.iccid);
  t.like(await sys.store.simByIccid(moving.iccid), { channel: 'sim-002', slot: 2, online: false, phone: moving.phone });
  // sim-001 read its active slot again: the displaced SIM is on sale there now.
  const there = await until('the displaced SIM online in sim-001', async () => {
    const sim = await sys.store.simByIccid(displaced.iccid);
    return sim?.channel === 'sim-001' && sim.slot === 1 && sim.online ? sim : undefined;
  }, 90_000);
  t.is(there.phone, displaced.phone);
});

test.serial('SIM_AUTO_SMS texts each new number through the AT simulator', async (t) => {
  const sys = await startTestSystem({ ...atFarm, SIM_AUTO_SMS: '1' });
  t.teardown(() => sys.close());
  const { key } = await sys.account();
  const [, id] = (await sys.api({ api_key: key, action: 'getNumber', service: 'vk', country: 'or' })).split(':');
  const status = await until('the demo code', async () => {
    const s = await sys.api({ api_key: key, action: 'getStatus', id: id! });
    return s.startsWith('STATUS_OK') ? s : undefined;
  }, 60_000);
  t.regex(status, /^STATUS_OK:\d+$/);
});

/** Live processes whose command line mentions `text` (zombies have none). */
function processesWith(text: string): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
    } catch {
      return false;
    }
  }).map(Number);
}

test.serial('npm start prints Ready with the SIMs online; SIGKILLed, it leaves no socat behind', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'getsms-at-start-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const server = await startServerProcess({ DATA_DIR: dataDir, SIM_MODEMS: '2', SIM_SLOTS: '2', LOG_LEVEL: 'info' });
  t.teardown(() => server.stop());
  t.regex(server.output(), /^Ready\. 2 of 2 simulated modems online on pseudo-terminals with 4 SIMs \(2 in active slots\)\.$/m);
  const dir = /"dir":"([^"]+)"/.exec(server.output())?.[1];
  t.truthy(dir, server.output());
  t.is(processesWith(dir!).length, 2, 'a socat per channel');

  const curl = /curl '([^']+)'/.exec(server.output())![1]!;
  const [, id, phone] = /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(await (await fetch(curl)).text()) ?? [];
  t.truthy(phone);
  const sent = await fetch(`${server.url}/api/simulator/sms`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ to: phone, from: 'Telegram', text: 'Telegram code: 77123' }),
  });
  t.is(sent.status, 202);
  const status = await fetch(`${server.url}/stubs/handler_api.php?api_key=${server.demoKey}&action=getStatus&id=${id}`);
  t.is(await status.text(), 'STATUS_OK:77123');

  await server.kill();
  await until('the socat children to end', () => (processesWith(dir!).length === 0 ? true : undefined), 30_000);
  t.pass();
});

test.serial('without socat, npm start runs the in-memory farm and says why, in one log line and in the banner', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'getsms-no-socat-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const server = await startServerProcess({ DATA_DIR: dataDir, SIM_MODEMS: '2', SIM_SLOTS: '2', PATH: join(dataDir, 'no-bin') });
  t.teardown(() => server.stop());
  const out = server.output();
  t.is(out.match(/socat is not installed/g)?.length, 2, 'one log line and one banner line');
  t.regex(out, /^Warning: socat is not installed, so the simulated modems run in memory/m);
  t.regex(out, /^Ready\. 4 SIMs online in 2 simulated modems \(in memory\)\.$/m);
  const curl = /curl '([^']+)'/.exec(out)![1]!;
  t.regex(await (await fetch(curl)).text(), /^ACCESS_NUMBER:\d+:7\d{10}$/);
});
