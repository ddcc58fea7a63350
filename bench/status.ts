import { cannon, combine, get, query, type Run } from './load.ts';
import type { ServerReady } from './server.ts';

export interface Baseline {
  name: string;
  url: string;
  pid: number;
}

export interface StatusFigures {
  connections: number;
  activationId: number;
  getsms: Run;
  /** Each baseline's run and getsms req/s ÷ its req/s. */
  baselines: { name: string; run: Run; ratio: number }[];
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
export async function statusPhase(gw: ServerReady, baselines: Baseline[], o: StatusOptions): Promise<StatusFigures> {
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
  for (const b of baselines) {
    const answer = await get(b.url, path);
    if (answer !== waitCode) throw new Error(`${b.name} answered ${answer}`);
  }

  const run = (server: { url: string; pid: number }, seconds: number) =>
    cannon({ url: server.url + path, connections: o.connections, duration: seconds, expectBody: waitCode }, server.pid);
  const gwServer = { url: gw.url, pid: gw.pid };
  if (o.warmupSeconds > 0) {
    for (const b of baselines) await run(b, o.warmupSeconds);
    await run(gwServer, o.warmupSeconds);
  }
  // Baselines, getsms, getsms, baselines in reverse: a drift of the machine falls on all alike.
  const half = o.seconds / 2;
  const before: Run[] = [];
  for (const b of baselines) before.push(await run(b, half));
  const gw1 = await run(gwServer, half);
  const gw2 = await run(gwServer, half);
  const after: Run[] = [];
  for (const b of [...baselines].reverse()) after.unshift(await run(b, half));
  const getsms = combine([gw1, gw2]);
  return {
    connections: o.connections, activationId: id, getsms,
    baselines: baselines.map((b, i) => {
      const r = combine([before[i]!, after[i]!]);
      return { name: b.name, run: r, ratio: getsms.rps / r.rps };
    }),
  };
}
