import { type Kysely, sql } from 'kysely';

/**
 * Manual evidence for advisory controls (policies, BCP/DR tests, pen tests, training records,
 * threat models), versioned per control and file with its sha256; exceptions to a gate check or a
 * control with their approvals; and closing risks of the register with a reason.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration sees the schema of its own time, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('evidence')
    .addColumn('id', 'int8', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('control_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('file', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull().check(sql`sha256 ~ '^[0-9a-f]{64}$'`))
    .addColumn('size', 'int8', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version > 0`))
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('expires_on', 'date', (c) => c.notNull())
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('added_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('evidence_version_unique', ['control_id', 'file', 'version'])
    .execute();

  await db.schema
    .createTable('exceptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('target_kind', 'text', (c) => c.notNull().check(sql`target_kind in ('check', 'control')`))
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('compensating', 'text', (c) => c.notNull())
    .addColumn('expires_on', 'date', (c) => c.notNull())
    .addColumn('required_approvals', 'integer', (c) => c.notNull().check(sql`required_approvals > 0`))
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('accepted_at', 'timestamptz')
    .execute();
  await db.schema
    .createTable('exception_approvals')
    .addColumn('exception_id', 'text', (c) => c.notNull().references('exceptions.id').onDelete('cascade'))
    .addColumn('approver', 'text', (c) => c.notNull())
    .addColumn('approved_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('exception_approvals_pkey', ['exception_id', 'approver'])
    .execute();

  await db.schema
    .alterTable('risks')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open').check(sql`status in ('open', 'closed')`))
    .execute();
  await db.schema.alterTable('risks').addColumn('closed_reason', 'text').execute();
  await db.schema.alterTable('risks').addColumn('closed_at', 'timestamptz').execute();
}
