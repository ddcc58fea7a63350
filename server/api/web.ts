import compose from 'koa-compose';
import type Koa from 'koa';
import { systemClock } from '../../actors/index.ts';
import { BrowserSessions } from '../sessions/index.ts';
import { adminRoutes } from './admin-routes.ts';
import { farmRoutes } from './farm-routes.ts';
import { rentRoutes } from './rent-routes.ts';
import type { ApiDeps } from './routes.ts';
import { sessionRoutes } from './session-routes.ts';
import { userRoutes } from './user-routes.ts';

/**
 * The JSON endpoints the web application adds under /api: sign-in, the
 * user's catalogue, orders, rents and settings, the operator's farm and the
 * admin's accounts. Each router matches its own paths and passes the rest on.
 */
export function webApi(deps: ApiDeps): Koa.Middleware {
  const sessions = new BrowserSessions({ store: deps.store, clock: systemClock });
  return compose(
    [sessionRoutes({ store: deps.store, sessions }), userRoutes(deps), rentRoutes(deps), farmRoutes(deps), adminRoutes(deps)]
      .map((r) => r.routes() as unknown as Koa.Middleware),
  );
}
