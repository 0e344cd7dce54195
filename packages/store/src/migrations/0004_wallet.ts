import { type Kysely, sql } from 'kysely';

/**
 * The wallet guard: policies and their admin approvals, requests with their decisions and
 * approvals, and velocity reservations. A velocity counter row exists only to be locked: the
 * check of a limit and the reservation against it happen under that row lock, in one transaction.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration sees the schema of its own time, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('wallet_policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('document', 'jsonb', (c) => c.notNull())
    .addColumn('effective', 'jsonb')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('proposed').check(sql`state in ('proposed', 'approved')`))
    .addColumn('proposed_by', 'text', (c) => c.notNull())
    .addColumn('proposed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('approved_at', 'timestamptz')
    .addColumn('applies_at', 'timestamptz')
    .execute();
  await sql`create index wallet_policies_applies on wallet_policies (applies_at) where state = 'approved'`.execute(db);
  await db.schema
    .createTable('wallet_policy_approvals')
    .addColumn('policy_id', 'text', (c) => c.notNull().references('wallet_policies.id').onDelete('cascade'))
    .addColumn('approver', 'text', (c) => c.notNull())
    .addColumn('approved_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('wallet_policy_approvals_pkey', ['policy_id', 'approver'])
    .execute();
  await db.schema
    .createTable('wallet_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('request', 'jsonb', (c) => c.notNull())
    .addColumn('initiator', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('chain_id', 'int8', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('allowed', 'pending', 'approved', 'blocked', 'rejected', 'expired', 'signed')`),
    )
    .addColumn('decision', 'jsonb', (c) => c.notNull())
    .addColumn('policy_id', 'text', (c) => c.references('wallet_policies.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    // Who signed it, and with which account nonce: one nonce of an account signs one request.
    .addColumn('signed_by', 'text')
    .addColumn('signed_nonce', 'int8')
    .execute();
  await sql`create index wallet_requests_state on wallet_requests (state, created_at)`.execute(db);
  await sql`create unique index wallet_requests_signed_nonce on wallet_requests (chain_id, signed_by, signed_nonce)
    where signed_nonce is not null`.execute(db);
  await db.schema
    .createTable('wallet_request_approvals')
    .addColumn('request_id', 'text', (c) => c.notNull().references('wallet_requests.id').onDelete('cascade'))
    .addColumn('approver', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('approved_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('wallet_request_approvals_pkey', ['request_id', 'approver'])
    .execute();
  await db.schema
    .createTable('wallet_velocity_counters')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .execute();
  await db.schema
    .createTable('wallet_velocity_reservations')
    .addColumn('request_id', 'text', (c) => c.notNull().references('wallet_requests.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull().references('wallet_velocity_counters.key'))
    .addColumn('amount', 'numeric(78, 0)', (c) => c.notNull().check(sql`amount >= 0`))
    .addColumn('reserved_at', 'timestamptz', (c) => c.notNull())
    .addColumn('released_at', 'timestamptz')
    .addPrimaryKeyConstraint('wallet_velocity_reservations_pkey', ['request_id', 'key'])
    .execute();
  await sql`create index wallet_velocity_reservations_window on wallet_velocity_reservations (key, reserved_at) where released_at is null`.execute(
    db,
  );
}
