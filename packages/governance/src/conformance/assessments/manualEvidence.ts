import type { EvidenceStatus } from '../../evidence/evidenceState.ts';
import type { ConformanceFacts } from '../collectFacts.ts';
import type { Assessments, EvidenceLink } from '../types.ts';
import { assessment, names, plural } from './judge.ts';

export function evidenceLink(e: EvidenceStatus): EvidenceLink {
  return {
    kind: `evidence.${e.kind}`,
    ref: `evidence:${e.id}`,
    summary: `${e.title} (${e.kind}, version ${e.version}, owner ${e.owner}, expires ${e.expiresOn}${e.state === 'current' ? '' : `, ${e.state.toUpperCase()}`}): sha256 ${e.sha256}`,
    status: e.state,
    at: e.addedAt.toISOString(),
    href: e.file,
  };
}

/**
 * Evidence recorded with `bulwark evidence add` (policies, BCP/DR tests, pen tests, training,
 * threat models): its owner vouches that the file shows the control. Current evidence meets the
 * control's `recorded-evidence` aspect; evidence that expired, or whose file changed since it was
 * hashed, does not count, and the report says so.
 */
export function assessManualEvidence(facts: ConformanceFacts): Assessments {
  const byControl = new Map<string, EvidenceStatus[]>();
  for (const e of facts.manualEvidence) byControl.set(e.controlId, [...(byControl.get(e.controlId) ?? []), e]);
  const out: Assessments = {};
  for (const [controlId, pieces] of byControl) {
    const current = pieces.filter((e) => e.state === 'current');
    const lapsed = pieces.filter((e) => e.state !== 'current');
    const lapsedText =
      lapsed.length > 0
        ? `${lapsed.length === pieces.length ? '' : '; '}not counted: ${names(
            lapsed.map(
              (e) => `${e.title} (${e.state === 'expired' ? `expired ${e.expiresOn}` : 'file changed since recorded'})`,
            ),
            3,
          )}`
        : '';
    const reason =
      current.length > 0
        ? `${plural(current.length, 'piece')} of recorded evidence in force: ${names(
            current.map((e) => `${e.title} (${e.kind}, owner ${e.owner}, until ${e.expiresOn})`),
            3,
          )}${lapsedText}.`
        : `Recorded evidence is no longer in force: ${lapsedText.replace(/^not counted: /, '')}.`;
    out[controlId] = [
      assessment(
        'recorded-evidence',
        current.length > 0 ? 'met' : 'no-evidence',
        reason,
        facts.now,
        pieces.map(evidenceLink),
      ),
    ];
  }
  return out;
}
