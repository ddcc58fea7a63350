import type { ExecutionContext } from 'ava';
import { httpRequest, startTestSystem, type RawResponse, type TestSystem } from '../../helpers/system.ts';

/** A Host header that makes any key speak sms-activate's dialect (hosts-file redirection keeps it). */
export const smsActivateHost = 'api.sms-activate.org';

/** The content type classic clients get for a bare word. */
export const wordType = 'text/html; charset=utf-8';

/** A system for one test, closed when the test ends. */
export async function systemFor(t: ExecutionContext, env: Record<string, string> = {}): Promise<TestSystem> {
  const sys = await startTestSystem(env);
  t.teardown(() => sys.close());
  return sys;
}

/**
 * A tiny farm: SIM_MODEMS=1 × SIM_SLOTS=2 holds exactly one Russian SIM
 * (slot 2, 79270000001) and one Ukrainian one (slot 1), so one order empties
 * Russia for a service.
 */
export const tinyFarm = { SIM_MODEMS: '1', SIM_SLOTS: '2' } as const;
export const tinyFarmRuPhone = '79270000001';

/** The query string exactly as given: names and values may carry spaces, brackets or repeats. */
export function query(pairs: readonly (readonly [string, string | number])[]): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
}

/** A raw request to handler_api.php: status, headers and body as a client receives them. */
export function raw(
  sys: TestSystem,
  req: { query?: string; body?: string; method?: string; host?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const path = `/stubs/handler_api.php${req.query === undefined ? '' : `?${req.query}`}`;
  return httpRequest(sys.url, {
    method: req.method ?? (req.body === undefined ? 'GET' : 'POST'),
    path,
    headers: { ...(req.host ? { host: req.host } : {}), ...req.headers },
    body: req.body,
  });
}

export interface Ordered {
  id: string;
  phone: string;
}

/** `ACCESS_NUMBER:<id>:<phone>` parsed, with the shape every client relies on checked. */
export function accessNumber(t: ExecutionContext, body: string): Ordered {
  const m = /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(body);
  if (!m) {
    t.fail(`expected ACCESS_NUMBER:<id>:<phone>, got ${JSON.stringify(body)}`);
    throw new Error(body);
  }
  const [, id, phone] = m as unknown as [string, string, string];
  const n = Number(id);
  t.true(n > 0 && n <= 0x7fffffff, `id ${id} fits a signed 32-bit int`);
  t.regex(phone, /^[1-9]\d{9,14}$/, 'phone: digits with the country code, no +');
  return { id, phone };
}

/** getNumber that must succeed. */
export async function buy(
  t: ExecutionContext,
  sys: TestSystem,
  key: string,
  params: Record<string, string | number>,
  init: { host?: string } = {},
): Promise<Ordered> {
  return accessNumber(t, await sys.api({ api_key: key, action: 'getNumber', ...params }, init));
}

/** getBalance's answer for a key. */
export const balance = (sys: TestSystem, key: string, host?: string) =>
  sys.api({ api_key: key, action: 'getBalance' }, host ? { host } : {});
