import { jsonText } from '@bulwark/core';
import type { ApiToken, ApiTokenRole, StoreClient } from '@bulwark/store';
import type { ApiResponse } from '../errors.ts';

/** What a few routes need beyond the store, given to `createServer` (by `bulwark serve`). */
export type RouteServices = {
  /** Pauses an incident's contract: the monitor's responder (never an unpause). */
  responder?: IncidentResponder | undefined;
  /** The custody file (hot/cold wallets per chain) for /wallet/custody. */
  custodyFile?: string | undefined;
  /** Chromium for the PDF report; default Debian's. */
  chromium?: string | undefined;
};

/**
 * The part of the monitor's responder (`createResponder` in @bulwark/monitor) the pause route
 * calls; it records the action on the incident and moves it to contained once verified.
 */
export type IncidentResponder = {
  respond(request: {
    incidentId: string;
    chainId: number;
    contract: `0x${string}`;
    reason: string;
    dryRun: boolean;
  }): Promise<{ kind: string; status: string; actionId?: string; txHash?: string | undefined; contained?: boolean }>;
};

export type RouteContext = {
  store: StoreClient;
  services: RouteServices;
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
export const plain = (value: unknown): unknown => JSON.parse(jsonText(value));
export const ok = (body: unknown, status = 200): ApiResponse => ({ status, body: plain(body) });

export const query = (properties: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: false,
  properties,
});
