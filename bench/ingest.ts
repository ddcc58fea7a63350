import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceCode, servicesOf, type Dialect, type ServiceDef } from '../actors/index.ts';
import { deliverPdus } from '../modems/simulator/at/encode.ts';
import { closePort, openPort } from '../modems/simulator/at/pty.ts';
import { tpduLength } from '../modems/simulator/at/sim-storage.ts';
import { signalGroup, startChild, stopAll } from './child.ts';
import type { ServerReady } from './server.ts';
import { envNumber, runBench } from './settings.ts';
import { controlClient } from '../modems/simulator/at/index.ts';

/**
 * `npm run bench:ingest`: SMS ingest latency over real serial I/O (issue 3).
 *
 * The AT simulator runs in its own process at 115200 baud (paced 8N1, 86.8 µs a byte) with 5 channels × 1 slot:
 * channels 1–2 are getsms's (MODEM_PORTS), 3 gammu-smsd's, 4 smsd's, 5 a bare in-process reader's (the same
 * +CMTI → CMGL=4 → CMGD exchange with nothing behind it: what the simulator, PTY and serialport cost beyond the
 * wire), so no two readers share a port.
 * For each SMS (alternating short GSM-7, full 160-char GSM-7, 70-char UCS2 Cyrillic):
 *  - getsms: getNumber → POST /sms to that SIM → a keep-alive getStatus poll every ~1 ms until STATUS_OK → setStatus 6.
 *  - gammu-smsd (files backend, ReceiveFrequency=1) and smsd (delaytime=1, the modem-notes §4 settings; the shipped
 *    default is 10): POST /sms → the inbox file appears (readdir every 5 ms). The daemons get a random pause of up
 *    to their poll period (1 s; smsd: delaytime s) before each SMS so their polling is sampled at every phase.
 * T0 is the moment POST /sms returns: the control API answers when the PDU is stored on the SIM and the `+CMTI` is
 * queued on the paced wire (it starts crossing within ~1 ms: the URC is written on the next timer tick).
 * Beside getsms's figures: the wire floor of that SMS's bytes at 115200 8N1 for getsms's own exchange
 * (+CMTI URC, AT+CMGL=4 and its answer with the PDU, AT+CMGD=i and OK; echo is off after ATE0).
 *
 * BENCH_SMS (50) samples for getsms and gammu-smsd, BENCH_SMSD_SMS (15) for smsd, BENCH_SMSD_DELAYTIME (1),
 * BENCH_SKIP=gammu,smsd leaves daemons out, BENCH_JSON=1 prints a final JSON line.
 */
const num = envNumber;
const samples = num('BENCH_SMS', 50);
const smsdSamples = num('BENCH_SMSD_SMS', 15);
const smsdDelaytime = num('BENCH_SMSD_DELAYTIME', 1);
const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const wantJson = process.env.BENCH_JSON === '1';
const baud = 115_200;
const root = fileURLToPath(new URL('../', import.meta.url));

const work = mkdtempSync(join(tmpdir(), 'getsms-bench-ingest-'));
const say = (line = '') => console.log(line);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ── processes we start, all killed on the way out ─────────────────────────

const spawned = new Set<ChildProcess>();

/** Runs `command` in its own process group (smsd forks a modem process), so stopping it ends the whole group. */
function daemon(command: string, args: string[], log: string[]): ChildProcess {
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  spawned.add(child);
  const keep = (c: Buffer) => {
    log.push(c.toString());
    if (log.length > 200) log.splice(0, log.length - 200);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.once('exit', () => spawned.delete(child));
  return child;
}

async function stopProcess(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const group = (signal: NodeJS.Signals) => signalGroup(child, signal);
  group('SIGTERM');
  const killer = setTimeout(() => group('SIGKILL'), graceMs);
  await exited;
  clearTimeout(killer);
  spawned.delete(child);
}

interface Simulator {
  control: string;
  ports: string[];
  proc: ChildProcess;
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
}

/** The AT simulator in its own process (as test/helpers/simulator-process.ts), PTY links under `work`. */
function startSimulator(channels: number): Promise<Simulator> {
  const dir = join(work, 'farm');
  mkdirSync(dir);
  const log: string[] = [];
  const proc = daemon(process.execPath, [
    '--import', 'tsx', 'modems/simulator/at/main.ts',
    '--channels', String(channels), '--slots', '1', '--dir', dir, '--baud', String(baud), '--sim-busy-ms', '100',
  ], log);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start:\n${log.join('')}`)), 30_000);
    const onData = () => {
      const out = log.join('');
      const control = /control (http:\/\/\S+)/.exec(out)?.[1];
      const ports = /MODEM_PORTS=(\S+)/.exec(out)?.[1];
      if (!control || !ports) return;
      clearTimeout(timer);
      proc.stdout!.off('data', onData);
      resolve({
        control, ports: ports.split(','), proc,
        call: controlClient(control).call,
      });
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited with ${code}:\n${log.join('')}`));
    });
  });
}

// ── the SMS mix and its wire floor ────────────────────────────────────────

type Kind = 'gsm7-short' | 'gsm7-160' | 'ucs2-70';
const kinds: Kind[] = ['gsm7-short', 'gsm7-160', 'ucs2-70'];

function textOf(kind: Kind, i: number, name: string): string {
  const code = String(100_000 + ((i * 7919) % 900_000));
  if (kind === 'gsm7-short') return `${name} code: ${code}`;
  if (kind === 'gsm7-160') {
    const head = `Your ${name} code is ${code}. Do not share it with anyone, our staff will never ask for it. `;
    return (head + 'Ignore this message if you did not ask for a code at all. '.repeat(3)).slice(0, 160);
  }
  const head = `Код ${code}. Никому не сообщайте этот код, `;
  return (head + 'даже сотрудникам службы поддержки сервиса. ').slice(0, 70);
}

const byteMs = (10 * 1000) / baud;

/** getsms's bytes for one single-part SMS stored at `index`: URC, AT+CMGL=4 + answer, AT+CMGD + OK (echo off). */
function wireBytes(pdu: string, index: number): number {
  const urc = `\r\n+CMTI: "SM",${index}\r\n`;
  const list = 'AT+CMGL=4\r';
  const answer = `\r\n+CMGL: ${index},0,,${tpduLength(pdu)}\r\n${pdu}\r\n\r\nOK\r\n`;
  const del = `AT+CMGD=${index}\r` + '\r\nOK\r\n';
  return urc.length + list.length + answer.length + del.length;
}

// ── figures ───────────────────────────────────────────────────────────────

interface Sample { kind: Kind; ms: number; floorMs?: number; bytes?: number }
interface Figures { n: number; p50: number; p90: number; p99: number; max: number; min: number; mean: number }

function figures(values: number[]): Figures | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  const r = (n: number) => Math.round(n * 100) / 100;
  return {
    n: s.length, p50: r(at(0.5)), p90: r(at(0.9)), p99: r(at(0.99)), max: r(s.at(-1)!), min: r(s[0]!),
    mean: r(s.reduce((a, b) => a + b, 0) / s.length),
  };
}
const f1 = (n: number | undefined) => (n === undefined ? '—' : n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(1)} ms`);
const row = (name: string, f: Figures | undefined) =>
  `  ${name.padEnd(34)} ${f ? `n=${String(f.n).padStart(3)}  p50 ${f1(f.p50).padStart(9)}  p90 ${f1(f.p90).padStart(9)}  ` +
    `p99 ${f1(f.p99).padStart(9)}  max ${f1(f.max).padStart(9)}` : 'not measured'}`;

// ── getsms ────────────────────────────────────────────────────────────────

const agent = new Agent({ keepAlive: true, maxSockets: 4 });
function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

interface Pair { key: string; code: string; service: ServiceDef }

/** Every (account, service code) the two dialects can order, for services a GSM-7 sender names and whose code is "any 4–8 digits". */
function orderable(gw: ServerReady): Pair[] {
  const pairs: Pair[] = [];
  const seen = new Set<string>();
  for (const dialect of ['getsms', 'smsActivate'] as Dialect[]) {
    const account = gw.accounts.find((a) => a.dialect === dialect);
    if (!account) continue;
    for (const s of servicesOf(dialect)) {
      if (seen.has(s.id) || !s.rule.match || s.rule.code) continue;
      if (!/^[A-Za-z0-9 .-]{1,11}$/.test(s.sample.from) || !new RegExp(s.rule.match, 'i').test(s.sample.from)) continue;
      seen.add(s.id);
      pairs.push({ key: account.key, code: serviceCode(dialect, s)!, service: s });
    }
  }
  return pairs;
}

async function getsmsRound(gw: ServerReady, sim: Simulator, count: number) {
  const api = (q: string) => get(`${gw.url}/stubs/handler_api.php?${q}`);
  const pairs = orderable(gw);
  // Online = getNumbersStatus counts both SIMs for the first service.
  const first = pairs[0]!;
  const until = Date.now() + 90_000;
  for (;;) {
    const counts = JSON.parse(await api(`api_key=${first.key}&action=getNumbersStatus&country=any`)) as Record<string, number>;
    if ((counts[`${first.code}_0`] ?? 0) >= 2) break;
    if (Date.now() > until) throw new Error(`getsms: SIMs not online after 90 s (${JSON.stringify(counts).slice(0, 200)})`);
    await sleep(200);
  }
  const out: Sample[] = [];
  let i = 0;
  const want = count + 1; // the first is a warm-up
  // Each (SIM, service) is sold once after a code arrives, so each order takes the next pair; two SIMs each take all.
  const queue = [...pairs, ...pairs, ...pairs];
  while (out.length < want) {
    const pair = queue.shift();
    if (!pair) throw new Error(`getsms: ran out of (SIM, service) pairs after ${out.length} SMS; lower BENCH_SMS`);
    const got = await api(`api_key=${pair.key}&action=getNumber&service=${pair.code}&country=any`);
    const m = /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(got);
    if (!m) continue; // NO_NUMBERS: both SIMs already used for this service
    const [, id, phone] = m;
    const kind = kinds[i % kinds.length]!;
    const text = textOf(kind, i++, pair.service.sample.from);
    const statusUrl = `${gw.url}/stubs/handler_api.php?api_key=${pair.key}&action=getStatus&id=${id}`;
    let t1 = 0;
    let stop = false;
    const poll = (async () => {
      const deadline = performance.now() + 30_000;
      while (!stop && performance.now() < deadline) {
        const sent = performance.now();
        const answer = await get(statusUrl);
        if (answer.startsWith('STATUS_OK')) return (t1 = performance.now());
        const wait = sent + 1 - performance.now();
        if (wait > 0) await sleep(wait);
      }
      throw new Error(`getsms: no STATUS_OK for activation ${id} in 30 s`);
    })();
    await sleep(5); // the poll loop is running before the SMS exists
    const delivered = await sim.call<{ stored: number[]; parts: number }>('POST', '/sms', { to: phone, from: pair.service.sample.from, text });
    const t0 = performance.now();
    try {
      await poll;
    } finally {
      stop = true;
    }
    if (delivered.parts !== 1 || delivered.stored.length !== 1) throw new Error(`expected one stored part: ${JSON.stringify(delivered)}`);
    const pdu = deliverPdus({ from: pair.service.sample.from, text, timestamp: new Date() })[0]!;
    const bytes = wireBytes(pdu, delivered.stored[0]!);
    out.push({ kind, ms: t1 - t0, bytes, floorMs: bytes * byteMs });
    const done = await api(`api_key=${pair.key}&action=setStatus&status=6&id=${id}`);
    if (!/^ACCESS_ACTIVATION|^ACCESS_/.test(done)) throw new Error(`setStatus 6: ${done}`);
    // The modem's copy goes after the store; wait for an empty SIM so the next SMS lands at index 1 again.
    const end = Date.now() + 10_000;
    while ((await sim.call<unknown[]>('GET', `/sims/${phone}/storage`)).length > 0) {
      if (Date.now() > end) throw new Error(`SIM ${phone} storage not emptied`);
      await sleep(2);
    }
  }
  return out.slice(1);
}

// ── a bare reader: the same exchange with nothing behind it ──────────────

/**
 * The reference for "what the simulator, the PTY and serialport cost beyond the wire": on its own channel, a
 * loop that waits for `+CMTI`, sends AT+CMGL=4, waits for OK, sends AT+CMGD=i, waits for OK. No decode,
 * no store, no actor. T1 = the CMGL answer's OK (when getsms could first have stored the SMS) and the CMGD OK.
 */
async function bareRound(sim: Simulator, device: string, phone: string, count: number) {
  const port = await openPort(device, baud);
  let buf = '';
  let waiter: { re: RegExp; done: (m: RegExpExecArray) => void } | undefined;
  const check = () => {
    const m = waiter?.re.exec(buf);
    if (!m || !waiter) return;
    buf = buf.slice(m.index + m[0].length);
    const w = waiter;
    waiter = undefined;
    w.done(m);
  };
  port.on('data', (c: Buffer) => {
    buf += c.toString('latin1');
    check();
  });
  const expect = (re: RegExp, ms = 10_000) => new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bare reader: no ${re} in ${ms} ms (got ${JSON.stringify(buf.slice(-200))})`)), ms);
    waiter = { re, done: (m) => (clearTimeout(timer), resolve(m)) };
    check();
  });
  const cmd = async (line: string) => {
    port.write(`${line}\r`);
    return expect(/\r\n(OK|ERROR|\+CM[ES] ERROR: \d+)\r\n/);
  };
  const out: { kind: Kind; ms: number; toListOkMs: number; floorMs: number }[] = [];
  try {
    for (const c of ['ATE0', 'AT+CMEE=1', 'AT+CMGF=0', 'AT+CNMI=2,1,0,0,0']) await cmd(c);
    await sleep(300); // the SIM's busy time after start-up
    buf = '';
    for (let i = 0; i <= count; i++) {
      const kind = kinds[i % kinds.length]!;
      const text = textOf(kind, i, 'Telegram');
      const urc = expect(/\+CMTI: "SM",(\d+)\r\n/);
      await sim.call('POST', '/sms', { to: phone, from: 'Telegram', text });
      const t0 = performance.now();
      const index = Number((await urc)[1]);
      const list = await cmd('AT+CMGL=4');
      const tList = performance.now();
      if (list[1] !== 'OK') throw new Error(`bare reader: AT+CMGL=4 → ${list[1]}`);
      await cmd(`AT+CMGD=${index}`);
      const t1 = performance.now();
      const pdu = deliverPdus({ from: 'Telegram', text, timestamp: new Date() })[0]!;
      if (i > 0) out.push({ kind, ms: t1 - t0, toListOkMs: tList - t0, floorMs: wireBytes(pdu, index) * byteMs });
    }
  } finally {
    await closePort(port);
  }
  return out;
}

// ── gammu-smsd and smsd ───────────────────────────────────────────────────

async function daemonRound(
  name: string, sim: Simulator, phone: string, inbox: string, count: number, proc: ChildProcess, log: string[], jitterMs: number,
): Promise<Sample[]> {
  const files = () => readdirSync(inbox).length;
  const storage = () => sim.call<unknown[]>('GET', `/sims/${phone}/storage`);
  const out: Sample[] = [];
  for (let i = 0; i <= count; i++) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`${name} exited:\n${log.join('').slice(-2_000)}`);
    const kind = kinds[i % kinds.length]!;
    const text = textOf(kind, i, 'Telegram');
    const before = files();
    if (i > 0) await sleep(Math.random() * jitterMs); // sample every phase of the daemon's poll
    await sim.call('POST', '/sms', { to: phone, from: 'Telegram', text });
    const t0 = performance.now();
    const deadline = t0 + (i === 0 ? 120_000 : 60_000); // the first waits for the daemon's start-up
    while (files() === before) {
      if (performance.now() > deadline) throw new Error(`${name}: no inbox file after ${Math.round(performance.now() - t0)} ms:\n${log.join('').slice(-2_000)}`);
      await sleep(5);
    }
    const t1 = performance.now();
    if (i > 0) out.push({ kind, ms: t1 - t0 }); // the first is a warm-up (the daemon may still be starting)
    const end = Date.now() + 30_000;
    while ((await storage()).length > 0) {
      if (Date.now() > end) throw new Error(`${name}: SIM storage not emptied`);
      await sleep(20);
    }
  }
  return out;
}

function gammuSmsd(dir: string, device: string, log: string[]) {
  const spool = Object.fromEntries(['inbox', 'outbox', 'sent', 'error'].map((d) => [d, join(dir, d) + '/']));
  for (const d of Object.values(spool)) mkdirSync(d, { recursive: true });
  const config = join(dir, 'smsdrc');
  writeFileSync(config, [
    '[gammu]', `device = ${device}`, 'connection = at',
    '[smsd]', 'service = files', `inboxpath = ${spool.inbox}`, `outboxpath = ${spool.outbox}`,
    `sentsmspath = ${spool.sent}`, `errorsmspath = ${spool.error}`, 'inboxformat = unicode',
    'receivefrequency = 1', 'loopsleep = 1', 'statusfrequency = 0', 'checkbattery = 0',
    `logfile = ${join(dir, 'gammu-smsd.log')}`, 'debuglevel = 1', '',
  ].join('\n'));
  return { proc: daemon('gammu-smsd', ['-c', config], log), inbox: spool.inbox! };
}

function smsd(dir: string, device: string, log: string[]) {
  const spool = Object.fromEntries(['incoming', 'outgoing', 'checked', 'failed', 'sent'].map((d) => [d, join(dir, d)]));
  for (const d of Object.values(spool)) mkdirSync(d, { recursive: true });
  const config = join(dir, 'smsd.conf');
  writeFileSync(config, [
    'devices = GSM1', ...Object.entries(spool).map(([k, v]) => `${k} = ${v}`),
    `logfile = ${join(dir, 'smsd.log')}`, `infofile = ${join(dir, 'smsd.working')}`, `pidfile = ${join(dir, 'smsd.pid')}`,
    'loglevel = 5', `delaytime = ${smsdDelaytime}`, 'decode_unicode_text = yes', 'incoming_utf8 = yes', '',
    '[GSM1]', `device = ${device}`, 'incoming = yes', 'pin = ignore', 'memory_start = 1', `baudrate = ${baud}`, '',
  ].join('\n'));
  return { proc: daemon('smsd', ['-t', '-c', config], log), inbox: spool.incoming! };
}

// ── main ──────────────────────────────────────────────────────────────────

let cleaning: Promise<void> | undefined;
const cleanUp = () => (cleaning ??= (async () => {
  agent.destroy();
  await stopAll();
  await Promise.all([...spawned].map((c) => stopProcess(c)));
  rmSync(work, { recursive: true, force: true });
})());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}, stopping the children`);
    void cleanUp().finally(() => process.exit(130));
  });
}

async function main() {
  say(`getsms SMS ingest bench — ${availableParallelism()} core(s) (${cpus()[0]?.model.trim() ?? 'unknown cpu'}), node ${process.version}`);
  say(`  AT simulator at ${baud} baud 8N1 (paced, ${(byteMs * 1000).toFixed(1)} µs/byte), 5 channels × 1 slot: 2 for getsms,`);
  say('  1 for gammu-smsd, 1 for smsd, 1 for a bare reader (the exchange alone, nothing behind it);');
  say('  T0 = POST /sms returned (SMS on the SIM, +CMTI queued on the wire)');
  say();
  const sim = await startSimulator(5);
  const channels = await sim.call<{ path: string; slots: { sim: { phone: string } | null }[] }[]>('GET', '/channels');
  const phoneOf = (c: number) => channels[c]!.slots[0]!.sim!.phone;
  const gw = await startChild<ServerReady>('getsms', new URL('./server.ts', import.meta.url), {
    DATA_DIR: join(work, 'data'), MODEM_PORTS: sim.ports.slice(0, 2).join(','), BENCH_ACCOUNTS: '2',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  say(`getsms ${gw.ready.url} (pid ${gw.pid}) on ${sim.ports.slice(0, 2).join(', ')}`);

  const t = Date.now();
  const getsms = await getsmsRound(gw.ready, sim, samples);
  say(`  getsms: ${getsms.length} SMS in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  await gw.stop();

  const bare = await bareRound(sim, sim.ports[4]!, phoneOf(4), samples);

  let gammu: Sample[] = [];
  if (!skip.has('gammu')) {
    const log: string[] = [];
    const dir = join(work, 'gammu');
    mkdirSync(dir);
    const d = gammuSmsd(dir, sim.ports[2]!, log);
    const t2 = Date.now();
    gammu = await daemonRound('gammu-smsd', sim, phoneOf(2), d.inbox, samples, d.proc, log, 1_000);
    say(`  gammu-smsd: ${gammu.length} SMS in ${((Date.now() - t2) / 1000).toFixed(1)} s`);
    await stopProcess(d.proc);
  }
  let smsdOut: Sample[] = [];
  if (!skip.has('smsd')) {
    const log: string[] = [];
    const dir = join(work, 'smsd');
    mkdirSync(dir);
    const d = smsd(dir, sim.ports[3]!, log);
    const t3 = Date.now();
    smsdOut = await daemonRound('smsd', sim, phoneOf(3), d.inbox, Math.min(samples, smsdSamples), d.proc, log, smsdDelaytime * 1_000);
    say(`  smsd: ${smsdOut.length} SMS in ${((Date.now() - t3) / 1000).toFixed(1)} s`);
    await stopProcess(d.proc);
  }
  say();

  const g = figures(getsms.map((s) => s.ms));
  const floorOf = (k?: Kind) => figures(getsms.filter((s) => !k || s.kind === k).map((s) => s.floorMs!));
  const overFloor = figures(getsms.map((s) => s.ms - s.floorMs!));
  say('SMS ingest latency, T0 (POST /sms returned) → T1');
  say(row('getsms, getStatus STATUS_OK', g));
  for (const k of kinds) {
    const fl = floorOf(k);
    say(row(`  ${k}`, figures(getsms.filter((s) => s.kind === k).map((s) => s.ms))) +
      (fl ? `   wire floor ${fl.min.toFixed(1)}–${fl.max.toFixed(1)} ms` : ''));
  }
  say(row('  getsms minus its wire floor', overFloor));
  say(row('bare reader, to AT+CMGL=4 OK', figures(bare.map((s) => s.toListOkMs))));
  say(row('bare reader, to AT+CMGD OK', figures(bare.map((s) => s.ms))));
  say(row('  bare reader minus its wire floor', figures(bare.map((s) => s.ms - s.floorMs))));
  say(row('gammu-smsd (ReceiveFrequency=1)', figures(gammu.map((s) => s.ms))));
  say(row(`smsd (delaytime=${smsdDelaytime})`, figures(smsdOut.map((s) => s.ms))));
  say();
  say('Wire floor of getsms\'s exchange at 115200 8N1 (+CMTI, AT+CMGL=4 + answer with the PDU, AT+CMGD + OK):');
  for (const k of kinds) {
    const b = figures(getsms.filter((x) => x.kind === k).map((x) => x.bytes!));
    if (b) say(`  ${k.padEnd(12)} ${b.min}–${b.max} bytes = ${(b.min * byteMs).toFixed(1)}–${(b.max * byteMs).toFixed(1)} ms (sender names differ in length)`);
  }
  const maxFloor = floorOf()?.max ?? 0;
  const gammuP99 = figures(gammu.map((s) => s.ms))?.p99;
  const overP99 = overFloor?.p99 ?? Infinity;
  const metFloor = overP99 <= 20;
  const metGammu = gammuP99 === undefined ? undefined : (g?.p99 ?? Infinity) <= gammuP99;
  say();
  say(`targets: p99 of (latency − that SMS's wire floor) ${f1(overP99)} ≤ 20 ms: ${metFloor ? 'met' : 'NOT met'}` +
    ` (largest floor ${f1(maxFloor)});`);
  say(`         getsms p99 ${f1(g?.p99)} ≤ gammu-smsd p99 ${f1(gammuP99)}: ${metGammu === undefined ? 'not measured' : metGammu ? 'met' : 'NOT met'}`);

  if (wantJson) {
    say(JSON.stringify({
      baud, t0: 'POST /sms returned', samples: getsms.length,
      getsms: g, getsmsByKind: Object.fromEntries(kinds.map((k) => [k, figures(getsms.filter((s) => s.kind === k).map((s) => s.ms))])),
      wireFloorMs: Object.fromEntries(kinds.map((k) => [k, floorOf(k) && { min: floorOf(k)!.min, max: floorOf(k)!.max }])), getsmsOverFloor: overFloor,
      bareReader: {
        toListOk: figures(bare.map((s) => s.toListOkMs)), toDeleteOk: figures(bare.map((s) => s.ms)),
        overFloor: figures(bare.map((s) => s.ms - s.floorMs)),
      },
      gammuSmsd: figures(gammu.map((s) => s.ms)), smsd: figures(smsdOut.map((s) => s.ms)), smsdDelaytime,
      targets: { overFloorP99Max: 20, metFloor, metGammu: metGammu ?? null },
    }));
  }
  return true;
}

await runBench(main, cleanUp);
