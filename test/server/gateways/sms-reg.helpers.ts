import type { ExecutionContext } from 'ava';
import { httpRequest, type RawResponse, type TestSystem } from '../../helpers/system.ts';
import { query } from './handler-api.helpers.ts';

/** An API #2 answer: a JSON object whose values sms-reg clients read as strings. */
export type RegAnswer = Record<string, unknown>;

/** A raw request to `/<path>`: status, headers and body as a client receives them. */
export function regRaw(
  sys: TestSystem,
  path: string,
  req: { query?: string; body?: string; method?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  return httpRequest(sys.url, {
    method: req.method ?? (req.body === undefined ? 'GET' : 'POST'),
    path: `/${path}${req.query === undefined ? '' : `?${req.query}`}`,
    headers: req.headers ?? {},
    body: req.body,
  });
}

/**
 * `/<method>.php` with these parameters (GET query, or POST form body), checked
 * as every sms-reg answer must be: HTTP 200, application/json, one JSON object.
 */
export async function reg(
  t: ExecutionContext,
  sys: TestSystem,
  method: string,
  params: Record<string, string | number>,
  init: { via?: 'GET' | 'POST'; host?: string } = {},
): Promise<RegAnswer> {
  const q = query(Object.entries(params));
  const headers: Record<string, string> = init.host ? { host: init.host } : {};
  const res = init.via === 'POST'
    ? await regRaw(sys, `${method}.php`, { body: q, headers })
    : await regRaw(sys, `${method}.php`, { query: q, headers });
  t.is(res.status, 200, `${method}: HTTP 200`);
  t.is(res.headers['content-type'], 'application/json', `${method}: JSON`);
  const body = JSON.parse(res.body) as unknown;
  if (body === null || typeof body !== 'object') throw new Error(`${method} answered ${res.body}`);
  return body as RegAnswer;
}

/** Every value of an answer (and of its nested objects) is a string, as sms-reg clients need. */
export function allStrings(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (Array.isArray(value)) return value.every(allStrings);
  if (value !== null && typeof value === 'object') return Object.values(value).every(allStrings);
  return false;
}

/** The spec's error form. */
export const regError = (message: string) => ({ response: 'ERROR', error_msg: message });

/** getNum that must give a tzid (an activation or a pooled order). */
export async function getNum(
  t: ExecutionContext,
  sys: TestSystem,
  apikey: string,
  service: string,
  country = 'ru',
): Promise<string> {
  const answer = await reg(t, sys, 'getNum', { apikey, service, country });
  t.is(answer.response, '1', `getNum ${service}/${country}: ${JSON.stringify(answer)}`);
  t.regex(String(answer.tzid), /^[1-9]\d{0,9}$/, 'tzid: a number, as a string');
  t.true(typeof answer.tzid === 'string');
  return answer.tzid as string;
}

export const state = (t: ExecutionContext, sys: TestSystem, apikey: string, tzid: string) =>
  reg(t, sys, 'getState', { apikey, tzid });

export const regBalance = async (t: ExecutionContext, sys: TestSystem, apikey: string) =>
  (await reg(t, sys, 'getBalance', { apikey })).balance;
