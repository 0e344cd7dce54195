import type { ServerResponse } from 'node:http';
import type { ApiToken, StoreClient } from '@bulwark/store';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EventHub } from '../live/eventHub.ts';
import { type EventStreamOptions, parseLastEventId, serveEventStream } from '../live/eventStream.ts';
import type { ApiRoute } from '../routes.ts';

const route = { operationId: 'streamEvents', role: 'viewer' } as const satisfies Pick<ApiRoute, 'operationId' | 'role'>;

/** `/api/v1/events` in the OpenAPI document (a stream, so not one of the JSON routes). */
export const eventsPath = {
  '/api/v1/events': {
    get: {
      operationId: route.operationId,
      summary:
        'Live events (server-sent events): alert, alert-retracted, incident, wallet-request, monitor-health, resync',
      description:
        'Needs a token with role viewer or above, in the Authorization header. Each event has a monotonic `id:` and JSON `data:` (the row as the list route gives it; an incident adds `alertIds`, a wallet request its `preview`); send `Last-Event-ID` to resume after it. When the replay of what was missed is cut off (more than 1,000 changes of a kind, or the store unreadable), a `resync` event without an id (`data: {reason, replayed}`) follows what was replayed: read the lists again. A comment line every 15 s keeps the stream open. A client that leaves too much unread is dropped (and resumes).',
      parameters: [{ name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } }],
      responses: {
        200: { description: 'The stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
        401: { description: 'No token, or a token that is unknown or revoked' },
      },
    },
  },
};

/** Registers `GET /api/v1/events`: the token is checked first, then the response is the stream. */
export function eventsRoute(
  server: FastifyInstance,
  parameters: {
    store: StoreClient;
    hub: EventHub;
    authorize: (request: FastifyRequest, route: Pick<ApiRoute, 'operationId' | 'role'>) => Promise<ApiToken>;
    options?: EventStreamOptions | undefined;
  },
): void {
  // Streams never end on their own: closing the server ends them, or `close()` would wait for
  // every open dashboard to leave (a stop with a browser open would hang).
  const open = new Set<ServerResponse>();
  server.addHook('preClose', async () => {
    for (const raw of open) raw.end();
  });
  server.get('/api/v1/events', {
    // No parameters: anything in the query is a 400 (JSON), before a stream is opened.
    schema: { querystring: { type: 'object', additionalProperties: false, properties: {} } },
    onRequest: async (request) => {
      await parameters.authorize(request, route);
    },
    handler: async (request, reply) => {
      // From here the response is the stream's own: Fastify does not answer it.
      reply.hijack();
      open.add(reply.raw);
      reply.raw.on('close', () => open.delete(reply.raw));
      await serveEventStream(reply.raw, {
        hub: parameters.hub,
        store: parameters.store,
        lastId: parseLastEventId(request.headers['last-event-id']),
        options: parameters.options,
      });
    },
  });
}
