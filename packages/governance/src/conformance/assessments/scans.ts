import type { ConformanceFacts } from '../collectFacts.ts';
import type { Assessments } from '../types.ts';
import { assessment, plural } from './judge.ts';
import { capStatus, hasCurrentEvidence } from './recordedEvidence.ts';

/** SBD-07 (tests against known attack classes): the latest stored scan has no open high finding, and no open medium one for `met`. */
export function assessScans(facts: ConformanceFacts): Assessments {
  const { scan, now } = facts;
  if (!scan)
    return {
      'SBD-07': [assessment('scan', 'no-evidence', 'No scan is stored (the gate stores the scan it judges).', now)],
    };
  const high = scan.open.filter((f) => f.impact === 'high');
  const medium = scan.open.filter((f) => f.impact === 'medium');
  const at = scan.run.finishedAt ?? scan.run.startedAt;
  const capped = capStatus(
    'SBD-07',
    'scan',
    high.length > 0 ? 'not-met' : medium.length > 0 ? 'partial' : 'met',
    hasCurrentEvidence(facts, 'SBD-07'),
  );
  return {
    'SBD-07': [
      assessment(
        'scan',
        capped.status,
        `The latest scan (${at.toISOString().slice(0, 10)}${scan.run.commit ? `, ${scan.run.commit.slice(0, 12)}` : ''}) has ${plural(high.length, 'open high finding')} and ${plural(medium.length, 'open medium finding')}.${capped.why ? ` Shows the control only in part: ${capped.why}.` : ''}`,
        at,
        [
          {
            kind: 'scan',
            ref: `scan:${scan.run.id}`,
            summary: `${plural(scan.open.length, 'open finding')}`,
            at: at.toISOString(),
          },
          ...[...high, ...medium].slice(0, 20).map((f) => ({
            kind: 'scan-finding',
            ref: `${f.file}:${f.line}`,
            summary: `${f.detector} (${f.impact}) at ${f.file}:${f.line}`,
            status: 'open',
            href: f.file,
          })),
        ],
      ),
    ],
  };
}
