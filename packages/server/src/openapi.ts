import type { ApiRoute } from './routes/route.ts';
import { errorSchema } from './schemas.ts';

// The error answers every API route may give, besides its own success responses.
const errorStatuses: Record<number, string> = {
  400: 'Malformed request (body, parameters or JSON)',
  401: 'No token, or a token that is unknown or revoked',
  403: "The token's role may not do this",
  404: 'Not found',
  409: 'Conflicts with the current state, or an Idempotency-Key reused with another body',
  413: 'Body larger than the limit',
  415: 'Body not JSON',
  422: 'Understood but refused (self-approval, digest mismatch, a pause not confirmed by the contract address)',
  429: 'Too many requests from this IP or token; see the Retry-After header',
};

/** Public routes outside /api/v1, described by hand (they have no token and fixed answers). */
const publicPaths = {
  '/healthz': {
    get: {
      operationId: 'health',
      summary: 'Liveness: 200 once the server and its store are up',
      security: [],
      responses: { 200: { description: 'Up' } },
    },
  },
  '/metrics': {
    get: {
      operationId: 'metrics',
      summary: 'Prometheus metrics (text format, `bulwark_` prefix)',
      security: [],
      responses: { 200: { description: 'Metrics', content: { 'text/plain': { schema: { type: 'string' } } } } },
    },
  },
  '/docs': {
    get: {
      operationId: 'docs',
      summary: 'This document, browsable (HTML)',
      security: [],
      responses: { 200: { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } } },
    },
  },
  '/openapi.json': {
    get: {
      operationId: 'openapi',
      summary: 'This document',
      security: [],
      responses: {
        200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } },
      },
    },
  },
};

const parameters = (where: 'path' | 'query', schema: Record<string, unknown> | undefined) => {
  const properties = (schema?.properties ?? {}) as Record<string, unknown>;
  const required = new Set((schema?.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: property,
  }));
};

/** OpenAPI 3.1 built from the routes' own schemas, so the document cannot drift from what is validated. */
export function openApiDocument(routes: readonly ApiRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = structuredClone(publicPaths);
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(route.schema.response))
      responses[status] = { description: 'Success', content: { 'application/json': { schema } } };
    for (const [status, description] of Object.entries(errorStatuses))
      if (route.method === 'POST' || !['409', '413', '415'].includes(status))
        responses[status] = {
          description,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        };
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      description: `Needs a token with role ${route.role} or above.`,
      parameters: [
        ...parameters('path', route.schema.params),
        ...parameters('query', route.schema.querystring),
        ...(route.method === 'POST'
          ? [
              {
                name: 'Idempotency-Key',
                in: 'header',
                required: false,
                description: 'Same key and body: the first answer again; same key, another body: 409.',
                schema: { type: 'string', minLength: 1, maxLength: 200 },
              },
            ]
          : []),
      ],
      ...(route.schema.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: route.schema.body } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Bulwark API', version },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A token from `bulwark init`' } },
      schemas: { Error: errorSchema },
    },
    paths,
  };
}
