/** Test support for the API: a wallet policy, a withdrawal, and a caller that speaks to a running server. Not exported. */
import type { AddressInfo } from 'node:net';
import type { ApiTokenRole, StoreClient } from '@bulwark/store';
import { approvePolicy, parsePolicy, proposePolicy } from '@bulwark/wallet';
import type { FastifyInstance } from 'fastify';
import { createApiToken } from './tokens.ts';

export const exchange = '0x28c6c06298d514db089934071355e5743bf21d60';

export const withdrawal = (amount: string, extra: Record<string, unknown> = {}) => ({
  kind: 'withdrawal',
  source: 'hot',
  chain: 1,
  asset: 'native',
  amount,
  destination: exchange,
  ...extra,
});

/** Above 100 wei needs one approver of `treasury` (carol, alice; or `treasury`); the rest is blocked. */
export async function installPolicy(
  store: StoreClient,
  treasury: { members: string[]; threshold: number } = { members: ['carol', 'alice'], threshold: 1 },
) {
  const policy = parsePolicy({
    version: 1,
    groups: {
      treasury,
      admins: { members: ['heidi', 'ivan', 'judy'], threshold: 2 },
    },
    admin: { group: 'admins' },
    rules: [
      {
        id: 'large',
        match: { amount: { above: '100', unit: 'native' } },
        action: { requireApproval: { group: 'treasury' } },
      },
      { id: 'default-deny', match: {}, action: 'block' },
    ],
  });
  const now = new Date(Date.now() - 60_000);
  const { record } = await proposePolicy(store, { policy, proposer: 'heidi', now });
  await approvePolicy(store, { id: record.id, approver: 'ivan', now });
  await approvePolicy(store, { id: record.id, approver: 'judy', now });
}

/** The tests' token owners: alice and carol are the policy's treasury approvers. */
export const people: readonly [string, ApiTokenRole][] = [
  ['root', 'admin'],
  ['vera', 'viewer'],
  ['olga', 'operator'],
  ['alice', 'approver'],
  ['carol', 'approver'],
];

/** A token for each of `people`, by name. */
export async function createPeopleTokens(store: StoreClient): Promise<Record<string, string>> {
  const tokens: Record<string, string> = {};
  for (const [name, role] of people) tokens[name] = (await createApiToken(store, { name, role, actor: 'test' })).token;
  return tokens;
}

export type CallOptions = { as?: string; body?: unknown; raw?: string; headers?: Record<string, string> };

/** Calls the server as one of `tokens` (by owner name); the answer's JSON, text and headers. */
export function apiCaller(server: FastifyInstance, tokens: Record<string, string>) {
  const base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  return async (method: string, path: string, options: CallOptions = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.as) headers.authorization = `Bearer ${tokens[options.as]}`;
    let body: string | undefined;
    if (options.raw !== undefined || options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = options.raw ?? JSON.stringify(options.body);
    }
    const response = await fetch(`${base}${path}`, { method, headers, body });
    const bytes = new Uint8Array(await response.arrayBuffer());
    const text = new TextDecoder().decode(bytes);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
    const fields = json as Record<string, any>;
    return { status: response.status, json: fields, text, bytes, headers: response.headers };
  };
}
