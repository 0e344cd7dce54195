import { type Selectable, sql } from 'kysely';
import { ConflictError } from './errors.ts';
import { toJson } from './json.ts';
import { chainKey } from './normalize.ts';
import type { WalletPoliciesTable, WalletPolicyState, WalletRequestState, WalletRequestsTable } from './schema.ts';
import { isUniqueViolation } from './sqlErrors.ts';
import type { StoreClient } from './store.ts';

export type { WalletPolicyState, WalletRequestState } from './schema.ts';

/**
 * The wallet guard's tables. What a policy means, who may approve and when a request is allowed
 * is decided in @bulwark/wallet; this module only keeps the records and the locks.
 */

const docsPath = 'wallet/policy.md';

// policies

export type WalletPolicyRecord = {
  id: string;
  document: Record<string, unknown>;
  effective: Record<string, unknown> | null;
  state: WalletPolicyState;
  proposedBy: string;
  proposedAt: Date;
  approvedAt: Date | null;
  appliesAt: Date | null;
};

const policyFromRow = (row: Selectable<WalletPoliciesTable>): WalletPolicyRecord => ({
  id: row.id,
  document: row.document,
  effective: row.effective,
  state: row.state,
  proposedBy: row.proposed_by,
  proposedAt: row.proposed_at,
  approvedAt: row.approved_at,
  appliesAt: row.applies_at,
});

export async function insertWalletPolicy(
  store: StoreClient,
  parameters: { id: string; document: Record<string, unknown>; proposedBy: string; proposedAt?: Date | undefined },
): Promise<WalletPolicyRecord> {
  try {
    const row = await store.db
      .insertInto('wallet_policies')
      .values({
        id: parameters.id,
        document: toJson(parameters.document),
        proposed_by: parameters.proposedBy,
        proposed_at: parameters.proposedAt ?? new Date(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return policyFromRow(row);
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ConflictError(`Policy ${parameters.id} has already been proposed.`, { cause: error, docsPath });
    throw error;
  }
}

export async function getWalletPolicy(
  store: StoreClient,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<WalletPolicyRecord | undefined> {
  let query = store.db.selectFrom('wallet_policies').selectAll().where('id', '=', id);
  if (options.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && policyFromRow(row);
}

/** Wallet policies, the most recently proposed first; `limit` reads that many (default all). */
export async function listWalletPolicies(
  store: StoreClient,
  parameters: { limit?: number | undefined } = {},
): Promise<WalletPolicyRecord[]> {
  let query = store.db.selectFrom('wallet_policies').selectAll().orderBy('proposed_at', 'desc').orderBy('id', 'desc');
  if (parameters.limit !== undefined) query = query.limit(parameters.limit);
  return (await query.execute()).map(policyFromRow);
}

/** The policy in force at `at`: of the approved ones whose time has come, the last approved. */
export async function getActiveWalletPolicy(store: StoreClient, at: Date): Promise<WalletPolicyRecord | undefined> {
  const row = await store.db
    .selectFrom('wallet_policies')
    .selectAll()
    .where('state', '=', 'approved')
    .where('applies_at', '<=', at)
    .orderBy('approved_at', 'desc')
    .orderBy('applies_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && policyFromRow(row);
}

export async function markWalletPolicyApproved(
  store: StoreClient,
  parameters: { id: string; effective: Record<string, unknown>; approvedAt: Date; appliesAt: Date },
): Promise<void> {
  await store.db
    .updateTable('wallet_policies')
    .set({
      state: 'approved',
      effective: toJson(parameters.effective),
      approved_at: parameters.approvedAt,
      applies_at: parameters.appliesAt,
    })
    .where('id', '=', parameters.id)
    .where('state', '=', 'proposed')
    .execute();
}

/**
 * Marks an allowed or approved request signed, by `signer` with account nonce `nonce` (none for a
 * typed message); returns false when it was not (already signed, or moved on by someone else), so
 * of two signers racing on one request only one signature is kept. A nonce of the signer already
 * used for another request of the chain is a ConflictError: two transactions with one nonce would
 * race each other.
 */
export async function markWalletRequestSigned(
  store: StoreClient,
  parameters: { id: string; at: Date; signer: string; nonce: number | undefined },
): Promise<boolean> {
  try {
    const result = await store.db
      .updateTable('wallet_requests')
      .set({
        state: 'signed',
        closed_at: parameters.at,
        signed_by: parameters.signer.toLowerCase(),
        signed_nonce: parameters.nonce ?? null,
      })
      .where('id', '=', parameters.id)
      .where('state', 'in', ['allowed', 'approved'])
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ConflictError(
        `Nonce ${parameters.nonce} of ${parameters.signer} already signed another request on this chain.`,
        { cause: error, docsPath },
      );
    throw error;
  }
}

/**
 * Locks `signer`'s nonces on `chainId` until the transaction ends (servers sharing the database
 * sign for one account one at a time) and returns the nonce after the highest one it signed a
 * request with; 0 when none. Call it inside `withTransaction`.
 */
export async function lockNextSignedNonce(
  store: StoreClient,
  parameters: { chainId: number; signer: string },
): Promise<number> {
  const lock = `bulwark.wallet.nonce:${parameters.chainId}:${parameters.signer.toLowerCase()}`;
  await sql`select pg_advisory_xact_lock(hashtextextended(${lock}, 0))`.execute(store.db);
  const row = await store.db
    .selectFrom('wallet_requests')
    .select((eb) => eb.fn.max('signed_nonce').as('highest'))
    .where('chain_id', '=', chainKey(parameters.chainId))
    .where('signed_by', '=', parameters.signer.toLowerCase())
    .executeTakeFirst();
  return row?.highest == null ? 0 : Number(row.highest) + 1;
}

/** Records one approver's vote; a second vote by the same approver is a ConflictError. */
export async function addWalletPolicyApproval(
  store: StoreClient,
  parameters: { policyId: string; approver: string; at?: Date | undefined },
): Promise<void> {
  try {
    await store.db
      .insertInto('wallet_policy_approvals')
      .values({
        policy_id: parameters.policyId,
        approver: parameters.approver,
        approved_at: parameters.at ?? new Date(),
      })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ConflictError(`${parameters.approver} has already approved policy ${parameters.policyId}.`, {
        cause: error,
        docsPath,
      });
    throw error;
  }
}

export async function listWalletPolicyApprovals(
  store: StoreClient,
  policyId: string,
): Promise<{ approver: string; approvedAt: Date }[]> {
  const rows = await store.db
    .selectFrom('wallet_policy_approvals')
    .select(['approver', 'approved_at'])
    .where('policy_id', '=', policyId)
    .orderBy('approved_at')
    .execute();
  return rows.map((r) => ({ approver: r.approver, approvedAt: r.approved_at }));
}

// requests

export type WalletRequestRecord = {
  id: string;
  digest: string;
  request: Record<string, unknown>;
  initiator: string;
  source: string;
  chainId: number;
  state: WalletRequestState;
  decision: Record<string, unknown>;
  policyId: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  closedAt: Date | null;
};

export const requestFromRow = (row: Selectable<WalletRequestsTable>): WalletRequestRecord => ({
  id: row.id,
  digest: row.digest,
  request: row.request,
  initiator: row.initiator,
  source: row.source,
  chainId: Number(row.chain_id),
  state: row.state,
  decision: row.decision,
  policyId: row.policy_id,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  closedAt: row.closed_at,
});

export async function insertWalletRequest(
  store: StoreClient,
  parameters: Omit<WalletRequestRecord, 'closedAt'>,
): Promise<WalletRequestRecord> {
  const row = await store.db
    .insertInto('wallet_requests')
    .values({
      id: parameters.id,
      digest: parameters.digest,
      request: toJson(parameters.request),
      initiator: parameters.initiator,
      source: parameters.source,
      chain_id: chainKey(parameters.chainId),
      state: parameters.state,
      decision: toJson(parameters.decision),
      policy_id: parameters.policyId,
      created_at: parameters.createdAt,
      expires_at: parameters.expiresAt,
      closed_at: parameters.state === 'pending' ? null : parameters.createdAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return requestFromRow(row);
}

export async function getWalletRequest(
  store: StoreClient,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<WalletRequestRecord | undefined> {
  let query = store.db.selectFrom('wallet_requests').selectAll().where('id', '=', id);
  if (options.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && requestFromRow(row);
}

export async function listWalletRequests(
  store: StoreClient,
  filter: { state?: WalletRequestState | undefined; initiator?: string | undefined; limit?: number | undefined } = {},
): Promise<WalletRequestRecord[]> {
  let query = store.db.selectFrom('wallet_requests').selectAll();
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.initiator) query = query.where('initiator', '=', filter.initiator);
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(filter.limit ?? 1000)
    .execute();
  return rows.map(requestFromRow);
}

/** Moves a pending request on; returns false when it was no longer pending (someone else moved it). */
export async function closeWalletRequest(
  store: StoreClient,
  parameters: { id: string; state: 'approved' | 'rejected' | 'expired'; at: Date },
): Promise<boolean> {
  const result = await store.db
    .updateTable('wallet_requests')
    .set({ state: parameters.state, closed_at: parameters.at })
    .where('id', '=', parameters.id)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Records one approver's vote for the digest they saw; a second vote by the same approver is a ConflictError. */
export async function addWalletRequestApproval(
  store: StoreClient,
  parameters: { requestId: string; approver: string; digest: string; at: Date },
): Promise<void> {
  try {
    await store.db
      .insertInto('wallet_request_approvals')
      .values({
        request_id: parameters.requestId,
        approver: parameters.approver,
        digest: parameters.digest,
        approved_at: parameters.at,
      })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ConflictError(`${parameters.approver} has already approved request ${parameters.requestId}.`, {
        cause: error,
        docsPath,
      });
    throw error;
  }
}

export async function listWalletRequestApprovals(
  store: StoreClient,
  requestId: string,
): Promise<{ approver: string; digest: string; approvedAt: Date }[]> {
  const rows = await store.db
    .selectFrom('wallet_request_approvals')
    .select(['approver', 'digest', 'approved_at'])
    .where('request_id', '=', requestId)
    .orderBy('approved_at')
    .orderBy('approver')
    .execute();
  return rows.map((r) => ({ approver: r.approver, digest: r.digest, approvedAt: r.approved_at }));
}

// velocity

/**
 * Locks the velocity counters `keys` until the transaction ends, creating them on first use.
 * Keys are locked in sorted order, so two requests that share keys never deadlock. Call inside
 * `withTransaction`; every check-and-reserve on a key waits for the one before it to commit.
 */
export async function lockVelocityCounters(store: StoreClient, keys: readonly string[]): Promise<void> {
  if (!store.db.isTransaction)
    throw new ConflictError('Velocity counters can only be locked inside a transaction.', {
      details: 'Wrap the check and the reservation in withTransaction.',
      docsPath,
    });
  const sorted = [...new Set(keys)].sort();
  if (sorted.length === 0) return;
  await store.db
    .insertInto('wallet_velocity_counters')
    .values(sorted.map((key) => ({ key })))
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  await store.db
    .selectFrom('wallet_velocity_counters')
    .select('key')
    .where('key', 'in', sorted)
    .orderBy('key')
    .forUpdate()
    .execute();
}

/**
 * What is reserved against `key` since `since`: reservations not released, of requests that were
 * allowed, approved or signed, or are still pending and not expired at `at`.
 */
export async function velocityUsed(
  store: StoreClient,
  parameters: { key: string; since: Date; at: Date },
): Promise<bigint> {
  const row = await store.db
    .selectFrom('wallet_velocity_reservations as v')
    .innerJoin('wallet_requests as r', 'r.id', 'v.request_id')
    .select(sql<string | null>`sum(v.amount)::text`.as('used'))
    .where('v.key', '=', parameters.key)
    .where('v.reserved_at', '>', parameters.since)
    .where('v.released_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('r.state', 'in', ['allowed', 'approved', 'signed']),
        eb.and([eb('r.state', '=', 'pending'), eb('r.expires_at', '>', parameters.at)]),
      ]),
    )
    .executeTakeFirst();
  return BigInt(row?.used ?? '0');
}

export async function reserveVelocity(
  store: StoreClient,
  parameters: { requestId: string; amounts: ReadonlyMap<string, bigint>; at: Date },
): Promise<void> {
  if (parameters.amounts.size === 0) return;
  await store.db
    .insertInto('wallet_velocity_reservations')
    .values(
      [...parameters.amounts].map(([key, amount]) => ({
        request_id: parameters.requestId,
        key,
        amount: amount.toString(),
        reserved_at: parameters.at,
      })),
    )
    .execute();
}

/** Gives back what a request reserved (it was rejected or expired). */
export async function releaseVelocity(store: StoreClient, parameters: { requestId: string; at: Date }): Promise<void> {
  await store.db
    .updateTable('wallet_velocity_reservations')
    .set({ released_at: parameters.at })
    .where('request_id', '=', parameters.requestId)
    .where('released_at', 'is', null)
    .execute();
}
