import { type Kysely, sql } from 'kysely';

/**
 * The monitor's cluster roles (`@bulwark/cluster`): where each detect partition stands in the
 * block stream (its baselines are saved with it, in one transaction), and the idempotency claims
 * of the respond role (a redelivered decision never sends a second pause).
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration sees the schema of its own time, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('cluster_partitions')
    .addColumn('chain_id', 'int8', (c) => c.notNull())
    .addColumn('partition', 'integer', (c) => c.notNull())
    .addColumn('stream_seq', 'int8', (c) => c.notNull())
    .addColumn('block_number', 'int8', (c) => c.notNull())
    .addColumn('block_hash', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('cluster_partitions_pkey', ['chain_id', 'partition'])
    .execute();
  await db.schema
    .createTable('cluster_claims')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('done_at', 'timestamptz')
    .addColumn('outcome', 'text')
    .execute();
}
