import { jsonText } from '@bulwark/core';
import {
  type ApiToken,
  type ApiTokenRole,
  getIncident,
  getIncidentTimeline,
  type IncidentState,
  incidentStates,
  listAlerts,
  listApiTokens,
  listIncidents,
  listRisks,
  listWalletRequests,
  type StoreClient,
  type WalletRequestState,
} from '@bulwark/store';
import { activePolicy, approveRequest, parseRequest, priceSourceFor, submitRequest } from '@bulwark/wallet';
import { ApiError, type ApiResponse } from './errors.ts';
import {
  alertSchema,
  apiTokenSchema,
  approveBodySchema,
  approveResponseSchema,
  createTokenBodySchema,
  createTokenResponseSchema,
  idParams,
  incidentEventSchema,
  incidentSchema,
  limit,
  listOf,
  riskSchema,
  walletRequestBodySchema,
  walletRequestRecordSchema,
  walletRequestStates,
  walletSubmitResponseSchema,
} from './schemas.ts';
import { createApiToken } from './tokens.ts';

export type RouteContext = {
  store: StoreClient;
  /** Where relative files of the config (a policy's price table) are found. */
  cwd: string;
  /** The caller: every write is attributed to this token's name. */
  token: ApiToken;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
};

export type ApiRoute = {
  method: 'GET' | 'POST';
  /** Fastify form (`/api/v1/incidents/:id`); OpenAPI gets `{id}`. */
  url: string;
  operationId: string;
  summary: string;
  /** The least role that may call it. */
  role: ApiTokenRole;
  schema: {
    params?: Record<string, unknown>;
    querystring?: Record<string, unknown>;
    body?: Record<string, unknown>;
    /** Success responses by status; error responses are the same everywhere (see openapi.ts). */
    response: Record<number, Record<string, unknown>>;
  };
  handler: (ctx: RouteContext) => Promise<ApiResponse>;
};

/** Dates as ISO strings, bigints as decimal strings: the JSON the response schemas describe. */
const plain = (value: unknown): unknown => JSON.parse(jsonText(value));
const ok = (body: unknown, status = 200): ApiResponse => ({ status, body: plain(body) });

const query = (properties: Record<string, unknown>) => ({ type: 'object', additionalProperties: false, properties });

export const apiRoutes: readonly ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/v1/alerts',
    operationId: 'listAlerts',
    summary: 'Alerts, newest first',
    role: 'viewer',
    schema: {
      querystring: query({ status: { type: 'string', enum: ['active', 'retracted'] }, limit }),
      response: { 200: listOf(alertSchema) },
    },
    handler: async ({ store, query }) =>
      ok(
        await listAlerts(store, {
          status: query.status as 'active' | 'retracted' | undefined,
          limit: query.limit as number,
        }),
      ),
  },
  {
    method: 'GET',
    url: '/api/v1/incidents',
    operationId: 'listIncidents',
    summary: 'Incidents, most recently detected first',
    role: 'viewer',
    schema: {
      querystring: query({ state: { type: 'string', enum: incidentStates }, limit }),
      response: { 200: listOf(incidentSchema) },
    },
    handler: async ({ store, query }) =>
      ok(await listIncidents(store, { state: query.state as IncidentState | undefined, limit: query.limit as number })),
  },
  {
    method: 'GET',
    url: '/api/v1/incidents/:id',
    operationId: 'getIncident',
    summary: 'One incident with its timeline',
    role: 'viewer',
    schema: {
      params: idParams,
      response: {
        200: {
          type: 'object',
          additionalProperties: false,
          required: ['incident', 'timeline'],
          properties: { incident: incidentSchema, timeline: listOf(incidentEventSchema) },
        },
      },
    },
    handler: async ({ store, params }) => {
      const incident = await getIncident(store, params.id!);
      if (!incident) throw new ApiError(404, 'not-found', `There is no incident ${params.id}.`);
      return ok({ incident, timeline: await getIncidentTimeline(store, incident.id) });
    },
  },
  {
    method: 'GET',
    url: '/api/v1/wallet/requests',
    operationId: 'listWalletRequests',
    summary: 'Wallet requests, newest first',
    role: 'viewer',
    schema: {
      querystring: query({
        state: { type: 'string', enum: walletRequestStates },
        initiator: { type: 'string', minLength: 1, maxLength: 128 },
        limit,
      }),
      response: { 200: listOf(walletRequestRecordSchema) },
    },
    handler: async ({ store, query }) =>
      ok(
        await listWalletRequests(store, {
          state: query.state as WalletRequestState | undefined,
          initiator: query.initiator as string | undefined,
          limit: query.limit as number,
        }),
      ),
  },
  {
    method: 'GET',
    url: '/api/v1/risks',
    operationId: 'listRisks',
    summary: 'The risk register, highest score first',
    role: 'viewer',
    schema: { response: { 200: listOf(riskSchema) } },
    handler: async ({ store }) => ok(await listRisks(store)),
  },
  {
    method: 'POST',
    url: '/api/v1/wallet/requests',
    operationId: 'submitWalletRequest',
    summary: "Submit a wallet request to the policy in force; its initiator is the token's name",
    role: 'operator',
    schema: { body: walletRequestBodySchema, response: { 201: walletSubmitResponseSchema } },
    handler: async ({ store, cwd, token, body }) => {
      const request = parseRequest({ ...(body as Record<string, unknown>), initiator: token.name }, 'body');
      const active = await activePolicy(store, new Date());
      const prices = active && priceSourceFor(active.compiled, cwd);
      const { record, decision, digest } = await submitRequest(store, { request, prices });
      return ok({ id: record.id, state: record.state, digest, expiresAt: record.expiresAt, decision }, 201);
    },
  },
  {
    method: 'POST',
    url: '/api/v1/wallet/requests/:id/approve',
    operationId: 'approveWalletRequest',
    summary: "Approve a held request as the token's owner, for the digest reviewed",
    role: 'approver',
    schema: { params: idParams, body: approveBodySchema, response: { 200: approveResponseSchema } },
    handler: async ({ store, token, params, body }) => {
      const { digest } = body as { digest: string };
      const { record, quorum } = await approveRequest(store, { id: params.id!, approver: token.name, digest });
      return ok({ id: record.id, state: record.state, quorumMet: quorum.met, missing: quorum.missing });
    },
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
