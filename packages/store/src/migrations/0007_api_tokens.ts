import { type Kysely, sql } from 'kysely';

/**
 * API tokens of `bulwark serve`: a name (the audit-log actor of what the token does), a role, and
 * the sha256 of the secret (the secret itself is shown once and never stored).
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration sees the schema of its own time, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_tokens')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('viewer', 'operator', 'approver', 'admin')`))
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .execute();
}
