import { createHash } from 'node:crypto';
import { canonicalJson } from '@bulwark/store';
import { ApiError, type ApiResponse } from './errors.ts';

type Entry = { fingerprint: string; answer: Promise<ApiResponse> };

/**
 * Answers kept per (token, route, Idempotency-Key), so a client that retries a POST gets the
 * first answer again instead of a second write. The key is bound to the body it first came
 * with: another body under the same key is a 409. Kept in memory for a day, at most
 * `maxEntries` (oldest dropped first); a 5xx answer is not kept, so a retry tries again.
 */
export class IdempotencyCache {
  readonly #entries = new Map<string, Entry & { at: number }>();
  constructor(
    readonly maxEntries = 10_000,
    readonly ttlMs = 24 * 60 * 60 * 1000,
  ) {}

  async run(
    scope: { token: string; route: string; key: string },
    request: unknown,
    answer: () => Promise<ApiResponse>,
  ): Promise<ApiResponse & { replayed: boolean }> {
    const id = canonicalJson([scope.token, scope.route, scope.key]);
    const fingerprint = createHash('sha256')
      .update(canonicalJson(request ?? null))
      .digest('hex');
    const now = Date.now();
    const kept = this.#entries.get(id);
    if (kept && now - kept.at < this.ttlMs) {
      if (kept.fingerprint !== fingerprint)
        throw new ApiError(
          409,
          'idempotency-key-reused',
          'This Idempotency-Key was used with another request body; use a new key for a new request.',
        );
      return { ...(await kept.answer), replayed: true };
    }
    const entry = { fingerprint, answer: answer(), at: now };
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    while (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    const result = await entry.answer.catch((error: unknown) => {
      this.#entries.delete(id);
      throw error;
    });
    if (result.status >= 500) this.#entries.delete(id);
    return { ...result, replayed: false };
  }
}
