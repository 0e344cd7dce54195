import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  type AlertSummary,
  type Audit,
  type AuditFinding,
  type Baseline,
  type Checkpoint,
  type ControlEvidence,
  type DependencyReview,
  getCheckpoint,
  getLogHead,
  type Incident,
  type IncidentEvent,
  listAuditFindings,
  listAudits,
  listBaselines,
  listChains,
  listContracts,
  listControlEvidence,
  listDependencyReviews,
  listEvidence,
  listExceptions,
  listIncidentEvents,
  listIncidents,
  listResponderActions,
  listRisks,
  listScanFindings,
  listScanRuns,
  listWatchedContracts,
  type RegisteredContract,
  type ResponderAction,
  type ScanFinding,
  type ScanRun,
  type StoreClient,
  summarizeAlerts,
  type VerifyBoundRowsReturnType,
  type VerifyLogReturnType,
  verifyStore,
  type WatchedContract,
} from '@bulwark/store';
import { type AuditCoverage, auditCoverage } from '../audits/auditCoverage.ts';
import { type DependencyStatusReturnType, dependencyStatus } from '../dependencies/dependencyStatus.ts';
import { readDependencyInventory } from '../dependencies/readDependencyInventory.ts';
import { checkDocsAsync, type DocsReport } from '../docs/checkDocs.ts';
import { type EvidenceStatus, evidenceStatus } from '../evidence/evidenceState.ts';
import { applyExceptions } from '../exceptions/applyExceptions.ts';
import { type ExceptionStatus, exceptionStatus } from '../exceptions/exceptionState.ts';
import { adminCheck } from '../gate/checks/adminCheck.ts';
import { pausableCheck } from '../gate/checks/pausableCheck.ts';
import type { GateCheck } from '../gate/gateCheck.ts';
import { readGateConfig } from '../gate/gateConfig.ts';
import { type ContainmentTargets, defaultContainmentTargets } from '../incidents/containmentTargets.ts';
import { loadManifest, manifestFileNames } from '../manifest/loadManifest.ts';
import type { LoadedManifest } from '../manifest/types.ts';
import { today } from '../risks/reviewDate.ts';
import { type RiskEntry, toRiskEntry } from '../risks/riskEntry.ts';
import { listSignOffs, type ReportPeriod, type SignOff } from './signOff.ts';

/** A check that could not run: the report says why instead of failing. */
export type Unavailable = { error: string };

/** Everything the assessments judge, read once from the store and the project. */
export type ConformanceFacts = {
  now: Date;
  today: string;
  cwd: string;
  options: { targets: ContainmentTargets; monitorStaleAfterMs: number; maxEvidenceAgeDays: number };
  manifest: { loaded: LoadedManifest; file: string } | { missing: string } | { invalid: string; file: string };
  docs: DocsReport | Unavailable | undefined;
  coverage: AuditCoverage | Unavailable | undefined;
  dependencies: (DependencyStatusReturnType & { lockfile: string | undefined }) | Unavailable | undefined;
  design: { admin: GateCheck | Unavailable; pausable: GateCheck | Unavailable } | undefined;
  risks: RiskEntry[];
  incidents: Incident[];
  /** Post-mortem fields written per incident id. */
  postmortems: Map<string, { rootCause: boolean; lessons: boolean }>;
  log: VerifyLogReturnType;
  /** The governance rows checked against the log (bound rows) and the state digest it vouches for. */
  state: VerifyBoundRowsReturnType;
  audits: Audit[];
  openAuditFindings: AuditFinding[];
  contracts: RegisteredContract[];
  watched: WatchedContract[];
  baselines: Baseline[];
  checkpoints: Checkpoint[];
  /** Alerts of the last 30 days: how many, and their rules, newest first. */
  recentAlerts: AlertSummary;
  pauses: ResponderAction[];
  scan: { run: ScanRun; open: ScanFinding[] } | undefined;
  dependencyReviews: DependencyReview[];
  /** All recorded control evidence, newest first. */
  evidence: ControlEvidence[];
  /** Evidence added with `bulwark evidence add`: the newest version of each file, with its state. */
  manualEvidence: EvidenceStatus[];
  /** Exceptions to gate checks and controls, with their state on the report's day. */
  exceptions: ExceptionStatus[];
  /** The reporting period: incidents detected and evidence collected in it count; none given: everything to now. */
  period: ReportPeriod | undefined;
  /** Sign-offs of this project's report for the period, verified. */
  signOffs: SignOff[];
  logHead: { seq: number; hash: string } | undefined;
};

export type CollectFactsParameters = {
  /** The project folder: the manifest is looked for here; file references are relative to it. */
  cwd: string;
  /** A manifest file; when given, a manifest that cannot be loaded is an error. */
  manifestFile?: string | undefined;
  /** A manifest already loaded (`null`: judge without one). */
  manifest?: LoadedManifest | null | undefined;
  now?: Date | undefined;
  targets?: ContainmentTargets | undefined;
  /** A checkpoint older than this means the monitor is not running (default 1 hour). */
  monitorStaleAfterMs?: number | undefined;
  /** Recorded evidence older than this no longer counts (default 365 days). */
  maxEvidenceAgeDays?: number | undefined;
  /** The reporting period (YYYY-MM-DD, both days included). */
  period?: ReportPeriod | undefined;
};

const message = (error: unknown) => (error instanceof Error ? error.message.split('\n')[0]! : String(error));

async function attempt<T>(fn: () => T | Promise<T>): Promise<T | Unavailable> {
  try {
    return await fn();
  } catch (error) {
    return { error: message(error) };
  }
}

export function isUnavailable(value: unknown): value is Unavailable {
  return typeof value === 'object' && value !== null && 'error' in value && Object.keys(value).length === 1;
}

async function findManifest(parameters: CollectFactsParameters): Promise<ConformanceFacts['manifest']> {
  const relative = (file: string) => path.relative(parameters.cwd, file) || file;
  if (parameters.manifest === null) return { missing: 'No manifest was given.' };
  if (parameters.manifest) return { loaded: parameters.manifest, file: relative(parameters.manifest.path) };
  if (parameters.manifestFile) {
    const loaded = await loadManifest({ cwd: parameters.cwd, file: parameters.manifestFile });
    return { loaded, file: relative(loaded.path) };
  }
  const found = manifestFileNames.find((name) => existsSync(path.resolve(parameters.cwd, name)));
  if (!found) return { missing: `No manifest (${manifestFileNames.join(', ')}) in ${parameters.cwd}.` };
  try {
    const loaded = await loadManifest({ cwd: parameters.cwd });
    return { loaded, file: relative(loaded.path) };
  } catch (error) {
    return { invalid: message(error), file: found };
  }
}

export async function collectFacts(store: StoreClient, parameters: CollectFactsParameters): Promise<ConformanceFacts> {
  const now = parameters.now ?? new Date();
  const on = today(now);
  const manifest = await findManifest(parameters);
  const loaded = 'loaded' in manifest ? manifest.loaded : undefined;

  const [
    risks,
    incidents,
    { log, state },
    audits,
    openAuditFindings,
    contracts,
    watched,
    baselines,
    chains,
    pauses,
    runs,
    dependencyReviews,
    evidence,
    recentAlerts,
    manualEvidence,
    exceptions,
    logHead,
  ] = await Promise.all([
    listRisks(store),
    listIncidents(store),
    verifyStore(store),
    listAudits(store),
    listAuditFindings(store, { status: 'open' }),
    listContracts(store),
    listWatchedContracts(store),
    listBaselines(store),
    listChains(store),
    listResponderActions(store, { kind: 'pause' }),
    listScanRuns(store),
    listDependencyReviews(store),
    listControlEvidence(store),
    summarizeAlerts(store, { since: new Date(now.getTime() - 30 * 86_400_000), until: now }),
    listEvidence(store, { latest: true }),
    listExceptions(store),
    getLogHead(store),
  ]);
  // A period's report counts what happened in it: incidents detected then, evidence collected by its end.
  const start = parameters.period && new Date(`${parameters.period.from}T00:00:00Z`);
  const end = parameters.period && new Date(`${parameters.period.to}T23:59:59.999Z`);
  const inPeriod = (at: Date) => (!start || at >= start) && (!end || at <= end);
  const checkpoints = (await Promise.all(chains.map((chain) => getCheckpoint(store, chain.chainId)))).filter(
    (c): c is Checkpoint => c !== undefined,
  );
  const postmortems = new Map<string, { rootCause: boolean; lessons: boolean }>();
  const finished = incidents.filter((i) => i.state === 'resolved' || i.state === 'closed');
  // One query for every finished incident's notes: a long history has thousands.
  const notesOf = new Map<string, IncidentEvent[]>();
  for (const note of await listIncidentEvents(store, { incidentIds: finished.map((i) => i.id), kind: 'note' }))
    notesOf.set(note.incidentId, [...(notesOf.get(note.incidentId) ?? []), note]);
  for (const incident of finished) {
    const notes = notesOf.get(incident.id) ?? [];
    postmortems.set(incident.id, {
      rootCause: notes.some((e) => e.data.field === 'root-cause'),
      lessons: notes.some((e) => e.data.field === 'lessons'),
    });
  }
  const latestRun = runs[0];
  const scan = latestRun && {
    run: latestRun,
    open: await listScanFindings(store, { scanRunId: latestRun.id, status: 'open' }),
  };

  const exceptionStates = exceptions.map((e) => exceptionStatus(e, on));
  const sources = loaded ? [...new Set(loaded.manifest.contracts.flatMap((c) => c.sources))] : [];
  return {
    now,
    today: on,
    cwd: parameters.cwd,
    options: {
      targets: parameters.targets ?? defaultContainmentTargets,
      monitorStaleAfterMs: parameters.monitorStaleAfterMs ?? 60 * 60_000,
      maxEvidenceAgeDays: parameters.maxEvidenceAgeDays ?? 365,
    },
    manifest,
    docs: loaded && (await attempt(() => checkDocsAsync(loaded.manifest, { cwd: loaded.dir, now }))),
    coverage: loaded && (await attempt(() => auditCoverage(store, loaded.manifest, { cwd: loaded.dir }))),
    dependencies:
      loaded &&
      (await attempt(async () => {
        const inventory = readDependencyInventory({ root: loaded.dir, sources });
        return { ...(await dependencyStatus(store, inventory)), lockfile: inventory.lockfile };
      })),
    design:
      loaded &&
      withExceptions(
        {
          admin: await attempt(() => adminCheck(loaded)),
          pausable: await attempt(async () =>
            pausableCheck(
              loaded,
              latestRun && {
                findings: (await listScanFindings(store, { scanRunId: latestRun.id })).map((f) => ({
                  detector: f.detector,
                  file: f.file,
                  line: f.line,
                  message: typeof f.data.message === 'string' ? f.data.message : '',
                })),
                source: `scan run ${latestRun.id}`,
              },
            ),
          ),
        },
        exceptionStates,
      ),
    risks: risks.filter((risk) => risk.status === 'open').map((risk) => toRiskEntry(risk, on)),
    incidents: incidents.filter((i) => inPeriod(i.detectedAt)),
    postmortems,
    log,
    audits,
    openAuditFindings,
    contracts,
    watched,
    baselines,
    checkpoints,
    recentAlerts,
    pauses,
    scan,
    dependencyReviews,
    evidence: evidence.filter((e) => !end || e.collectedAt <= end),
    manualEvidence: manualEvidence
      .filter((e) => !end || e.addedAt <= end)
      .map((e) => evidenceStatus(e, on, parameters.cwd)),
    exceptions: exceptionStates.filter((e) => !end || e.requestedAt <= end),
    period: parameters.period,
    signOffs:
      parameters.period && loaded
        ? await listSignOffs(store, {
            project: loaded.manifest.project.name,
            period: parameters.period,
            approvers: approversOf(loaded),
          })
        : [],
    logHead,
    state,
  };
}

/** The live design checks as the gate judges them: a failure covered by an accepted exception warns, naming it. */
function withExceptions(
  design: { admin: GateCheck | Unavailable; pausable: GateCheck | Unavailable },
  exceptions: ExceptionStatus[],
) {
  const apply = (c: GateCheck | Unavailable) => (isUnavailable(c) ? c : applyExceptions([c], exceptions)[0]!);
  return { admin: apply(design.admin), pausable: apply(design.pausable) };
}

/** The gate's approvers, or none when the gate section cannot be read (the gate reports why). */
function approversOf(loaded: LoadedManifest) {
  try {
    return readGateConfig(loaded).approvers;
  } catch {
    return [];
  }
}
