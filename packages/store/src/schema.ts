import type { ColumnType, Generated, GeneratedAlways, JSONColumnType } from 'kysely';

/**
 * The tables as the latest migration leaves them. Both engines return the same JavaScript types
 * because the drivers get the same parsers (see `types.ts`): int8 → bigint, numeric → string,
 * date → 'YYYY-MM-DD' string, timestamptz → Date, json/jsonb → parsed value.
 *
 * JSON columns are written as JSON text (`JSON.stringify`), never as objects: node-postgres would
 * turn a JavaScript array into a PostgreSQL array literal.
 */
export type Int8 = ColumnType<bigint, bigint | number | string, bigint | number | string>;
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
export type Json<T extends object | null = Record<string, unknown>> = JSONColumnType<T>;
export type JsonDefault<T extends object | null = Record<string, unknown>> = ColumnType<T, string | undefined, string>;
/** A calendar date, as 'YYYY-MM-DD'. */
export type DateString = string;

// chain sync

export type ChainsTable = {
  chain_id: Int8;
  name: string | null;
  created_at: TimestampDefault;
};

export type SyncCheckpointsTable = {
  chain_id: Int8;
  block_number: Int8;
  block_hash: string;
  updated_at: TimestampDefault;
};

export type BlocksSeenTable = {
  chain_id: Int8;
  block_number: Int8;
  block_hash: string;
  parent_hash: string;
  seen_at: TimestampDefault;
};

// monitor

export type WatchedContractsTable = {
  chain_id: Int8;
  address: string;
  name: string | null;
  breaker_kind: string | null;
  auto_pause: Generated<boolean>;
  active: Generated<boolean>;
  config: JsonDefault;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
};

export type BaselinesTable = {
  chain_id: Int8;
  address: string;
  metric_key: string;
  window: string;
  stats: Json;
  version: Generated<number>;
  updated_at: TimestampDefault;
};

export type AlertStatus = 'active' | 'retracted';

export type AlertsTable = {
  id: string;
  rule_id: string;
  severity: string;
  chain_id: Int8 | null;
  address: string | null;
  block_number: Int8 | null;
  block_hash: string | null;
  tx_hash: string | null;
  dedupe_key: string;
  payload: JsonDefault;
  status: Generated<AlertStatus>;
  retracted_at: Timestamp | null;
  retract_reason: string | null;
  incident_id: string | null;
  created_at: TimestampDefault;
};

export type AlertDeliveryKind = 'alert' | 'retraction';

/** Since migration 0003: an alert (or its retraction) queued for a sink, and when the sink took it. */
export type AlertDeliveriesTable = {
  alert_id: string;
  sink: string;
  kind: AlertDeliveryKind;
  queued_at: TimestampDefault;
  delivered_at: Timestamp | null;
};

export type IncidentState = 'detected' | 'triaged' | 'contained' | 'resolved' | 'closed';

export type IncidentsTable = {
  id: string;
  title: string;
  severity: string;
  state: Generated<IncidentState>;
  chain_id: Int8 | null;
  address: string | null;
  started_at: Timestamp | null;
  detected_at: Timestamp;
  /** Since migration 0002. */
  triaged_at: Timestamp | null;
  contained_at: Timestamp | null;
  resolved_at: Timestamp | null;
  closed_at: Timestamp | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
};

export type IncidentEventsTable = {
  id: GeneratedAlways<bigint>;
  incident_id: string;
  at: TimestampDefault;
  kind: string;
  actor: string;
  data: JsonDefault;
};

export type ResponderActionKind = 'pause' | 'safe-proposal' | 'notify';

export type ResponderActionsTable = {
  id: string;
  incident_id: string;
  kind: ResponderActionKind;
  chain_id: Int8 | null;
  address: string | null;
  dry_run: boolean;
  tx_hash: string | null;
  status: string;
  data: JsonDefault;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
};

// governance

export type ContractsRegistryTable = {
  name: string;
  repo_path: string;
  documentation: JsonDefault;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
};

export type DeploymentsTable = {
  contract_name: string;
  network: string;
  address: string;
  bytecode_hash: string;
  status: string;
  deployed_at: Timestamp | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
};

export type AuditsTable = {
  id: string;
  auditor: string;
  auditor_profile: JsonDefault;
  scope: Json;
  commit: string | null;
  report_path: string | null;
  report_hash: string | null;
  audit_date: DateString;
  created_at: TimestampDefault;
};

export type AuditFindingsTable = {
  id: string;
  audit_id: string;
  severity: string;
  title: string;
  status: Generated<string>;
  resolution: string | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
};

export type ScanRunsTable = {
  id: string;
  commit: string | null;
  tool_version: string | null;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  config: JsonDefault;
  summary: JsonDefault;
};

export type ScanFindingStatus = 'open' | 'accepted';

export type ScanFindingsTable = {
  id: GeneratedAlways<bigint>;
  scan_run_id: string;
  fingerprint: string;
  detector: string;
  impact: string;
  confidence: string | null;
  file: string;
  line: number;
  status: Generated<ScanFindingStatus>;
  accepted_reason: string | null;
  data: JsonDefault;
};

export type SignatureAlgorithm = 'secp256k1' | 'ed25519';

export type ApprovalsTable = {
  id: GeneratedAlways<bigint>;
  release_digest: string;
  approver_key_id: string;
  algorithm: SignatureAlgorithm;
  signature: string;
  signed_at: Timestamp;
  created_at: TimestampDefault;
};

export type DependencyVerdict = 'approved' | 'rejected';

export type DependencyReviewsTable = {
  id: GeneratedAlways<bigint>;
  ecosystem: string;
  name: string;
  version: string;
  integrity: string;
  reviewer: string;
  verdict: DependencyVerdict;
  notes: string | null;
  reviewed_at: TimestampDefault;
};

export type RisksTable = {
  id: string;
  threat: string;
  asset: string;
  likelihood: number;
  impact: number;
  /** likelihood × impact, computed by the database. */
  score: GeneratedAlways<number>;
  owner: string;
  treatment: string;
  review_date: DateString | null;
  controls: JsonDefault<string[]>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
  /** 'open' or 'closed' (retired with a reason). */
  status: ColumnType<string, string | undefined, string>;
  closed_reason: string | null;
  closed_at: Date | null;
};

export type ControlEvidenceTable = {
  id: GeneratedAlways<bigint>;
  control_id: string;
  kind: string;
  ref: string;
  status: string;
  data: JsonDefault;
  collected_at: TimestampDefault;
};

/** A file that evidences a control; a re-add of the same control and file is a new version. */
export type EvidenceTable = {
  id: GeneratedAlways<bigint>;
  control_id: string;
  kind: string;
  title: string;
  file: string;
  sha256: string;
  size: Int8;
  version: number;
  owner: string;
  expires_on: DateString;
  added_by: string;
  added_at: TimestampDefault;
};

/** A failed gate check or control accepted for a time, with a reason and a compensating control. */
export type ExceptionsTable = {
  id: string;
  target_kind: 'check' | 'control';
  target: string;
  reason: string;
  compensating: string;
  expires_on: DateString;
  required_approvals: number;
  requested_by: string;
  requested_at: TimestampDefault;
  accepted_at: Date | null;
};

export type ExceptionApprovalsTable = {
  exception_id: string;
  approver: string;
  approved_at: TimestampDefault;
};

// tamper-evident log

export type AuditLogTable = {
  seq: Int8;
  at: Timestamp;
  actor: string;
  action: string;
  /** Any JSON value, written as canonical JSON text. */
  payload: ColumnType<unknown, string, string>;
  prev_hash: string;
  hash: string;
  /** Since migration 0005: the governance rows the entry wrote (see boundRows.ts), canonical JSON. */
  bound_rows: ColumnType<unknown, string | undefined, string>;
};

/** Since migration 0005: keys of bound rows changed in a transaction, until its log entry binds them. */
export type BoundRowChangesTable = {
  txid: Int8;
  table_name: string;
  row_key: ColumnType<string[], string, string>;
};

/** Since migration 0005: tables whose rows are bound (so existing rows are bound once). */
export type BoundTablesTable = {
  table_name: string;
  bound_at: TimestampDefault;
};

/** Since migration 0005: a person actions are attributed to, with an optional key and roles. */
export type IdentitiesTable = {
  name: string;
  public_key: string | null;
  key_id: string | null;
  roles: JsonDefault<string[]>;
  created_at: TimestampDefault;
};

// wallet guard

export type WalletPolicyState = 'proposed' | 'approved';

export type WalletPoliciesTable = {
  /** The policy digest. */
  id: string;
  document: Json<Record<string, unknown>>;
  /** The document as it applies: allowlist entries stamped with when they were added. */
  effective: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  state: ColumnType<WalletPolicyState, WalletPolicyState | undefined, WalletPolicyState>;
  proposed_by: string;
  proposed_at: TimestampDefault;
  approved_at: Timestamp | null;
  applies_at: Timestamp | null;
};

export type WalletPolicyApprovalsTable = {
  policy_id: string;
  approver: string;
  approved_at: TimestampDefault;
};

export type WalletRequestState = 'allowed' | 'pending' | 'approved' | 'blocked' | 'rejected' | 'expired' | 'signed';

export type WalletRequestsTable = {
  id: string;
  digest: string;
  request: Json<Record<string, unknown>>;
  initiator: string;
  source: string;
  chain_id: Int8;
  state: WalletRequestState;
  decision: Json<Record<string, unknown>>;
  policy_id: string | null;
  created_at: TimestampDefault;
  expires_at: Timestamp | null;
  closed_at: Timestamp | null;
  signed_by: ColumnType<string | null, string | null | undefined, string | null>;
  signed_nonce: ColumnType<bigint | null, bigint | number | null | undefined, bigint | number | null>;
};

export type WalletRequestApprovalsTable = {
  request_id: string;
  approver: string;
  digest: string;
  approved_at: TimestampDefault;
};

export type WalletRequestPreviewsTable = {
  request_id: string;
  preview: Json<Record<string, unknown>>;
  created_at: TimestampDefault;
};

export type WalletVelocityCountersTable = { key: string };

export type WalletVelocityReservationsTable = {
  request_id: string;
  key: string;
  /** numeric(78,0): smallest units or micro-dollars, as a decimal string. */
  amount: ColumnType<string, string, string>;
  reserved_at: Timestamp;
  released_at: Timestamp | null;
};

// server

export type ApiTokenRole = 'viewer' | 'operator' | 'approver' | 'admin';

/** Since migration 0007: an API token of `bulwark serve`, stored as the sha256 of its secret. */
export type ApiTokensTable = {
  name: string;
  role: ApiTokenRole;
  hash: string;
  created_at: TimestampDefault;
  revoked_at: Timestamp | null;
};

/** Since migration 0008: the first answer to an API POST per (token, route, Idempotency-Key). */
export type IdempotencyKeysTable = {
  token: string;
  route: string;
  key: string;
  fingerprint: string;
  state: 'running' | 'done';
  status: number | null;
  answer: Json<{ body: unknown }> | null;
  created_at: TimestampDefault;
  expires_at: Timestamp;
};

export type Database = {
  chains: ChainsTable;
  sync_checkpoints: SyncCheckpointsTable;
  blocks_seen: BlocksSeenTable;
  watched_contracts: WatchedContractsTable;
  baselines: BaselinesTable;
  alerts: AlertsTable;
  alert_deliveries: AlertDeliveriesTable;
  incidents: IncidentsTable;
  incident_events: IncidentEventsTable;
  responder_actions: ResponderActionsTable;
  contracts_registry: ContractsRegistryTable;
  deployments: DeploymentsTable;
  audits: AuditsTable;
  audit_findings: AuditFindingsTable;
  scan_runs: ScanRunsTable;
  scan_findings: ScanFindingsTable;
  approvals: ApprovalsTable;
  dependency_reviews: DependencyReviewsTable;
  risks: RisksTable;
  control_evidence: ControlEvidenceTable;
  evidence: EvidenceTable;
  exceptions: ExceptionsTable;
  exception_approvals: ExceptionApprovalsTable;
  audit_log: AuditLogTable;
  wallet_policies: WalletPoliciesTable;
  wallet_policy_approvals: WalletPolicyApprovalsTable;
  wallet_requests: WalletRequestsTable;
  wallet_request_approvals: WalletRequestApprovalsTable;
  wallet_request_previews: WalletRequestPreviewsTable;
  wallet_velocity_counters: WalletVelocityCountersTable;
  wallet_velocity_reservations: WalletVelocityReservationsTable;
  bound_row_changes: BoundRowChangesTable;
  bound_tables: BoundTablesTable;
  identities: IdentitiesTable;
  api_tokens: ApiTokensTable;
  idempotency_keys: IdempotencyKeysTable;
  cluster_partitions: ClusterPartitionsTable;
  cluster_claims: ClusterClaimsTable;
  rate_limit_counters: RateLimitCountersTable;
};

export type ClusterPartitionsTable = {
  chain_id: Int8;
  partition: number;
  stream_seq: Int8;
  block_number: Int8;
  block_hash: string;
  updated_at: TimestampDefault;
};

export type ClusterClaimsTable = {
  key: string;
  owner: string;
  claimed_at: TimestampDefault;
  done_at: Date | null;
  outcome: string | null;
};

export type RateLimitCountersTable = {
  key: string;
  hits: number;
  window_ends_at: Timestamp;
};
