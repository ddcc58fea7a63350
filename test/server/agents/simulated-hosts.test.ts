import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controlClient } from '../../../modems/simulator/at/index.ts';
import { getsms, startAgentProcess, type AgentProcess } from '../../helpers/agent-process.ts';
import { startServerProcess, type ServerProcess } from '../../helpers/process.ts';
import { until } from '../../helpers/until.ts';

// Remote hosts that run simulated farms, reached through the server's simulator endpoints and its lines:
// SMS in, SIMs carried from one host to another, USSD balance and call forwarding. Every SIM on the agents is
// Russian (1000: MTS, 1003: MegaFon, 1005: Beeline); the servers' own farms hold one Ukrainian SIM (0).

interface Farm {
  dir: string;
  server: ServerProcess;
  admin: string;
  demo: string;
  agents: Record<string, AgentProcess>;
}

interface ChannelView {
  channel: string;
  host: string | null;
  state: string;
  sim: { phone: string; iccid: string } | null;
}

interface SimJson {
  iccid: string;
  phone: string;
  channel: string;
  slot: number;
  online: boolean;
}

async function startFarm(simulator: 'memory' | 'at', hosts: Record<string, number>): Promise<Farm> {
  const dir = mkdtempSync(join(tmpdir(), 'getsms-simhosts-'));
  const env = { DATA_DIR: join(dir, 'server') };
  const server = await startServerProcess({ ...env, SIMULATOR: simulator, SIM_MODEMS: '1', SIM_SLOTS: '1', FORWARDING_RETRY_MS: '500' });
  const farm: Farm = { dir, server, admin: server.adminKey!, demo: server.demoKey!, agents: {} };
  for (const [name, firstSim] of Object.entries(hosts)) {
    const made = await getsms(['agent', 'token', 'create', name], env);
    const token = /token ([0-9a-f]{64})/.exec(made.out)![1]!;
    farm.agents[name] = await startAgentProcess(
      ['--server', server.url, '--data', join(dir, name), '--sim-modems', '1', '--first-sim', String(firstSim)], { AGENT_TOKEN: token },
    );
  }
  return farm;
}

async function stopFarm(farm: Farm | undefined) {
  if (!farm) return;
  await Promise.all(Object.values(farm.agents).map((a) => a.stop()));
  await farm.server.stop();
  rmSync(farm.dir, { recursive: true, force: true });
}

async function json<T>(farm: Farm, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${farm.server.url}${path}`, {
    method, headers: { authorization: `Bearer ${farm.admin}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function api(farm: Farm, params: Record<string, string>): Promise<string> {
  const res = await fetch(`${farm.server.url}/stubs/handler_api.php?${new URLSearchParams({ api_key: farm.demo, ...params })}`);
  return res.text();
}

const channels = async (farm: Farm) => (await json<{ channels: ChannelView[] }>(farm, 'GET', '/api/channels')).body.channels;
const sims = async (farm: Farm) => (await json<{ sims: SimJson[] }>(farm, 'GET', '/api/sims')).body.sims;
const ready = (farm: Farm, id: string) =>
  until(`${id} ready`, async () => (await channels(farm)).find((c) => c.channel === id && c.state === 'ready' && c.sim), 120_000);
const codeOf = (farm: Farm, id: string, code: string) =>
  until(`code ${code} for ${id}`, async () => ((await api(farm, { action: 'getStatus', id })) === `STATUS_OK:${code}` ? true : undefined), 60_000);
const sms = (farm: Farm, to: string, text: string) => json<{ delivered?: boolean; error?: string }>(farm, 'POST', '/api/simulator/sms', { to, from: 'Telegram', text });
/** The simulated network's balance for a SIM: what its `*100#` (or its operator's code) answers. */
const balanceOf = (iccid: string) => (Number(iccid.slice(-5)) / 100).toFixed(2);

let memory: Farm | undefined;
let at: Farm | undefined;

test.after.always(async () => {
  await stopFarm(memory);
  await stopFarm(at);
});

test.serial('POST /api/simulator/sms reaches SIMs on agents (by number or ICCID): 202 once the agent took it; 404 for a number no simulated SIM has', async (t) => {
  memory = await startFarm('memory', { a1: 1000, b1: 1003 });
  const [a, b] = [await ready(memory, 'a1/sim-001'), await ready(memory, 'b1/sim-001')];
  const farm = (await json<{ simulated: boolean; channels: { id: string; host: string | null }[] }>(memory, 'GET', '/api/farm')).body;
  t.true(farm.simulated);
  t.like(farm.channels.find((c) => c.id === 'a1/sim-001'), { host: 'a1' });
  t.like(farm.channels.find((c) => c.id === 'sim-001'), { host: null });

  const ids = new Map<string, string>();
  for (let i = 0; i < 2; i++) {
    const [word, id, phone] = (await api(memory, { action: 'getNumber', service: 'tg', country: 'ru' })).split(':');
    t.is(word, 'ACCESS_NUMBER');
    ids.set(phone!, id!);
  }
  t.deepEqual([...ids.keys()].sort(), [a.sim!.phone, b.sim!.phone].sort(), 'the two Russian SIMs are the agents\'');

  const first = await sms(memory, `+${a.sim!.phone}`, 'Telegram code: 12121');
  t.is(first.status, 202, JSON.stringify(first.body));
  t.like(first.body, { delivered: true });
  t.true(await codeOf(memory, ids.get(a.sim!.phone)!, '12121'));
  t.is((await sms(memory, b.sim!.iccid, 'Telegram code: 34343')).status, 202, 'by ICCID');
  t.true(await codeOf(memory, ids.get(b.sim!.phone)!, '34343'));

  const nobody = await sms(memory, '79990000000', 'Telegram code: 1');
  t.is(nobody.status, 404);
  t.regex(nobody.body.error ?? '', /no simulated SIM has the number 79990000000/);
  t.is((await sms(memory, '380691000000', 'local: 5')).status, 202, "the server's own SIM still answers");
});

test.serial('a SIM carried from agent a1 to agent b1 is seen there: inventory, move record, host, its activation\'s SMS, sale, and the displaced SIM', async (t) => {
  const farm = memory!;
  const x = (await channels(farm)).find((c) => c.channel === 'a1/sim-001')!.sim!;
  const y = (await channels(farm)).find((c) => c.channel === 'b1/sim-001')!.sim!;
  t.is(await api(farm, { action: 'setStatus', id: (await activationOf(farm, x.phone))!, status: '3' }), 'ACCESS_RETRY_GET');

  const moved = await json<{ move: { to: { channel: string; slot: number } } }>(farm, 'POST', '/api/sims/move', { iccid: x.iccid, channel: 'b1/sim-001', slot: 1 });
  t.is(moved.status, 202, JSON.stringify(moved.body));
  t.deepEqual(moved.body.move.to, { channel: 'b1/sim-001', slot: 1 });
  const there = await until('X online on b1 and Y on a1', async () => {
    const all = await sims(farm);
    const [sx, sy] = [all.find((s) => s.iccid === x.iccid), all.find((s) => s.iccid === y.iccid)];
    return sx?.channel === 'b1/sim-001' && sx.online && sy?.channel === 'a1/sim-001' && sy.online ? sx : undefined;
  }, 120_000);
  t.is(there.slot, 1);
  // The card physically went: a1's simulator no longer has it, b1's does.
  const [ca, cb] = [controlClient(farm.agents.a1!.control!), controlClient(farm.agents.b1!.control!)];
  t.like(await cb.call('GET', `/sims/${x.iccid}`), { channel: 'sim-001', slot: 1 });
  t.like(await ca.call('GET', `/sims/${y.iccid}`), { channel: 'sim-001', slot: 1 });
  await t.throwsAsync(ca.call('GET', `/sims/${x.iccid}`), { message: /404/ });

  const moves = await until('the move done', async () => {
    const { body } = await json<{ moves: { iccid: string; doneAt: number | null }[] }>(farm, 'GET', '/api/sims/moves?pending=1');
    return body.moves.some((m) => m.iccid === x.iccid) ? undefined : body;
  }, 60_000);
  t.false(moves.moves.some((m) => m.iccid === x.iccid));
  const b1 = await until('b1 shows X', async () => (await channels(farm)).find((c) => c.channel === 'b1/sim-001' && c.sim?.iccid === x.iccid && c.state === 'ready'), 60_000);
  t.is(b1.host, 'b1');
  const page = (await json<{ channels: { id: string; host: string | null; slots: { sim: { iccid: string } | null }[] }[] }>(farm, 'GET', '/api/farm')).body;
  t.like(page.channels.find((c) => c.id === 'b1/sim-001'), { host: 'b1', slots: [{ sim: { iccid: x.iccid } }] });

  // Its activation (waiting for another code) still gets its SMS, now through b1.
  const id = (await activationOf(farm, x.phone))!;
  t.is((await sms(farm, x.phone, 'Telegram code: 56565')).status, 202);
  t.true(await codeOf(farm, id, '56565'));
  t.is(await api(farm, { action: 'setStatus', id, status: '6' }), 'ACCESS_ACTIVATION');
  // Still for sale: two orders for another service take both Russian SIMs, X among them.
  const given: string[] = [];
  for (let i = 0; i < 2; i++) given.push((await api(farm, { action: 'getNumber', service: 'vk', country: 'ru' })).split(':')[2]!);
  t.true(given.includes(x.phone), given.join());

  // This server's farm is in memory: its SIMs are no cards to carry, and the refusal says so before anything is recorded.
  const refused = await json<{ error: string }>(farm, 'POST', '/api/sims/move', { iccid: x.iccid, channel: 'sim-001', slot: 1 });
  t.is(refused.status, 422);
  t.regex(refused.body.error, /in-memory farm/);
});

test.serial('USSD balance and call forwarding on an agent\'s SIM with SIMULATOR=memory: setStatus forward= and getNumberBalance run on the agent\'s modem', async (t) => {
  const farm = memory!;
  await linesWork(t, farm);
});

test.serial('a SIM pulled from an agent\'s modem goes offline on the server at once (the modem\'s +CPIN reaches it through the agent), and comes back when put in', async (t) => {
  const farm = memory!;
  const sim = (await ready(farm, 'a1/sim-001')).sim!;
  const control = controlClient(farm.agents.a1!.control!);
  const pulledAt = Date.now();
  await control.call('POST', '/sims/remove', { sim: sim.iccid });
  // Without the event the server would learn of it at the channel's next sweep, up to 30 s later.
  await until('the pulled SIM offline', async () => ((await sims(farm)).find((s) => s.iccid === sim.iccid)?.online === false ? true : undefined), 10_000, 100);
  t.log(`offline on the server ${Date.now() - pulledAt} ms after it was pulled on the agent`);
  await control.call('POST', '/sims/move', { sim: sim.iccid, to: { channel: 'sim-001', slot: 1 } });
  await until('the SIM back online', async () => ((await sims(farm)).find((s) => s.iccid === sim.iccid)?.online === true ? true : undefined), 60_000);
  t.pass();
});

test.serial('with SIMULATOR=at: SMS, USSD and forwarding on an agent\'s SIM, and a SIM carried between the agent and a local slot', async (t) => {
  at = await startFarm('at', { c1: 1005 });
  const c = await ready(at, 'c1/sim-001');
  const local = await ready(at, 'sim-001');
  const [, id] = (await api(at, { action: 'getNumber', service: 'tg', country: 'ru' })).split(':');
  t.is((await sms(at, c.sim!.phone, 'Telegram code: 78787')).status, 202);
  t.true(await codeOf(at, id!, '78787'));
  t.is(await api(at, { action: 'setStatus', id: id!, status: '6' }), 'ACCESS_ACTIVATION');
  await linesWork(t, at);

  // The agent's SIM into the server's own (AT) slot, and the local one out to the agent.
  t.is((await json(at, 'POST', '/api/sims/move', { iccid: c.sim!.iccid, channel: 'sim-001', slot: 1 })).status, 202);
  await until('the SIMs swapped hosts', async () => {
    const all = await sims(at!);
    const [sc, sl] = [all.find((s) => s.iccid === c.sim!.iccid), all.find((s) => s.iccid === local.sim!.iccid)];
    return sc?.channel === 'sim-001' && sc.online && sl?.channel === 'c1/sim-001' && sl.online ? true : undefined;
  }, 120_000);
  t.is((await sms(at, c.sim!.phone, 'hello: 1')).status, 202, 'the network finds it in its new farm');
  t.like(await controlClient(at.agents.c1!.control!).call('GET', `/sims/${local.sim!.iccid}`), { channel: 'sim-001' });
});

async function activationOf(farm: Farm, phone: string): Promise<string | undefined> {
  const { body } = await json<{ activations: { id: number; phone: string }[] }>(farm, 'GET', '/api/admin/activations');
  const a = body.activations.find((x) => x.phone === phone);
  return a && String(a.id);
}

/** An Avito order with forwarding on a SIM of an agent: the forwarding lands on the agent's modem, and the balance USSD answers. */
async function linesWork(t: import('ava').ExecutionContext, farm: Farm) {
  const answer = await api(farm, { action: 'getNumber', service: 'av', country: 'ru', forward: '1' });
  const [word, id, phone] = answer.split(':');
  t.is(word, 'ACCESS_NUMBER', answer);
  const sim = (await sims(farm)).find((s) => s.phone === phone)!;
  const channel = (await channels(farm)).find((c) => c.channel === sim.channel)!;
  t.truthy(channel.host, 'a SIM on an agent');
  t.is(await api(farm, { action: 'setStatus', id: id!, status: '1', forward: '+7 926 123-45-67' }), 'ACCESS_READY');
  const f = await until('the forwarding set', async () => {
    const res = await fetch(`${farm.server.url}/api/forwardings/${id}`, { headers: { authorization: `Bearer ${farm.demo}` } });
    const body = (await res.json()) as { forwarding?: { state: string; error: string | null } };
    return body.forwarding && body.forwarding.state !== 'pending' ? body.forwarding : undefined;
  }, 90_000);
  t.like(f, { state: 'set', error: null });
  const rules = await controlClient(farm.agents[channel.host!]!.control!).call<Record<string, { active: boolean; number: string }>>('GET', `/sims/${sim.iccid}/forwarding`);
  t.like(rules['0'], { active: true, number: '+79261234567' }, 'AT+CCFC reached the agent\'s modem');

  t.is(await api(farm, { action: 'getNumberBalance', num: phone! }), 'ORDER_ACCEPTED');
  const balance = await until('the balance', async () => {
    const a = await api(farm, { action: 'getNumberBalance', num: phone! });
    return a === 'ORDER_ACCEPTED' ? undefined : a;
  }, 90_000);
  t.is(balance, `NUM_BALANCE: ${balanceOf(sim.iccid)}`);
}
