import { type Kysely, sql } from 'kysely';

/**
 * Indexes on the times the API lists by and the server's live feed polls by (every second, from
 * each `bulwark serve`): without them each poll and each newest-first page read every alert and
 * incident and sorted them, a cost that grew with the history kept.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration sees the schema of its own time, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('alerts_created_at').on('alerts').column('created_at').execute();
  await sql`create index alerts_retracted_at on alerts (retracted_at) where retracted_at is not null`.execute(db);
  await db.schema.createIndex('incidents_detected_at').on('incidents').column('detected_at').execute();
  await db.schema.createIndex('incidents_updated_at').on('incidents').column('updated_at').execute();
  await db.schema.createIndex('wallet_requests_created_at').on('wallet_requests').column('created_at').execute();
}
