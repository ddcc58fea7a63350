import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase, startFerretDb, type FerretDb } from '../../test/helpers/ferretdb.ts';
import { startChild, type Child } from '../child.ts';
import type { ServerReady } from '../server.ts';

/** One of the four set-ups measured: a store, and one server process or two on it. */
export interface Setup {
  store: 'sqlite' | 'mongo';
  processes: 1 | 2;
}

export const setups: readonly Setup[] = [
  { store: 'sqlite', processes: 1 },
  { store: 'sqlite', processes: 2 },
  { store: 'mongo', processes: 1 },
  { store: 'mongo', processes: 2 },
];

/** A MongoDB server of the user's (BENCH_MONGODB_URI) instead of the FerretDB the bench starts. */
const external = process.env.BENCH_MONGODB_URI?.trim() || undefined;

export const nameOf = (s: Setup) =>
  `${s.store === 'sqlite' ? 'SQLite' : external ? 'MongoDB' : 'MongoDB (FerretDB)'}, ${s.processes === 1 ? 'one process' : 'two processes'}`;

/** `uri` naming database `name` instead of its own (`mongodb://a,b/x?rs=…` → `mongodb://a,b/name?rs=…`). */
function withDatabase(uri: string, name: string): string {
  const [base, options] = uri.split('?', 2) as [string, string | undefined];
  const slash = base.indexOf('/', base.indexOf('://') + 3);
  return `${slash < 0 ? base : base.slice(0, slash)}/${name}${options ? `?${options}` : ''}`;
}

/** SHARED_STORE as each set-up runs it: SQLite's default (off) alone, on when two processes share the file; MongoDB's default (on). */
export const sharedOf = (s: Setup) => (s.store === 'mongo' || s.processes === 2 ? 'on' : 'off');

export interface Farm {
  simModems: number;
  simSlots: number;
  accounts: number;
}

/** The servers of one set-up, the first with the simulated farm, and where its store is. */
export interface Running {
  servers: Child<ServerReady>[];
  /** The SQLite file, or the MongoDB connection string. */
  sqliteFile: string | undefined;
  mongoUri: string | undefined;
}

const dirs = new Set<string>();
let ferretdb: FerretDb | undefined;

/**
 * Starts the servers of `setup` on a fresh store: process A with the in-memory farm and the bench accounts,
 * then (for two) process B with SIMULATOR=none, selling the SIMs A brought into the store. Each is
 * bench/server.ts in a child process of its own on 127.0.0.1, no rate limit, LOG_LEVEL=warn.
 */
export async function startSetup(setup: Setup, farm: Farm): Promise<Running> {
  const dataDir = mkdtempSync(join(tmpdir(), 'getsms-bench-shared-'));
  dirs.add(dataDir);
  let mongoUri: string | undefined;
  if (setup.store === 'mongo' && external) mongoUri = withDatabase(external, `bench_${freshDatabase()}`);
  else if (setup.store === 'mongo') {
    ferretdb ??= await startFerretDb();
    mongoUri = ferretdb.uri(`bench_${freshDatabase()}`);
  }
  const env: Record<string, string> = {
    DATA_DIR: dataDir, LOG_LEVEL: 'warn', RATE_LIMIT_RPS: '0', SHARED_STORE: sharedOf(setup),
    SIM_MODEMS: String(farm.simModems), SIM_SLOTS: String(farm.simSlots),
    MONGODB_URI: mongoUri ?? '', // the children inherit our environment: empty means SQLite whatever the shell set
  };
  const file = new URL('../server.ts', import.meta.url);
  const tag = setup.store === 'sqlite' ? 'sqlite' : 'mongo';
  // On FerretDB every SIM the farm brings in is a few unindexed writes: start-up takes minutes for thousands.
  const readyMs = 900_000;
  const a = await startChild<ServerReady>(
    `${tag}-A`, file, { ...env, SIMULATOR: 'memory', BENCH_ACCOUNTS: String(farm.accounts) }, [], readyMs,
  );
  const servers = [a];
  // B starts once A has made the accounts and brought its SIMs in; it makes none of its own.
  if (setup.processes === 2) {
    servers.push(await startChild<ServerReady>(`${tag}-B`, file, { ...env, SIMULATOR: 'none', BENCH_ACCOUNTS: '0' }, [], readyMs));
  }
  return { servers, sqliteFile: mongoUri ? undefined : join(dataDir, 'getsms.sqlite'), mongoUri };
}

/** FerretDB's process id (a child of this process; the helper keeps it to itself), once it runs. */
export function ferretdbPid(): number | undefined {
  if (!ferretdb) return undefined;
  try {
    const children = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
    return children.find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('ferretdb'));
  } catch {
    return undefined; // not Linux
  }
}

/** What FerretDB logged last besides its connections, for a failure report. */
export const ferretdbOutput = () =>
  (ferretdb?.output() ?? '').split('\n').filter((line) => !line.includes('"Connection started"') && !line.includes('"Connection stopped"')).join('\n');

/** Stops FerretDB and removes every temp directory (the children are stopped by bench/child.ts's stopAll). */
export async function removeAll(): Promise<void> {
  await ferretdb?.stop();
  ferretdb = undefined;
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}
