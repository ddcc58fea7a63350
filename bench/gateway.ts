import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, stopAll } from './child.ts';
import { orderPhase, type OrderFigures } from './orders.ts';
import type { ServerReady } from './server.ts';
import { statusPhase, type StatusFigures } from './status.ts';
import { cpuPerRequest, type Run } from './load.ts';
import { checkStore, type StoreCheck } from './verify.ts';
import { envNumber, runBench } from './settings.ts';

/**
 * `npm run bench`: the gateway's two figures from the issue.
 *  1. getStatus req/s on a live activation beside a Koa route answering a constant word (target ≥ 0.8×),
 *     and beside bare Koa without a router (stricter).
 *  2. getNumber orders/s from 100 clients on SQLite, then the store checked for double allocations
 *     and the ledger against balances (target ≥ 2,000 orders/s, no double allocation).
 * The servers run as child processes; autocannon drives them from this process over 127.0.0.1.
 *
 * BENCH_SECONDS (10) per server per phase, BENCH_WARMUP_SECONDS (2), BENCH_CONNECTIONS (50, getStatus),
 * BENCH_ORDER_CONNECTIONS (100), BENCH_SIM_MODEMS (1024) × BENCH_SIM_SLOTS (8), BENCH_ACCOUNTS (8),
 * BENCH_ONLY=status|orders runs one phase, BENCH_CPU_PROF=<dir> writes the getsms server's CPU profile there
 * (node --cpu-prof), BENCH_JSON=1 prints a final JSON line.
 */
const num = (name: string, fallback: number) => envNumber(name, fallback, false);
const seconds = num('BENCH_SECONDS', 10);
const warmupSeconds = process.env.BENCH_WARMUP_SECONDS === '0' ? 0 : num('BENCH_WARMUP_SECONDS', 2);
const statusConnections = num('BENCH_CONNECTIONS', 50);
const orderConnections = num('BENCH_ORDER_CONNECTIONS', 100);
const simModems = num('BENCH_SIM_MODEMS', 1024);
const simSlots = num('BENCH_SIM_SLOTS', 8);
const accounts = num('BENCH_ACCOUNTS', 8);
const wantJson = process.env.BENCH_JSON === '1';
const only = process.env.BENCH_ONLY?.trim() || undefined;
if (only !== undefined && only !== 'status' && only !== 'orders') throw new Error('BENCH_ONLY must be status or orders');
const profileDir = process.env.BENCH_CPU_PROF?.trim() || undefined;

const dataDir = mkdtempSync(join(tmpdir(), 'getsms-bench-'));
const cleanUp = async () => {
  await stopAll();
  rmSync(dataDir, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}, stopping the servers`);
    void cleanUp().finally(() => process.exit(130));
  });
}

const say = (line = '') => console.log(line);
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function main() {
  const cores = availableParallelism();
  say(`getsms gateway bench — ${cores} core(s) (${cpus()[0]?.model.trim() ?? 'unknown cpu'}), node ${process.version}`);
  say(`  load generator (autocannon, this process) and the server under test share these ${cores} cores,`);
  say('  so every figure is lower than it would be with a separate load machine.');
  say(`  ${seconds} s per server per phase, ${warmupSeconds} s warm-up; data in ${dataDir}`);
  const loadBefore = loadavg()[0]!;
  if (loadBefore > 0.5) {
    say(`  load average ${loadBefore.toFixed(1)} before the run: other processes compete for the cores, figures will be low;`);
    say('  server CPU µs per request (from /proc) is printed too: it suffers less from them than req/s.');
  }
  say();

  const [gw, route, bare] = await Promise.all([
    startChild<ServerReady>('getsms', new URL('./server.ts', import.meta.url), {
      DATA_DIR: dataDir, SIM_MODEMS: String(simModems), SIM_SLOTS: String(simSlots), BENCH_ACCOUNTS: String(accounts),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    }, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    startChild<{ url: string }>('koa-route', new URL('./bare-koa.ts', import.meta.url), { BARE_ROUTER: '1' }),
    startChild<{ url: string }>('bare-koa', new URL('./bare-koa.ts', import.meta.url), {}),
  ]);
  say(`getsms   ${gw.ready.url} (pid ${gw.pid}, ${int(gw.ready.sims)} simulated SIMs, ${gw.ready.accounts.length} accounts)`);
  say(`Koa + @koa/router route ${route.ready.url} (pid ${route.pid}); bare Koa, no router ${bare.ready.url} (pid ${bare.pid})`);
  say();

  let status: StatusFigures | undefined;
  if (only !== 'orders') {
    status = await statusPhase(gw.ready, [
      { name: routeBaseline, url: route.ready.url, pid: route.pid },
      { name: 'bare Koa, no router', url: bare.ready.url, pid: bare.pid },
    ], { connections: statusConnections, seconds, warmupSeconds });
    printStatus(status);
  }
  await Promise.all([route.stop(), bare.stop()]);

  const orders = only === 'status' ? undefined : await orderPhase(gw.ready, { connections: orderConnections, seconds });
  await gw.stop(); // a clean stop: every snapshot written, the WAL checkpointed
  const check = checkStore(join(dataDir, 'getsms.sqlite'));
  if (orders) printOrders(orders, check);
  say(`load average ${loadavg()[0]!.toFixed(1)} at the end (it was ${loadBefore.toFixed(1)} before)`);
  if (profileDir) say(`CPU profile of the getsms server (pid ${gw.pid}) written to ${profileDir}`);

  const figures = {
    cores,
    seconds,
    getStatus: status && {
      connections: status.connections, getsmsRps: Math.round(status.getsms.rps), getsmsCpuUsPerRequest: cpuJson(status.getsms),
      baselines: status.baselines.map((b) => ({
        name: b.name, rps: Math.round(b.run.rps), cpuUsPerRequest: cpuJson(b.run), ratio: round(b.ratio, 3),
      })),
      target: 0.8, met: targetRatio(status) >= 0.8,
      errors: status.getsms.errors + status.getsms.non2xx + status.getsms.mismatches,
    },
    getNumber: orders && {
      connections: orders.connections, orders: orders.orders, ordersPerSecond: Math.round(orders.ordersPerSecond),
      requests: orders.run.requests, cpuUsPerRequest: cpuJson(orders.run), refusals: orders.refusals, target: 2000, met: orders.ordersPerSecond >= 2000,
      doubleAllocations: check.doubleAllocations, clientDoubles: orders.clientDoubles,
      activationsInStore: check.activations, ledgerCheck: check.ok ? 'ok' : 'failed',
    },
  };
  if (wantJson) say(JSON.stringify(figures));
  return check.ok && (orders?.clientDoubles ?? 0) === 0;
}

/** The baseline: "a bare Koa route that answers a constant string". */
const routeBaseline = 'Koa route';
const targetRatio = (s: StatusFigures) => s.baselines.find((b) => b.name === routeBaseline)!.ratio;

function printStatus(s: StatusFigures) {
  const row = (name: string, r: Run) =>
    `  ${name.padEnd(20)} ${int(r.rps).padStart(7)} req/s   p50 ${ms(r.latencyMs.p50)}  p99 ${ms(r.latencyMs.p99)}   ` +
    `server CPU ${cpuText(r)}\n` +
    `  ${''.padEnd(20)} (${int(r.requests)} requests in ${r.seconds.toFixed(1)} s; errors ${r.errors}, non-2xx ${r.non2xx}, wrong body ${r.mismatches})`;
  say(`1. getStatus on live activation ${s.activationId}, ${s.connections} connections, rounds B G G B`);
  for (const b of s.baselines) say(row(b.name, b.run));
  say(row('getsms', s.getsms));
  const g = cpuPerRequest(s.getsms);
  for (const b of s.baselines) {
    const c = cpuPerRequest(b.run);
    const byCpu = c && g ? `; by server CPU per request ${((c.user + c.system) / (g.user + g.system)).toFixed(2)} ×` : '';
    const target = b.name === routeBaseline ? `   (target ≥ 0.80: ${b.ratio >= 0.8 ? 'met' : 'NOT met'})` : '';
    say(`  ratio to ${b.name}: ${b.ratio.toFixed(2)} ×${byCpu}${target}`);
  }
  say();
}

function printOrders(o: OrderFigures, c: StoreCheck) {
  const refused = Object.entries(o.refusals).map(([w, n]) => `${w} ${int(n)}`).join(', ') || 'none';
  say(`2. getNumber, ${o.connections} clients, SQLite, rotating ${o.services} services × ${o.countries} countries + any`);
  say(`  orders        ${int(o.orders)} ACCESS_NUMBER in ${o.run.seconds.toFixed(1)} s of ${int(o.run.requests)} requests` +
    ` (p50 ${ms(o.run.latencyMs.p50)}, p99 ${ms(o.run.latencyMs.p99)})`);
  say(`  server CPU    ${cpuText(o.run)}`);
  say(`  orders/s      ${int(o.ordersPerSecond)}   (target ≥ 2,000: ${o.ordersPerSecond >= 2000 ? 'met' : 'NOT met'})`);
  say(`  other answers ${refused}; connection errors ${o.run.errors}, timeouts ${o.run.timeouts}`);
  say(`  double allocations ${c.doubleAllocations} in the store (${c.pairsSoldTwice} SIM×service pairs sold twice, ` +
    `${c.pairsLiveTwice} live twice), ${o.clientDoubles} seen by the clients`);
  say(`  activations in store ${int(c.activations)} (answers cut off at the end of the run are not counted above)`);
  const ch = c.charges;
  say(`  ledger check ${c.ok ? 'ok' : 'FAILED'}: ${c.ledgerMismatches.length} account(s) with balance ≠ Σ ledger; ` +
    `charges ${int(ch.ledgerCount)} = ${(ch.ledger / 100).toFixed(2)} ₽ vs paid activations ${int(ch.activationCount)} = ` +
    `${(ch.activations / 100).toFixed(2)} ₽; ${c.liveWithoutClaim} live activation(s) without their SIM claim`);
  for (const m of c.ledgerMismatches.slice(0, 5)) {
    say(`    account ${m.accountId}: balance ${m.balance}, Σ ledger ${m.ledgerSum}, last balance_after ${m.lastBalanceAfter}`);
  }
  say();
}

function cpuText(r: Run): string {
  const c = cpuPerRequest(r);
  return c ? `${Math.round(c.user + c.system)} µs/request (user ${Math.round(c.user)} + system ${Math.round(c.system)})` : 'not measured';
}
function cpuJson(r: Run) {
  const c = cpuPerRequest(r);
  return c && { user: Math.round(c.user), system: Math.round(c.system) };
}
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

await runBench(main, cleanUp);
