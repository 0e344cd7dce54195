export {
  type Alert,
  type AlertSummary,
  defaultAlertCooldownMs,
  getAlert,
  type InsertAlertParameters,
  type InsertAlertReturnType,
  insertAlert,
  type ListAlertsParameters,
  listAlerts,
  listPendingDeliveries,
  markAlertDelivered,
  type PendingDelivery,
  queueAlertDeliveries,
  retractAlert,
  retractAlertsFromBlock,
  summarizeAlerts,
} from './alerts.ts';
export {
  type ApiToken,
  type ApiTokenRole,
  findApiToken,
  findApiTokens,
  insertApiToken,
  listApiTokens,
} from './apiTokens.ts';
export { type Approval, insertApproval, listApprovals, type SignatureAlgorithm } from './approvals.ts';
export {
  type AppendLogParameters,
  appendLog,
  genesisHash,
  getLogHead,
  hashLogEntry,
  type LogBreak,
  type LogEntry,
  listLog,
  type VerifyLogParameters,
  type VerifyLogReturnType,
  verifyLog,
} from './auditLog.ts';
export {
  type Audit,
  type AuditFinding,
  type AuditScope,
  type InsertAuditParameters,
  insertAudit,
  listAuditFindings,
  listAudits,
  updateAuditFinding,
} from './audits.ts';
export {
  type Baseline,
  type BaselineKey,
  deleteBaselines,
  getBaseline,
  listBaselines,
  type UpsertBaselineParameters,
  upsertBaseline,
} from './baselines.ts';
export {
  type BoundRow,
  type BoundRowProblem,
  describeBoundRow,
  digestRow,
  type VerifyBoundRowsReturnType,
  verifyBoundRows,
} from './boundRows.ts';
export { type BoundTable, boundTables } from './boundTables.ts';
export { type Chain, listChains, upsertChain } from './chains.ts';
export {
  type Checkpoint,
  defaultKeepBlocks,
  getCheckpoint,
  getSeenBlocks,
  rewindCheckpoint,
  type SeenBlock,
  type SetCheckpointParameters,
  setCheckpoint,
} from './checkpoints.ts';
export {
  type ClaimResult,
  type ClusterPartition,
  claimKey,
  finishClaim,
  getClusterPartition,
  isClaimDone,
  listClusterPartitions,
  listDoneClaims,
  listUnfinishedClaims,
  setClusterPartition,
} from './cluster.ts';
export { type ControlEvidence, insertControlEvidence, listControlEvidence } from './controlEvidence.ts';
export { countStoreFacts, type StoreCounts } from './counts.ts';
export { type DependencyReview, insertDependencyReview, listDependencyReviews } from './dependencyReviews.ts';
export {
  ConflictError,
  InvalidTransitionError,
  MigrationError,
  NotFoundError,
  SchemaTooNewError,
  StoreConfigError,
  StoreLockedError,
  StoreOpenError,
} from './errors.ts';
export { type Evidence, getEvidence, type InsertEvidenceParameters, insertEvidence, listEvidence } from './evidence.ts';
export {
  type ExceptionTargetKind,
  getException,
  type InsertExceptionParameters,
  insertException,
  insertExceptionApproval,
  listExceptions,
  type PolicyException,
} from './exceptions.ts';
export {
  claimIdempotencyKey,
  completeIdempotencyKey,
  type IdempotencyClaim,
  type IdempotencyScope,
  releaseIdempotencyKey,
  renewIdempotencyKey,
} from './idempotencyKeys.ts';
export { getIdentity, type Identity, listIdentities, upsertIdentity } from './identities.ts';
export {
  type AddIncidentEventParameters,
  addIncidentEvent,
  getIncident,
  getIncidentTimeline,
  type Incident,
  type IncidentEvent,
  type IncidentState,
  incidentStates,
  incidentTransitions,
  type ListIncidentsParameters,
  linkAlertsToIncident,
  listIncidentEvents,
  listIncidents,
  type OpenIncidentParameters,
  openIncident,
  type TransitionIncidentParameters,
  transitionIncident,
} from './incidents.ts';
export { canonicalJson } from './json.ts';
export { type ListChangesSinceParameters, type LiveChange, listChangesSince, liveChangeKey } from './liveChanges.ts';
export { appliedMigrations, type MigrateParameters, type MigrateReturnType, migrate } from './migrate.ts';
export { latestMigration, type MigrationName, migrationNames } from './migrations/index.ts';
export { defaultDataDir, type OpenStoreParameters, type OpenStoreReturnType, openStore } from './openStore.ts';
export { parseDatabaseUrl } from './postgres.ts';
export {
  countRateLimitHit,
  deleteEndedRateLimitWindows,
  type RateLimitHit,
} from './rateLimitCounters.ts';
export {
  type Deployment,
  getContract,
  listContracts,
  listDeployments,
  type RegisteredContract,
  upsertContract,
  upsertDeployment,
} from './registry.ts';
export {
  listResponderActions,
  type RecordResponderActionParameters,
  type ResponderAction,
  type ResponderActionKind,
  recordResponderAction,
  updateResponderAction,
} from './responderActions.ts';
export { closeRisk, insertRisk, listRisks, type Risk, updateRisk } from './risks.ts';
export {
  acceptScanFinding,
  type InsertScanRunParameters,
  insertScanRun,
  listScanFindings,
  listScanRuns,
  type ScanFinding,
  type ScanRun,
} from './scans.ts';
export type { Database } from './schema.ts';
export { type Engine, type Store, type StoreClient, withTransaction } from './store.ts';
export { type VerifyStoreReturnType, verifyStore } from './verifyStore.ts';
export {
  addWalletPolicyApproval,
  addWalletRequestApproval,
  closeWalletRequest,
  getActiveWalletPolicy,
  getWalletPolicy,
  getWalletRequest,
  insertWalletPolicy,
  insertWalletRequest,
  listWalletPolicies,
  listWalletPolicyApprovals,
  listWalletRequestApprovals,
  listWalletRequests,
  lockNextSignedNonce,
  lockVelocityCounters,
  markWalletPolicyApproved,
  markWalletRequestSigned,
  releaseVelocity,
  reserveVelocity,
  velocityUsed,
  type WalletPolicyRecord,
  type WalletPolicyState,
  type WalletRequestRecord,
  type WalletRequestState,
} from './wallet.ts';
export {
  getWalletRequestPreviews,
  recordWalletRequestPreview,
  type WalletRequestPreview,
} from './walletPreviews.ts';
export { listWatchedContracts, upsertWatchedContract, type WatchedContract } from './watchedContracts.ts';
