import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { addAccount } from '../../server/bootstrap.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { startSystem, type System } from '../../server/system.ts';
import { systemClock, type Dialect, type Role } from '../../actors/index.ts';

export interface TestSystem extends System {
  dataDir: string;
  /** A new account with a key and a balance in rubles. */
  account(opts?: { role?: Role; rubles?: number; dialect?: Dialect; email?: string }): Promise<{ id: number; key: string }>;
  /** GET /stubs/handler_api.php with these parameters; resolves to the body text. */
  api(params: Record<string, string | number>, init?: { host?: string; method?: 'GET' | 'POST' }): Promise<string>;
  /** An SMS to a number through the simulated farm (in memory, or AT over a PTY); resolves once it is stored. */
  sms(to: string, from: string, text: string): Promise<void>;
  close(): Promise<void>;
}

let emails = 0;

/**
 * A real system on 127.0.0.1, an ephemeral port and a fresh data directory; `env` overrides config.
 * With `DATA_DIR` in `env` it runs on that directory (a restart) and leaves it for its owner to remove.
 * The simulated farm is the in-memory one (fast) unless `env` says `SIMULATOR: 'at'`.
 */
export async function startTestSystem(env: Record<string, string> = {}): Promise<TestSystem> {
  const ownDir = env.DATA_DIR === undefined;
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'getsms-test-'));
  const config: Config = loadConfig({
    PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, SIM_MODEMS: '4', SIM_SLOTS: '2', RATE_LIMIT_RPS: '0', SIMULATOR: 'memory', ...env,
  });
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const system = await startSystem(config, log);
  const t: TestSystem = Object.assign(system, {
    dataDir,
    async account(opts: { role?: Role; rubles?: number; dialect?: Dialect; email?: string } = {}) {
      const { account, apiKey } = await addAccount(system.store, systemClock, {
        email: opts.email ?? `user${++emails}-${process.pid}@test.local`, role: opts.role ?? 'user',
        balance: Math.round((opts.rubles ?? 1000) * 100), dialect: opts.dialect,
      });
      return { id: account.id, key: apiKey };
    },
    async api(params: Record<string, string | number>, init: { host?: string; method?: 'GET' | 'POST' } = {}) {
      const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
      const res = await httpRequest(system.url, {
        method: init.method ?? 'GET',
        path: init.method === 'POST' ? '/stubs/handler_api.php' : `/stubs/handler_api.php?${query}`,
        headers: init.host ? { host: init.host } : {},
        body: init.method === 'POST' ? query : undefined,
      });
      if (res.status !== 200) throw new Error(`handler_api answered HTTP ${res.status}`);
      return res.body;
    },
    async sms(to: string, from: string, text: string) {
      if (!(await system.simulator!.deliver(to, from, text))) throw new Error(`no simulated SIM ${to}`);
    },
    async close() {
      await system.stop();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  });
  return t;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A plain HTTP/1.1 request (fetch cannot set Host, which dialect detection reads). */
export function httpRequest(
  base: string,
  req: { method?: string; path: string; headers?: Record<string, string>; body?: string | undefined },
): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) {
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(req.body));
    }
    const r = request(
      { host: url.hostname, port: url.port, method: req.method ?? 'GET', path: req.path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}
