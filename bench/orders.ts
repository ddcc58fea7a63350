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

/** The codes and country words each dialect orders with: every service it can name, every country and "any". */
function catalogueOf(dialect: Dialect) {
  const codes = servicesOf(dialect).map((s) => serviceCode(dialect, s)!);
  const places = dialect === 'getsms'
    ? [...countries.map((c) => c.getsms), 'any']
    : [...countries.map((c) => String(c.smsActivateId)), 'any'];
  return { codes, places };
}

interface Ctx { service?: string }

/**
 * Phase 2: getNumber from `connections` keep-alive clients, each request the
 * next (account, service, country) in rotation, for `seconds`. Answers are
 * tallied here, in the load process; the store is checked afterwards.
 */
export async function orderPhase(gw: ServerReady, o: { connections: number; seconds: number }): Promise<OrderFigures> {
  const cat = { getsms: catalogueOf('getsms'), smsActivate: catalogueOf('smsActivate') };
  // Precomputed paths per account: the rotation walks services fastest, then countries.
  const plans = gw.accounts.map((a) => {
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
  let next = 0;
  const refusals: Record<string, number> = {};
  const seen = new Set<string>();
  let orders = 0;
  let clientDoubles = 0;

  const request: autocannon.Request = {
    method: 'GET',
    setupRequest: (req, context) => {
      const i = next++;
      const plan = plans[i % plans.length]!;
      const step = plan[Math.floor(i / plans.length) % plan.length]!;
      (context as Ctx).service = step.service;
      return { ...req, path: step.path };
    },
    onResponse: (status, body, context) => {
      const m = status === 200 ? /^ACCESS_NUMBER:\d+:(\d+)$/.exec(body) : null;
      if (!m) {
        const word = status === 200 ? body.split(':')[0]!.slice(0, 40) : `HTTP ${status}`;
        refusals[word] = (refusals[word] ?? 0) + 1;
        return;
      }
      orders++;
      const key = `${(context as Ctx).service}|${m[1]}`;
      if (seen.has(key)) clientDoubles++;
      else seen.add(key);
    },
  };
  const run = await cannon({ url: gw.url, connections: o.connections, duration: o.seconds, requests: [request] }, gw.pid);
  return {
    connections: o.connections, run, orders, ordersPerSecond: orders / run.seconds, refusals, clientDoubles,
    services: new Set([...cat.getsms.codes.map((c) => serviceByCode('getsms', c)!.id),
      ...cat.smsActivate.codes.map((c) => serviceByCode('smsActivate', c)!.id)]).size,
    countries: countries.length,
  };
}
