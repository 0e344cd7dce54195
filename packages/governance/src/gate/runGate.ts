import path from 'node:path';
import type { Impact } from '@bulwark/core';
import {
  appendLog,
  insertControlEvidence,
  listApprovals,
  listExceptions,
  type StoreClient,
  withTransaction,
} from '@bulwark/store';
import { computeRelease, type Release } from '../approvals/computeRelease.ts';
import { type ApprovalVerdict, verifyApprovals } from '../approvals/verifyApprovals.ts';
import { dependencyStatus } from '../dependencies/dependencyStatus.ts';
import { applyExceptions } from '../exceptions/applyExceptions.ts';
import { exceptionStatus } from '../exceptions/exceptionState.ts';
import { requireIdentity } from '../identity/requireRole.ts';
import { UnverifiedStateError } from '../log/errors.ts';
import type { LoadedManifest } from '../manifest/types.ts';
import { today } from '../risks/reviewDate.ts';
import { adminCheck } from './checks/adminCheck.ts';
import { approvalsCheck } from './checks/approvalsCheck.ts';
import { artifactsCheck } from './checks/artifactsCheck.ts';
import { auditCheck } from './checks/auditCheck.ts';
import { auditReportCheck } from './checks/auditReportCheck.ts';
import { dependenciesCheck } from './checks/dependenciesCheck.ts';
import { documentationCheck } from './checks/documentationCheck.ts';
import { pausableCheck } from './checks/pausableCheck.ts';
import { readAdminFacts } from './checks/readAdminFacts.ts';
import { readPauseFacts } from './checks/readPauseFacts.ts';
import { type ScanCheckReturnType, type ScanResultsFile, scanCheck } from './checks/scanCheck.ts';
import { stateCheck, type VerifiedState } from './checks/stateCheck.ts';
import { testsCheck } from './checks/testsCheck.ts';
import type { GateCheck } from './gateCheck.ts';
import { type GateConfig, readGateConfig } from './gateConfig.ts';
import { readTestReport, type TestReport } from './readTestReport.ts';

export type GateDecision = 'pass' | 'fail';

export type RunGateParameters = {
  loaded: LoadedManifest;
  target: string;
  /** Scanner findings at or above this impact block the release (default high). */
  threshold?: Impact | undefined;
  scanResults?: ScanResultsFile | undefined;
  baseline?: Set<string> | undefined;
  /** The test report file (absolute, or relative to `cwd`). */
  testReport?: string | undefined;
  /** The release author; overrides the manifest's gate.author. */
  author?: string | undefined;
  /** For shown paths; default: the manifest's folder. */
  cwd?: string | undefined;
  /** Who ran the gate, for the log. */
  actor?: string | undefined;
  /** Environment for the deployments' `rpc` variables: the admin check then reads the admin from the chain. */
  env?: NodeJS.ProcessEnv | undefined;
  now?: (() => Date) | undefined;
};

export type GateResult = {
  target: string;
  releaseDigest: string;
  release: Release;
  decision: GateDecision;
  checks: GateCheck[];
  approvals: ApprovalVerdict[];
  requiredApprovals: number;
  testReport?: (TestReport & { path: string }) | undefined;
  scan: ScanCheckReturnType['source'] & { threshold: Impact; scanRunId: string };
  author?: string | undefined;
  startedOn: string;
  finishedOn: string;
  /** The log head and governance state digest the decision was made on. */
  state: VerifiedState;
};

/**
 * Decides whether a release may go out: runs every check, and records the decision in the log
 * and as evidence for the advisory controls each check stands for (for the conformance report).
 */
export async function runGate(store: StoreClient, parameters: RunGateParameters): Promise<GateResult> {
  if (parameters.actor) await requireIdentity(store, parameters.actor);
  const now = parameters.now ?? (() => new Date());
  const startedOn = now();
  const { loaded, target } = parameters;
  const state = await stateCheck(store);
  if (!state.verified)
    throw new UnverifiedStateError(
      'The gate refuses to decide: the governance state does not verify against the log.',
      {
        metaMessages: [
          ...(Array.isArray(state.check.details?.problems)
            ? (state.check.details.problems as { message: string }[]).map((p) => p.message)
            : [state.check.reason]),
          'Run `bulwark log verify` for the full list; restore the rows (or redo the changes through bulwark) and run the gate again.',
        ],
        docsPath: 'governance/log.md#bound-rows',
      },
    );
  const cwd = parameters.cwd ?? loaded.dir;
  const threshold = parameters.threshold ?? 'high';
  const config: GateConfig = readGateConfig(loaded);
  const author = parameters.author ?? config.author;
  const testReport = parameters.testReport
    ? {
        ...readTestReport(path.resolve(cwd, parameters.testReport), parameters.testReport),
        path: parameters.testReport,
      }
    : undefined;
  const { digest, release, inventory } = computeRelease({ loaded, target });

  const scan = await scanCheck(store, {
    loaded,
    threshold,
    results: parameters.scanResults,
    baseline: parameters.baseline,
  });
  const verified = verifyApprovals({
    digest,
    target,
    approvals: await listApprovals(store, { releaseDigest: digest }),
    approvers: config.approvers,
    author,
  });
  const rawChecks: GateCheck[] = [
    state.check,
    scan.check,
    await auditCheck(store, loaded),
    await auditReportCheck(store, loaded),
    testsCheck(testReport),
    approvalsCheck(verified, config, { digest, target }),
    dependenciesCheck(await dependencyStatus(store, inventory), inventory, config.dependencyScope),
    documentationCheck(loaded, startedOn),
    pausableCheck(
      loaded,
      {
        findings: scan.findings,
        analysed: scan.analysed,
        source: scan.source.kind === 'file' ? `scan results ${scan.source.path}` : 'the gate’s scan',
      },
      parameters.env ? await readPauseFacts(loaded, { env: parameters.env }) : undefined,
    ),
    adminCheck(loaded, parameters.env ? await readAdminFacts(loaded, { env: parameters.env }) : undefined),
    artifactsCheck(loaded),
  ];
  const on = today(startedOn);
  const checks = applyExceptions(
    rawChecks,
    (await listExceptions(store)).map((e) => exceptionStatus(e, on)),
  );
  const decision: GateDecision = checks.some((c) => c.status === 'fail') ? 'fail' : 'pass';
  const finishedOn = now();
  const result: GateResult = {
    target,
    releaseDigest: digest,
    release,
    decision,
    checks,
    approvals: verified.verdicts,
    requiredApprovals: config.requiredApprovals,
    testReport,
    scan: { ...scan.source, threshold, scanRunId: scan.scanRunId },
    ...(author ? { author } : {}),
    startedOn: startedOn.toISOString(),
    finishedOn: finishedOn.toISOString(),
    state: state.verified,
  };
  await recordGateDecision(store, result, { actor: parameters.actor ?? 'bulwark-gate', at: finishedOn });
  return result;
}

/**
 * The decision's log entry and its control evidence (one per check and control, plus the
 * decision itself for GOV-05 and GOV-02), in one transaction.
 */
async function recordGateDecision(
  store: StoreClient,
  result: GateResult,
  options: { actor: string; at: Date },
): Promise<void> {
  const ref = `release:${result.releaseDigest}:${result.target}`;
  await withTransaction(store, async (tx) => {
    for (const c of result.checks) {
      for (const controlId of c.controls)
        await insertControlEvidence(tx, {
          controlId,
          kind: `gate.${c.id}`,
          ref,
          status: c.status,
          collectedAt: options.at,
          data: {
            target: result.target,
            releaseDigest: result.releaseDigest,
            check: c.id,
            reason: c.reason,
            decision: result.decision,
            ...(c.details?.confirmedOnChain === true ? { confirmedOnChain: true } : {}),
          },
        });
    }
    for (const controlId of ['GOV-05', 'GOV-02'])
      await insertControlEvidence(tx, {
        controlId,
        kind: 'gate',
        ref,
        status: result.decision,
        collectedAt: options.at,
        data: {
          target: result.target,
          releaseDigest: result.releaseDigest,
          checks: Object.fromEntries(result.checks.map((c) => [c.id, c.status])),
        },
      });
    await appendLog(tx, {
      actor: options.actor,
      action: 'gate.decision',
      at: options.at,
      payload: {
        target: result.target,
        releaseDigest: result.releaseDigest,
        decision: result.decision,
        checks: result.checks.map((c) => ({
          id: c.id,
          status: c.status,
          reason: c.reason,
          ...(c.exception ? { exception: { id: c.exception.id, state: c.exception.state } } : {}),
        })),
        approvedBy: result.approvals.filter((a) => a.valid).map((a) => a.approver),
        testReport: result.testReport ? { path: result.testReport.path, sha256: result.testReport.sha256 } : null,
        scanRunId: result.scan.scanRunId,
      },
    });
  });
}
