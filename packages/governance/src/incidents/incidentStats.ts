import { type Incident, type IncidentState, incidentStates } from '@bulwark/store';
import {
  type ContainmentTargets,
  type ContainmentVerdict,
  containmentVerdict,
  defaultContainmentTargets,
} from './containmentTargets.ts';

export type IncidentStats = {
  total: number;
  /** Not resolved or closed. */
  open: number;
  byState: Record<IncidentState, number>;
  bySeverity: Record<string, number>;
  byVerdict: Record<ContainmentVerdict, number>;
  medianTimeToDetectMs: number | null;
  medianTimeToContainMs: number | null;
  medianTimeToResolveMs: number | null;
  /** Incidents not contained in time (late or overdue), most recent first. */
  missedTargets: {
    id: string;
    title: string;
    severity: string;
    verdict: ContainmentVerdict;
    elapsedMs: number;
    targetMs: number;
  }[];
};

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Counts and median times over incidents, and which missed their containment target. */
export function incidentStats(
  incidents: readonly Incident[],
  options: { targets?: ContainmentTargets | undefined; now?: Date | undefined } = {},
): IncidentStats {
  const targets = options.targets ?? defaultContainmentTargets;
  const byState = Object.fromEntries(incidentStates.map((s) => [s, 0])) as Record<IncidentState, number>;
  const bySeverity: Record<string, number> = {};
  const byVerdict: Record<ContainmentVerdict, number> = {
    'within-target': 0,
    late: 0,
    'not-needed': 0,
    pending: 0,
    overdue: 0,
  };
  const missedTargets: IncidentStats['missedTargets'] = [];
  for (const incident of incidents) {
    byState[incident.state]++;
    bySeverity[incident.severity] = (bySeverity[incident.severity] ?? 0) + 1;
    const verdict = containmentVerdict(incident, targets, options.now);
    byVerdict[verdict.verdict]++;
    if (verdict.verdict === 'late' || verdict.verdict === 'overdue')
      missedTargets.push({ id: incident.id, title: incident.title, severity: incident.severity, ...verdict });
  }
  const times = (pick: (i: Incident) => number | null) =>
    median(incidents.map(pick).filter((v): v is number => v !== null));
  return {
    total: incidents.length,
    open: incidents.filter((i) => i.state !== 'resolved' && i.state !== 'closed').length,
    byState,
    bySeverity,
    byVerdict,
    medianTimeToDetectMs: times((i) => i.timeToDetectMs),
    medianTimeToContainMs: times((i) => i.timeToContainMs),
    medianTimeToResolveMs: times((i) => i.timeToResolveMs),
    missedTargets,
  };
}
