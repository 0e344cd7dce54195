import type { Kysely } from 'kysely';

/**
 * The API's rate-limit counters, shared by every server on one PostgreSQL: one row per key (an IP
 * address or a token) with the hits of its current fixed window. Not a governance record (not
 * bound to the log): rows are rewritten on every request and deleted once their window ended.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration sees the schema of its own time, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rate_limit_counters')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addColumn('window_ends_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('rate_limit_counters_window_ends_at')
    .on('rate_limit_counters')
    .column('window_ends_at')
    .execute();
}
