import { type Kysely, sql } from 'kysely';

/**
 * Records when an incident was triaged, for time-to-triage. Incidents triaged before this
 * migration get the time of their first transition to 'triaged' from the timeline, so the
 * figure is right for old incidents too.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration sees the schema of its own time, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('incidents').addColumn('triaged_at', 'timestamptz').execute();
  await sql`
    update incidents as i
    set triaged_at = (
      select min(e.at) from incident_events as e
      where e.incident_id = i.id and e.kind = 'transition' and e.data->>'to' = 'triaged'
    )
    where i.triaged_at is null
  `.execute(db);
}
