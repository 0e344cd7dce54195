import { type Kysely, sql } from 'kysely';

/**
 * An outbox of alerts and retractions per sink. The monitor queues an alert for its sinks in the
 * transaction that records the alert's block (`delivered_at` null), and marks each sink's row when
 * the sink took it: after a crash it sends what is still queued, and a reorg retracts an alert at
 * exactly the sinks that got it. Alerts from before this migration have no rows and are left alone.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration sees the schema of its own time, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('alert_deliveries')
    .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id').onDelete('cascade'))
    .addColumn('sink', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('alert', 'retraction')`))
    .addColumn('queued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('delivered_at', 'timestamptz')
    .addPrimaryKeyConstraint('alert_deliveries_pkey', ['alert_id', 'sink', 'kind'])
    .execute();
  await sql`create index alert_deliveries_pending on alert_deliveries (queued_at) where delivered_at is null`.execute(
    db,
  );
}
