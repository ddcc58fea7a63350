import type { ExecutionContext } from 'ava';
import { WebSocket } from 'ws';
import { startTestSystem, type TestSystem } from '../../helpers/system.ts';
import { until } from '../../helpers/until.ts';

/** A system for one test, closed when the test ends. */
export async function systemFor(t: ExecutionContext, env: Record<string, string> = {}): Promise<TestSystem> {
  const sys = await startTestSystem(env);
  t.teardown(() => sys.close());
  return sys;
}

export type Message = Record<string, unknown>;

/** A live client that keeps every message it received and how the connection ended. */
export interface LiveClient {
  ws: WebSocket;
  messages: Message[];
  /** Messages that are events (they carry a numeric id). */
  events(): Message[];
  closed: Promise<{ code: number; reason: string }>;
  isClosed(): boolean;
  /** The TCP socket under it (pause it to play a slow consumer). */
  socket: import('node:net').Socket;
}

/** Connects to /ws with a query string (and headers); resolves once open, rejects on a refusal. */
export function connect(
  sys: TestSystem, query: string, options: { headers?: Record<string, string>; autoPong?: boolean } = {},
): Promise<LiveClient> {
  const ws = new WebSocket(`${sys.url.replace(/^http/, 'ws')}/ws${query ? `?${query}` : ''}`, {
    headers: options.headers ?? {}, autoPong: options.autoPong ?? true, perMessageDeflate: false,
  });
  const messages: Message[] = [];
  let ended = false;
  let socket: import('node:net').Socket | undefined;
  ws.once('upgrade', (res) => {
    socket = res.socket as import('node:net').Socket;
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => {
      ended = true;
      resolve({ code, reason: reason.toString() });
    }),
  );
  ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as Message));
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.on('error', () => {});
      resolve({ ws, messages, events: () => messages.filter((m) => typeof m.id === 'number'), closed, isClosed: () => ended, socket: socket! });
    });
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body: Buffer.concat(chunks).toString() })));
    });
  });
}

/** The refusal an upgrade got: its HTTP status and body. */
export async function refusal(sys: TestSystem, query: string, headers: Record<string, string> = {}) {
  try {
    const c = await connect(sys, query, { headers });
    c.ws.close();
    return { status: 101, body: '' };
  } catch (err) {
    return err as { status: number; body: string };
  }
}

/** Waits for the first message matching `pick`, polling (no wall-clock assumptions beyond a generous bound). */
export function waitFor(c: LiveClient, what: string, pick: (m: Message) => boolean, ms = 60_000): Promise<Message> {
  return until(what, () => c.messages.find(pick), ms, 20);
}

/** Orders a Telegram number (Russia) for `key`; returns the activation id and phone. */
export async function order(sys: TestSystem, key: string, service = 'tg'): Promise<{ id: number; phone: string }> {
  const answer = await sys.api({ api_key: key, action: 'getNumber', service, country: 'ru' });
  const m = /^ACCESS_NUMBER:(\d+):(\d+)$/.exec(answer);
  if (!m) throw new Error(`getNumber answered ${answer}`);
  const ready = await sys.api({ api_key: key, action: 'setStatus', id: m[1]!, status: 1 });
  if (ready !== 'ACCESS_READY') throw new Error(`setStatus 1 answered ${ready}`);
  return { id: Number(m[1]), phone: m[2]! };
}
