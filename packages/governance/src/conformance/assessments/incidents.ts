import { containmentVerdict } from '../../incidents/containmentTargets.ts';
import { formatDuration } from '../../incidents/duration.ts';
import type { ConformanceFacts } from '../collectFacts.ts';
import type { Assessments, EvidenceLink } from '../types.ts';
import { assessment, names, plural, ratioStatus } from './judge.ts';

/**
 * GOV-06 (incidents contained in a timely way): each incident contained (or resolved) within the
 * target for its severity. RES-05 (review each incident afterwards): each resolved or closed
 * incident that needed containment has a root cause written.
 */
export function assessIncidents(facts: ConformanceFacts): Assessments {
  const { incidents, now, options } = facts;
  if (incidents.length === 0) {
    const none = 'No incident is recorded, so nothing shows how incidents are handled.';
    return {
      'GOV-06': [assessment('incident-containment', 'no-evidence', none, now)],
      'RES-05': [assessment('post-incident-review', 'no-evidence', none, now)],
    };
  }
  const judged = incidents.map((incident) => ({ incident, ...containmentVerdict(incident, options.targets, now) }));
  const link = (j: (typeof judged)[number]): EvidenceLink => ({
    kind: 'incident',
    ref: `incident:${j.incident.id}`,
    summary: `${j.incident.severity} "${j.incident.title}" (${j.incident.state}): ${j.verdict}, ${formatDuration(j.elapsedMs)} against a target of ${formatDuration(j.targetMs)}`,
    status: j.verdict,
    at: j.incident.detectedAt.toISOString(),
    href: `#incident-${j.incident.id}`,
  });
  const decided = judged.filter((j) => j.verdict !== 'pending');
  const inTime = decided.filter((j) => j.verdict === 'within-target' || j.verdict === 'not-needed');
  const missed = decided.filter((j) => j.verdict === 'late' || j.verdict === 'overdue');
  const pending = judged.length - decided.length;
  const containment = assessment(
    'incident-containment',
    ratioStatus(inTime.length, decided.length),
    decided.length === 0
      ? `${plural(pending, 'open incident')}, all still within ${pending === 1 ? 'its' : 'their'} containment target: nothing to judge yet.`
      : missed.length === 0
        ? `${decided.length === 1 ? 'The incident was' : `All ${decided.length} incidents were`} contained within the target time for ${decided.length === 1 ? 'its' : 'their'} severity${pending ? ` (${plural(pending, 'more')} still open within target)` : ''}.`
        : `${plural(missed.length, 'incident')} of ${decided.length} missed the containment target: ${names(
            missed.map((j) => `"${j.incident.title}"`),
            3,
          )}.`,
    now,
    [...missed, ...inTime].map(link),
  );

  const finished = judged.filter(
    (j) => (j.incident.state === 'resolved' || j.incident.state === 'closed') && j.verdict !== 'not-needed',
  );
  const reviewed = finished.filter((j) => facts.postmortems.get(j.incident.id)?.rootCause);
  const unreviewed = finished.filter((j) => !facts.postmortems.get(j.incident.id)?.rootCause);
  const review = assessment(
    'post-incident-review',
    ratioStatus(reviewed.length, finished.length),
    finished.length === 0
      ? 'No incident that needed containment has been resolved yet: no post-incident review is due.'
      : unreviewed.length === 0
        ? `Each of the ${plural(finished.length, 'resolved incident')} has a root cause written for its post-mortem.`
        : `${plural(unreviewed.length, 'resolved incident')} of ${finished.length} ha${unreviewed.length === 1 ? 's' : 've'} no root cause written (\`bulwark incident note ID --root-cause …\`).`,
    now,
    [...unreviewed, ...reviewed].map((j) => ({
      ...link(j),
      summary: `"${j.incident.title}" (${j.incident.state}): ${facts.postmortems.get(j.incident.id)?.rootCause ? 'root cause written' : 'no root cause written'}`,
      status: facts.postmortems.get(j.incident.id)?.rootCause ? 'reviewed' : 'not-reviewed',
    })),
  );
  return { 'GOV-06': [containment], 'RES-05': [review] };
}
