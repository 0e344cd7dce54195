import { createHash } from 'node:crypto';
import {
  canonicalJson,
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
  renewIdempotencyKey,
  type StoreClient,
} from '@bulwark/store';
import { ApiError, type ApiResponse } from './errors.ts';

/** How long a key's answer is kept. */
export const idempotencyTtlMs = 24 * 60 * 60 * 1000;
/**
 * How long a key in use stays claimed without a sign of life: the server running its request
 * renews the lease every third of it, so only a server that died (killed, or cut off from the
 * store) loses the key, and after this a retry on another server runs the request.
 */
export const idempotencyLeaseMs = 60_000;
/** How long a retry waits for the first request under its key to finish, and how often it looks. */
const waitForFirstMs = 30_000;
const pollMs = 25;

/**
 * Runs a POST once per (token, route, Idempotency-Key): a retry gets the first answer again
 * instead of a second write, after a restart and on any replica, as the answer is kept in the
 * store for a day. The key is bound to the request it first came with: another body under the
 * same key is a 409. A retry while the first request still runs waits for its answer (a 409 if
 * it takes more than 30 s). A 5xx answer or a failure is not kept, so a retry tries again; so is
 * a key whose server died before answering, once its lease (60 s) ran out.
 */
export async function runIdempotent(
  store: StoreClient,
  scope: { token: string; route: string; key: string },
  request: unknown,
  answer: () => Promise<ApiResponse>,
  now: Date = new Date(),
): Promise<ApiResponse & { replayed: boolean }> {
  const fingerprint = createHash('sha256')
    .update(canonicalJson(request ?? null))
    .digest('hex');
  const started = Date.now();
  // `now` as the clock moves on (tests give a `now` of their own).
  const clock = () => new Date(now.getTime() + (Date.now() - started));
  let claimedAt: Date;
  for (;;) {
    const at = clock();
    const claim = await claimIdempotencyKey(store, {
      ...scope,
      fingerprint,
      leaseUntil: new Date(at.getTime() + idempotencyLeaseMs),
      now: at,
    });
    if (claim.claimed) {
      claimedAt = claim.claimedAt;
      break;
    }
    if (claim.fingerprint !== fingerprint)
      throw new ApiError(
        409,
        'idempotency-key-reused',
        'This Idempotency-Key was used with another request body; use a new key for a new request.',
      );
    if (claim.answer) return { ...claim.answer, replayed: true };
    if (Date.now() - started > waitForFirstMs)
      throw new ApiError(
        409,
        'idempotency-key-in-use',
        'A request with this Idempotency-Key is still running; retry in a moment for its answer.',
      );
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  const held = { ...scope, claimedAt };
  const renewal = setInterval(() => {
    void renewIdempotencyKey(store, { ...held, leaseUntil: new Date(clock().getTime() + idempotencyLeaseMs) }).catch(
      () => {},
    );
  }, idempotencyLeaseMs / 3);
  renewal.unref();
  let result: ApiResponse;
  try {
    result = await answer();
  } catch (error) {
    await releaseIdempotencyKey(store, held);
    throw error;
  } finally {
    clearInterval(renewal);
  }
  if (result.status >= 500) await releaseIdempotencyKey(store, held);
  else
    await completeIdempotencyKey(store, {
      ...held,
      status: result.status,
      body: result.body,
      expiresAt: new Date(clock().getTime() + idempotencyTtlMs),
    });
  return { ...result, replayed: false };
}
