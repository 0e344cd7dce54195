/**
 * The tables whose rows are bound to the hash-chained log: every insert, update and delete of a
 * row is noted by a trigger, and the log entry appended in the same transaction records the row's
 * digest (see boundRows.ts). `bulwark log verify` checks every row against the log.
 *
 * Binding a new table is one line here: the trigger is installed when a store opens (after the
 * migrations), and the rows already in the table are bound by one `store.bind-existing` entry.
 * `key` is the table's primary key; a row is digested over all its columns except `omit`.
 */
export type BoundTable = {
  table: string;
  key: readonly string[];
  /** Columns left out of the digest: only ones that legitimately change without a log entry. */
  omit?: readonly string[];
};

// Not bound: wallet_velocity_counters holds only keys, rows to lock (the amounts are in the bound
// wallet_velocity_reservations); idempotency_keys holds copies of API answers that expire (the
// writes they answer are logged themselves).
export const boundTables: readonly BoundTable[] = [
  { table: 'contracts_registry', key: ['name'] },
  { table: 'deployments', key: ['contract_name', 'network', 'address'] },
  { table: 'audits', key: ['id'] },
  { table: 'audit_findings', key: ['id'] },
  { table: 'approvals', key: ['id'] },
  { table: 'dependency_reviews', key: ['id'] },
  { table: 'risks', key: ['id'] },
  { table: 'incidents', key: ['id'] },
  { table: 'incident_events', key: ['id'] },
  { table: 'control_evidence', key: ['id'] },
  { table: 'scan_runs', key: ['id'] },
  { table: 'scan_findings', key: ['id'] },
  { table: 'identities', key: ['name'] },
  { table: 'evidence', key: ['id'] },
  { table: 'exceptions', key: ['id'] },
  { table: 'exception_approvals', key: ['exception_id', 'approver'] },
  { table: 'wallet_policies', key: ['id'] },
  { table: 'wallet_policy_approvals', key: ['policy_id', 'approver'] },
  { table: 'wallet_requests', key: ['id'] },
  { table: 'wallet_request_approvals', key: ['request_id', 'approver'] },
  { table: 'wallet_request_previews', key: ['request_id'] },
  { table: 'wallet_velocity_reservations', key: ['request_id', 'key'] },
  { table: 'api_tokens', key: ['name'] },
];
