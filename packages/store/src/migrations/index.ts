import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_initial.ts';
import * as m0002 from './0002_incident_triaged_at.ts';
import * as m0003 from './0003_alert_deliveries.ts';
import * as m0004 from './0004_wallet.ts';
import * as m0005 from './0005_governance_bound_rows.ts';
import * as m0006 from './0006_evidence_exceptions.ts';
import * as m0007 from './0007_api_tokens.ts';
import * as m0008 from './0008_idempotency_keys.ts';
import * as m0009 from './0009_cluster.ts';
import * as m0010 from './0010_time_indexes.ts';
import * as m0011 from './0011_rate_limit_counters.ts';
import * as m0012 from './0012_wallet_request_previews.ts';
import * as m0013 from './0013_list_order_indexes.ts';

/**
 * Every migration, in the order they run. Names sort in that order too (Kysely checks it).
 * Add new ones at the end; never rename, reorder or edit one that has been released.
 */
export const migrations = {
  '0001_initial': m0001,
  '0002_incident_triaged_at': m0002,
  '0003_alert_deliveries': m0003,
  '0004_wallet': m0004,
  '0005_governance_bound_rows': m0005,
  '0006_evidence_exceptions': m0006,
  '0007_api_tokens': m0007,
  '0008_idempotency_keys': m0008,
  '0009_cluster': m0009,
  '0010_time_indexes': m0010,
  '0011_rate_limit_counters': m0011,
  '0012_wallet_request_previews': m0012,
  '0013_list_order_indexes': m0013,
} as const satisfies Record<string, Migration>;

export type MigrationName = keyof typeof migrations;

export const migrationNames = Object.keys(migrations) as MigrationName[];

export const latestMigration = migrationNames[migrationNames.length - 1]!;
