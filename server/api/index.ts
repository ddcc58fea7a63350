export { apiRoutes, type ApiDeps } from './routes.ts';
export { ApiError, jsonErrors } from './errors.ts';
