import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import compose from 'koa-compose';
import type { Log } from '../../actors/index.ts';
import { apiRoutes, jsonErrors, publicRoutes, webApi, type ApiDeps } from '../api/index.ts';
import { handlerApi, IpRateLimit, smsReg, smsRegMethodName, type Gateway } from '../gateways/index.ts';
import { webFiles } from './web-files.ts';

/** The one Koa application: the gateways' paths, the JSON API under /api, and the web page. */
export function createApp(gw: Gateway, apiDeps: ApiDeps, log: Log): Koa {
  const app = new Koa();
  app.silent = true; // errors are logged where they are answered, never as stack traces on stderr
  const limiter = new IpRateLimit(gw.config.rateLimitRps);

  const api = apiRoutes(apiDeps);
  const apiStack: Koa.Middleware = compose<Koa.ParameterizedContext>([
    jsonErrors(log),
    bodyParser({ enableTypes: ['json'], jsonLimit: '64kb' }),
    publicRoutes(apiDeps).routes() as unknown as Koa.Middleware, // no credentials needed
    webApi(apiDeps), // the web application's endpoints; what they do not match goes on
    api.routes() as unknown as Koa.Middleware,
    api.allowedMethods({ throw: true }) as unknown as Koa.Middleware,
  ]);

  // Classic clients POST form bodies; a body that does not parse is ignored (query parameters still count).
  const form = bodyParser({ enableTypes: ['form'], formLimit: '16kb', onError: () => {} });
  const gateway = handlerApi(gw, limiter, log);
  const gateway2 = smsReg(gw, limiter, log); // API #2 (sms-reg): the same limiter, so one IP's share covers both
  const site = webFiles(); // web/: the browser application, no build step

  // The gateway is the hot path (clients poll getStatus): matched first, without a router; GETs skip the body parser.
  app.use((ctx, next) => {
    const path = ctx.path;
    if (path === '/stubs/handler_api.php') return ctx.method === 'GET' ? gateway(ctx) : form(ctx, () => gateway(ctx));
    const method = smsRegMethodName(path); // `/<METHOD>.php`
    if (method !== undefined) return ctx.method === 'GET' ? gateway2(ctx, method) : form(ctx, () => gateway2(ctx, method));
    // An /api path nothing matched is the JSON API's 404, never the web page.
    if (path === '/api' || path.startsWith('/api/')) return apiStack(ctx, async () => {});
    return next();
  });
  app.use(site);
  return app;
}
