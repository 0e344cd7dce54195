import type { ConformanceFacts } from '../collectFacts.ts';
import type { Assessments, EvidenceLink } from '../types.ts';
import { allOf, assessment, names, plural, ratioStatus } from './judge.ts';

/**
 * GOV-01 (a systematic, risk-based process): each risk of the register is in order — reviewed on
 * time (its review date has not passed) and, when treated by mitigation, naming the controls that
 * mitigate it. All in order → met; none → not-met.
 */
export function assessRiskRegister(facts: ConformanceFacts): Assessments {
  const { risks, now } = facts;
  if (risks.length === 0)
    return {
      'GOV-01': [
        assessment(
          'risk-register',
          'no-evidence',
          'The risk register is empty: add risks with `bulwark risk add`.',
          now,
        ),
      ],
    };
  const unreviewed = risks.filter((r) => r.review.state === 'overdue' || r.review.state === 'none');
  const unlinked = risks.filter((r) => r.treatment.kind === 'mitigate' && r.controls.length === 0);
  const inOrder = risks.filter((r) => !unreviewed.includes(r) && !unlinked.includes(r));
  const problems = [
    unreviewed.length > 0
      ? `${plural(unreviewed.length, 'risk')} overdue for review or without a review date: ${names(unreviewed.map((r) => r.id))} (\`bulwark risk update ID --reviewed\`)`
      : undefined,
    unlinked.length > 0
      ? `${plural(unlinked.length, 'mitigated risk')} naming no control: ${names(unlinked.map((r) => r.id))} (\`bulwark risk update ID --add-controls …\`)`
      : undefined,
  ].filter((p): p is string => p !== undefined);
  const link = (r: (typeof risks)[number]): EvidenceLink => ({
    kind: 'risk',
    ref: `risk:${r.id}`,
    summary: `${r.id} ${r.threat} → ${r.asset}: ${r.rating} (${r.score}), ${r.treatment.kind}${r.controls.length ? ` by ${r.controls.join(', ')}` : ''}, review ${r.review.date ?? 'not set'}`,
    status: r.review.state,
    at: r.updatedAt.toISOString(),
    href: `#risk-${r.id}`,
  });
  return {
    'GOV-01': [
      assessment(
        'risk-register',
        ratioStatus(inOrder.length, risks.length),
        problems.length === 0
          ? `${allOf(risks.length, 'risk')} in the register reviewed on time${risks.some((r) => r.treatment.kind === 'mitigate') ? ', and each mitigated one names its controls' : ''}.`
          : `${inOrder.length} of ${plural(risks.length, 'risk')} in order; ${problems.join('; ')}.`,
        now,
        [...risks.filter((r) => !inOrder.includes(r)), ...inOrder].map(link),
      ),
    ],
  };
}
