import type { Incident } from '@bulwark/store';
import { parseDuration } from './duration.ts';
import { IncidentInputError } from './errors.ts';
import { checkSeverity, type IncidentSeverity } from './severity.ts';

/** How soon after detection an incident of each severity must be contained (milliseconds). */
export type ContainmentTargets = Record<IncidentSeverity, number>;

export const defaultContainmentTargets: ContainmentTargets = {
  critical: 60 * 60_000,
  high: 4 * 60 * 60_000,
  medium: 24 * 60 * 60_000,
  low: 72 * 60 * 60_000,
  info: 7 * 24 * 60 * 60_000,
};

/** `critical=30m,high=2h` over the defaults. */
export function parseContainmentTargets(text: string, base: ContainmentTargets = defaultContainmentTargets) {
  const targets = { ...base };
  for (const part of text.split(',').filter((p) => p.trim())) {
    const [severity, duration, extra] = part.split('=');
    if (!severity || !duration || extra !== undefined)
      throw new IncidentInputError(`"${part}" is not severity=duration.`, {
        metaMessages: ['Write targets like critical=30m,high=2h.'],
        docsPath: 'governance/incident.md#targets',
      });
    targets[checkSeverity(severity)] = parseDuration(duration);
  }
  return targets;
}

export function containmentTarget(severity: string, targets: ContainmentTargets = defaultContainmentTargets): number {
  return targets[severity as IncidentSeverity] ?? targets.medium;
}

/**
 * Whether an incident was contained in time:
 * - `within-target` / `late`: contained (or, without a containment step, resolved) that long after detection;
 * - `not-needed`: closed without containment (a false positive);
 * - `pending` / `overdue`: still open and not contained, inside or past its target.
 */
export type ContainmentVerdict = 'within-target' | 'late' | 'not-needed' | 'pending' | 'overdue';

export function containmentVerdict(
  incident: Pick<Incident, 'severity' | 'detectedAt' | 'containedAt' | 'resolvedAt' | 'closedAt'>,
  targets: ContainmentTargets = defaultContainmentTargets,
  now: Date = new Date(),
): { verdict: ContainmentVerdict; targetMs: number; elapsedMs: number } {
  const targetMs = containmentTarget(incident.severity, targets);
  const end = incident.containedAt ?? incident.resolvedAt;
  if (end) {
    const elapsedMs = end.getTime() - incident.detectedAt.getTime();
    return { verdict: elapsedMs <= targetMs ? 'within-target' : 'late', targetMs, elapsedMs };
  }
  if (incident.closedAt)
    return { verdict: 'not-needed', targetMs, elapsedMs: incident.closedAt.getTime() - incident.detectedAt.getTime() };
  const elapsedMs = now.getTime() - incident.detectedAt.getTime();
  return { verdict: elapsedMs <= targetMs ? 'pending' : 'overdue', targetMs, elapsedMs };
}
