import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa from 'koa';
import { onParentGone } from './child.ts';

/**
 * The baseline: bare Koa with one route that answers the constant getStatus
 * word, no store. With BARE_ROUTER=1 the route is an @koa/router route (the
 * issue's "bare Koa route"); without, a plain path check: what Koa and
 * node:http cost alone. Prints `{ url }` once listening.
 */
const app = new Koa();
if (process.env.BARE_ROUTER === '1') {
  const router = new Router();
  router.get('/stubs/handler_api.php', (ctx) => {
    ctx.body = 'STATUS_WAIT_CODE';
  });
  app.use(router.routes());
} else {
  app.use((ctx) => {
    if (ctx.path !== '/stubs/handler_api.php') return;
    ctx.body = 'STATUS_WAIT_CODE';
  });
}

const server = createServer(app.callback());
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
onParentGone(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});
const { port } = server.address() as AddressInfo;
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, pid: process.pid })}\n`);
