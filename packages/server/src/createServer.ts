import { redactSecrets } from '@bulwark/core';
import { type ApiToken, countStoreFacts, findApiTokens, type StoreClient } from '@bulwark/store';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { registerApiDocs } from './apiDocs.ts';
import { type DashboardParameters, registerDashboard } from './dashboard.ts';
import { ApiError, type ApiResponse, errorResponse } from './errors.ts';
import { type RateLimits, refuseCrossOrigin, refuseUnstorableQuery, registerRateLimits } from './guards.ts';
import { runIdempotent } from './idempotency.ts';
import { EventHub } from './live/eventHub.ts';
import type { EventStreamOptions } from './live/eventStream.ts';
import type { ServedMonitor } from './live/monitorBridge.ts';
import { type StoreFeedOptions, startStoreFeed } from './live/storeFeed.ts';
import { RequestMetrics } from './metrics.ts';
import { openApiDocument } from './openapi.ts';
import { eventsPath, eventsRoute } from './routes/events.ts';
import { monitorRoutes } from './routes/monitor.ts';
import type { RouteServices } from './routes/route.ts';
import { batchedRead } from './routes/sharedReads.ts';
import { type ApiRoute, apiRoutes } from './routes.ts';
import { hashApiToken, roleAllows } from './tokens.ts';

/** Largest request body accepted: a wallet request needs far less (the guard refuses above 64 KiB). */
export const defaultBodyLimit = 64 * 1024;

export type CreateServerParameters = {
  store: StoreClient;
  /** Where relative files named by the config (a wallet policy's price table) are found. */
  cwd?: string | undefined;
  bodyLimit?: number | undefined;
  /** Where unexpected (5xx) errors are written, scrubbed of secrets; default: nowhere. */
  logError?: ((line: string) => void) | undefined;
  version?: string | undefined;
  /** The web dashboard on `/` (built on start when stale); false serves the API alone. */
  dashboard?: DashboardParameters | false | undefined;
  /** Live events (`/api/v1/events`): the stream's heartbeat and bound, the store feed's polling. */
  events?: (EventStreamOptions & { feed?: StoreFeedOptions | undefined }) | undefined;
  /** Where live events are published (the monitor in this process publishes to it too); default a new one. */
  hub?: EventHub | undefined;
  /** Per IP and per token; `false` turns them off. */
  rateLimits?: RateLimits | false | undefined;
  /** Origins besides the server's own whose pages may call the API with a token (default none). */
  allowedOrigins?: readonly string[] | undefined;
  /** The monitor running in this process (`bulwark serve --config`): /healthz, /metrics and /api/v1/monitor read it. */
  monitor?: ServedMonitor | undefined;
} & RouteServices;

const refuseNul = (key: string, value: unknown) => {
  if ((typeof value === 'string' && value.includes('\u0000')) || key.includes('\u0000'))
    throw new ApiError(400, 'invalid-request', 'The body contains a NUL character (\\u0000), which no field accepts.');
  return value;
};

const bearer = /^Bearer ([A-Za-z0-9_-]{1,200})$/;

/**
 * The API server: `/healthz`, `/metrics`, `/openapi.json` and the token-guarded `/api/v1` routes.
 * Tokens are checked and roles enforced before the body is read, so an unauthenticated or
 * unauthorised caller's body never reaches a parser, let alone the store.
 */
export async function createServer(parameters: CreateServerParameters): Promise<FastifyInstance> {
  const { store } = parameters;
  const cwd = parameters.cwd ?? process.cwd();
  const server = Fastify({
    logger: false,
    bodyLimit: parameters.bodyLimit ?? defaultBodyLimit,
    exposeHeadRoutes: false,
    // Reject unknown fields instead of silently dropping them (Fastify's default removes them).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  });
  const metrics = new RequestMetrics();
  const tokens = new WeakMap<FastifyRequest, ApiToken>();
  const hub = parameters.hub ?? new EventHub();
  // Every /api/v1 request looks its token up: those asked together are one query.
  const findToken = batchedRead((hashes: string[]) => findApiTokens(store, hashes));
  const feed = startStoreFeed(store, hub, {
    ...parameters.events?.feed,
    onError: (error) => parameters.logError?.(redactSecrets(`live events: reading the store failed: ${String(error)}`)),
  });
  server.addHook('onClose', () => feed.stop());
  // What the monitor in this process recorded is read at once, not at the next poll.
  parameters.monitor?.onRecorded(() => void feed.poll());
  const routes = [...apiRoutes, ...monitorRoutes(parameters.monitor)];

  // JSON only. A NUL character is refused here: PostgreSQL cannot store it in text or jsonb, and
  // malformed input must be a 400 at the edge, not an error from the store.
  server.removeAllContentTypeParsers();
  server.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    if (text === '')
      return done(new ApiError(400, 'invalid-json', 'The body is empty; send a JSON object.'), undefined);
    try {
      done(null, JSON.parse(text as string, refuseNul));
    } catch (error) {
      done(
        error instanceof ApiError
          ? error
          : new ApiError(400, 'invalid-json', `The body is not valid JSON: ${(error as Error).message}.`),
        undefined,
      );
    }
  });

  const logUnexpected = (request: FastifyRequest, error: unknown) =>
    parameters.logError?.(
      redactSecrets(
        `${request.method} ${request.routeOptions.url ?? request.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      ),
    );

  const send = (reply: FastifyReply, answer: ApiResponse) =>
    answer.type
      ? reply.code(answer.status).type(answer.type).send(answer.body)
      : reply.code(answer.status).send(answer.body);
  const services: RouteServices = {
    responder: parameters.responder,
    custodyFile: parameters.custodyFile,
    chromium: parameters.chromium,
  };

  server.setErrorHandler((error, request, reply) => {
    const answer = errorResponse(error);
    if (answer.unexpected) logUnexpected(request, error);
    return send(reply, answer);
  });
  server.setNotFoundHandler((request, reply) =>
    send(
      reply,
      errorResponse(new ApiError(404, 'not-found', `No route ${request.method} ${request.url.split('?')[0]}.`)),
    ),
  );
  server.addHook('onResponse', async (request, reply) => {
    metrics.observe(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });

  const limitPerToken = await registerRateLimits(
    server,
    parameters.rateLimits,
    (request) => tokens.get(request)?.name,
    store,
  );
  server.addHook('onRequest', refuseCrossOrigin(parameters.allowedOrigins));

  server.get('/healthz', async (_request, reply) => {
    const readiness = parameters.monitor?.readiness();
    if (readiness && !readiness.ready) return reply.code(503).send({ status: 'starting', waiting: readiness.waiting });
    return { status: 'ok' };
  });
  server.get('/metrics', async (_request, reply) =>
    reply
      .type('text/plain; version=0.0.4')
      .send(metrics.text(await countStoreFacts(store)) + (parameters.monitor?.metrics().join('\n').concat('\n') ?? '')),
  );
  const document = openApiDocument(routes, parameters.version ?? '0.1.0');
  Object.assign(document.paths as Record<string, unknown>, eventsPath);
  server.get('/openapi.json', async () => document);
  registerApiDocs(server);

  for (const route of routes) registerRoute(route);
  eventsRoute(server, { store, hub, authorize, options: parameters.events });
  if (parameters.dashboard !== false) await registerDashboard(server, parameters.dashboard);

  /** The token check every `/api/v1` route runs before its body is read: 401, 403, or the caller. */
  async function authorize(request: FastifyRequest, route: Pick<ApiRoute, 'operationId' | 'role'>): Promise<ApiToken> {
    const match = bearer.exec(request.headers.authorization ?? '');
    if (!match)
      throw new ApiError(401, 'unauthorized', 'Send a token: Authorization: Bearer <token> (from `bulwark init`).');
    const token = await findToken(hashApiToken(match[1]!));
    if (!token) throw new ApiError(401, 'unauthorized', 'The token is unknown or revoked.');
    if (!roleAllows(token.role, route.role))
      throw new ApiError(
        403,
        'forbidden',
        `${route.operationId} needs role ${route.role}; this token is ${token.role}.`,
      );
    return token;
  }

  function registerRoute(route: ApiRoute) {
    server.route({
      method: route.method,
      url: route.url,
      schema: route.schema,
      onRequest: async (request) => {
        tokens.set(request, await authorize(request, route));
      },
      // The token's own limit, once the token is known and still before the body is read.
      preParsing: async (request, reply, payload) => {
        await limitPerToken?.(request, reply);
        return payload;
      },
      preHandler: refuseUnstorableQuery,
      handler: async (request, reply) => {
        const token = tokens.get(request)!;
        const context = {
          store,
          services,
          cwd,
          token,
          params: request.params as Record<string, string>,
          query: request.query as Record<string, unknown>,
          body: request.body,
        };
        const answer = () =>
          route.handler(context).catch((error: unknown) => {
            const response = errorResponse(error);
            if (response.unexpected) logUnexpected(request, error);
            return response;
          });
        const key = request.headers['idempotency-key'];
        if (route.method !== 'POST' || key === undefined) return send(reply, await answer());
        if (typeof key !== 'string' || key.length === 0 || key.length > 200)
          throw new ApiError(400, 'invalid-request', 'Idempotency-Key must be one value of 1 to 200 characters.');
        const result = await runIdempotent(
          store,
          { token: token.name, route: route.operationId, key },
          { params: request.params, body: request.body },
          answer,
        );
        if (result.replayed) reply.header('idempotent-replayed', 'true');
        return send(reply, result);
      },
    });
  }
  return server;
}
