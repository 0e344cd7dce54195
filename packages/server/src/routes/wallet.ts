import { BaseError, jsonText } from '@bulwark/core';
import {
  getWalletRequestPreviews,
  listWalletPolicies,
  listWalletRequests,
  recordWalletRequestPreview,
  type WalletRequestState,
  withTransaction,
} from '@bulwark/store';
import {
  activePolicy,
  approveRequest,
  checkCustody,
  loadCustodyConfig,
  parseRequest,
  priceSourceFor,
  rejectRequest,
  submitRequest,
} from '@bulwark/wallet';
import { ApiError } from '../errors.ts';
import {
  approveBodySchema,
  approveResponseSchema,
  custodySchema,
  idParams,
  limit,
  listOf,
  rejectBodySchema,
  rejectResponseSchema,
  walletPolicySchema,
  walletRequestBodySchema,
  walletRequestRecordSchema,
  walletRequestStates,
  walletSubmitResponseSchema,
} from '../schemas.ts';
import { type ApiRoute, ok, query } from './route.ts';
import { sharedAnswer } from './sharedReads.ts';
import { previewWalletRequest } from './walletPreview.ts';

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
    handler: sharedAnswer(async ({ store, query }) => {
      const records = await listWalletRequests(store, {
        state: query.state as WalletRequestState | undefined,
        initiator: query.initiator as string | undefined,
        limit: query.limit as number,
      });
      const previews = await getWalletRequestPreviews(
        store,
        records.map((record) => record.id),
      );
      return ok(records.map((record) => ({ ...record, preview: previews.get(record.id) ?? null })));
    }),
  },
  {
    method: 'POST',
    url: '/api/v1/wallet/requests',
    operationId: 'submitWalletRequest',
    summary: "Submit a wallet request to the policy in force; its initiator is the token's name",
    role: 'operator',
    schema: { body: walletRequestBodySchema, response: { 201: walletSubmitResponseSchema } },
    handler: async ({ store, services, cwd, token, body }) => {
      const request = parseRequest({ ...(body as Record<string, unknown>), initiator: token.name }, 'body');
      const active = await activePolicy(store, new Date());
      const prices = active && priceSourceFor(active.compiled, cwd);
      // Simulated first, on the chain as it is at submission; a simulation that cannot run (no
      // custody file, the node down) never holds the request up: approvers then see it as requested.
      const simulated = await previewWalletRequest(services.custodyFile, request).catch(() => undefined);
      const preview = simulated && (JSON.parse(jsonText(simulated)) as Record<string, unknown>);
      // One transaction: the request is never seen (live events, the list) without its simulation.
      const { record, decision, digest } = await withTransaction(store, async (tx) => {
        const submitted = await submitRequest(tx, { request, prices });
        if (preview)
          await recordWalletRequestPreview(tx, { requestId: submitted.record.id, preview, actor: token.name });
        return submitted;
      });
      return ok(
        { id: record.id, state: record.state, digest, expiresAt: record.expiresAt, decision, preview: preview ?? null },
        201,
      );
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
    method: 'POST',
    url: '/api/v1/wallet/requests/:id/reject',
    operationId: 'rejectWalletRequest',
    summary: "Reject a held request as the token's owner (an approver of its quorum, or its initiator)",
    role: 'approver',
    schema: { params: idParams, body: rejectBodySchema, response: { 200: rejectResponseSchema } },
    handler: async ({ store, token, params, body }) => {
      const { reason } = body as { reason: string };
      const { record } = await rejectRequest(store, { id: params.id!, actor: token.name, reason });
      return ok({ id: record.id, state: record.state });
    },
  },
  {
    method: 'GET',
    url: '/api/v1/wallet/policies',
    operationId: 'listWalletPolicies',
    summary:
      'Wallet policies (proposed, approved, superseded), most recently proposed first, with the one in force marked active',
    role: 'viewer',
    schema: { querystring: query({ limit }), response: { 200: listOf(walletPolicySchema) } },
    handler: sharedAnswer(async ({ store, query }) => {
      const [policies, active] = await Promise.all([
        listWalletPolicies(store, { limit: query.limit as number }),
        activePolicy(store, new Date()),
      ]);
      return ok(policies.map((policy) => ({ ...policy, active: policy.id === active?.record.id })));
    }),
  },
  {
    method: 'GET',
    url: '/api/v1/wallet/custody',
    operationId: 'getWalletCustody',
    summary: 'Hot/cold custody per asset, read from the chains of the custody file (`serve --custody FILE`)',
    role: 'viewer',
    schema: { response: { 200: custodySchema } },
    handler: async ({ services }) => {
      if (!services.custodyFile) return ok({ configured: false, at: new Date(), chains: [], breaches: 0 });
      try {
        const report = await checkCustody({ config: await loadCustodyConfig(services.custodyFile) });
        return ok({ configured: true, ...report });
      } catch (error) {
        // The server's own setup (its custody file, a chain's RPC) failed, not the caller's request.
        throw new ApiError(
          503,
          'custody-unavailable',
          `Cannot read custody: ${error instanceof BaseError ? error.shortMessage : 'a chain did not answer'}`,
        );
      }
    },
  },
];
