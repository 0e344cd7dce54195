import type { ConformanceFacts } from '../collectFacts.ts';
import type { Assessment, Assessments } from '../types.ts';
import { assessment } from './judge.ts';
import { capStatus, hasCurrentEvidence } from './recordedEvidence.ts';

/**
 * SA-04 (logs with integrity protection) and GOV-02 (governance mechanisms in force): the
 * governance log's hash chain verifies from the first entry to the last, and every governance row
 * matches the entry that wrote it.
 */
export function assessTamperEvidentLog(facts: ConformanceFacts): Assessments {
  const { log, state, now } = facts;
  let judged: Assessment;
  if (log.ok && !state.ok)
    judged = assessment(
      'log-integrity',
      'not-met',
      `The log's chain verifies, but ${state.problems.length} governance row(s) do not match it: ${state.problems
        .slice(0, 3)
        .map((p) => p.message)
        .join('; ')}`,
      now,
      state.problems.map((p) => ({
        kind: 'log',
        ref: `row:${p.table}:${p.key.join(',')}`,
        summary: p.message,
        status: p.kind,
        href: '#log',
      })),
    );
  else if (log.ok && log.entries === 0)
    judged = assessment(
      'log-integrity',
      'no-evidence',
      'The tamper-evident log is empty: no governance action has been recorded.',
      now,
    );
  else if (log.ok)
    judged = assessment(
      'log-integrity',
      'met',
      `The tamper-evident log verifies: ${log.entries} entries chained from genesis to head ${log.head?.seq}:${log.head?.hash.slice(0, 12)}…, and ${state.rows} governance row(s) match it.`,
      now,
      [
        {
          kind: 'log',
          ref: `log:${log.head?.seq}`,
          summary: `head ${log.head?.seq}:${log.head?.hash}`,
          status: 'intact',
          href: '#log',
        },
      ],
    );
  else
    judged = assessment(
      'log-integrity',
      'not-met',
      `The tamper-evident log is broken at entry ${log.seq} (${log.reason}): ${log.message}`,
      now,
      [{ kind: 'log', ref: `log:${log.seq}`, summary: log.message, status: log.reason, href: '#log' }],
    );
  const capped = capStatus('SA-04', 'log-integrity', judged.status, hasCurrentEvidence(facts, 'SA-04'));
  const sa04 = capped.why
    ? { ...judged, status: capped.status, reason: `${judged.reason} Shows the control only in part: ${capped.why}.` }
    : judged;
  return { 'SA-04': [sa04], 'GOV-02': [{ ...judged, aspect: 'governance-record' }] };
}
