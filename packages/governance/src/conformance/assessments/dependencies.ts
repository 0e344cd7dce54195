import { type ConformanceFacts, isUnavailable } from '../collectFacts.ts';
import type { Assessments } from '../types.ts';
import { manifestGap } from './documentation.ts';
import { allOf, assessment, names, plural, ratioStatus } from './judge.ts';

/** GOV-04 (open-source code reviewed before integration): each dependency the contracts use is reviewed at its exact version. */
export function assessDependencies(facts: ConformanceFacts): Assessments {
  const { now, dependencyReviews } = facts;
  const gap = manifestGap(facts);
  const status = facts.dependencies;
  if (gap || !status || isUnavailable(status)) {
    const why =
      gap ?? (status && isUnavailable(status) ? `The dependency inventory could not be read: ${status.error}` : '');
    return {
      'GOV-04': [
        assessment(
          'dependencies',
          'no-evidence',
          `${dependencyReviews.length > 0 ? `${plural(dependencyReviews.length, 'dependency review')} recorded, but which dependencies are in use is unknown. ` : ''}${why}`,
          now,
        ),
      ],
    };
  }
  const { entries, counts } = status;
  if (entries.length === 0)
    return {
      'GOV-04': [assessment('dependencies', 'not-applicable', 'The contracts import no open-source dependency.', now)],
    };
  const pending = entries.filter((e) => e.state !== 'reviewed');
  return {
    'GOV-04': [
      assessment(
        'dependencies',
        ratioStatus(counts.reviewed, entries.length),
        pending.length === 0
          ? `${allOf(entries.length, 'dependency', 'dependencies')} reviewed and approved at the exact version in use.`
          : `${counts.reviewed} of ${plural(entries.length, 'dependency', 'dependencies')} reviewed at their exact version; ${names(
              pending.map((e) => `${e.name}@${e.version} (${e.state})`),
              4,
            )} (\`bulwark deps\`).`,
        now,
        entries.map((e) => ({
          kind: 'dependency',
          ref: `${e.ecosystem}:${e.name}@${e.version}`,
          summary: `${e.name}@${e.version}: ${e.state}${e.review ? ` (${e.review.verdict} by ${e.review.reviewer})` : ''}`,
          status: e.state,
          ...(e.review ? { at: e.review.reviewedAt } : {}),
        })),
      ),
    ],
  };
}
