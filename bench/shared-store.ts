import type autocannon from 'autocannon';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { stopAll } from './child.ts';
import { cannon, combine, cpuOf, cpuPerRequest, type Run } from './load.ts';
import { catalogueSize, newTally, orderRequest, type Ordered, type OrderTally } from './orders.ts';
import { envNumber, runBench } from './settings.ts';
import { ferretdbOutput, ferretdbPid, nameOf, removeAll, setups, sharedOf, startSetup, type Setup } from './shared-store/setup.ts';
import { newStatusTally, spread, statusRequest, type StatusTally } from './shared-store/status.ts';
import { verifyMongo, verifySqlite, type Verdict } from './shared-store/verify.ts';

/**
 * `npm run bench:shared`: getNumber orders/s and getStatus req/s on SQLite and on MongoDB (FerretDB 1.x here),
 * each with one server process and with two sharing the store, in one run. Two processes: A runs the in-memory
 * farm, B runs SIMULATOR=none and sells the SIMs A brought into the store; the load is split evenly between
 * them (half the connections each, requests taking turns from one rotation, as a round-robin balancer would)
 * and getStatus asks each process about activations both opened. Each set-up gets a fresh store (one FerretDB,
 * a new database each); after it the servers stop and the store is checked: no SIM sold twice for a service,
 * every balance = Σ ledger, charges = Σ prices.
 *
 * BENCH_SECONDS (10) per measurement, BENCH_WARMUP_SECONDS (2), BENCH_CONNECTIONS (50, getStatus),
 * BENCH_STATUS_ACTIVATIONS (64), BENCH_ACCOUNTS (8), BENCH_SIM_SLOTS (8); SQLite: BENCH_SIM_MODEMS (1024),
 * BENCH_ORDER_CONNECTIONS (100); FerretDB: BENCH_MONGO_SIM_MODEMS (128), BENCH_MONGO_ORDER_CONNECTIONS (4);
 * BENCH_MONGODB_URI measures that MongoDB (a new database per set-up, left behind) instead of starting FerretDB;
 * BENCH_ONLY=sqlite|mongo, BENCH_JSON=1 prints a final JSON line.
 */
const num = (name: string, fallback: number) => envNumber(name, fallback, false);
const seconds = num('BENCH_SECONDS', 10);
const warmupSeconds = process.env.BENCH_WARMUP_SECONDS === '0' ? 0 : num('BENCH_WARMUP_SECONDS', 2);
const statusConnections = envNumber('BENCH_CONNECTIONS', 50);
const statusActivations = envNumber('BENCH_STATUS_ACTIVATIONS', 64);
const accounts = envNumber('BENCH_ACCOUNTS', 8);
const simSlots = envNumber('BENCH_SIM_SLOTS', 8);
/**
 * Per store: SQLite sells thousands of orders a run, so its farm is the gateway bench's 8,192 SIMs. FerretDB scans
 * a collection for every query but an `_id` lookup, so its start-up and each order grow with the farm (1,024 SIMs
 * start in about 30 s, 8,192 not in 2 min) while it sells a few orders a second: a smaller farm suffices, and
 * more connections only queue (with 8, some orders already waited past autocannon's 10 s timeout).
 */
const perStore = {
  sqlite: { simModems: envNumber('BENCH_SIM_MODEMS', 1024), orderConnections: envNumber('BENCH_ORDER_CONNECTIONS', 100) },
  mongo: { simModems: envNumber('BENCH_MONGO_SIM_MODEMS', 128), orderConnections: envNumber('BENCH_MONGO_ORDER_CONNECTIONS', 4) },
};
const only = process.env.BENCH_ONLY?.trim() || undefined;
if (only !== undefined && only !== 'sqlite' && only !== 'mongo') throw new Error('BENCH_ONLY must be sqlite or mongo');
const wantJson = process.env.BENCH_JSON === '1';

const cleanUp = async () => {
  await stopAll();
  await removeAll();
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}, stopping the servers and FerretDB`);
    void cleanUp().finally(() => process.exit(130));
  });
}

const say = (line = '') => console.log(line);
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => `${n.toFixed(1)} ms`;
const rate = (n: number) => (n < 100 ? n.toFixed(1) : int(n)); // FerretDB's few orders a second keep their decimal

interface Server { url: string; pid: number }

interface Measured {
  setup: Setup;
  orders: { run: SplitRun; tally: OrderTally; warmOrders: number; warmDoubles: number; warmRefusals: Record<string, number> };
  status: { run: SplitRun; tally: StatusTally; asked: number[] };
  verdict: Verdict;
}

/** A run of every server at once, with the CPU seconds FerretDB spent meanwhile (when it runs). */
type SplitRun = Run & { dbCpu: number | undefined };

/** Runs `request(i)` against every server at once, `connections` split evenly; the runs as one. */
async function split(
  servers: Server[], connections: number, duration: number, request: (i: number) => autocannon.Request,
): Promise<SplitRun> {
  const each = Math.max(1, Math.round(connections / servers.length));
  const db = ferretdbPid();
  const dbCpu = () => {
    const c = db === undefined ? undefined : cpuOf(db);
    return c && c.user + c.system;
  };
  const before = dbCpu();
  const runs = await Promise.all(servers.map((s, i) => cannon({ url: s.url, connections: each, duration, requests: [request(i)] }, s.pid)));
  const after = dbCpu();
  const all = combine(runs); // sums seconds: these ran side by side
  const wall = Math.max(...runs.map((r) => r.seconds));
  return { ...all, seconds: wall, rps: all.requests / wall, dbCpu: before !== undefined && after !== undefined ? after - before : undefined };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits out requests the servers still work on after autocannon closed their connections: a server stopped
 * under them closes its store mid-order (on MongoDB an order is several writes), which is not what is measured.
 */
const drain = (r: Run) => sleep(Math.min(15_000, 1_000 + 2 * r.latencyMs.p99));

async function measure(setup: Setup): Promise<Measured> {
  const { simModems, orderConnections } = perStore[setup.store];
  const running = await startSetup(setup, { simModems, simSlots, accounts });
  const servers = running.servers.map((c) => ({ url: c.ready.url, pid: c.pid }));
  say(`${nameOf(setup)}: ${running.servers.map((c) => `${c.name} ${c.ready.url} (pid ${c.pid})`).join(', ')}`);
  const clients = running.servers[0]!.ready.accounts;

  // getNumber: one rotation of (account, service, country) over both processes; one `seen` across warm-up and run.
  const warm = newTally();
  if (warmupSeconds > 0) {
    const rotation = { next: 0 };
    await split(servers, orderConnections, warmupSeconds, () => orderRequest(clients, warm, rotation));
  }
  const tally = { ...newTally(), seen: warm.seen };
  const opened = servers.map((): Ordered[] => []);
  const rotation = { next: 0 };
  const orderRun = await split(servers, orderConnections, seconds, (i) => orderRequest(clients, tally, rotation, (o) => {
    if (opened[i]!.length < 100_000) opened[i]!.push(o);
  }));
  await drain(orderRun);

  // getStatus: activations opened by each process, every one asked of every process.
  const targets = spread(opened, statusActivations);
  if (targets.length === 0) throw new Error(`${nameOf(setup)}: no getNumber answered ACCESS_NUMBER, nothing to ask getStatus about`);
  const asked = opened.map((list) => targets.filter((t) => list.includes(t)).length);
  if (warmupSeconds > 0) {
    const turn = { next: 0 };
    await split(servers, statusConnections, warmupSeconds, () => statusRequest(targets, newStatusTally(), turn));
  }
  const statusTally = newStatusTally();
  const turn = { next: 0 };
  const statusRun = await split(servers, statusConnections, seconds, () => statusRequest(targets, statusTally, turn));
  await drain(statusRun);

  await Promise.all(running.servers.map((c) => c.stop())); // clean stops: every snapshot written
  const verdict = running.sqliteFile ? verifySqlite(running.sqliteFile) : await verifyMongo(running.mongoUri!);
  return {
    setup, orders: { run: orderRun, tally, warmOrders: warm.orders, warmDoubles: warm.clientDoubles, warmRefusals: warm.refusals }, status: { run: statusRun, tally: statusTally, asked }, verdict,
  };
}

const words = (counts: Record<string, number>) => Object.entries(counts).map(([w, n]) => `${w} ${int(n)}`).join(', ');
const count = (counts: Record<string, number>) => Object.values(counts).reduce((s, n) => s + n, 0);
/** Server CPU per request, and FerretDB's when it ran. */
const cpuText = (r: SplitRun) => {
  const c = cpuPerRequest(r);
  const servers = c ? `${int(c.user + c.system)} µs` : 'not measured';
  return r.dbCpu === undefined || r.requests === 0 ? servers : `${servers} + FerretDB ${int((r.dbCpu * 1e6) / r.requests)} µs`;
};

/** The verdict in a few words: "verified", or what disagrees. */
function verdictText(m: Measured): string {
  const v = m.verdict;
  const t = m.orders.tally;
  const problems = [
    ...(t.clientDoubles + m.orders.warmDoubles > 0
      ? [`${t.clientDoubles + m.orders.warmDoubles} (service, phone) handed out twice to clients`] : []),
    ...(v.doubleAllocations > 0 ? [`${v.doubleAllocations} double allocation(s) in the store`] : []),
    ...v.ledgerMismatches.slice(0, 3).map((x) => `account ${x.accountId}: balance ${x.balance} ≠ Σ ledger ${x.ledgerSum}`),
    ...(v.charges.ledger !== v.charges.activations ? [`charges ${v.charges.ledger} ≠ Σ prices ${v.charges.activations}`] : []),
    ...v.other,
  ];
  return problems.length === 0 && v.ok ? 'verified' : problems.join('; ') || 'store check failed';
}

function printDetails(m: Measured) {
  const o = m.orders;
  const other = count(o.tally.refusals) + o.run.errors;
  say(`  getNumber  ${int(o.tally.orders)} ACCESS_NUMBER in ${o.run.seconds.toFixed(1)} s = ${rate(o.tally.orders / o.run.seconds)} orders/s, ` +
    `p50 ${ms(o.run.latencyMs.p50)}, p99 ${ms(o.run.latencyMs.p99)}; server CPU ${cpuText(o.run)} per request`);
  say(`             other answers: ${other === 0 ? 'none' : `${words(o.tally.refusals) || '-'}; errors ${o.run.errors} (of them timeouts after 10 s: ${o.run.timeouts})`}` +
    (count(o.warmRefusals) > 0 ? `; in the warm-up: ${words(o.warmRefusals)}` : ''));
  const s = m.status;
  say(`  getStatus  ${int(s.run.rps)} req/s on ${s.asked.join(' + ')} activations opened by ${s.asked.length === 1 ? 'the process' : 'A + B'}` +
    `${s.asked.length > 1 ? ', each asked of both' : ''}; p50 ${ms(s.run.latencyMs.p50)}, p99 ${ms(s.run.latencyMs.p99)}; ` +
    `server CPU ${cpuText(s.run)} per request`);
  const wrong = count(s.tally.wrong) + s.run.errors;
  say(`             wrong answers: ${wrong === 0 ? 'none' : `${words(s.tally.wrong) || '-'}; errors ${s.run.errors} (of them timeouts after 10 s: ${s.run.timeouts})`}`);
  const v = m.verdict;
  say(`  check      ${int(o.tally.seen.size)} distinct (service, phone) among ${int(o.tally.orders + o.warmOrders)} ` +
    `ACCESS_NUMBER answers (warm-up included); ${int(v.activations)} activations in the store; ${verdictText(m)}`);
  say();
}

function printTable(all: Measured[], failed: { setup: Setup; error: string }[]) {
  say('| set-up | SHARED_STORE | getNumber clients | orders/s | p50 / p99 | not ACCESS_NUMBER | getStatus req/s | p50 / p99 | wrong answers | check |');
  say('|---|---|---|---|---|---|---|---|---|---|');
  for (const m of all) {
    const o = m.orders;
    const s = m.status;
    say(`| ${nameOf(m.setup)} | ${sharedOf(m.setup)} | ${perStore[m.setup.store].orderConnections} | **${rate(o.tally.orders / o.run.seconds)}** | ` +
      `${ms(o.run.latencyMs.p50)} / ${ms(o.run.latencyMs.p99)} | ${int(count(o.tally.refusals) + o.run.errors)} | ` +
      `**${int(s.run.rps)}** | ${ms(s.run.latencyMs.p50)} / ${ms(s.run.latencyMs.p99)} | ` +
      `${int(count(s.tally.wrong) + s.run.errors)} | ${verdictText(m)} |`);
  }
  for (const f of failed) say(`| ${nameOf(f.setup)} | ${sharedOf(f.setup)} | | FAILED: ${f.error.split('\n')[0]} | | | | | | |`);
}

async function main() {
  const cores = availableParallelism();
  const { services, countries } = catalogueSize();
  const loadBefore = loadavg()[0]!;
  say(`getsms shared-store bench — ${cores} core(s) (${cpus()[0]?.model.trim() ?? 'unknown cpu'}), node ${process.version}, ` +
    `load average ${loadBefore.toFixed(1)} before`);
  say(`  servers, FerretDB and the load generator (autocannon, this process) share these ${cores} cores.`);
  say(`  ${seconds} s per measurement after ${warmupSeconds} s warm-up; getNumber rotating ${accounts} accounts × ${services} ` +
    `services × ${countries} countries + any; getStatus from ${statusConnections} connections on ${statusActivations} activations;`);
  for (const [store, o] of Object.entries(perStore)) {
    say(`  ${store === 'sqlite' ? 'SQLite' : 'MongoDB'}: getNumber from ${o.orderConnections} connections, farm ${o.simModems} × ${simSlots} = ` +
      `${int(o.simModems * simSlots)} simulated SIMs (in memory, process A)`);
  }
  say();
  const done: Measured[] = [];
  const failed: { setup: Setup; error: string }[] = [];
  for (const setup of setups.filter((s) => only === undefined || s.store === only)) {
    try {
      const m = await measure(setup);
      done.push(m);
      printDetails(m);
    } catch (err) {
      const error = (err as Error).stack ?? String(err);
      failed.push({ setup, error });
      say(`  FAILED: ${error}`);
      if (setup.store === 'mongo') say(`  FerretDB's last output:\n${ferretdbOutput().slice(-4_000)}`);
      say();
      await stopAll();
    }
  }
  printTable(done, failed);
  say();
  say(`load average ${loadavg()[0]!.toFixed(1)} at the end (it was ${loadBefore.toFixed(1)} before)`);
  if (wantJson) {
    say(JSON.stringify(done.map((m) => ({
      setup: nameOf(m.setup), sharedStore: sharedOf(m.setup),
      ordersPerSecond: Math.round(m.orders.tally.orders / m.orders.run.seconds), orderLatencyMs: m.orders.run.latencyMs,
      orderRefusals: m.orders.tally.refusals, statusRps: Math.round(m.status.run.rps), statusLatencyMs: m.status.run.latencyMs,
      statusWrong: m.status.tally.wrong, verified: verdictText(m),
    }))));
  }
  const clean = (m: Measured) => verdictText(m) === 'verified' && count(m.orders.tally.refusals) === 0 && count(m.status.tally.wrong) === 0;
  return failed.length === 0 && done.every(clean);
}

await runBench(main, cleanUp);
