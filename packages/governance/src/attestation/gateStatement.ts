import { version } from '@bulwark/scanner';
import type { Release } from '../approvals/computeRelease.ts';
import type { ApprovalVerdict } from '../approvals/verifyApprovals.ts';
import type { CheckStatus, GateCheckId } from '../gate/gateCheck.ts';
import type { GateDecision, GateResult } from '../gate/runGate.ts';

export const statementType = 'https://in-toto.io/Statement/v1';
export const gatePredicateType = 'https://bulwark.dev/gate/v1';
/** The DSSE payload type of an in-toto statement. */
export const inTotoPayloadType = 'application/vnd.in-toto+json';

export type ResourceDescriptor = { name: string; digest: { sha256: string } };

/** What the gate decided about which release, and on what evidence. */
export type GatePredicate = {
  target: string;
  releaseDigest: string;
  decision: GateDecision;
  checks: { id: GateCheckId; status: CheckStatus; reason: string; controls: string[] }[];
  approvals: {
    approver?: string | undefined;
    keyId: string;
    algorithm: string;
    signature: string;
    signedAt: string;
    valid: boolean;
    reason: string;
  }[];
  requiredApprovals: number;
  release: Release;
  testReport?: { path: string; sha256: string; tests: number; failed: number } | undefined;
  scan: { source: 'scan' | 'file'; threshold: string; file?: string | undefined; sha256?: string | undefined };
  author?: string | undefined;
  tool: { name: 'bulwark'; version: string };
  startedOn: string;
  finishedOn: string;
  /**
   * The governance log's head and the digest of the governance state (every bound row) that the
   * decision was made on, both verified first: check them against `bulwark log verify`.
   */
  log?: { head: { seq: number; hash: string } | null; stateDigest: string } | undefined;
};

export type GateStatement = {
  _type: typeof statementType;
  subject: ResourceDescriptor[];
  predicateType: typeof gatePredicateType;
  predicate: GatePredicate;
};

/**
 * The in-toto Statement v1 of a gate decision. Its subjects are the contract artifacts (the
 * bytes that get deployed) and the source files they were built from: a source edited after the
 * gate no longer verifies, even when an artifact was not rebuilt.
 */
export function gateStatement(result: GateResult): GateStatement {
  const subjects = new Map<string, ResourceDescriptor>();
  for (const file of [...result.release.artifacts, ...result.release.sources])
    subjects.set(file.path, { name: file.path, digest: { sha256: file.sha256 } });
  return {
    _type: statementType,
    subject: [...subjects.values()],
    predicateType: gatePredicateType,
    predicate: {
      target: result.target,
      releaseDigest: result.releaseDigest,
      decision: result.decision,
      checks: result.checks.map((c) => ({ id: c.id, status: c.status, reason: c.reason, controls: c.controls })),
      approvals: result.approvals.map((a: ApprovalVerdict) => ({ ...a })),
      requiredApprovals: result.requiredApprovals,
      release: result.release,
      ...(result.testReport
        ? {
            testReport: {
              path: result.testReport.path,
              sha256: result.testReport.sha256,
              tests: result.testReport.tests,
              failed: result.testReport.failed,
            },
          }
        : {}),
      scan:
        result.scan.kind === 'file'
          ? { source: 'file', threshold: result.scan.threshold, file: result.scan.path, sha256: result.scan.sha256 }
          : { source: 'scan', threshold: result.scan.threshold },
      ...(result.author ? { author: result.author } : {}),
      tool: { name: 'bulwark', version },
      startedOn: result.startedOn,
      finishedOn: result.finishedOn,
      log: { head: result.state.head ?? null, stateDigest: result.state.stateDigest },
    },
  };
}
