import { type Kysely, sql } from 'kysely';

/**
 * The initial schema: chain sync, monitor, governance and the tamper-evident log.
 *
 * Migrations take `Kysely<any>` on purpose: they describe the schema as it was when they were
 * written, not as `schema.ts` says it is today. Never edit a released migration; add the next one.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration sees the schema of its own time, not today's types
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  const emptyObject = sql`'{}'::jsonb`;

  // chain sync
  await db.schema
    .createTable('chains')
    .addColumn('chain_id', 'int8', (c) => c.primaryKey().check(sql`chain_id > 0`))
    .addColumn('name', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('sync_checkpoints')
    .addColumn('chain_id', 'int8', (c) => c.primaryKey().references('chains.chain_id'))
    .addColumn('block_number', 'int8', (c) => c.notNull().check(sql`block_number >= 0`))
    .addColumn('block_hash', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  // Only a recent window is kept (pruned as the checkpoint moves): enough to find the fork point of a reorg.
  await db.schema
    .createTable('blocks_seen')
    .addColumn('chain_id', 'int8', (c) => c.notNull().references('chains.chain_id'))
    .addColumn('block_number', 'int8', (c) => c.notNull().check(sql`block_number >= 0`))
    .addColumn('block_hash', 'text', (c) => c.notNull())
    .addColumn('parent_hash', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('blocks_seen_pk', ['chain_id', 'block_number'])
    .execute();

  // monitor
  await db.schema
    .createTable('watched_contracts')
    .addColumn('chain_id', 'int8', (c) => c.notNull().references('chains.chain_id'))
    .addColumn('address', 'text', (c) => c.notNull().check(sql`address = lower(address)`))
    .addColumn('name', 'text')
    .addColumn('breaker_kind', 'text')
    .addColumn('auto_pause', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('config', 'jsonb', (c) => c.notNull().defaultTo(emptyObject))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('watched_contracts_pk', ['chain_id', 'address'])
    .execute();

  await db.schema
    .createTable('baselines')
    .addColumn('chain_id', 'int8', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull().check(sql`address = lower(address)`))
    .addColumn('metric_key', 'text', (c) => c.notNull())
    .addColumn('window', 'text', (c) => c.notNull())
    .addColumn('stats', 'jsonb', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1).check(sql`version > 0`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('baselines_pk', ['chain_id', 'address', 'metric_key', 'window'])
    .execute();

  await db.schema
    .createTable('incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c.notNull().defaultTo('detected').check(sql`state in ('detected', 'triaged', 'contained', 'resolved', 'closed')`),
    )
    .addColumn('chain_id', 'int8')
    .addColumn('address', 'text')
    .addColumn('started_at', 'timestamptz')
    .addColumn('detected_at', 'timestamptz', (c) => c.notNull())
    .addColumn('contained_at', 'timestamptz')
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('incidents_state_detected').on('incidents').columns(['state', 'detected_at']).execute();

  await db.schema
    .createTable('incident_events')
    .addColumn('id', 'int8', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(emptyObject))
    .execute();
  await db.schema
    .createIndex('incident_events_incident')
    .on('incident_events')
    .columns(['incident_id', 'at'])
    .execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('chain_id', 'int8')
    .addColumn('address', 'text')
    .addColumn('block_number', 'int8')
    .addColumn('block_hash', 'text')
    .addColumn('tx_hash', 'text')
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull().defaultTo(emptyObject))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status in ('active', 'retracted')`))
    .addColumn('retracted_at', 'timestamptz')
    .addColumn('retract_reason', 'text')
    .addColumn('incident_id', 'text', (c) => c.references('incidents.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('alerts_dedupe').on('alerts').columns(['dedupe_key', 'created_at']).execute();
  await db.schema.createIndex('alerts_block').on('alerts').columns(['chain_id', 'block_number']).execute();
  await db.schema.createIndex('alerts_incident').on('alerts').column('incident_id').execute();

  await db.schema
    .createTable('responder_actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('pause', 'safe-proposal', 'notify')`))
    .addColumn('chain_id', 'int8')
    .addColumn('address', 'text')
    .addColumn('dry_run', 'boolean', (c) => c.notNull())
    .addColumn('tx_hash', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(emptyObject))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('responder_actions_incident').on('responder_actions').column('incident_id').execute();

  // governance
  await db.schema
    .createTable('contracts_registry')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('repo_path', 'text', (c) => c.notNull())
    .addColumn('documentation', 'jsonb', (c) => c.notNull().defaultTo(emptyObject))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('deployments')
    .addColumn('contract_name', 'text', (c) =>
      c.notNull().references('contracts_registry.name').onUpdate('cascade').onDelete('restrict'),
    )
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull().check(sql`address = lower(address)`))
    .addColumn('bytecode_hash', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('deployed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('deployments_pk', ['contract_name', 'network', 'address'])
    .execute();

  await db.schema
    .createTable('audits')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('auditor', 'text', (c) => c.notNull())
    .addColumn('auditor_profile', 'jsonb', (c) => c.notNull().defaultTo(emptyObject))
    .addColumn('scope', 'jsonb', (c) => c.notNull())
    .addColumn('commit', 'text')
    .addColumn('report_path', 'text')
    .addColumn('report_hash', 'text')
    .addColumn('audit_date', 'date', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('audit_findings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('audit_id', 'text', (c) => c.notNull().references('audits.id').onDelete('cascade'))
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('resolution', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('audit_findings_audit').on('audit_findings').column('audit_id').execute();

  await db.schema
    .createTable('scan_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('commit', 'text')
    .addColumn('tool_version', 'text')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .addColumn('config', 'jsonb', (c) => c.notNull().defaultTo(emptyObject))
    .addColumn('summary', 'jsonb', (c) => c.notNull().defaultTo(emptyObject))
    .execute();

  await db.schema
    .createTable('scan_findings')
    .addColumn('id', 'int8', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('scan_run_id', 'text', (c) => c.notNull().references('scan_runs.id').onDelete('cascade'))
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('detector', 'text', (c) => c.notNull())
    .addColumn('impact', 'text', (c) => c.notNull())
    .addColumn('confidence', 'text')
    .addColumn('file', 'text', (c) => c.notNull())
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open').check(sql`status in ('open', 'accepted')`))
    .addColumn('accepted_reason', 'text')
    .addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(emptyObject))
    .addUniqueConstraint('scan_findings_run_fingerprint', ['scan_run_id', 'fingerprint'])
    .addCheckConstraint(
      'scan_findings_accepted_has_reason',
      sql`status <> 'accepted' or (accepted_reason is not null and accepted_reason <> '')`,
    )
    .execute();
  await db.schema.createIndex('scan_findings_fingerprint').on('scan_findings').column('fingerprint').execute();

  await db.schema
    .createTable('approvals')
    .addColumn('id', 'int8', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('release_digest', 'text', (c) => c.notNull())
    .addColumn('approver_key_id', 'text', (c) => c.notNull())
    .addColumn('algorithm', 'text', (c) => c.notNull().check(sql`algorithm in ('secp256k1', 'ed25519')`))
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('signed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('approvals_digest_approver', ['release_digest', 'approver_key_id'])
    .execute();

  await db.schema
    .createTable('dependency_reviews')
    .addColumn('id', 'int8', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('ecosystem', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('integrity', 'text', (c) => c.notNull())
    .addColumn('reviewer', 'text', (c) => c.notNull())
    .addColumn('verdict', 'text', (c) => c.notNull().check(sql`verdict in ('approved', 'rejected')`))
    .addColumn('notes', 'text')
    .addColumn('reviewed_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createIndex('dependency_reviews_package')
    .on('dependency_reviews')
    .columns(['ecosystem', 'name', 'version'])
    .execute();

  await db.schema
    .createTable('risks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('threat', 'text', (c) => c.notNull())
    .addColumn('asset', 'text', (c) => c.notNull())
    .addColumn('likelihood', 'integer', (c) => c.notNull().check(sql`likelihood between 1 and 5`))
    .addColumn('impact', 'integer', (c) => c.notNull().check(sql`impact between 1 and 5`))
    .addColumn('score', 'integer', (c) => c.notNull().generatedAlwaysAs(sql`likelihood * impact`).stored())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('treatment', 'text', (c) => c.notNull())
    .addColumn('review_date', 'date')
    .addColumn('controls', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('control_evidence')
    .addColumn('id', 'int8', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('control_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(emptyObject))
    .addColumn('collected_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createIndex('control_evidence_control')
    .on('control_evidence')
    .columns(['control_id', 'collected_at'])
    .execute();

  // The hash chain. `seq` is assigned by appendLog under a table lock, never by a sequence,
  // so it has no gaps; a gap means a deleted row.
  await db.schema
    .createTable('audit_log')
    .addColumn('seq', 'int8', (c) => c.primaryKey().check(sql`seq > 0`))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .execute();
}
