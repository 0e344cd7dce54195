// `bulwark serve`: the REST API over the store (routes.ts), its OpenAPI document, metrics and tokens.
export { type CreateServerParameters, createServer, defaultBodyLimit } from './createServer.ts';
export { type DashboardParameters, dashboardContentSecurityPolicy, registerDashboard } from './dashboard.ts';
export { ApiError } from './errors.ts';
export { defaultRateLimits, type RateLimits } from './guards.ts';
export { EventHub, type LiveEvent, type LiveEventType, liveEventTypes } from './live/eventHub.ts';
export { createMonitorBridge, type MonitorBridge, type ServedMonitor } from './live/monitorBridge.ts';
export { openApiDocument } from './openapi.ts';
export type { IncidentResponder, RouteServices } from './routes/route.ts';
export { type ApiRoute, apiRoutes } from './routes.ts';
export { apiRoles, type CreateApiTokenParameters, createApiToken, hashApiToken, roleAllows } from './tokens.ts';
