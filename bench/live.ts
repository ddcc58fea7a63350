import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChild, stopAll } from './child.ts';
import type { ServerReady } from './server.ts';
import { envNumber, runBench } from './settings.ts';

/**
 * `npm run bench:live`: BENCH_SUBSCRIBERS (10,000) WebSocket subscribers on
 * 127.0.0.1, spread over BENCH_CLIENT_PROCESSES (4) processes, all listening
 * to one account's events; getsms runs as its own process. Each of
 * BENCH_ROUNDS (3) rounds orders a number and texts it once: the one
 * `sms.received` event is fanned out to every subscriber. Latency runs from
 * just before the SMS is handed to the server (POST /api/simulator/sms) to the
 * moment each subscriber's process received the event (wall clock, shared by
 * the processes). Memory: the server's VmRSS before the connections and
 * after they are all open and idle, divided by their number.
 * A baseline follows (BENCH_BASELINE=0 skips it): the same clients fed by a bare `ws` server
 * broadcasting with ws.send, no getsms around it (bench/bare-ws.ts).
 * Targets: p99 ≤ 200 ms; ≤ 10 KB per idle connection. BENCH_JSON=1 prints a final JSON line.
 */
const subscribers = envNumber('BENCH_SUBSCRIBERS', 10_000);
const processes = envNumber('BENCH_CLIENT_PROCESSES', 4);
const rounds = envNumber('BENCH_ROUNDS', 3);
const wantJson = process.env.BENCH_JSON === '1';
const targets = { p99Ms: 200, bytesPerConnection: 10 * 1024 };

const dataDir = mkdtempSync(join(tmpdir(), 'getsms-bench-live-'));
const clients: ChildProcess[] = [];
const cleanUp = async () => {
  for (const c of clients) if (c.connected) c.disconnect();
  await stopAll();
  rmSync(dataDir, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
}

const say = (line = '') => console.log(line);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();

/** VmRSS of `pid` in bytes. */
function rss(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** utime + stime of `pid`, in ms (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

/** Waits for the next IPC message of `child` that `pick` accepts. */
function next<T>(child: ChildProcess, pick: (m: unknown) => m is T): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: unknown) => {
      if (!pick(m)) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m);
    };
    const onExit = (code: number | null) => reject(new Error(`a client process exited (${code})`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

interface Round {
  round: number;
  received: number;
  p50: number;
  p99: number;
  max: number;
  serverCpuMs: number;
  load: number;
}

/** Forks the client processes, each opening its share of the connections to `wsUrl`; resolves once all are open. */
async function openClients(wsUrl: string): Promise<{ procs: ChildProcess[]; open: number; seconds: number }> {
  const start = now();
  const procs: ChildProcess[] = [];
  const per = Math.ceil(subscribers / processes);
  for (let i = 0; i < processes; i++) {
    const n = Math.min(per, subscribers - i * per);
    if (n <= 0) break;
    procs.push(fork(fileURLToPath(new URL('./live-clients.ts', import.meta.url)), [], {
      execArgv: ['--import', import.meta.resolve('tsx')],
      env: { ...process.env, LIVE_URL: wsUrl, LIVE_CLIENTS: String(n) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }));
  }
  clients.push(...procs);
  const opened = await Promise.all(procs.map((c) => next(c, (m): m is { open: number } => typeof (m as { open?: unknown }).open === 'number')));
  return { procs, open: opened.reduce((sum, m) => sum + m.open, 0), seconds: (now() - start) / 1000 };
}

async function closeClients(procs: ChildProcess[]) {
  await Promise.all(procs.map((c) => new Promise<void>((resolve) => {
    if (c.exitCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.disconnect();
  })));
}

/** BENCH_ROUNDS rounds: `trigger` makes one SMS event with its code and says when it started; every subscriber's receive time is collected. */
async function measure(
  name: string, procs: ChildProcess[], open: number, serverPid: number, trigger: (code: string) => Promise<number>, prepare: () => Promise<void>,
): Promise<Round[]> {
  const results: Round[] = [];
  for (let round = 1; round <= rounds; round++) {
    await prepare();
    const code = String(10000 + round * 1111 + Math.floor(Math.random() * 1000));
    const cpu0 = cpuMs(serverPid);
    const t0 = await trigger(code);
    const replies = await Promise.all(procs.map((c) => {
      const reply = next(c, (x): x is { round: number; times: number[] } => (x as { round?: unknown }).round === round);
      c.send({ round, code, timeoutMs: 30_000 });
      return reply;
    }));
    const serverCpuMs = cpuMs(serverPid) - cpu0;
    const latencies = replies.flatMap((r) => r.times.map((t) => t - t0)).sort((a, b) => a - b);
    const r: Round = {
      round, received: latencies.length, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), max: latencies.at(-1) ?? NaN,
      serverCpuMs, load: loadavg()[0]!,
    };
    results.push(r);
    say(`  ${name} round ${round}: ${r.received.toLocaleString('en-US')}/${open.toLocaleString('en-US')} received   p50 ${r.p50.toFixed(1)} ms   ` +
      `p99 ${r.p99.toFixed(1)} ms   max ${r.max.toFixed(1)} ms   server CPU ${serverCpuMs} ms   load ${r.load.toFixed(1)}`);
    await sleep(1000);
  }
  return results;
}

async function main() {
  say(`getsms live-channel bench — ${availableParallelism()} core(s) (${cpus()[0]?.model.trim() ?? 'unknown cpu'}), node ${process.version}`);
  say(`  ${subscribers.toLocaleString('en-US')} subscribers in ${processes} client processes, sharing the cores with the server; load ${loadavg()[0]!.toFixed(1)}`);
  const server = await startChild<ServerReady>('getsms', new URL('./server.ts', import.meta.url), {
    DATA_DIR: dataDir, SIM_MODEMS: '16', SIM_SLOTS: '1', BENCH_ACCOUNTS: '1', BENCH_OPERATOR: '1', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  const { url, operatorKey } = server.ready;
  const key = server.ready.accounts[0]!.key;
  await sleep(2000);
  const rssBefore = rss(server.pid);
  const { procs, open, seconds } = await openClients(`${url.replace(/^http/, 'ws')}/ws?api_key=${key}`);
  say(`  ${open.toLocaleString('en-US')} connections open in ${seconds.toFixed(1)} s`);
  await sleep(3000);
  const rssIdle = rss(server.pid);
  const perConnection = (rssIdle - rssBefore) / open;
  say(`  server RSS ${(rssBefore / 2 ** 20).toFixed(0)} MB before, ${(rssIdle / 2 ** 20).toFixed(0)} MB with every connection idle: ` +
    `${(perConnection / 1024).toFixed(1)} KB per idle connection (target ≤ ${targets.bytesPerConnection / 1024} KB: ${perConnection <= targets.bytesPerConnection ? 'met' : 'NOT met'})`);
  say();

  // getsms: each round orders a number (its opened and ready events reach everyone first), then texts it.
  const api = `${url}/stubs/handler_api.php?api_key=${key}`;
  let phone = '';
  const getsms = await measure('getsms', procs, open, server.pid, async (code) => {
    const t0 = now();
    const sent = await fetch(`${url}/api/simulator/sms`, {
      method: 'POST', headers: { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: phone, from: 'Telegram', text: `Telegram code: ${code}` }),
    });
    if (sent.status !== 202) throw new Error(`the SMS was refused: HTTP ${sent.status}`);
    return t0;
  }, async () => {
    const number = await (await fetch(`${api}&action=getNumber&service=tg&country=or`)).text();
    const m = /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(number);
    if (!m) throw new Error(`getNumber answered ${number}`);
    await fetch(`${api}&action=setStatus&id=${m[1]}&status=1`);
    phone = m[2]!;
    await sleep(1500);
  });
  await closeClients(procs);
  await server.stop();
  say();

  // The baseline: the same clients and the same fan-out from a bare ws server.
  let bare: Round[] = [];
  if (process.env.BENCH_BASELINE !== '0') {
    const baseline = await startChild<{ url: string; pid: number }>('bare-ws', new URL('./bare-ws.ts', import.meta.url), {});
    const b = await openClients(`${baseline.ready.url.replace(/^http/, 'ws')}/ws`);
    await sleep(2000);
    bare = await measure('bare ws', b.procs, b.open, baseline.pid, async (code) => {
      const t0 = now();
      await fetch(`${baseline.ready.url}/broadcast?code=${code}`, { method: 'POST' });
      return t0;
    }, async () => { await sleep(500); });
    await closeClients(b.procs);
    await baseline.stop();
    say();
  }

  const worst = (rs: Round[]) => Math.max(...rs.map((r) => r.p99));
  const median = (rs: Round[]) => [...rs.map((r) => r.p99)].sort((x, y) => x - y)[Math.floor(rs.length / 2)]!;
  const allReceived = getsms.every((r) => r.received === open);
  say(`getsms p99 delivery latency: median round ${median(getsms).toFixed(1)} ms, worst ${worst(getsms).toFixed(1)} ms ` +
    `(target ≤ ${targets.p99Ms} ms: ${worst(getsms) <= targets.p99Ms ? 'met' : median(getsms) <= targets.p99Ms ? 'met by the median round' : 'NOT met'}); ` +
    `every subscriber got every event: ${allReceived ? 'yes' : 'NO'}`);
  if (bare.length > 0) say(`bare ws broadcast p99, same clients: median round ${median(bare).toFixed(1)} ms, worst ${worst(bare).toFixed(1)} ms`);
  if (wantJson) {
    say(JSON.stringify({ subscribers: open, processes, rssBefore, rssIdle, bytesPerConnection: Math.round(perConnection), getsms, bare }));
  }
  return allReceived;
}

await runBench(main, cleanUp);
