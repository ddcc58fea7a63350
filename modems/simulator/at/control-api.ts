import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FarmError, type VirtualFarm } from './farm-process.ts';

type Body = Record<string, unknown>;
type Route = [method: string, path: RegExp, run: (farm: VirtualFarm, params: string[], body: Body) => unknown];

const maxBody = 64 * 1024;
const maxText = 5_000; // a long SMS is a few parts; this is far past any real one

const str = (body: Body, key: string): string => {
  const v = body[key];
  if (typeof v !== 'string' || v === '') throw new FarmError('FARM_BAD_REQUEST', `"${key}" must be a non-empty string`);
  return v;
};
const int = (body: Body, key: string, min: number, max: number): number => {
  const v = body[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new FarmError('FARM_BAD_REQUEST', `"${key}" must be an integer in ${min}…${max}`);
  }
  return v;
};

function garbage(body: Body): Buffer {
  if (typeof body.hex === 'string' && /^([0-9a-f]{2})+$/i.test(body.hex)) return Buffer.from(body.hex, 'hex');
  if (typeof body.text === 'string') return Buffer.from(body.text, 'latin1');
  const n = body.bytes === undefined ? 64 : int(body, 'bytes', 1, 4096);
  return Buffer.from(Array.from({ length: n }, () => Math.floor(Math.random() * 256)));
}

/** The control API's routes: one row each, the farm does the work. */
const routes: Route[] = [
  ['GET', /^\/channels$/, (f) => f.channels.map((ch) => f.view(ch))],
  ['GET', /^\/channels\/([\w-]+)$/, (f, [id]) => f.view(f.channel(id!))],
  ['GET', /^\/ports$/, (f) => ({ ports: f.ports(), MODEM_PORTS: f.ports().join(',') })],
  ['POST', /^\/sms$/, (f, _p, b) => {
    const text = str(b, 'text');
    if (text.length > maxText) throw new FarmError('FARM_BAD_REQUEST', `"text" is longer than ${maxText} characters`);
    const at = typeof b.timestamp === 'string' ? new Date(b.timestamp) : new Date();
    if (Number.isNaN(at.getTime())) throw new FarmError('FARM_BAD_REQUEST', '"timestamp" is not a date');
    return f.deliver(str(b, 'to'), str(b, 'from'), text, at);
  }],
  ['POST', /^\/channels\/([\w-]+)\/unplug$/, async (f, [id]) => (await f.channel(id!).cable.unplug(), f.view(f.channel(id!)))],
  ['POST', /^\/channels\/([\w-]+)\/replug$/, async (f, [id]) => (await f.channel(id!).cable.plug(), f.view(f.channel(id!)))],
  ['POST', /^\/channels\/([\w-]+)\/hang$/, (f, [id]) => (f.channel(id!).modem.hang(), f.view(f.channel(id!)))],
  ['POST', /^\/channels\/([\w-]+)\/resume$/, (f, [id]) => (f.channel(id!).modem.resume(), f.view(f.channel(id!)))],
  ['POST', /^\/channels\/([\w-]+)\/garbage$/, (f, [id], b) => {
    const bytes = garbage(b);
    f.channel(id!).modem.inject(bytes);
    return { injected: bytes.length };
  }],
  ['PUT', /^\/channels\/([\w-]+)\/signal$/, (f, [id], b) => {
    f.channel(id!).modem.signal = int(b, 'rssi', 0, 99);
    return f.view(f.channel(id!));
  }],
  ['POST', /^\/sims\/move$/, (f, _p, b) => {
    const to = (b.to ?? {}) as Body;
    return f.move(str(b, 'sim'), { channel: str(to, 'channel'), slot: int(to, 'slot', 1, 64) });
  }],
  ['POST', /^\/sims\/remove$/, (f, _p, b) => f.remove(str(b, 'sim'))],
  ['GET', /^\/sims\/(\+?\d+)$/, (f, [key]) => {
    const { sim, channel, slot } = f.sim(key!);
    return { ...f.simView(sim), channel: channel?.id ?? null, slot: slot ?? null, ussd: sim.ussd };
  }],
  ['GET', /^\/sims\/(\+?\d+)\/storage$/, (f, [key]) => f.sim(key!).sim.storage.snapshot()],
  ['GET', /^\/sims\/(\+?\d+)\/sent$/, (f, [key]) => f.sim(key!).sim.sent],
  ['GET', /^\/sims\/(\+?\d+)\/forwarding$/, (f, [key]) =>
    Object.fromEntries([...f.sim(key!).sim.forwarding].map(([reason, rule]) => [reason, rule]))],
  ['PUT', /^\/sims\/(\+?\d+)\/ussd$/, (f, [key], b) => {
    const { sim } = f.sim(key!);
    sim.ussd[str(b, 'code')] = str(b, 'reply');
    return sim.ussd;
  }],
  ['PUT', /^\/sims\/(\+?\d+)\/number-on-sim$/, (f, [key], b) => {
    const { sim } = f.sim(key!);
    if (typeof b.value !== 'boolean') throw new FarmError('FARM_BAD_REQUEST', '"value" must be true or false');
    sim.numberOnSim = b.value;
    return f.simView(sim);
  }],
];

/** Farm error codes → HTTP status, at the edge (STYLE §7). */
const statusOf: Readonly<Record<FarmError['code'], number>> = {
  FARM_NOT_FOUND: 404,
  FARM_BAD_REQUEST: 400,
  FARM_CONFLICT: 409,
};

async function readBody(req: IncomingMessage): Promise<Body> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBody) throw new FarmError('FARM_BAD_REQUEST', `body over ${maxBody} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return {};
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Body;
  } catch {
    // falls through to the refusal below
  }
  throw new FarmError('FARM_BAD_REQUEST', 'body must be a JSON object');
}

/** Serves the farm's JSON control API on `host:port` (port 0: any free one); resolves with its URL. */
export async function serveControl(farm: VirtualFarm, port = 0, host = '127.0.0.1'): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    try {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const matches = routes.filter(([, pattern]) => pattern.test(path));
      const route = matches.find(([method]) => method === req.method);
      if (!route) return send(matches.length > 0 ? 405 : 404, { error: `no route ${req.method} ${path}` });
      const params = route[1].exec(path)!.slice(1);
      send(200, await route[2](farm, params, await readBody(req)));
    } catch (e) {
      if (e instanceof FarmError) return send(statusOf[e.code], { error: e.message, code: e.code });
      send(500, { error: 'internal error' });
      console.error(e); // the stack goes to the log, never to the client
    }
  });
  await new Promise<void>((done) => server.listen(port, host, done));
  const { port: bound } = server.address() as AddressInfo;
  return { server, url: `http://${host}:${bound}` };
}
