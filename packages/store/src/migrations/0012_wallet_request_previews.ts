import { type Kysely, sql } from 'kysely';

/**
 * The simulation of a wallet request (`bulwark wallet preview`'s result) recorded when the request
 * was submitted, so approvers see the asset changes they vote on. Bound to the log (boundTables.ts):
 * a preview edited in the database is reported by `bulwark log verify`.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration sees the schema of its own time, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('wallet_request_previews')
    .addColumn('request_id', 'text', (c) => c.primaryKey().references('wallet_requests.id'))
    .addColumn('preview', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}
