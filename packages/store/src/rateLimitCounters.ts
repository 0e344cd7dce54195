import { sql } from 'kysely';
import type { StoreClient } from './store.ts';

export type RateLimitHit = {
  /** Hits of `key` in its current window, this one included. */
  hits: number;
  /** Milliseconds until the window ends and the count starts again. */
  resetInMs: number;
};

/**
 * Counts one request against `key` in a fixed window of `windowMs` and returns the window's count,
 * in one statement, so servers sharing the database share the count: a new key, or one whose
 * window ended, starts a new window at 1. Time is the database's, so replicas with skewed clocks
 * still agree on when a window ends.
 */
export async function countRateLimitHit(
  store: StoreClient,
  parameters: { key: string; windowMs: number },
): Promise<RateLimitHit> {
  const window = sql`${parameters.windowMs} * interval '1 millisecond'`;
  const expired = sql`rate_limit_counters.window_ends_at <= clock_timestamp()`;
  const { rows } = await sql<{ hits: number; reset_in_ms: number | string }>`
    insert into rate_limit_counters as rate_limit_counters (key, hits, window_ends_at)
    values (${parameters.key}, 1, clock_timestamp() + ${window})
    on conflict (key) do update set
      hits = case when ${expired} then 1 else rate_limit_counters.hits + 1 end,
      window_ends_at = case when ${expired} then clock_timestamp() + ${window} else rate_limit_counters.window_ends_at end
    returning hits, greatest(0, ceil(extract(epoch from (window_ends_at - clock_timestamp())) * 1000)) as reset_in_ms
  `.execute(store.db);
  const row = rows[0]!;
  return { hits: Number(row.hits), resetInMs: Number(row.reset_in_ms) };
}

/** Deletes the counters whose window has ended (they would start again at 1 anyway); returns how many. */
export async function deleteEndedRateLimitWindows(store: StoreClient): Promise<number> {
  const result = await store.db
    .deleteFrom('rate_limit_counters')
    .where('window_ends_at', '<=', sql<Date>`clock_timestamp()`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
