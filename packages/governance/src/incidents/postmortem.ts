import {
  type ContainmentTargets,
  type ContainmentVerdict,
  containmentVerdict,
  defaultContainmentTargets,
} from './containmentTargets.ts';
import { describeEvent } from './describeEvent.ts';
import { formatDuration } from './duration.ts';
import type { IncidentRecord } from './getIncidentRecord.ts';

/** A post-mortem, JSON-safe (times as ISO strings, block numbers as decimal strings). */
export type Postmortem = {
  schemaVersion: 1;
  incident: {
    id: string;
    title: string;
    severity: string;
    state: string;
    chainId: number | null;
    address: string | null;
  };
  summary: string;
  /** True when no `summary` note was written and the summary was put together from the record. */
  summaryGenerated: boolean;
  impact: string | null;
  rootCause: string | null;
  lessons: string[];
  times: {
    startedAt: string | null;
    detectedAt: string;
    triagedAt: string | null;
    containedAt: string | null;
    resolvedAt: string | null;
    closedAt: string | null;
    timeToDetectMs: number | null;
    timeToTriageMs: number | null;
    timeToContainMs: number | null;
    timeToResolveMs: number | null;
  };
  containment: { verdict: ContainmentVerdict; targetMs: number; elapsedMs: number };
  timeline: { at: string; actor: string; kind: string; text: string }[];
  actions: {
    id: string;
    at: string;
    source: 'monitor' | 'manual';
    kind: string;
    status: string;
    dryRun: boolean;
    txHash: string | null;
    description: string | null;
    actor: string | null;
  }[];
  alerts: {
    id: string;
    at: string;
    ruleId: string;
    severity: string;
    status: string;
    chainId: number | null;
    address: string | null;
    blockNumber: string | null;
    txHash: string | null;
    title: string | null;
  }[];
  notes: { at: string; actor: string; field: string; text: string }[];
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function buildPostmortem(
  record: IncidentRecord,
  options: { targets?: ContainmentTargets | undefined; now?: Date | undefined } = {},
): Postmortem {
  const { incident } = record;
  const latest = (field: string) => record.notes.filter((n) => n.field === field).at(-1)?.text ?? null;
  const containment = containmentVerdict(incident, options.targets ?? defaultContainmentTargets, options.now);
  const written = latest('summary');
  const where = incident.address
    ? ` on ${incident.address}${incident.chainId ? ` (chain ${incident.chainId})` : ''}`
    : '';
  const generated =
    `${cap(incident.severity)} incident "${incident.title}"${where}, detected ${incident.detectedAt.toISOString()}` +
    `${record.alerts.length ? ` from ${record.alerts.length} alert${record.alerts.length === 1 ? '' : 's'}` : ''}; ` +
    `${incident.containedAt ? `contained after ${formatDuration(incident.timeToContainMs)}` : 'not contained'}` +
    `${record.actions.length ? ` with ${record.actions.length} action${record.actions.length === 1 ? '' : 's'}` : ''}; now ${incident.state}.`;
  return {
    schemaVersion: 1,
    incident: {
      id: incident.id,
      title: incident.title,
      severity: incident.severity,
      state: incident.state,
      chainId: incident.chainId,
      address: incident.address,
    },
    summary: written ?? generated,
    summaryGenerated: written === null,
    impact: latest('impact'),
    rootCause: latest('root-cause'),
    lessons: record.notes.filter((n) => n.field === 'lessons').map((n) => n.text),
    times: {
      startedAt: iso(incident.startedAt),
      detectedAt: incident.detectedAt.toISOString(),
      triagedAt: iso(incident.triagedAt),
      containedAt: iso(incident.containedAt),
      resolvedAt: iso(incident.resolvedAt),
      closedAt: iso(incident.closedAt),
      timeToDetectMs: incident.timeToDetectMs,
      timeToTriageMs: incident.timeToTriageMs,
      timeToContainMs: incident.timeToContainMs,
      timeToResolveMs: incident.timeToResolveMs,
    },
    containment,
    timeline: record.timeline.map((e) => ({
      at: e.at.toISOString(),
      actor: e.actor,
      kind: e.kind,
      text: describeEvent(e),
    })),
    actions: record.actions.map(({ updatedAt: _, ...a }) => ({ ...a, at: a.at.toISOString() })),
    alerts: record.alerts.map((a) => ({
      id: a.id,
      at: a.createdAt.toISOString(),
      ruleId: a.ruleId,
      severity: a.severity,
      status: a.status,
      chainId: a.chainId,
      address: a.address,
      blockNumber: a.blockNumber === null ? null : a.blockNumber.toString(),
      txHash: a.txHash,
      title: typeof a.payload.title === 'string' ? a.payload.title : null,
    })),
    notes: record.notes.map((n) => ({ at: n.at.toISOString(), actor: n.actor, field: n.field, text: n.text })),
  };
}

const cap = (text: string) => (text ? text[0]!.toUpperCase() + text.slice(1) : text);

/** Markdown cell text: one line, pipes escaped. */
const cell = (text: string | null | undefined) =>
  text === null || text === undefined || text === '' ? '—' : text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');

const verdictText: Record<ContainmentVerdict, string> = {
  'within-target': 'within target',
  late: 'LATE',
  'not-needed': 'closed without containment',
  pending: 'not yet contained, within target so far',
  overdue: 'not contained, PAST target',
};

export function formatPostmortemMarkdown(pm: Postmortem): string {
  const t = pm.times;
  const lines: string[] = [
    `# Post-mortem: ${pm.incident.title}`,
    '',
    '| | |',
    '|---|---|',
    `| Incident | \`${pm.incident.id}\` |`,
    `| Severity | ${cell(pm.incident.severity)} |`,
    `| State | ${cell(pm.incident.state)} |`,
    `| Contract | ${pm.incident.address ? `\`${pm.incident.address}\`${pm.incident.chainId ? ` on chain ${pm.incident.chainId}` : ''}` : '—'} |`,
    '',
    '## Summary',
    '',
    pm.summary +
      (pm.summaryGenerated ? ' _(generated from the record: add one with `bulwark incident note ID --summary`)_' : ''),
    '',
    '## Impact',
    '',
    pm.impact ?? '_Not written yet: `bulwark incident note ID --impact "…"`._',
    '',
    '## Detection and containment',
    '',
    '| Step | Time (UTC) | Since detection |',
    '|---|---|---|',
    `| Started | ${cell(t.startedAt)} | ${t.timeToDetectMs === null ? '—' : `time to detect ${formatDuration(t.timeToDetectMs)}`} |`,
    `| Detected | ${t.detectedAt} | — |`,
    `| Triaged | ${cell(t.triagedAt)} | ${formatDuration(t.timeToTriageMs)} |`,
    `| Contained | ${cell(t.containedAt)} | ${formatDuration(t.timeToContainMs)} |`,
    `| Resolved | ${cell(t.resolvedAt)} | ${formatDuration(t.timeToResolveMs)} |`,
    `| Closed | ${cell(t.closedAt)} | — |`,
    '',
    `Containment target for ${pm.incident.severity}: ${formatDuration(pm.containment.targetMs)}; ${verdictText[pm.containment.verdict]} (${formatDuration(pm.containment.elapsedMs)}).`,
    '',
    '## Timeline',
    '',
    '| Time (UTC) | Actor | Event |',
    '|---|---|---|',
    ...pm.timeline.map((e) => `| ${e.at} | ${cell(e.actor)} | ${cell(e.text)} |`),
    '',
    '## Actions',
    '',
    ...(pm.actions.length === 0
      ? ['_No containment action recorded._']
      : [
          '| Time (UTC) | Source | Kind | Status | Transaction | Description |',
          '|---|---|---|---|---|---|',
          ...pm.actions.map(
            (a) =>
              `| ${a.at} | ${a.source}${a.actor ? ` (${cell(a.actor)})` : ''} | ${a.kind}${a.dryRun ? ' (dry run)' : ''} | ${cell(a.status)} | ${a.txHash ? `\`${a.txHash}\`` : '—'} | ${cell(a.description)} |`,
          ),
        ]),
    '',
    '## Alerts',
    '',
    ...(pm.alerts.length === 0
      ? ['_No alert linked._']
      : [
          '| Time (UTC) | Rule | Severity | Status | Block | Transaction |',
          '|---|---|---|---|---|---|',
          ...pm.alerts.map(
            (a) =>
              `| ${a.at} | \`${cell(a.ruleId)}\`${a.title ? ` ${cell(a.title)}` : ''} | ${cell(a.severity)} | ${cell(a.status)} | ${cell(a.blockNumber)} | ${a.txHash ? `\`${a.txHash}\`` : '—'} |`,
          ),
        ]),
    '',
    '## Root cause',
    '',
    pm.rootCause ?? '_Not written yet: `bulwark incident note ID --root-cause "…"`._',
    '',
    '## Lessons learned',
    '',
    ...(pm.lessons.length === 0
      ? ['_Not written yet: `bulwark incident note ID --lessons "…"`._']
      : pm.lessons.map((l) => `- ${l.replace(/\r?\n/g, ' ')}`)),
    '',
  ];
  return lines.join('\n');
}
