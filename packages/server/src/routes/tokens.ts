import { type ApiTokenRole, listApiTokens } from '@bulwark/store';
import { apiTokenSchema, createTokenBodySchema, createTokenResponseSchema, listOf, meSchema } from '../schemas.ts';
import { createApiToken } from '../tokens.ts';
import { type ApiRoute, ok } from './route.ts';

export const tokenRoutes: readonly ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/v1/me',
    operationId: 'getMe',
    summary: "The caller: its token's owner and role (the dashboard's sign-in check)",
    role: 'viewer',
    schema: { response: { 200: meSchema } },
    handler: async ({ token }) => ok({ name: token.name, role: token.role }),
  },
  {
    method: 'GET',
    url: '/api/v1/tokens',
    operationId: 'listTokens',
    summary: 'API tokens: name, role, dates (never the secret or its hash)',
    role: 'admin',
    schema: { response: { 200: listOf(apiTokenSchema) } },
    handler: async ({ store }) => ok((await listApiTokens(store)).map(({ hash: _hash, ...token }) => token)),
  },
  {
    method: 'POST',
    url: '/api/v1/tokens',
    operationId: 'createToken',
    summary: 'Create a token for a person or system; its text is in this answer only',
    role: 'admin',
    schema: { body: createTokenBodySchema, response: { 201: createTokenResponseSchema } },
    handler: async ({ store, token, body }) => {
      const { name, role } = body as { name: string; role: ApiTokenRole };
      const created = await createApiToken(store, { name, role, actor: token.name });
      return ok({ name: created.record.name, role: created.record.role, token: created.token }, 201);
    },
  },
];
