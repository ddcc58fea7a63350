import test from 'ava';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getsms, startAgentProcess, type AgentProcess } from '../../helpers/agent-process.ts';
import { startServerProcess, type ServerProcess } from '../../helpers/process.ts';
import { startSimulatorProcess, type SimulatorProcess } from '../../helpers/simulator-process.ts';
import { until } from '../../helpers/until.ts';

// One server (its own in-memory farm: SIM 0, Ukrainian) and two remote hosts with one Russian SIM each:
// agent a1 runs a simulated farm in its own process (SIM 1000), agent b1 drives the ports of a simulator
// process (SIM 1003), which keeps SMS in the SIM's storage while b1 is down.
const dir = mkdtempSync(join(tmpdir(), 'getsms-agents-'));
const dataDir = join(dir, 'server');
const env = { DATA_DIR: dataDir };
let server: ServerProcess;
/** The first start's keys (a restart prints none). */
const keys = { admin: '', demo: '' };
let simulator: SimulatorProcess;
const agents: AgentProcess[] = [];
const tokens: Record<string, string> = {};
/** The tg activation on each agent's SIM, by phone. */
const activationOn = new Map<string, string>();

interface ChannelView {
  channel: string;
  host: string | null;
  state: string;
  lastError: string | null;
  sim: { phone: string; iccid: string } | null;
}

async function channels(): Promise<ChannelView[]> {
  const res = await fetch(`${server.url}/api/channels`, { headers: { authorization: `Bearer ${keys.admin}` } });
  return ((await res.json()) as { channels: ChannelView[] }).channels;
}

async function api(params: Record<string, string>): Promise<string> {
  const res = await fetch(`${server.url}/stubs/handler_api.php?${new URLSearchParams({ api_key: keys.demo, ...params })}`);
  return res.text();
}

async function sims(): Promise<{ phone: string; online: boolean; channel: string }[]> {
  const { out } = await getsms(['sims', 'list', '--json'], env);
  return JSON.parse(out) as { phone: string; online: boolean; channel: string }[];
}

/** SMS the server stored whose text holds `needle`. */
function storedWith(needle: string): number {
  const db = new Database(join(dataDir, 'getsms.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM sms WHERE text LIKE ?').pluck().get(`%${needle}%`) as number;
  } finally {
    db.close();
  }
}

async function post(url: string, body: unknown) {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

const startA = () => startAgentProcess(['--server', server.url, '--data', join(dir, 'a1'), '--sim-modems', '1', '--first-sim', '1000'], { AGENT_TOKEN: tokens.a1! });
const startB = () => startAgentProcess(['--server', server.url, '--token', tokens.b1!, '--data', join(dir, 'b1'), ...simulator.ports]);
const ready = (id: string) => until(`${id} ready`, async () => ((await channels()).find((c) => c.channel === id && c.state === 'ready')), 120_000);

/** A port free now, so a restarted server listens where the agents look for it. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const serverEnv = { ...env, SIMULATOR: 'memory', SIM_MODEMS: '1', SIM_SLOTS: '1', PORT: '0' };

test.before(async () => {
  serverEnv.PORT = String(await freePort());
  server = await startServerProcess(serverEnv);
  keys.admin = server.adminKey!;
  keys.demo = server.demoKey!;
  for (const name of ['a1', 'b1', 'c1', 'gone']) {
    const made = await getsms(['agent', 'token', 'create', name], env);
    tokens[name] = /token ([0-9a-f]{64})/.exec(made.out)![1]!;
  }
  simulator = await startSimulatorProcess(['--channels', '1', '--slots', '1', '--first-sim', '1003', '--sim-busy-ms', '0']);
});

test.after.always(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await simulator?.stop();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test.serial('a wrong or revoked token is refused at connect, and the agent stops with status 2', async (t) => {
  const farm = ['--data', join(dir, 'x'), '--sim-modems', '1', '--first-sim', '5000'];
  const wrong = await getsms(['agent', '--server', server.url, '--token', 'f'.repeat(64), ...farm], {});
  t.is(wrong.code, 2);
  t.regex(wrong.out, /the server refused this agent \(refused: unknown or revoked agent token\)/);
  t.is((await getsms(['agent', 'token', 'revoke', 'gone'], env)).code, 0);
  const again = await getsms(['agent', 'token', 'create', 'a1'], env);
  t.is(again.code, 2);
  t.regex(again.out, /agent a1 already has a token: getsms agent token revoke a1 first/);
  const revoked = await getsms(['agent', '--server', server.url, '--token', tokens.gone!, ...farm], {});
  t.is(revoked.code, 2);
  t.regex(revoked.out, /refused/);
  t.false((await channels()).some((c) => c.host !== null), 'no channel came from a refused agent');
  const list = await getsms(['agent', 'token', 'list', '--json'], env);
  t.deepEqual((JSON.parse(list.out) as { name: string; revokedAt: string | null }[]).map((a) => [a.name, a.revokedAt !== null]),
    [['a1', false], ['b1', false], ['c1', false], ['gone', true]]);
});

test.serial('SMS to SIMs of both agents reach their activations; each channel shows its host', async (t) => {
  agents.push(await startA(), await startB());
  const [a, b] = [await ready('a1/sim-001'), await ready('b1/sim-001')];
  t.is(a.host, 'a1');
  t.is(b.host, 'b1');
  const numbers = activationOn;
  for (let i = 0; i < 2; i++) {
    const [word, id, phone] = (await api({ action: 'getNumber', service: 'tg', country: 'ru' })).split(':');
    t.is(word, 'ACCESS_NUMBER');
    numbers.set(phone!, id!);
  }
  t.deepEqual([...numbers.keys()].sort(), [a.sim!.phone, b.sim!.phone].sort(), 'one number on each host');
  await post(`${agents[0]!.control}/sms`, { to: a.sim!.phone, from: 'Telegram', text: 'Telegram code: 11111' });
  await simulator.call('POST', '/sms', { to: b.sim!.phone, from: 'Telegram', text: 'Telegram code: 22222' });
  for (const [phone, code] of [[a.sim!.phone, '11111'], [b.sim!.phone, '22222']] as const) {
    const id = numbers.get(phone)!;
    t.is(await until(`code ${code}`, async () => ((await api({ action: 'getStatus', id })) === `STATUS_OK:${code}` ? 'ok' : undefined), 120_000), 'ok');
    t.is(storedWith(code), 1);
  }
  // Each was deleted from its SIM once stored, and nothing waits on the agents' disks.
  t.is(await until('b1 storage empty', async () => ((await simulator.call<unknown[]>('GET', `/sims/${b.sim!.phone}/storage`)).length === 0 ? true : undefined)), true);
  t.deepEqual(readdirSync(join(dir, 'a1', 'outbox')).filter((f) => f.endsWith('.json')), []);
  t.deepEqual(readdirSync(join(dir, 'b1', 'outbox')).filter((f) => f.endsWith('.json')), []);
});

test.serial('an agent killed: its channel shows "agent offline" and its SIM goes offline; restarted, the SMS sent meanwhile arrives once', async (t) => {
  const phone = (await channels()).find((c) => c.channel === 'b1/sim-001')!.sim!.phone;
  const id = activationOn.get(phone)!;
  t.is(await api({ action: 'setStatus', id, status: '3' }), 'ACCESS_RETRY_GET', 'another code, please');
  await agents[1]!.kill();
  const offline = await until('b1 offline', async () => {
    const c = (await channels()).find((x) => x.channel === 'b1/sim-001');
    return c && c.state !== 'ready' && c.lastError === 'agent offline' ? c : undefined;
  }, 60_000);
  t.is(offline.host, 'b1');
  t.false((await sims()).find((s) => s.phone === phone)!.online, 'not handed out while its host is away');
  t.true((await sims()).find((s) => s.channel === 'a1/sim-001')!.online, 'the other host carries on');

  // The network delivers while the host is down: the SMS waits in the SIM's storage.
  await simulator.call('POST', '/sms', { to: phone, from: 'Telegram', text: 'Telegram code: 33333' });
  t.is(storedWith('33333'), 0);
  agents[1] = await startB();
  await ready('b1/sim-001');
  t.is(await until('the new code', async () => ((await api({ action: 'getStatus', id })) === 'STATUS_OK:33333' ? 'ok' : undefined), 120_000), 'ok');
  t.true((await sims()).find((s) => s.phone === phone)!.online, 'back on sale');
  await until('b1 storage empty', async () => ((await simulator.call<unknown[]>('GET', `/sims/${phone}/storage`)).length === 0 ? true : undefined));
  t.is(storedWith('33333'), 1, 'exactly once');
});

test.serial('SMS left on an agent\'s disk go again at its next sweep: a new one reaches its activation, a copy the server has is dropped', async (t) => {
  const a = (await channels()).find((c) => c.channel === 'a1/sim-001')!;
  const id = activationOn.get(a.sim!.phone)!;
  t.is(await api({ action: 'setStatus', id, status: '3' }), 'ACCESS_RETRY_GET');
  await agents[0]!.stop();
  await until('a1 offline', async () => ((await channels()).find((c) => c.channel === 'a1/sim-001')?.lastError === 'agent offline' ? true : undefined), 60_000);
  // What a crash between the disk and the server's ack leaves: one SMS the server never got, and one it stored already.
  const outbox = join(dir, 'a1', 'outbox');
  const fresh = { iccid: a.sim!.iccid, from: 'Telegram', text: 'Telegram code: 44444', receivedAt: Date.now(), fingerprint: createHash('sha256').update('fresh').digest('hex') };
  writeFileSync(join(outbox, `${fresh.fingerprint}.json`), JSON.stringify({ channel: 'sim-001', sms: fresh }));
  const db = new Database(join(dataDir, 'getsms.sqlite'), { readonly: true });
  const old = db.prepare("SELECT fingerprint, iccid, sender, text, received_at AS receivedAt FROM sms WHERE text LIKE '%11111%'").get() as
    { fingerprint: string; iccid: string; sender: string; text: string; receivedAt: number };
  db.close();
  const copy = { iccid: old.iccid, from: old.sender, text: old.text, receivedAt: old.receivedAt, fingerprint: old.fingerprint };
  writeFileSync(join(outbox, `${old.fingerprint}.json`), JSON.stringify({ channel: 'sim-001', sms: copy }));

  agents[0] = await startA();
  t.is(await until('the code from disk', async () => ((await api({ action: 'getStatus', id })) === 'STATUS_OK:44444' ? 'ok' : undefined), 120_000), 'ok');
  await until('the disk emptied', () => (readdirSync(outbox).some((f) => f.endsWith('.json')) ? undefined : true), 60_000);
  t.is(storedWith('44444'), 1);
  t.is(storedWith('11111'), 1, 'the copy was dropped by its fingerprint');
});

test.serial('the server killed and restarted while SMS keep arriving: the agents reconnect and every SMS is stored exactly once', async (t) => {
  const phones = ['a1/sim-001', 'b1/sim-001'].map((id) => {
    return async () => (await channels()).find((c) => c.channel === id)!.sim!.phone;
  });
  const [pa, pb] = [await phones[0]!(), await phones[1]!()];
  const send = (n: number) => Promise.all([
    post(`${agents[0]!.control}/sms`, { to: pa, from: 'Telegram', text: `Telegram code: 5${n}5${n}5` }),
    simulator.call('POST', '/sms', { to: pb, from: 'Telegram', text: `Telegram code: 6${n}6${n}6` }),
  ]);
  await send(1);
  await server.kill(); // perhaps mid-sweep: stored, but the ack never reached the agent
  await send(2);
  await send(3);
  server = await startServerProcess(serverEnv);
  await send(4);
  await Promise.all([ready('a1/sim-001'), ready('b1/sim-001')]);
  for (let n = 1; n <= 4; n++) {
    for (const code of [`5${n}5${n}5`, `6${n}6${n}6`]) {
      t.is(await until(`SMS ${code} stored`, () => (storedWith(code) > 0 ? storedWith(code) : undefined), 120_000), 1, code);
    }
  }
  await until('b1 storage empty', async () => ((await simulator.call<unknown[]>('GET', `/sims/${pb}/storage`)).length === 0 ? true : undefined));
  t.deepEqual(readdirSync(join(dir, 'a1', 'outbox')).filter((f) => f.endsWith('.json')), []);
  t.deepEqual(readdirSync(join(dir, 'b1', 'outbox')).filter((f) => f.endsWith('.json')), []);
  for (let n = 1; n <= 4; n++) t.is(storedWith(`5${n}5${n}5`) + storedWith(`6${n}6${n}6`), 2, 'still once each');
});

/** A TCP hop between an agent and the server that a test can cut (every socket destroyed, connects refused) and mend. */
class Hop {
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  port = 0;

  async open() {
    const target = Number(new URL(server.url).port);
    this.#server = createServer((down) => {
      const up = connect(target, '127.0.0.1');
      for (const s of [down, up]) {
        this.#sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => {
          this.#sockets.delete(s);
          down.destroy();
          up.destroy();
        });
      }
      down.pipe(up).pipe(down);
    });
    await new Promise<void>((done) => this.#server!.listen(this.port, '127.0.0.1', () => done()));
    this.port = (this.#server.address() as { port: number }).port;
  }

  async cut() {
    const closed = new Promise<void>((done) => this.#server!.close(() => done()));
    for (const s of this.#sockets) s.destroy();
    await closed;
  }
}

test.serial('an agent whose link is cut and mended (the process lives on): offline meanwhile, then the SMS that arrived is delivered once', async (t) => {
  const hop = new Hop();
  await hop.open();
  t.teardown(() => hop.cut().catch(() => {}));
  const c = await startAgentProcess(['--server', `http://127.0.0.1:${hop.port}`, '--token', tokens.c1!, '--data', join(dir, 'c1'), '--sim-modems', '1', '--first-sim', '1005']);
  agents.push(c);
  const channel = await ready('c1/sim-001');
  const phone = channel.sim!.phone;
  const [word, id] = (await api({ action: 'getNumber', service: 'tg', country: 'ru' })).split(':');
  t.is(word, 'ACCESS_NUMBER', 'the only Russian SIM not used for tg yet is c1\'s');

  await hop.cut();
  await until('c1 offline', async () => ((await channels()).find((x) => x.channel === 'c1/sim-001')?.lastError === 'agent offline' ? true : undefined), 60_000);
  t.false((await sims()).find((s) => s.phone === phone)!.online);
  await post(`${c.control}/sms`, { to: phone, from: 'Telegram', text: 'Telegram code: 77777' });
  t.is(storedWith('77777'), 0, 'nothing reaches the server while the link is cut');

  await hop.open();
  t.is(await until('the code after the link came back', async () => ((await api({ action: 'getStatus', id: id! })) === 'STATUS_OK:77777' ? 'ok' : undefined), 120_000), 'ok');
  t.true((await sims()).find((s) => s.phone === phone)!.online);
  t.is(storedWith('77777'), 1);
});
