import { type Kysely, sql } from 'kysely';

/**
 * Indexes in the exact order the API lists by (newest first, then id ascending, for a stable
 * order among rows of the same time), so a page is read straight off the index: 0010's one-column
 * indexes left PostgreSQL an incremental sort of every run of equal times on each request, and
 * they serve the live feed's ranges no better than these do, so these replace them.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration sees the schema of its own time, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index alerts_created_at_id on alerts (created_at desc, id)`.execute(db);
  await sql`create index incidents_detected_at_id on incidents (detected_at desc, id)`.execute(db);
  await sql`create index wallet_requests_created_at_id on wallet_requests (created_at desc, id)`.execute(db);
  await sql`create index risks_score_id on risks (score desc, id)`.execute(db);
  await sql`create index wallet_policies_proposed_at_id on wallet_policies (proposed_at desc, id desc)`.execute(db);
  await db.schema.dropIndex('alerts_created_at').execute();
  await db.schema.dropIndex('incidents_detected_at').execute();
  await db.schema.dropIndex('wallet_requests_created_at').execute();
}
