import { toJson } from './json.ts';
import type { StoreClient } from './store.ts';

/** Which answer a (token, route, key) stands for. */
export type IdempotencyScope = { token: string; route: string; key: string };

export type IdempotencyClaim =
  /** `claimedAt` identifies this claim: renewing, completing and releasing it name it. */
  | { claimed: true; claimedAt: Date }
  | { claimed: false; fingerprint: string; answer: { status: number; body: unknown } | undefined };

/*
 * A running key's `expires_at` is its lease: the claimer renews it while its request runs, and a
 * claimer that died (a replica killed) stops renewing, so its key expires and is claimed anew by
 * the next retry instead of staying in use for the day an answer is kept. `created_at` is the
 * claim's own time: a claimer whose key was taken over no longer finds its claim, so it cannot
 * store its answer over the new claimer's, nor let the new claim go.
 */

/**
 * Claims a key for a request: `claimed` when it is new (or its old row had expired: a kept answer
 * past its day, or a running claim whose lease ran out, which is deleted here with every other
 * expired row); else what is kept: the fingerprint it was first used with and, once the first
 * request finished, its answer (none while it still runs).
 */
export async function claimIdempotencyKey(
  store: StoreClient,
  parameters: IdempotencyScope & { fingerprint: string; leaseUntil: Date; now?: Date | undefined },
): Promise<IdempotencyClaim> {
  const now = parameters.now ?? new Date();
  await store.db.deleteFrom('idempotency_keys').where('expires_at', '<=', now).execute();
  const inserted = await store.db
    .insertInto('idempotency_keys')
    .values({
      token: parameters.token,
      route: parameters.route,
      key: parameters.key,
      fingerprint: parameters.fingerprint,
      state: 'running',
      created_at: now,
      expires_at: parameters.leaseUntil,
    })
    .onConflict((oc) => oc.columns(['token', 'route', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (inserted) return { claimed: true, claimedAt: now };
  const row = await store.db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('token', '=', parameters.token)
    .where('route', '=', parameters.route)
    .where('key', '=', parameters.key)
    .executeTakeFirst();
  // Gone between the two statements (expired and deleted by another request): claim it again.
  if (!row) return claimIdempotencyKey(store, parameters);
  return {
    claimed: false,
    fingerprint: row.fingerprint,
    answer: row.state === 'done' && row.status !== null ? { status: row.status, body: row.answer?.body } : undefined,
  };
}

type HeldClaim = IdempotencyScope & { claimedAt: Date };

/** This claim's running row, if it is still this claim's. */
const ownRunningRow = (store: StoreClient, claim: HeldClaim) =>
  store.db
    .updateTable('idempotency_keys')
    .where('token', '=', claim.token)
    .where('route', '=', claim.route)
    .where('key', '=', claim.key)
    .where('state', '=', 'running')
    .where('created_at', '=', claim.claimedAt);

/** Extends a running claim's lease; false when the claim was taken over (its lease had run out). */
export async function renewIdempotencyKey(
  store: StoreClient,
  claim: HeldClaim & { leaseUntil: Date },
): Promise<boolean> {
  const renewed = await ownRunningRow(store, claim)
    .set({ expires_at: claim.leaseUntil })
    .returning('key')
    .executeTakeFirst();
  return renewed !== undefined;
}

/** Keeps the answer of the request that claimed the key until `expiresAt`; false when the claim was taken over. */
export async function completeIdempotencyKey(
  store: StoreClient,
  parameters: HeldClaim & { status: number; body: unknown; expiresAt: Date },
): Promise<boolean> {
  const kept = await ownRunningRow(store, parameters)
    .set({
      state: 'done',
      status: parameters.status,
      answer: toJson({ body: parameters.body ?? null }),
      expires_at: parameters.expiresAt,
    })
    .returning('key')
    .executeTakeFirst();
  return kept !== undefined;
}

/** Lets the key go (the request failed on the server's side), so a retry runs again; another's claim is left alone. */
export async function releaseIdempotencyKey(store: StoreClient, claim: HeldClaim): Promise<void> {
  await store.db
    .deleteFrom('idempotency_keys')
    .where('token', '=', claim.token)
    .where('route', '=', claim.route)
    .where('key', '=', claim.key)
    .where('state', '=', 'running')
    .where('created_at', '=', claim.claimedAt)
    .execute();
}
