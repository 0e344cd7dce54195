import type { ControlEvidence } from '@bulwark/store';
import type { ConformanceFacts } from '../collectFacts.ts';
import type { Assessments, ControlStatus } from '../types.ts';
import { assessment } from './judge.ts';

/** How recorded evidence statuses read: the gate's pass/warn/fail, and the words people use. */
const statusWords: Record<string, ControlStatus> = {
  pass: 'met',
  passed: 'met',
  met: 'met',
  ok: 'met',
  success: 'met',
  complete: 'met',
  verified: 'met',
  warn: 'partial',
  warning: 'partial',
  partial: 'partial',
  fail: 'not-met',
  failed: 'not-met',
  'not-met': 'not-met',
  error: 'not-met',
  'not-applicable': 'not-applicable',
  'n/a': 'not-applicable',
};

/**
 * The aspect a recorded evidence kind judges, where a live assessment judges the same thing
 * (the newest of an aspect counts): the gate's checks and the dependency review round.
 */
const aspectOfKind: Record<string, string | Record<string, string>> = {
  'gate.documentation': 'documentation',
  'gate.audit': { 'SBD-02': 'audit-coverage', 'SBD-03': 'audit-changes' },
  'gate.dependencies': 'dependencies',
  'dependency-inventory': 'dependencies',
  'gate.scan': 'scan',
};

/**
 * What a kind of evidence can show of a control at most, where it shows only part of it: two
 * approvals of a release show segregation of duties, not roles, competency or training (GOV-10);
 * an admin declared in the manifest is a claim until the chain confirms it (SBD-08); a verifying
 * log shows integrity, not central collection, retention or a SIEM feed (SA-04); a clean scan is
 * static analysis, not coding standards and tests (SBD-07). Current evidence recorded for the
 * control with `bulwark evidence add` completes the picture and lifts the cap.
 */
const showsAtMost: Record<string, Record<string, string>> = {
  'GOV-10': {
    'gate.approvals':
      'approvals show segregation of duties (four eyes) on releases; roles, competency and training need recorded evidence (`bulwark evidence add --control GOV-10 --kind training`)',
  },
  'SBD-08': {
    'gate.admin': 'the admin kind is the manifest’s claim unless the chain confirmed it (a deployment with an RPC)',
  },
  'SA-04': {
    'log-integrity':
      'the log’s integrity is shown; central collection, retention and a SOC/SIEM feed need recorded evidence (`bulwark evidence add --control SA-04`)',
  },
  'SBD-07': {
    scan: 'a scan is static analysis against known attack classes; secure coding standards and tests need recorded evidence (`bulwark evidence add --control SBD-07`)',
    'gate.scan':
      'a scan is static analysis against known attack classes; secure coding standards and tests need recorded evidence (`bulwark evidence add --control SBD-07`)',
  },
};

/** Current evidence recorded for the control with `bulwark evidence add`. */
export function hasCurrentEvidence(facts: Pick<ConformanceFacts, 'manualEvidence'>, controlId: string): boolean {
  return facts.manualEvidence.some((e) => e.controlId === controlId && e.state === 'current');
}

/** Caps a status at what the evidence can show: `met` becomes `partial`; worse stays as it is. */
export function capStatus(
  controlId: string,
  kind: string,
  status: ControlStatus,
  confirmed = false,
): { status: ControlStatus; why?: string } {
  const why = showsAtMost[controlId]?.[kind];
  if (!why || confirmed || status !== 'met') return { status };
  return { status: 'partial', why };
}

export function aspectOf(evidence: Pick<ControlEvidence, 'kind' | 'controlId'>): string {
  const mapped = aspectOfKind[evidence.kind];
  if (typeof mapped === 'string') return mapped;
  return mapped?.[evidence.controlId] ?? evidence.kind;
}

/**
 * Evidence recorded in the store for any control (gate decisions and checks, dependency review
 * rounds, evidence added by other tools): the newest of each kind per control, judged by its status.
 */
export function assessRecordedEvidence(facts: ConformanceFacts): Assessments {
  const out: Assessments = {};
  const seen = new Set<string>();
  const oldest = facts.now.getTime() - facts.options.maxEvidenceAgeDays * 86_400_000;
  for (const e of facts.evidence) {
    const key = `${e.controlId}\u0000${e.kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const status = statusWords[e.status.toLowerCase()];
    const reason = typeof e.data.reason === 'string' ? e.data.reason : undefined;
    const link = {
      kind: e.kind,
      ref: e.ref,
      summary: `${e.kind} ${e.status}${typeof e.data.target === 'string' ? ` for ${e.data.target}` : ''}${reason ? `: ${reason}` : ''}`,
      status: e.status,
      at: e.collectedAt.toISOString(),
    };
    const list = out[e.controlId] ?? [];
    out[e.controlId] = list;
    if (e.collectedAt.getTime() < oldest)
      list.push(
        assessment(
          aspectOf(e),
          'no-evidence',
          `The latest ${e.kind} evidence is from ${e.collectedAt.toISOString().slice(0, 10)}, older than ${facts.options.maxEvidenceAgeDays} days.`,
          e.collectedAt,
          [link],
        ),
      );
    else if (!status)
      list.push(
        assessment(
          aspectOf(e),
          'no-evidence',
          `The ${e.kind} evidence has a status "${e.status}" that is not understood.`,
          e.collectedAt,
          [link],
        ),
      );
    else {
      const capped = capStatus(
        e.controlId,
        e.kind,
        status,
        e.data.confirmedOnChain === true || hasCurrentEvidence(facts, e.controlId),
      );
      list.push(
        assessment(
          aspectOf(e),
          capped.status,
          `${e.kind === 'gate' ? `Latest gate decision: ${e.status}` : `Latest ${e.kind}: ${e.status}`}${typeof e.data.target === 'string' ? ` (${e.data.target})` : ''}${reason ? ` — ${reason}` : ''}, ${e.collectedAt.toISOString().slice(0, 10)}${capped.why ? `; shows the control only in part: ${capped.why}` : ''}.`,
          e.collectedAt,
          [link],
        ),
      );
    }
  }
  return out;
}
