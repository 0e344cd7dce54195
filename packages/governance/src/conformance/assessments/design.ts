import type { GateCheck } from '../../gate/gateCheck.ts';
import { type ConformanceFacts, isUnavailable } from '../collectFacts.ts';
import type { Assessments, ControlStatus } from '../types.ts';
import { assessment } from './judge.ts';
import { capStatus, hasCurrentEvidence } from './recordedEvidence.ts';

const fromCheck: Record<GateCheck['status'], ControlStatus> = { pass: 'met', warn: 'partial', fail: 'not-met' };

/**
 * The gate's design checks, run live on the manifest: admin powers under multi-party control
 * (SBD-08) and value-holding contracts pausable (SBD-06). Each counts for the controls the gate
 * says it evidences, under the same aspect as the gate's recorded evidence, which it supersedes.
 */
export function assessDesign(facts: ConformanceFacts): Assessments {
  const out: Assessments = {};
  if (!facts.design || !('loaded' in facts.manifest)) return out;
  const file = facts.manifest.file;
  for (const result of [facts.design.admin, facts.design.pausable]) {
    if (isUnavailable(result)) continue;
    for (const controlId of result.controls) {
      const capped = capStatus(
        controlId,
        `gate.${result.id}`,
        fromCheck[result.status],
        result.details?.confirmedOnChain === true || hasCurrentEvidence(facts, controlId),
      );
      const judged = assessment(
        `gate.${result.id}`,
        capped.status,
        `${result.title}: ${result.reason}${capped.why ? ` (shows the control only in part: ${capped.why})` : ''}`,
        facts.now,
        [{ kind: `check.${result.id}`, ref: file, summary: result.reason, status: result.status, href: file }],
      );
      out[controlId] = [...(out[controlId] ?? []), judged];
    }
  }
  return out;
}
