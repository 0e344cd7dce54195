import { type ControlArea, controls } from '@bulwark/core';
import type { StoreClient } from '@bulwark/store';
import { appliedException } from '../exceptions/applyExceptions.ts';
import { formatDuration } from '../incidents/duration.ts';
import { type IncidentStats, incidentStats } from '../incidents/incidentStats.ts';
import { riskHeatMap } from '../risks/heatMap.ts';
import type { RiskRating } from '../risks/riskRating.ts';
import { assessAudits } from './assessments/audits.ts';
import { assessBreakers } from './assessments/breakers.ts';
import { assessDependencies } from './assessments/dependencies.ts';
import { assessDesign } from './assessments/design.ts';
import { assessDocumentation } from './assessments/documentation.ts';
import { assessIncidents } from './assessments/incidents.ts';
import { assessInventory } from './assessments/inventory.ts';
import { assessManualEvidence } from './assessments/manualEvidence.ts';
import { assessMonitoring } from './assessments/monitoring.ts';
import { assessRecordedEvidence } from './assessments/recordedEvidence.ts';
import { assessRiskRegister } from './assessments/riskRegister.ts';
import { assessScans } from './assessments/scans.ts';
import { assessTamperEvidentLog } from './assessments/tamperEvidentLog.ts';
import { assessWallets } from './assessments/wallets.ts';
import { type CollectFactsParameters, type ConformanceFacts, collectFacts } from './collectFacts.ts';
import { combineAssessments } from './combineAssessments.ts';
import { controlReference } from './controlReference.ts';
import type { ReportPeriod, SignOff } from './signOff.ts';
import { type Assessment, type Assessments, type ControlResult, type ControlStatus, controlStatuses } from './types.ts';

/** Every assessment, one per group of controls; each reads the facts and judges the controls it knows. */
export const conformanceAssessments: readonly { id: string; assess: (facts: ConformanceFacts) => Assessments }[] = [
  { id: 'risk-register', assess: assessRiskRegister },
  { id: 'incidents', assess: assessIncidents },
  { id: 'tamper-evident-log', assess: assessTamperEvidentLog },
  { id: 'documentation', assess: assessDocumentation },
  { id: 'audits', assess: assessAudits },
  { id: 'monitoring', assess: assessMonitoring },
  { id: 'breakers', assess: assessBreakers },
  { id: 'dependencies', assess: assessDependencies },
  { id: 'scans', assess: assessScans },
  { id: 'design', assess: assessDesign },
  { id: 'inventory', assess: assessInventory },
  { id: 'wallets', assess: assessWallets },
  { id: 'recorded-evidence', assess: assessRecordedEvidence },
  { id: 'manual-evidence', assess: assessManualEvidence },
];

/** The conformance report; `report.schema.json` beside this file is its schema. */
export type ConformanceReport = {
  schemaVersion: 1;
  generatedAt: string;
  tool: { name: 'bulwark'; version: string };
  project: { name: string | null; manifest: string | null };
  summary: {
    total: number;
    byStatus: Record<ControlStatus, number>;
    byArea: Record<ControlArea, Record<ControlStatus, number>>;
  };
  controls: ControlResult[];
  risks: {
    total: number;
    byRating: Record<RiskRating, number>;
    overdue: string[];
    withoutReviewDate: string[];
    /** `heatMap[impact - 1][likelihood - 1]`: counts of risks. */
    heatMap: number[][];
    entries: {
      id: string;
      threat: string;
      asset: string;
      likelihood: number;
      impact: number;
      score: number;
      rating: RiskRating;
      owner: string;
      treatment: string;
      plan: string | null;
      reviewDate: string | null;
      reviewState: string;
      controls: string[];
    }[];
  };
  incidents: Omit<IncidentStats, 'missedTargets'> & {
    targetsMs: Record<string, number>;
    missedTargets: IncidentStats['missedTargets'];
    entries: {
      id: string;
      title: string;
      severity: string;
      state: string;
      detectedAt: string;
      timeToDetectMs: number | null;
      timeToContainMs: number | null;
    }[];
  };
  /** The reporting period (both days included); null: everything up to the report's time. */
  period: ReportPeriod | null;
  /** What the report stands on: the log head, and the digest of the verified governance state. */
  integrity: {
    logHead: { seq: number; hash: string } | null;
    /** Digest of the governance rows as verified against the log; null when a row does not verify. */
    stateDigest: string | null;
    /** Governance rows edited, inserted or deleted outside Bulwark, each named with the entry that wrote it. */
    rowProblems: string[];
  };
  /** The accountable sign-offs of this period's report, each signed with an approver's key (`bulwark report sign`). */
  signOffs: SignOff[];
  /** Every recorded audit: the auditor, how their competency and track record were judged, the report's hash. */
  audits: {
    id: string;
    auditor: string;
    date: string;
    competency: string[];
    trackRecord: string[];
    report: { path: string; sha256: string | null } | null;
  }[];
  log:
    | { ok: true; entries: number; head: { seq: number; hash: string } | null }
    | { ok: false; entries: number; seq: number; reason: string; message: string };
  /** Things the reader should know about how the report was made (no manifest, a check that failed). */
  notes: string[];
};

export type EvaluateConformanceParameters = CollectFactsParameters;

/** Gathers the evidence in the store and the project, and judges every control of the catalogue. */
export async function evaluateConformance(
  store: StoreClient,
  parameters: EvaluateConformanceParameters,
): Promise<ConformanceReport> {
  const facts = await collectFacts(store, parameters);
  return buildReport(facts);
}

const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

export function buildReport(facts: ConformanceFacts): ConformanceReport {
  const byControl = new Map<string, Assessment[]>();
  for (const { assess } of conformanceAssessments)
    for (const [controlId, list] of Object.entries(assess(facts)))
      byControl.set(controlId, [...(byControl.get(controlId) ?? []), ...(list ?? [])]);

  const risksByControl = new Map<string, string[]>();
  for (const risk of facts.risks)
    for (const id of risk.controls) risksByControl.set(id, [...(risksByControl.get(id) ?? []), risk.id]);

  const results: ControlResult[] = controls.map((control) => {
    const assessments = byControl.get(control.id) ?? [];
    const { status, counted } = combineAssessments(assessments);
    const reasons =
      counted.length === 0
        ? ['Nothing in the system gives evidence for this control yet; record some with the tool that produces it.']
        : counted.map((a) => `${a.status}: ${a.reason}`);
    return {
      id: control.id,
      area: control.area,
      text: control.text,
      status,
      reasons,
      evidence: counted.flatMap((a) => a.evidence),
      risks: risksByControl.get(control.id) ?? [],
      aspects: counted.map((a) => ({ aspect: a.aspect, status: a.status, reason: a.reason, at: a.at.toISOString() })),
      reference: controlReference(control),
      exceptions: facts.exceptions
        .filter((e) => e.targetKind === 'control' && e.target === control.id)
        .map(appliedException),
    };
  });

  const zero = () => Object.fromEntries(controlStatuses.map((s) => [s, 0])) as Record<ControlStatus, number>;
  const byStatus = zero();
  const byArea = {} as Record<ControlArea, Record<ControlStatus, number>>;
  for (const r of results) {
    byStatus[r.status]++;
    byArea[r.area] ??= zero();
    byArea[r.area][r.status]++;
  }

  const heat = riskHeatMap(facts.risks);
  const byRating: Record<RiskRating, number> = { low: 0, medium: 0, high: 0, critical: 0 };
  for (const r of facts.risks) byRating[r.rating]++;
  const stats = incidentStats(facts.incidents, { targets: facts.options.targets, now: facts.now });

  const notes: string[] = [];
  const m = facts.manifest;
  if ('missing' in m) notes.push(`${m.missing} Documentation, audit coverage, dependency and design checks need one.`);
  if ('invalid' in m) notes.push(`The manifest ${m.file} cannot be used: ${m.invalid}`);
  for (const [what, value] of [
    ['documentation check', facts.docs],
    ['audit coverage', facts.coverage],
    ['dependency inventory', facts.dependencies],
    ['admin check', facts.design?.admin],
    ['pausable check', facts.design?.pausable],
  ] as const)
    if (value && 'error' in value && typeof value.error === 'string')
      notes.push(`The ${what} could not run: ${value.error}`);
  notes.push(
    `Containment targets: ${Object.entries(facts.options.targets)
      .map(([s, ms]) => `${s} ${formatDuration(ms)}`)
      .join(
        ', ',
      )}. The monitor counts as running when a checkpoint moved within ${formatDuration(facts.options.monitorStaleAfterMs)}; recorded evidence counts for ${facts.options.maxEvidenceAgeDays} days.`,
  );

  return {
    schemaVersion: 1,
    generatedAt: facts.now.toISOString(),
    tool: { name: 'bulwark', version: '0.1.0' },
    project: {
      name: 'loaded' in m ? m.loaded.manifest.project.name : null,
      manifest: 'loaded' in m ? m.file : null,
    },
    summary: { total: results.length, byStatus, byArea },
    controls: results,
    period: facts.period ?? null,
    integrity: {
      logHead: facts.logHead ?? null,
      stateDigest: facts.state.ok ? facts.state.stateDigest : null,
      rowProblems: facts.state.problems.map((p) => p.message),
    },
    signOffs: facts.signOffs,
    audits: facts.audits.map((a) => ({
      id: a.id,
      auditor: a.auditor,
      date: a.auditDate,
      competency: stringList(a.auditorProfile.competency),
      trackRecord: stringList(a.auditorProfile.trackRecord),
      report: a.reportPath ? { path: a.reportPath, sha256: a.reportHash } : null,
    })),
    risks: {
      total: facts.risks.length,
      byRating,
      overdue: facts.risks.filter((r) => r.review.state === 'overdue').map((r) => r.id),
      withoutReviewDate: facts.risks.filter((r) => r.review.state === 'none').map((r) => r.id),
      heatMap: heat.cells.map((row) => row.map((cell) => cell.count)),
      entries: facts.risks.map((r) => ({
        id: r.id,
        threat: r.threat,
        asset: r.asset,
        likelihood: r.likelihood,
        impact: r.impact,
        score: r.score,
        rating: r.rating,
        owner: r.owner,
        treatment: r.treatment.kind,
        plan: r.treatment.plan,
        reviewDate: r.reviewDate,
        reviewState: r.review.state,
        controls: r.controls,
      })),
    },
    incidents: {
      ...stats,
      targetsMs: { ...facts.options.targets },
      entries: facts.incidents.map((i) => ({
        id: i.id,
        title: i.title,
        severity: i.severity,
        state: i.state,
        detectedAt: i.detectedAt.toISOString(),
        timeToDetectMs: i.timeToDetectMs,
        timeToContainMs: i.timeToContainMs,
      })),
    },
    log: facts.log.ok
      ? { ok: true, entries: facts.log.entries, head: facts.log.head ?? null }
      : {
          ok: false,
          entries: facts.log.entries,
          seq: facts.log.seq,
          reason: facts.log.reason,
          message: facts.log.message,
        },
    notes,
  };
}
