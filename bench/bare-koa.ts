import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { onParentGone } from './child.ts';

/**
 * The baseline: bare Koa with one route that answers the constant getStatus
 * word. No router, no body parser, no store; what Koa and node:http cost alone.
 * Prints `{ url }` once listening.
 */
const app = new Koa();
app.use((ctx) => {
  if (ctx.path !== '/stubs/handler_api.php') return;
  ctx.body = 'STATUS_WAIT_CODE';
});

const server = createServer(app.callback());
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
onParentGone(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});
const { port } = server.address() as AddressInfo;
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, pid: process.pid })}\n`);
