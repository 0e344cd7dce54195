import {
  InvalidTransitionError,
  insertAlert,
  listLog,
  openIncident,
  recordResponderAction,
  updateResponderAction,
  verifyBoundRows,
  verifyLog,
} from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { describe, expect, test } from 'vitest';
import { addIncidentAction } from './addIncidentAction.ts';
import { addIncidentNote } from './addIncidentNote.ts';
import { containmentVerdict, parseContainmentTargets } from './containmentTargets.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { IncidentInputError, IncidentNotFoundError } from './errors.ts';
import { getIncidentRecord } from './getIncidentRecord.ts';
import { incidentStats } from './incidentStats.ts';
import { checkIncidentState, moveIncident } from './moveIncident.ts';
import { buildPostmortem, formatPostmortemMarkdown } from './postmortem.ts';
import { recordIncident } from './recordIncident.ts';

const t0 = new Date('2025-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const vault = '0x00000000000000000000000000000000000000aa';

describe('durations and targets', () => {
  test('default: durations parse and print', () => {
    expect(parseDuration('1h30m')).toBe(90 * 60_000);
    expect(parseDuration('2d')).toBe(2 * 86_400_000);
    expect(formatDuration(3_723_000)).toBe('1h 2m');
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(null)).toBe('—');
    expect(() => parseDuration('1 hour')).toThrow(IncidentInputError);
  });

  test('behavior: containment verdicts against the targets', () => {
    const targets = parseContainmentTargets('critical=30m');
    const base = { severity: 'critical', detectedAt: t0, containedAt: null, resolvedAt: null, closedAt: null };
    expect(containmentVerdict({ ...base, containedAt: at(20) }, targets).verdict).toBe('within-target');
    expect(containmentVerdict({ ...base, containedAt: at(31) }, targets).verdict).toBe('late');
    expect(containmentVerdict({ ...base, closedAt: at(5) }, targets).verdict).toBe('not-needed');
    expect(containmentVerdict(base, targets, at(10)).verdict).toBe('pending');
    expect(containmentVerdict(base, targets, at(40))).toMatchObject({ verdict: 'overdue', elapsedMs: 40 * 60_000 });
    expect(() => parseContainmentTargets('critcal=1h')).toThrow(/Did you mean critical\?/);
  });

  test('error: an unknown state suggests the nearest', () => {
    expect(() => checkIncidentState('contianed')).toThrow(/Did you mean contained\?/);
  });
});

describeStore('incidents', (ctx) => {
  let monitorIncident = '';
  let manualIncident = '';

  test('default: the monitor opens an incident; responders move it and the log records each step', async () => {
    const { alert } = await insertAlert(ctx.store, {
      ruleId: 'large-outflow',
      severity: 'critical',
      chainId: 1,
      address: vault,
      blockNumber: 123n,
      txHash: `0x${'ab'.repeat(32)}`,
      dedupeKey: 'large-outflow:vault',
      payload: { title: 'Outflow 40x baseline' },
      createdAt: at(1),
    });
    const incident = await openIncident(ctx.store, {
      title: 'Vault drain',
      severity: 'critical',
      chainId: 1,
      address: vault,
      startedAt: at(0),
      detectedAt: at(2),
      actor: 'monitor',
      alertIds: [alert.id],
    });
    monitorIncident = incident.id;
    const pause = await recordResponderAction(ctx.store, {
      incidentId: incident.id,
      kind: 'pause',
      chainId: 1,
      address: vault,
      dryRun: false,
      status: 'sent',
      txHash: `0x${'cd'.repeat(32)}`,
      actor: 'responder',
      at: at(3),
    });
    await updateResponderAction(ctx.store, { id: pause.id, status: 'verified', actor: 'responder', at: at(4) });

    const moved = await moveIncident(ctx.store, {
      id: incident.id.slice(0, 8),
      to: 'contained',
      note: 'paused by the responder',
      actor: 'alice',
      at: at(5),
    });
    expect(moved).toMatchObject({ from: 'detected', incident: { state: 'contained', timeToContainMs: 3 * 60_000 } });
    expect(moved.entry).toMatchObject({
      action: 'incident.move',
      payload: { id: incident.id, from: 'detected', to: 'contained' },
    });

    await addIncidentAction(ctx.store, {
      id: incident.id,
      kind: 'other',
      description: 'Revoked the relayer key',
      actor: 'bob',
      at: at(6),
    });
    await addIncidentAction(ctx.store, {
      id: incident.id,
      kind: 'notify',
      description: 'Told SingCERT',
      status: 'sent',
      actor: 'bob',
      at: at(7),
    });
    await moveIncident(ctx.store, {
      id: incident.id,
      to: 'resolved',
      notes: { 'root-cause': 'Unchecked price from a single DEX pool', impact: '40 ETH lost' },
      actor: 'alice',
      at: at(60),
    });
    await addIncidentNote(ctx.store, {
      id: incident.id,
      field: 'lessons',
      text: 'Use a TWAP',
      actor: 'alice',
      at: at(61),
    });
    await addIncidentNote(ctx.store, {
      id: incident.id,
      field: 'lessons',
      text: 'Alert | page on-call',
      actor: 'carol',
      at: at(62),
    });

    // The monitor's own writes (opening the incident, its pause) are bound by `store.write` entries.
    const log = (await listLog(ctx.store)).filter((e) => e.action !== 'store.write');
    // The log records when each action was recorded; a backdated step keeps its own time in the payload.
    for (let i = 1; i < log.length; i++) expect(log[i]!.at.getTime()).toBeGreaterThanOrEqual(log[i - 1]!.at.getTime());
    expect(log[0]?.payload).toMatchObject({ at: at(5).toISOString(), from: 'detected', to: 'contained' });
    const actions = log.map((e) => e.action);
    expect(actions).toEqual([
      'incident.move',
      'incident.action',
      'incident.action',
      'incident.move',
      'incident.note',
      'incident.note',
    ]);
    expect((await verifyLog(ctx.store)).ok).toBe(true);
    expect((await verifyBoundRows(ctx.store)).ok).toBe(true);
  });

  test('behavior: the record gathers timeline, monitor and manual actions, alerts and notes', async () => {
    const record = await getIncidentRecord(ctx.store, monitorIncident);
    expect(record.actions.map((a) => [a.source, a.kind, a.status])).toEqual([
      ['monitor', 'pause', 'verified'],
      ['manual', 'other', 'done'],
      ['manual', 'notify', 'sent'],
    ]);
    expect(record.actions[0]?.actor).toBe('responder');
    expect(record.alerts.map((a) => a.ruleId)).toEqual(['large-outflow']);
    expect(record.notes.map((n) => n.field)).toEqual(['note', 'root-cause', 'impact', 'lessons', 'lessons']);
  });

  test('behavior: the post-mortem has times, verdict, sections and escapes table cells', async () => {
    const pm = buildPostmortem(await getIncidentRecord(ctx.store, monitorIncident));
    expect(pm).toMatchObject({
      incident: { id: monitorIncident, severity: 'critical', state: 'resolved' },
      summaryGenerated: true,
      impact: '40 ETH lost',
      rootCause: 'Unchecked price from a single DEX pool',
      lessons: ['Use a TWAP', 'Alert | page on-call'],
      times: { timeToDetectMs: 2 * 60_000, timeToContainMs: 3 * 60_000, timeToResolveMs: 58 * 60_000 },
      containment: { verdict: 'within-target', targetMs: 3_600_000 },
    });
    expect(pm.alerts[0]).toMatchObject({ blockNumber: '123', title: 'Outflow 40x baseline' });
    expect(JSON.parse(JSON.stringify(pm))).toEqual(pm);
    const md = formatPostmortemMarkdown(pm);
    for (const heading of [
      '## Summary',
      '## Impact',
      '## Detection and containment',
      '## Timeline',
      '## Actions',
      '## Alerts',
      '## Root cause',
      '## Lessons learned',
    ])
      expect(md).toContain(heading);
    expect(md).toContain('| Contained | 2025-03-01T10:05:00.000Z | 3m |');
    expect(md).toContain('detected → contained: paused by the responder');
    expect(md).toContain('Revoked the relayer key');
    expect(md).toContain('- Alert | page on-call');
    expect(md).toContain('Containment target for critical: 1h; within target (3m).');
  });

  test('behavior: an incident opened by hand, closed as a false positive', async () => {
    const { incident, entry } = await recordIncident(ctx.store, {
      title: 'Suspicious admin call',
      severity: 'High',
      description: 'Seen on the ops channel',
      actor: 'dave',
      detectedAt: at(100),
    });
    manualIncident = incident.id;
    expect(incident).toMatchObject({ state: 'detected', severity: 'high' });
    expect(entry).toMatchObject({
      action: 'incident.open',
      payload: { id: incident.id, title: 'Suspicious admin call' },
    });
    await moveIncident(ctx.store, {
      id: incident.id,
      to: 'closed',
      note: 'false positive',
      actor: 'dave',
      at: at(110),
    });
    const pm = buildPostmortem(await getIncidentRecord(ctx.store, incident.id));
    expect(pm.containment.verdict).toBe('not-needed');
    expect(pm.timeline[0]?.text).toBe('Opened (high): Seen on the ops channel');
  });

  test('error: the state machine refuses a move; nothing is written', async () => {
    const before = (await verifyLog(ctx.store)).entries;
    const refused = moveIncident(ctx.store, { id: manualIncident, to: 'triaged', actor: 'x' });
    await expect(refused).rejects.toThrow(InvalidTransitionError);
    await expect(moveIncident(ctx.store, { id: monitorIncident, to: 'triaged', actor: 'x' })).rejects.toThrow(
      /cannot go from resolved to triaged[\s\S]*From resolved it can go to: closed/,
    );
    // A step dated before the one it follows is refused, though the store would take it.
    await expect(
      moveIncident(ctx.store, { id: monitorIncident, to: 'closed', actor: 'x', at: at(30) }),
    ).rejects.toThrow(
      /cannot be closed at 2025-03-01T10:30:00\.000Z: it was already resolved at 2025-03-01T11:00:00\.000Z/,
    );
    expect((await verifyLog(ctx.store)).entries).toBe(before);
  });

  test('error: unknown ids, empty text and bad severity', async () => {
    await expect(getIncidentRecord(ctx.store, 'nope-nope')).rejects.toThrow(IncidentNotFoundError);
    await expect(getIncidentRecord(ctx.store, 'ab')).rejects.toThrow(/at least 4 characters/);
    await expect(
      addIncidentNote(ctx.store, { id: monitorIncident, field: 'note', text: ' ', actor: 'x' }),
    ).rejects.toThrow(/empty/);
    await expect(recordIncident(ctx.store, { title: 'x', severity: 'severe', actor: 'x' })).rejects.toThrow(
      /not one of critical/,
    );
  });

  test('behavior: stats count states and median times and list missed targets', async () => {
    const { listIncidents } = await import('@bulwark/store');
    const late = await openIncident(ctx.store, {
      title: 'Slow one',
      severity: 'critical',
      actor: 'monitor',
      detectedAt: at(200),
    });
    await moveIncident(ctx.store, { id: late.id, to: 'contained', actor: 'alice', at: at(300) });
    const stats = incidentStats(await listIncidents(ctx.store));
    expect(stats).toMatchObject({
      total: 3,
      open: 1,
      byState: { contained: 1, resolved: 1, closed: 1 },
      bySeverity: { critical: 2, high: 1 },
      byVerdict: { 'within-target': 1, late: 1, 'not-needed': 1 },
      medianTimeToContainMs: ((3 + 100) / 2) * 60_000,
      medianTimeToDetectMs: 2 * 60_000,
    });
    expect(stats.missedTargets.map((m) => m.id)).toEqual([late.id]);
  });
});
