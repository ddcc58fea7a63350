import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { onParentGone } from './child.ts';

/**
 * The live bench's baseline: a bare `ws` server at /ws with no auth, store or
 * event log, broadcasting `{"type":"sms.received","code"}` to every client
 * with ws.send when asked (`POST /broadcast?code=…`). What the same fan-out
 * costs with nothing of getsms around it. Prints `{ url, pid }` once listening.
 */
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://bare');
  if (req.method !== 'POST' || url.pathname !== '/broadcast') {
    res.statusCode = 404;
    res.end();
    return;
  }
  const message = JSON.stringify({ type: 'sms.received', code: url.searchParams.get('code') ?? '' });
  for (const ws of wss.clients) ws.send(message);
  res.statusCode = 202;
  res.end();
});
const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false });
wss.on('connection', (ws) => ws.on('error', () => {}));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
onParentGone(async () => {
  for (const ws of wss.clients) ws.terminate();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, pid: process.pid })}\n`);
