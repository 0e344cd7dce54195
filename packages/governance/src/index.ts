export {
  approvalDomain,
  approvalMessage,
  ethereumMessageHash,
  isTarget,
  signApprovalMessage,
  verifyApprovalSignature,
} from './approvals/approvalSignature.ts';
export {
  type ComputeReleaseReturnType,
  computeRelease,
  type Release,
  releaseDigest,
} from './approvals/computeRelease.ts';
export { ApprovalError, GateConfigError, KeyError, ReleaseError } from './approvals/errors.ts';
export {
  addressOf,
  generatePrivateKey,
  isSignatureAlgorithm,
  keyIdOf,
  parsePrivateKey,
  parsePublicKey,
  publicKeyHex,
  readPublicKey,
  readSigningKey,
  type SignatureAlgorithm,
  type SigningKey,
  signatureAlgorithms,
  type VerifyingKey,
} from './approvals/keys.ts';
export { type RecordApprovalParameters, recordApproval } from './approvals/recordApproval.ts';
export { type ApprovalVerdict, verifyApprovals } from './approvals/verifyApprovals.ts';
export { type Envelope, envelopeSignedBy, pae, signEnvelope } from './attestation/dsse.ts';
export {
  type GatePredicate,
  type GateStatement,
  gatePredicateType,
  gateStatement,
  inTotoPayloadType,
  statementType,
} from './attestation/gateStatement.ts';
export {
  type AttestationCheck,
  type VerifyAttestationReturnType,
  verifyAttestation,
} from './attestation/verifyAttestation.ts';
export { writeAttestation } from './attestation/writeAttestation.ts';
export {
  type AddAuditParameters,
  type AddAuditReturnType,
  type AuditFindingInput,
  type AuditInput,
  type AuditorProfile,
  addAudit,
  type FindingSeverity,
  type FindingStatus,
  findingSeverities,
  findingStatuses,
  localFindingId,
  storedFindingId,
} from './audits/addAudit.ts';
export { type AuditCoverage, type AuditCoverageStatus, auditCoverage } from './audits/auditCoverage.ts';
export { AuditInputError, AuditNotFoundError } from './audits/errors.ts';
export { readAuditFile } from './audits/readAuditFile.ts';
export {
  type FindingResolutionStatus,
  findingResolutionStatuses,
  type ResolveAuditFindingParameters,
  resolveAuditFinding,
} from './audits/resolveAuditFinding.ts';
export { scopePath } from './audits/scopePath.ts';
export { type AuditReportCheck, verifyAuditReports } from './audits/verifyAuditReports.ts';
export { type CollectFactsParameters, type ConformanceFacts, collectFacts } from './conformance/collectFacts.ts';
export { combineAssessments } from './conformance/combineAssessments.ts';
export {
  advisorySections,
  type ControlReference,
  controlReference,
  formatReference,
} from './conformance/controlReference.ts';
export { ChromiumNotFoundError, ConformanceInputError, PdfRenderError } from './conformance/errors.ts';
export {
  buildReport,
  type ConformanceReport,
  conformanceAssessments,
  type EvaluateConformanceParameters,
  evaluateConformance,
} from './conformance/evaluateConformance.ts';
export { pdfText } from './conformance/pdfText.ts';
export { evidenceHref, type RenderHtmlParameters, renderConformanceHtml } from './conformance/renderHtml.ts';
export { defaultChromiumPath, pdfPageCount, type RenderPdfParameters, renderPdf } from './conformance/renderPdf.ts';
export {
  listSignOffs,
  parseReportPeriod,
  type ReportPeriod,
  type SignOff,
  type SignOffStatement,
  signOffMessage,
  signOffReport,
} from './conformance/signOff.ts';
export {
  type Assessment,
  type Assessments,
  type ControlResult,
  type ControlStatus,
  controlStatuses,
  type EvidenceLink,
} from './conformance/types.ts';
export {
  type Dependency,
  type DependencyEcosystem,
  dependencyEcosystems,
  dependencyKey,
  parseNameAtVersion,
} from './dependencies/dependency.ts';
export {
  type DependencyState,
  type DependencyStatusEntry,
  dependencyStates,
  dependencyStatus,
} from './dependencies/dependencyStatus.ts';
export { DependencyError } from './dependencies/errors.ts';
export {
  type DependencyInventory,
  lockDigestOf,
  readDependencyInventory,
} from './dependencies/readDependencyInventory.ts';
export { type DependencySelection, reviewDependencies } from './dependencies/reviewDependencies.ts';
export { ArtifactError, DeploymentRpcError } from './deployment/errors.ts';
export { inferImmutableRanges, type NormalizedCode, normalizeRuntimeCode } from './deployment/normalizeRuntimeCode.ts';
export { type CodeRange, type ResolvedArtifact, readArtifact } from './deployment/readArtifact.ts';
export {
  type DeploymentCheck,
  type DeploymentCheckResult,
  type VerifyDeploymentsParameters,
  type VerifyDeploymentsReturnType,
  verifyDeployments,
} from './deployment/verifyDeployments.ts';
export {
  type BuildDocsSiteParameters,
  buildDocsSite,
  contractPage,
  type DocsSiteData,
  renderDocsSite,
} from './docs/buildDocsSite.ts';
export {
  type CheckDocsParameters,
  checkDocs,
  checkDocsAsync,
  type DocsReport,
  documentationItems,
} from './docs/checkDocs.ts';
export { escapeHtml } from './docs/html.ts';
export {
  type AddEvidenceParameters,
  type AddEvidenceReturnType,
  addEvidence,
  type EvidenceKind,
  evidenceKinds,
} from './evidence/addEvidence.ts';
export { EvidenceInputError } from './evidence/errors.ts';
export { type EvidenceState, type EvidenceStatus, evidenceStatus } from './evidence/evidenceState.ts';
export {
  type AppliedException,
  appliedException,
  applyExceptions,
  exceptionsFor,
} from './exceptions/applyExceptions.ts';
export { type ApproveExceptionParameters, approveException } from './exceptions/approveException.ts';
export { ExceptionInputError } from './exceptions/errors.ts';
export { type ExceptionState, type ExceptionStatus, exceptionStatus } from './exceptions/exceptionState.ts';
export { type RequestExceptionParameters, requestException } from './exceptions/requestException.ts';
export { readScanResults } from './gate/checks/scanCheck.ts';
export { type CheckStatus, type GateCheck, type GateCheckId, gateCheckIds, gateChecks } from './gate/gateCheck.ts';
export { type Approver, defaultRequiredApprovals, type GateConfig, readGateConfig } from './gate/gateConfig.ts';
export { readTestReport, type TestReport } from './gate/readTestReport.ts';
export { type GateDecision, type GateResult, type RunGateParameters, runGate } from './gate/runGate.ts';
export { type AddIdentityParameters, addIdentity } from './identity/addIdentity.ts';
export { IdentityError } from './identity/errors.ts';
export { requireIdentity, requireRole } from './identity/requireRole.ts';
export { isRole, type Role, roleNames, roles } from './identity/roles.ts';
export {
  type AddIncidentActionParameters,
  addIncidentAction,
  type IncidentActionKind,
  incidentActionKinds,
} from './incidents/addIncidentAction.ts';
export { type AddIncidentNoteParameters, addIncidentNote } from './incidents/addIncidentNote.ts';
export {
  type ContainmentTargets,
  type ContainmentVerdict,
  containmentTarget,
  containmentVerdict,
  defaultContainmentTargets,
  parseContainmentTargets,
} from './incidents/containmentTargets.ts';
export { describeEvent } from './incidents/describeEvent.ts';
export { formatDuration, parseDuration } from './incidents/duration.ts';
export { IncidentInputError, IncidentNotFoundError } from './incidents/errors.ts';
export {
  getIncidentRecord,
  type IncidentAction,
  type IncidentNote,
  type IncidentRecord,
} from './incidents/getIncidentRecord.ts';
export { type IncidentStats, incidentStats, median } from './incidents/incidentStats.ts';
export { checkIncidentState, type MoveIncidentParameters, moveIncident } from './incidents/moveIncident.ts';
export { type IncidentNoteField, incidentNoteFields } from './incidents/noteFields.ts';
export { buildPostmortem, formatPostmortemMarkdown, type Postmortem } from './incidents/postmortem.ts';
export { type RecordIncidentParameters, recordIncident } from './incidents/recordIncident.ts';
export { resolveIncident } from './incidents/resolveIncidentId.ts';
export { checkSeverity, type IncidentSeverity, incidentSeverities } from './incidents/severity.ts';
export { formatAnchor, type LogAnchor, parseAnchor } from './log/anchor.ts';
export {
  checkpointPayloadType,
  type LogCheckpoint,
  readCheckpoint,
  signCheckpoint,
} from './log/checkpoint.ts';
export { LogAnchorError, LogCheckpointError, LogFileError, UnverifiedStateError } from './log/errors.ts';
export { exportLog, type LogLine, parseLogJsonl, toLogLine } from './log/logJsonl.ts';
export { resolveActor } from './log/resolveActor.ts';
export { verifyLogEntries } from './log/verifyLogEntries.ts';
export { withLogEntry } from './log/withLogEntry.ts';
export { ManifestError, type ManifestIssue } from './manifest/errors.ts';
export { hashFile, hashSources } from './manifest/hashSources.ts';
export { type LoadManifestParameters, loadManifest, manifestFileNames } from './manifest/loadManifest.ts';
export {
  networkKey,
  type RegistryDocumentation,
  type SyncChange,
  type SyncManifestParameters,
  type SyncManifestReturnType,
  syncManifest,
} from './manifest/syncManifest.ts';
export type * from './manifest/types.ts';
export { deploymentStatuses } from './manifest/types.ts';
export { manifestSchema, manifestSchemaPath, validateManifest } from './manifest/validateManifest.ts';
export { type AddRiskParameters, type AddRiskReturnType, addRisk } from './risks/addRisk.ts';
export { checkControlIds } from './risks/checkControlIds.ts';
export { closeRisk } from './risks/closeRisk.ts';
export { RiskInputError, RiskNotFoundError, UnknownControlError } from './risks/errors.ts';
export { getRiskEntry } from './risks/getRiskEntry.ts';
export { formatHeatMapText, type RiskHeatMap, riskHeatMap } from './risks/heatMap.ts';
export { type ListRiskRegisterParameters, listRiskRegister } from './risks/listRiskRegister.ts';
export { parseReviewDate, type ReviewState, reviewState, today } from './risks/reviewDate.ts';
export {
  defaultReviewIntervalDays,
  type ReviseRiskParameters,
  type ReviseRiskReturnType,
  reviseRisk,
} from './risks/reviseRisk.ts';
export { type RiskEntry, toRiskEntry } from './risks/riskEntry.ts';
export {
  checkScale,
  impactScale,
  likelihoodScale,
  parseScale,
  type RiskRating,
  riskRating,
  riskRatingBands,
} from './risks/riskRating.ts';
export {
  checkTreatmentKind,
  formatTreatment,
  parseTreatment,
  type RiskTreatment,
  type RiskTreatmentKind,
  riskTreatmentKinds,
} from './risks/treatment.ts';
