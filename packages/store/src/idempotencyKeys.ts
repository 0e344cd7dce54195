import { toJson } from './json.ts';
import type { StoreClient } from './store.ts';

/** Which answer a (token, route, key) stands for. */
export type IdempotencyScope = { token: string; route: string; key: string };

export type IdempotencyClaim =
  | { claimed: true }
  | { claimed: false; fingerprint: string; answer: { status: number; body: unknown } | undefined };

/**
 * Claims a key for a request: `claimed` when it is new (or its old row had expired, which is
 * deleted here with every other expired row); else what is kept: the fingerprint it was first
 * used with and, once the first request finished, its answer (none while it still runs).
 */
export async function claimIdempotencyKey(
  store: StoreClient,
  parameters: IdempotencyScope & { fingerprint: string; expiresAt: Date; now?: Date | undefined },
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
      expires_at: parameters.expiresAt,
    })
    .onConflict((oc) => oc.columns(['token', 'route', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (inserted) return { claimed: true };
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

/** Keeps the answer of the request that claimed the key. */
export async function completeIdempotencyKey(
  store: StoreClient,
  parameters: IdempotencyScope & { status: number; body: unknown },
): Promise<void> {
  await store.db
    .updateTable('idempotency_keys')
    .set({ state: 'done', status: parameters.status, answer: toJson({ body: parameters.body ?? null }) })
    .where('token', '=', parameters.token)
    .where('route', '=', parameters.route)
    .where('key', '=', parameters.key)
    .execute();
}

/** Lets the key go (the request failed on the server's side), so a retry runs again. */
export async function releaseIdempotencyKey(store: StoreClient, scope: IdempotencyScope): Promise<void> {
  await store.db
    .deleteFrom('idempotency_keys')
    .where('token', '=', scope.token)
    .where('route', '=', scope.route)
    .where('key', '=', scope.key)
    .execute();
}
