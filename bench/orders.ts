import type autocannon from 'autocannon';
import { countries, serviceByCode, serviceCode, servicesOf, type Dialect } from '../actors/index.ts';
import { cannon, type Run } from './load.ts';
import type { ServerReady } from './server.ts';

export interface OrderFigures {
  connections: number;
  run: Run;
  /** ACCESS_NUMBER answers. */
  orders: number;
  ordersPerSecond: number;
  /** Every other answer, by its word (NO_NUMBER, NO_NUMBERS, ERROR_SQL, …). */
  refusals: Record<string, number>;
  /** The same (service, phone) handed out twice, as the clients saw it. */
  clientDoubles: number;
  services: number;
  countries: number;
}

/** What the clients saw of getNumber answers; one tally may follow several runs and several servers. */
export interface OrderTally {
  /** ACCESS_NUMBER answers. */
  orders: number;
  /** Every other answer, by its word (NO_NUMBER, NO_NUMBERS, ERROR_SQL, …). */
  refusals: Record<string, number>;
  /** `service|phone` of every number handed out. */
  seen: Set<string>;
  /** The same (service, phone) handed out twice. */
  clientDoubles: number;
}

export const newTally = (): OrderTally => ({ orders: 0, refusals: {}, seen: new Set(), clientDoubles: 0 });

/** An ACCESS_NUMBER answer: the activation, and which account ordered it. */
export interface Ordered {
  id: number;
  account: ServerReady['accounts'][number];
}

/** The codes and country words each dialect orders with: every service it can name, every country and "any". */
function catalogueOf(dialect: Dialect) {
  const codes = servicesOf(dialect).map((s) => serviceCode(dialect, s)!);
  const places = dialect === 'getsms'
    ? [...countries.map((c) => c.getsms), 'any']
    : [...countries.map((c) => String(c.smsActivateId)), 'any'];
  return { codes, places };
}

interface Ctx { service?: string; account?: ServerReady['accounts'][number] }

/**
 * getNumber requests, each the next (account, service, country) in rotation, tallied into `tally`. Requests
 * built by several calls sharing one `rotation` take turns from one sequence, as one client stream spread over
 * several servers would; `onOrder` hears every ACCESS_NUMBER.
 */
export function orderRequest(
  accounts: ServerReady['accounts'], tally: OrderTally, rotation = { next: 0 }, onOrder?: (ordered: Ordered) => void,
): autocannon.Request {
  const cat = { getsms: catalogueOf('getsms'), smsActivate: catalogueOf('smsActivate') };
  // Precomputed paths per account: the rotation walks services fastest, then countries.
  const plans = accounts.map((a) => {
    const { codes, places } = cat[a.dialect];
    const paths: { path: string; service: string }[] = [];
    for (const place of places) {
      for (const code of codes) {
        paths.push({
          path: `/stubs/handler_api.php?api_key=${a.key}&action=getNumber&service=${code}&country=${place}`,
          service: serviceByCode(a.dialect, code)!.id,
        });
      }
    }
    return paths;
  });
  return {
    method: 'GET',
    setupRequest: (req, context) => {
      const i = rotation.next++;
      const plan = plans[i % plans.length]!;
      const step = plan[Math.floor(i / plans.length) % plan.length]!;
      (context as Ctx).service = step.service;
      (context as Ctx).account = accounts[i % plans.length]!;
      return { ...req, path: step.path };
    },
    onResponse: (status, body, context) => {
      const m = status === 200 ? /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(body) : null;
      if (!m) {
        const word = status === 200 ? body.split(':')[0]!.slice(0, 40) : `HTTP ${status}`;
        tally.refusals[word] = (tally.refusals[word] ?? 0) + 1;
        return;
      }
      tally.orders++;
      const key = `${(context as Ctx).service}|${m[2]}`;
      if (tally.seen.has(key)) tally.clientDoubles++;
      else tally.seen.add(key);
      onOrder?.({ id: Number(m[1]), account: (context as Ctx).account! });
    },
  };
}

/** How many services the rotation names in either dialect, and how many countries. */
export function catalogueSize() {
  const ids = (d: Dialect) => catalogueOf(d).codes.map((c) => serviceByCode(d, c)!.id);
  return { services: new Set([...ids('getsms'), ...ids('smsActivate')]).size, countries: countries.length };
}

/**
 * Phase 2: getNumber from `connections` keep-alive clients, each request the
 * next (account, service, country) in rotation, for `seconds`. Answers are
 * tallied here, in the load process; the store is checked afterwards.
 */
export async function orderPhase(gw: ServerReady, o: { connections: number; seconds: number }): Promise<OrderFigures> {
  const tally = newTally();
  const request = orderRequest(gw.accounts, tally);
  const run = await cannon({ url: gw.url, connections: o.connections, duration: o.seconds, requests: [request] }, gw.pid);
  return {
    connections: o.connections, run, orders: tally.orders, ordersPerSecond: tally.orders / run.seconds,
    refusals: tally.refusals, clientDoubles: tally.clientDoubles, ...catalogueSize(),
  };
}
