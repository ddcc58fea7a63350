export { apiRoutes, publicRoutes, type ApiDeps } from './routes.ts';
export { ApiError, jsonErrors } from './errors.ts';
/** The web application's endpoints: sessions, catalogue and orders, the farm view, admin accounts. */
export { webApi } from './web.ts';
