import { cannon, combine, get, query, type Run } from './load.ts';
import type { ServerReady } from './server.ts';

export interface StatusFigures {
  connections: number;
  activationId: number;
  bare: Run;
  getsms: Run;
  /** getsms req/s ÷ bare Koa req/s. */
  ratio: number;
}

export interface StatusOptions {
  connections: number;
  /** Seconds of measurement per server, split over the ABBA rounds. */
  seconds: number;
  warmupSeconds: number;
}

const waitCode = 'STATUS_WAIT_CODE';

/**
 * Phase 1: getStatus on one real live activation (ordered and set ready first)
 * against bare Koa answering the same word on the same path, with the same
 * connections and duration. Runs are ordered bare, getsms, getsms, bare, so a
 * drift of the machine during the phase falls on both alike.
 */
export async function statusPhase(gw: ServerReady, bare: { url: string; pid: number }, o: StatusOptions): Promise<StatusFigures> {
  const bareUrl = bare.url;
  const account = gw.accounts.find((a) => a.dialect === 'getsms') ?? gw.accounts[0]!;
  const ordered = await get(gw.url, query({ api_key: account.key, action: 'getNumber', service: 'tg', country: 'ru' }));
  const m = /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(ordered);
  if (!m) throw new Error(`getNumber for the getStatus phase answered ${ordered}`);
  const id = Number(m[1]);
  const ready = await get(gw.url, query({ api_key: account.key, action: 'setStatus', id, status: 1 }));
  if (ready !== 'ACCESS_READY') throw new Error(`setStatus=1 answered ${ready}`);
  const path = query({ api_key: account.key, action: 'getStatus', id });
  const first = await get(gw.url, path);
  if (first !== waitCode) throw new Error(`getStatus answered ${first}, expected ${waitCode}`);
  const bareFirst = await get(bareUrl, path);
  if (bareFirst !== waitCode) throw new Error(`bare Koa answered ${bareFirst}`);

  const run = (server: { url: string; pid: number }, seconds: number) =>
    cannon({ url: server.url + path, connections: o.connections, duration: seconds, expectBody: waitCode }, server.pid);
  if (o.warmupSeconds > 0) {
    await run(bare, o.warmupSeconds);
    await run(gw, o.warmupSeconds);
  }
  const half = o.seconds / 2;
  const bare1 = await run(bare, half);
  const gw1 = await run(gw, half);
  const gw2 = await run(gw, half);
  const bare2 = await run(bare, half);
  const bareRun = combine([bare1, bare2]);
  const getsms = combine([gw1, gw2]);
  return { connections: o.connections, activationId: id, bare: bareRun, getsms, ratio: getsms.rps / bareRun.rps };
}
