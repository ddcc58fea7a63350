import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signalGroup, startChild, stopAll } from './child.ts';
import type { ServerReady } from './server.ts';
import { envNumber, runBench } from './settings.ts';

/**
 * `npm run bench:scale`: the "Scale" target of issue 3 — a farm of BENCH_CHANNELS (256) simulated channels ×
 * BENCH_SLOTS (4) slots, the AT simulator in its own process, getsms as another with MODEM_PORTS = every PTY.
 * Measures the time until every channel is `ready`, then the getsms server process while idle for
 * BENCH_IDLE_SECONDS (60; the channels sweep every 30 s, so two sweep rounds fall inside): CPU as % of one core
 * from /proc/<pid>/stat utime+stime deltas, RSS from /proc/<pid>/status VmRSS (start, max, end, sampled every
 * second). The simulator process (and its socat children) are measured too, for reference.
 * Targets: getsms idle < 10 % of one core and < 300 MB RSS. BENCH_JSON=1 prints a final JSON line.
 * BENCH_CPU_PROF=1 runs getsms under --cpu-prof (profile written under scratch/cpu-prof/ on exit).
 *
 * getsms gets a MODEM_CONFIG giving every port SLOTS slots, so each channel scans its other slots at start:
 * every simulated SIM is known (CHANNELS × SLOTS), the active slot's is on sale (CHANNELS).
 */
const num = envNumber;
const channels = num('BENCH_CHANNELS', 256);
const slots = num('BENCH_SLOTS', 4);
const idleSeconds = num('BENCH_IDLE_SECONDS', 60);
const readyTimeoutS = num('BENCH_READY_TIMEOUT_SECONDS', 300);
const wantJson = process.env.BENCH_JSON === '1';
const cpuProf = process.env.BENCH_CPU_PROF === '1';
const targets = { idleCpuPercent: 10, rssMb: 300 };
const root = fileURLToPath(new URL('../', import.meta.url));

const work = mkdtempSync(join(tmpdir(), 'getsms-bench-scale-'));
const say = (line = '') => console.log(line);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

// ── /proc ─────────────────────────────────────────────────────────────────

/** utime + stime of `pid` in clock ticks, or undefined when it is gone. */
function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
    return Number(f[11]) + Number(f[12]);
  } catch {
    return undefined;
  }
}

/** VmRSS of `pid` in MB, or undefined when it is gone. */
function rssMb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The direct children of `pid` (the simulator's socat processes). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

interface Usage {
  cpuPercent: number;
  /** The busiest BENCH window (5 s) as % of one core. */
  cpuPercentMax5s: number;
  rssMb: { start: number; max: number; end: number };
}

/** Samples `pids()` (CPU summed, RSS summed) every second for `seconds`. */
async function measure(pids: () => number[], seconds: number): Promise<Usage> {
  const ticks = () => pids().reduce((s, p) => s + (cpuTicks(p) ?? 0), 0);
  const rss = () => pids().reduce((s, p) => s + (rssMb(p) ?? 0), 0);
  const t0 = performance.now();
  const c0 = ticks();
  const rss0 = rss();
  let rssMax = rss0;
  let rssEnd = rss0;
  const points: { t: number; c: number }[] = [{ t: t0, c: c0 }];
  for (let i = 1; i <= seconds; i++) {
    await sleep(t0 + i * 1000 - performance.now());
    const r = rss();
    rssMax = Math.max(rssMax, r);
    rssEnd = r;
    points.push({ t: performance.now(), c: ticks() });
  }
  const pct = (a: { t: number; c: number }, b: { t: number; c: number }) =>
    ((b.c - a.c) / clockTicks) / ((b.t - a.t) / 1000) * 100;
  let max5 = 0;
  for (let i = 5; i < points.length; i++) max5 = Math.max(max5, pct(points[i - 5]!, points[i]!));
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    cpuPercent: round(pct(points[0]!, points.at(-1)!)),
    cpuPercentMax5s: round(points.length > 5 ? max5 : pct(points[0]!, points.at(-1)!)),
    rssMb: { start: round(rss0), max: round(rssMax), end: round(rssEnd) },
  };
}

// ── the simulator ─────────────────────────────────────────────────────────

interface Simulator {
  proc: ChildProcess;
  ports: string[];
}

let simulator: ChildProcess | undefined;

/** The AT simulator in its own process group (it runs a socat per channel), PTY links under `work`. */
function startSimulator(): Promise<Simulator> {
  const dir = join(work, 'farm');
  mkdirSync(dir);
  let out = '';
  const proc = spawn(process.execPath, [
    '--import', 'tsx', 'modems/simulator/at/main.ts', '--channels', String(channels), '--slots', String(slots), '--dir', dir,
  ], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  simulator = proc;
  const keep = (c: Buffer) => {
    out += c.toString();
    if (out.length > 20_000) out = out.slice(-20_000);
  };
  proc.stderr!.on('data', keep);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start in 120 s:\n${out.slice(-2_000)}`)), 120_000);
    const onData = (c: Buffer) => {
      keep(c);
      const ports = /MODEM_PORTS=(\S+)/.exec(out)?.[1];
      if (!/control http:\/\/\S+/.test(out) || !ports) return;
      clearTimeout(timer);
      proc.stdout!.off('data', onData);
      proc.stdout!.resume();
      resolve({ proc, ports: ports.split(',') });
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited with ${code}:\n${out.slice(-2_000)}`));
    });
  });
}

async function stopSimulator(): Promise<void> {
  const child = simulator;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const group = (signal: NodeJS.Signals) => signalGroup(child, signal);
  child.kill('SIGTERM'); // the simulator ends its socats itself…
  const killer = setTimeout(() => group('SIGKILL'), 15_000); // …or the whole group goes
  await exited;
  clearTimeout(killer);
  group('SIGKILL'); // any socat left behind
}

// ── getsms ────────────────────────────────────────────────────────────────

interface ChannelView { channel: string; state: string; sim: { phone: string } | null; lastError: string | null }

async function channelStates(gw: ServerReady): Promise<ChannelView[]> {
  const res = await fetch(`${gw.url}/api/channels`, { headers: { authorization: `Bearer ${gw.operatorKey}` } });
  if (!res.ok) throw new Error(`GET /api/channels: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { channels: ChannelView[] }).channels;
}

function tally(list: ChannelView[]): string {
  const by = new Map<string, number>();
  for (const c of list) by.set(c.state, (by.get(c.state) ?? 0) + 1);
  return [...by].map(([s, n]) => `${s} ${n}`).join(', ');
}

// ── main ──────────────────────────────────────────────────────────────────

let cleaning: Promise<void> | undefined;
const cleanUp = () => (cleaning ??= (async () => {
  await stopAll();
  await stopSimulator();
  rmSync(work, { recursive: true, force: true });
})());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}, stopping the children`);
    void cleanUp().finally(() => process.exit(130));
  });
}

const mb = (n: number) => `${n.toFixed(1)} MB`;

async function main() {
  say(`getsms scale bench — ${availableParallelism()} core(s) (${cpus()[0]?.model.trim() ?? 'unknown cpu'}), node ${process.version}`);
  say(`  AT simulator (own process, a socat PTY pair per channel): ${channels} channels × ${slots} slots`);
  say(`  MODEM_CONFIG gives every port ${slots} slots: each channel scans them at start; the active slot's SIM is on sale.`);
  say();
  const tSim = performance.now();
  const sim = await startSimulator();
  say(`simulator pid ${sim.proc.pid}: ${sim.ports.length} ports in ${((performance.now() - tSim) / 1000).toFixed(1)} s`);

  const t0 = performance.now();
  const modemConfig = join(work, 'modems.json');
  writeFileSync(modemConfig, JSON.stringify(Object.fromEntries(sim.ports.map((p) => [p, { slots, slotDialect: 'csus' }]))));
  const gw = await startChild<ServerReady>('getsms', new URL('./server.ts', import.meta.url), {
    DATA_DIR: join(work, 'data'), MODEM_PORTS: sim.ports.join(','), MODEM_CONFIG: modemConfig,
    RATE_LIMIT_RPS: '0', BENCH_ACCOUNTS: '1', BENCH_OPERATOR: '1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  }, cpuProf ? ['--cpu-prof', '--cpu-prof-dir', join(root, 'scratch', 'cpu-prof')] : []);
  const tListening = performance.now();
  say(`getsms pid ${gw.pid} listening on ${gw.ready.url} after ${((tListening - t0) / 1000).toFixed(1)} s`);

  let list: ChannelView[] = [];
  let lastSay = 0;
  const deadline = t0 + readyTimeoutS * 1000;
  for (;;) {
    list = await channelStates(gw.ready);
    const ready = list.filter((c) => c.state === 'ready' && c.sim).length;
    if (list.length === channels && ready === channels) break;
    if (performance.now() > deadline) {
      const bad = list.filter((c) => c.state !== 'ready').slice(0, 5).map((c) => `${c.channel}: ${c.state} ${c.lastError ?? ''}`);
      throw new Error(`not every channel ready after ${readyTimeoutS} s (${tally(list)}):\n  ${bad.join('\n  ')}`);
    }
    if (performance.now() - lastSay > 5_000) {
      lastSay = performance.now();
      say(`  ${((lastSay - t0) / 1000).toFixed(0).padStart(4)} s: ${ready}/${channels} ready (${tally(list)})`);
    }
    await sleep(250);
  }
  const tAllReady = performance.now();
  const allReadyS = (tAllReady - t0) / 1000;
  const afterListenS = (tAllReady - tListening) / 1000;
  const online = new Set(list.map((c) => c.sim?.phone)).size;
  const simsRes = await fetch(`${gw.ready.url}/api/sims`, { headers: { authorization: `Bearer ${gw.ready.operatorKey}` } });
  const known = ((await simsRes.json()) as { sims: unknown[] }).sims.length;
  say(`all ${channels} channels ready ${allReadyS.toFixed(1)} s after spawn (${afterListenS.toFixed(1)} s after listening); ${online} SIMs online`);
  say(`measuring ${idleSeconds} s idle (channels sweep every 30 s; no API calls meanwhile)…`);

  const simPids = () => [sim.proc.pid!, ...childrenOf(sim.proc.pid!)];
  const socats = childrenOf(sim.proc.pid!).length;
  const [server, simNode, simAll] = await Promise.all([
    measure(() => [gw.pid], idleSeconds),
    measure(() => [sim.proc.pid!], idleSeconds),
    measure(simPids, idleSeconds),
  ]);
  // Still all ready at the end?
  const after = await channelStates(gw.ready);
  const stillReady = after.filter((c) => c.state === 'ready').length;

  const cpuMet = server.cpuPercent < targets.idleCpuPercent;
  const rssMet = server.rssMb.max < targets.rssMb;
  say();
  say(`getsms server process (pid ${gw.pid}), idle ${idleSeconds} s with ${channels} channels ready:`);
  say(`  CPU  ${server.cpuPercent.toFixed(1)} % of one core (busiest 5 s: ${server.cpuPercentMax5s.toFixed(1)} %)   ` +
    `target < ${targets.idleCpuPercent} %: ${cpuMet ? 'met' : 'NOT met'}`);
  say(`  RSS  start ${mb(server.rssMb.start)}, max ${mb(server.rssMb.max)}, end ${mb(server.rssMb.end)}   ` +
    `target < ${targets.rssMb} MB: ${rssMet ? 'met' : 'NOT met'}`);
  say(`  time to all ${channels} channels ready: ${allReadyS.toFixed(1)} s from spawn (${afterListenS.toFixed(1)} s after listening)`);
  say(`  channels still ready at the end: ${stillReady}/${channels}`);
  say(`simulator (reference; pid ${sim.proc.pid}, plus ${socats} socat children):`);
  say(`  node process  CPU ${simNode.cpuPercent.toFixed(1)} % (busiest 5 s ${simNode.cpuPercentMax5s.toFixed(1)} %), ` +
    `RSS start ${mb(simNode.rssMb.start)}, max ${mb(simNode.rssMb.max)}, end ${mb(simNode.rssMb.end)}`);
  say(`  with socats   CPU ${simAll.cpuPercent.toFixed(1)} %, RSS max ${mb(simAll.rssMb.max)} (shared pages counted per process)`);
  say(`  SIMs known ${known} of ${channels * slots} simulated; on sale (active slots) ${online}`);

  if (wantJson) {
    say(JSON.stringify({
      channels, slots, simsOnline: online, simsKnown: known, idleSeconds,
      timeToAllReadyS: Math.round(allReadyS * 10) / 10, timeToAllReadyAfterListenS: Math.round(afterListenS * 10) / 10,
      getsms: server, stillReady, simulator: simNode, simulatorWithSocat: simAll,
      targets: { ...targets, cpuMet, rssMet },
    }));
  }
  return stillReady === channels;
}

await runBench(main, cleanUp);
