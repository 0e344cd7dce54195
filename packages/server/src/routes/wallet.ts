import { listWalletRequests, type WalletRequestState } from '@bulwark/store';
import { activePolicy, approveRequest, parseRequest, priceSourceFor, submitRequest } from '@bulwark/wallet';
import {
  approveBodySchema,
  approveResponseSchema,
  idParams,
  limit,
  listOf,
  walletRequestBodySchema,
  walletRequestRecordSchema,
  walletRequestStates,
  walletSubmitResponseSchema,
} from '../schemas.ts';
import { type ApiRoute, ok, query } from './route.ts';

export const walletRoutes: readonly ApiRoute[] = [
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
];
