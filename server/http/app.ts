import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import compose from 'koa-compose';
import { readFileSync } from 'node:fs';
import type { Log } from '../../actors/index.ts';
import { apiRoutes, jsonErrors, type ApiDeps } from '../api/index.ts';
import { handlerApi, IpRateLimit, type Gateway } from '../gateways/index.ts';

const home = readFileSync(new URL('../../web/index.html', import.meta.url), 'utf8');

/** The one Koa application: the gateways' paths, the JSON API under /api, and the web page. */
export function createApp(gw: Gateway, apiDeps: ApiDeps, log: Log): Koa {
  const app = new Koa();
  app.silent = true; // errors are logged where they are answered, never as stack traces on stderr
  const limiter = new IpRateLimit(gw.config.rateLimitRps);

  const api = apiRoutes(apiDeps);
  const apiStack: Koa.Middleware = compose<Koa.ParameterizedContext>([
    jsonErrors(log),
    bodyParser({ enableTypes: ['json'], jsonLimit: '64kb' }),
    api.routes() as unknown as Koa.Middleware,
    api.allowedMethods({ throw: true }) as unknown as Koa.Middleware,
  ]);

  // Classic clients POST form bodies; a body that does not parse is ignored (query parameters still count).
  const form = bodyParser({ enableTypes: ['form'], formLimit: '16kb', onError: () => {} });
  const gateway = handlerApi(gw, limiter, log);
  const site = new Router();
  site.get('/', (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = home;
  });

  // The gateway is the hot path (clients poll getStatus): matched first, without a router; GETs skip the body parser.
  app.use((ctx, next) => {
    const path = ctx.path;
    if (path === '/stubs/handler_api.php') return ctx.method === 'GET' ? gateway(ctx) : form(ctx, () => gateway(ctx));
    if (path === '/api' || path.startsWith('/api/')) return apiStack(ctx, next);
    return next();
  });
  app.use(site.routes());
  return app;
}
