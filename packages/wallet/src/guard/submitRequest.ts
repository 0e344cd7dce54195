import { createHash, randomUUID } from 'node:crypto';
import {
  appendLog,
  insertWalletRequest,
  type LogEntry,
  lockVelocityCounters,
  reserveVelocity,
  type StoreClient,
  velocityUsed,
  type WalletRequestRecord,
  withTransaction,
} from '@bulwark/store';
import type { CompiledPolicy } from '../policy/compilePolicy.ts';
import { type Decision, decideRequest } from '../policy/decide.ts';
import type { PriceSource } from '../policy/prices.ts';
import {
  parseRequestText,
  requestDigest,
  requestToJson,
  type WalletRequest,
  WalletRequestError,
} from '../request/request.ts';
import { activePolicy } from './activePolicy.ts';
import { valueRequest } from './valueRequest.ts';

export type SubmitRequestParameters = {
  request: WalletRequest;
  /** USD prices for policies with usd amounts (the CLI builds it from the policy's `prices`). */
  prices?: PriceSource | undefined;
  now?: Date | undefined;
};

export type SubmitRequestReturnType = {
  record: WalletRequestRecord;
  decision: Decision;
  digest: `0x${string}`;
  log: LogEntry;
};

const noPolicy = (digest: `0x${string}`): Decision => ({
  outcome: 'block',
  rule: 'builtin:no-policy',
  reason: 'no wallet policy has been approved yet: nothing is allowed until one is (bulwark wallet policy propose).',
  quorum: null,
  policyDigest: digest,
  usd: null,
  notMatched: [],
});

/** What the request adds to each of its velocity counters: smallest units, or micro-dollars. */
function velocityAmounts(
  compiled: CompiledPolicy,
  request: WalletRequest,
  usd: bigint | undefined,
): Map<string, bigint> {
  const amounts = new Map<string, bigint>();
  for (const limit of compiled.velocityLimits)
    amounts.set(limit.keyFor(request), limit.unit === 'native' ? request.amount : (usd ?? 0n));
  return amounts;
}

/**
 * Decides a request under the policy in force and records it, its decision and the log entry in
 * one transaction. Velocity limits are read and reserved under a lock on each counter the
 * request touches, so concurrent requests queue on a shared counter and never overspend it.
 * An allowed or held request reserves its amount; a rejected or expired one gives it back.
 */
export async function submitRequest(
  store: StoreClient,
  parameters: SubmitRequestParameters,
): Promise<SubmitRequestReturnType> {
  const { request } = parameters;
  const now = parameters.now ?? new Date();
  const digest = requestDigest(request);
  const id = randomUUID();
  // The price is looked up before the transaction (it may take a network round trip), for the policy in force now.
  const before = await activePolicy(store, now);
  const usdBefore = before && (await valueRequest(before.compiled, parameters.prices, request));
  return withTransaction(store, async (tx) => {
    const active = await activePolicy(tx, now);
    let decision: Decision;
    let amounts = new Map<string, bigint>();
    if (!active) decision = noPolicy(digest);
    else {
      const usd =
        active.record.id === before?.record.id
          ? (usdBefore ?? undefined)
          : await valueRequest(active.compiled, parameters.prices, request);
      amounts = velocityAmounts(active.compiled, request, usd);
      await lockVelocityCounters(tx, [...amounts.keys()]);
      const used = new Map<string, bigint>();
      for (const limit of active.compiled.velocityLimits)
        used.set(
          limit.ruleId,
          await velocityUsed(tx, {
            key: limit.keyFor(request),
            since: new Date(now.getTime() - limit.windowMs),
            at: now,
          }),
        );
      decision = decideRequest(active.compiled, request, { now: now.getTime(), usd, velocityUsed: used });
    }
    const state = decision.outcome === 'allow' ? 'allowed' : decision.outcome === 'block' ? 'blocked' : 'pending';
    const record = await insertWalletRequest(tx, {
      id,
      digest,
      request: requestToJson(request),
      initiator: request.initiator,
      source: request.source,
      chainId: request.chain,
      state,
      decision: decision as unknown as Record<string, unknown>,
      policyId: active?.record.id ?? null,
      createdAt: now,
      expiresAt: state === 'pending' ? new Date(now.getTime() + active!.compiled.approvalTtlMs) : null,
    });
    if (state !== 'blocked') await reserveVelocity(tx, { requestId: id, amounts, at: now });
    const log = await appendLog(tx, {
      actor: request.initiator,
      action: 'wallet.request',
      payload: { id, digest, request: requestToJson(request), state, decision },
      at: now,
    });
    return { record, decision, digest, log };
  });
}

/**
 * Parses request text and submits it. A request that does not parse (malformed, oversized) is
 * refused with its error, and the refusal is logged with the text's hash and size, never the text.
 */
export async function submitRequestText(
  store: StoreClient,
  parameters: Omit<SubmitRequestParameters, 'request'> & { text: string; where?: string | undefined; actor: string },
): Promise<SubmitRequestReturnType> {
  let request: WalletRequest;
  try {
    request = parseRequestText(parameters.text, parameters.where);
  } catch (error) {
    if (error instanceof WalletRequestError)
      await appendLog(store, {
        actor: parameters.actor,
        action: 'wallet.request.refused',
        payload: {
          bytes: Buffer.byteLength(parameters.text, 'utf8'),
          sha256: createHash('sha256').update(parameters.text, 'utf8').digest('hex'),
          message: error.shortMessage,
        },
        at: parameters.now,
      });
    throw error;
  }
  return submitRequest(store, { ...parameters, request });
}
