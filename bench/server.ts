import { pino } from 'pino';
import { systemClock, type Dialect } from '../actors/index.ts';
import { addAccount } from '../server/bootstrap.ts';
import { loadConfig } from '../server/config.ts';
import { startSystem } from '../server/system.ts';
import { onParentGone } from './child.ts';

/**
 * The getsms server under test, as its own process (started by bench/gateway.ts):
 * the real system on 127.0.0.1 with the parent's DATA_DIR, SIM_MODEMS and
 * SIM_SLOTS and no rate limit. It makes BENCH_ACCOUNTS accounts, alternating
 * dialects, each with BENCH_BALANCE kopecks, and prints one JSON line:
 * `{ url, accounts: [{ id, key, dialect }] }`. With BENCH_OPERATOR=1 it also makes an operator account
 * (for GET /api/channels) and adds its key as `operatorKey`.
 */
export interface ServerReady {
  url: string;
  pid: number;
  sims: number;
  accounts: { id: number; key: string; dialect: Dialect }[];
  operatorKey?: string;
}

const env = process.env;
// The in-memory farm unless told otherwise: the gateway bench sells thousands of SIMs, not PTYs.
const config = loadConfig({ SIMULATOR: 'memory', ...env, PORT: '0', HOST: '127.0.0.1', RATE_LIMIT_RPS: '0', SIM_AUTO_SMS: '0' });
const log = pino({ level: env.LOG_LEVEL ?? 'warn' }, pino.destination(2)); // stdout carries only the ready line
const system = await startSystem(config, log);
onParentGone(() => system.stop());

const dialects: Dialect[] = ['getsms', 'smsActivate'];
const accounts: ServerReady['accounts'] = [];
const count = Number(env.BENCH_ACCOUNTS ?? 8);
for (let i = 0; i < count; i++) {
  const dialect = dialects[i % dialects.length]!;
  const { account, apiKey } = await addAccount(system.store, systemClock, {
    email: `bench${i}@getsms.local`, role: 'user', balance: Number(env.BENCH_BALANCE ?? 1_000_000_000), dialect,
  });
  accounts.push({ id: account.id, key: apiKey, dialect });
}
const ready: ServerReady = { url: system.url, pid: process.pid, sims: config.simModems * config.simSlots, accounts };
if (env.BENCH_OPERATOR === '1') {
  ready.operatorKey = (await addAccount(system.store, systemClock, { email: 'operator@getsms.local', role: 'operator' })).apiKey;
}
process.stdout.write(`${JSON.stringify(ready)}\n`);
