import { sql } from 'kysely';
import { expect, test } from 'vitest';
import { insertAlert, listAlerts } from './alerts.ts';
import { InvalidTransitionError, NotFoundError } from './errors.ts';
import {
  addIncidentEvent,
  getIncident,
  getIncidentTimeline,
  type IncidentState,
  incidentTransitions,
  linkAlertsToIncident,
  listIncidentEvents,
  listIncidents,
  openIncident,
  transitionIncident,
} from './incidents.ts';
import { listResponderActions, recordResponderAction, updateResponderAction } from './responderActions.ts';
import { describeStore } from './testing.ts';

const t0 = new Date('2025-06-01T00:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describeStore('incidents', (ctx) => {
  test('default: an incident goes through every state; the times and durations follow', async () => {
    const { alert } = await insertAlert(ctx.store, { ruleId: 'outflow', severity: 'critical', dedupeKey: 'inc-a1' });
    const opened = await openIncident(ctx.store, {
      title: 'Vault drain',
      severity: 'critical',
      chainId: 1,
      address: '0x00000000000000000000000000000000000000AA',
      startedAt: at(-12),
      detectedAt: t0,
      actor: 'monitor',
      alertIds: [alert.id],
    });
    expect(opened).toMatchObject({ state: 'detected', detectedAt: t0, timeToDetectMs: 12_000, timeToContainMs: null });
    expect((await listAlerts(ctx.store, { incidentId: opened.id })).map((a) => a.id)).toEqual([alert.id]);

    await transitionIncident(ctx.store, { id: opened.id, to: 'triaged', actor: 'alice', at: at(30) });
    await transitionIncident(ctx.store, {
      id: opened.id,
      to: 'contained',
      actor: 'responder',
      at: at(45),
      note: 'paused',
    });
    await transitionIncident(ctx.store, { id: opened.id, to: 'resolved', actor: 'alice', at: at(3600) });
    const closed = await transitionIncident(ctx.store, { id: opened.id, to: 'closed', actor: 'bob', at: at(7200) });
    expect(closed).toMatchObject({
      state: 'closed',
      triagedAt: at(30),
      containedAt: at(45),
      resolvedAt: at(3600),
      closedAt: at(7200),
      timeToDetectMs: 12_000,
      timeToTriageMs: 30_000,
      timeToContainMs: 45_000,
      timeToResolveMs: 3_600_000,
    });
    expect(await getIncident(ctx.store, opened.id)).toEqual(closed);

    const timeline = await getIncidentTimeline(ctx.store, opened.id);
    expect(timeline.map((e) => [e.kind, e.actor, e.data.to ?? null])).toEqual([
      ['opened', 'monitor', null],
      ['transition', 'alice', 'triaged'],
      ['transition', 'responder', 'contained'],
      ['transition', 'alice', 'resolved'],
      ['transition', 'bob', 'closed'],
    ]);
    expect(timeline[0]?.data).toMatchObject({ alertIds: [alert.id], severity: 'critical' });
    expect(timeline[2]?.data).toEqual({ from: 'triaged', to: 'contained', note: 'paused' });
  });

  test('behavior: containment may come before triage, and a false positive closes from detected', async () => {
    const paused = await openIncident(ctx.store, {
      title: 'auto-paused',
      severity: 'high',
      actor: 'monitor',
      detectedAt: t0,
    });
    const contained = await transitionIncident(ctx.store, {
      id: paused.id,
      to: 'contained',
      actor: 'responder',
      at: at(1),
    });
    expect(contained).toMatchObject({ state: 'contained', triagedAt: null, timeToContainMs: 1000 });
    const noise = await openIncident(ctx.store, { title: 'noise', severity: 'low', actor: 'monitor', detectedAt: t0 });
    expect((await transitionIncident(ctx.store, { id: noise.id, to: 'closed', actor: 'alice', at: at(5) })).state).toBe(
      'closed',
    );
  });

  test('error: transitions outside the state machine are refused with what is allowed, and change nothing', async () => {
    const incident = await openIncident(ctx.store, {
      title: 'x',
      severity: 'medium',
      actor: 'monitor',
      detectedAt: t0,
    });
    const invalid: [IncidentState, IncidentState][] = [];
    for (const from of Object.keys(incidentTransitions) as IncidentState[])
      for (const to of Object.keys(incidentTransitions) as IncidentState[])
        if (!incidentTransitions[from].includes(to)) invalid.push([from, to]);
    expect(invalid).toContainEqual(['detected', 'resolved']);
    expect(invalid).toContainEqual(['contained', 'triaged']);
    expect(invalid).toContainEqual(['closed', 'detected']);
    expect(invalid).toContainEqual(['triaged', 'triaged']);

    const attempt = transitionIncident(ctx.store, { id: incident.id, to: 'resolved', actor: 'alice', at: at(1) });
    await expect(attempt).rejects.toBeInstanceOf(InvalidTransitionError);
    await expect(attempt).rejects.toThrow(
      /cannot go from detected to resolved[\s\S]*it can go to: triaged, contained, closed/,
    );
    await expect(
      transitionIncident(ctx.store, { id: incident.id, to: 'detected', actor: 'alice', at: at(1) }),
    ).rejects.toThrow(/from detected to detected/);
    expect(await getIncident(ctx.store, incident.id)).toEqual(incident);
    expect(await getIncidentTimeline(ctx.store, incident.id)).toHaveLength(1);

    await transitionIncident(ctx.store, { id: incident.id, to: 'closed', actor: 'alice', at: at(2) });
    await expect(
      transitionIncident(ctx.store, { id: incident.id, to: 'triaged', actor: 'alice', at: at(3) }),
    ).rejects.toThrow(/closed is final; open a new incident/);
    await expect(
      transitionIncident(ctx.store, { id: 'missing', to: 'triaged', actor: 'alice' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  test('error: a state cannot be reached before the incident was detected', async () => {
    const incident = await openIncident(ctx.store, { title: 'y', severity: 'low', actor: 'monitor', detectedAt: t0 });
    await expect(
      transitionIncident(ctx.store, { id: incident.id, to: 'triaged', actor: 'alice', at: at(-1) }),
    ).rejects.toThrow(/before it was detected/);
  });

  test('behavior: two responders containing at once: one moves it, the other is told it cannot', async () => {
    const incident = await openIncident(ctx.store, {
      title: 'race',
      severity: 'high',
      actor: 'monitor',
      detectedAt: t0,
    });
    await Promise.all(Array.from({ length: 5 }, () => sql`select pg_sleep(0.05)`.execute(ctx.store.db)));
    const results = await Promise.allSettled(
      ['r1', 'r2', 'r3'].map((actor) =>
        transitionIncident(ctx.store, { id: incident.id, to: 'contained', actor, at: at(1) }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(InvalidTransitionError);
    expect((await getIncidentTimeline(ctx.store, incident.id)).filter((e) => e.kind === 'transition')).toHaveLength(1);
  });

  test('behavior: timeline notes, linked alerts and responder actions, in order', async () => {
    const incident = await openIncident(ctx.store, {
      title: 'z',
      severity: 'critical',
      actor: 'monitor',
      detectedAt: t0,
    });
    await addIncidentEvent(ctx.store, {
      incidentId: incident.id,
      kind: 'note',
      actor: 'alice',
      at: at(2),
      data: { text: 'looking' },
    });
    const { alert } = await insertAlert(ctx.store, { ruleId: 'r', severity: 'high', dedupeKey: 'inc-link' });
    await linkAlertsToIncident(ctx.store, {
      incidentId: incident.id,
      alertIds: [alert.id],
      actor: 'monitor',
      at: at(3),
    });
    const action = await recordResponderAction(ctx.store, {
      incidentId: incident.id,
      kind: 'pause',
      chainId: 1,
      address: '0x00000000000000000000000000000000000000AA',
      dryRun: false,
      status: 'sent',
      txHash: `0x${'1'.repeat(64)}`,
      data: { priorityFeeGwei: '3' },
      actor: 'responder',
      at: at(4),
    });
    const mined = await updateResponderAction(ctx.store, {
      id: action.id,
      status: 'verified',
      actor: 'responder',
      at: at(16),
    });
    expect(mined).toMatchObject({ status: 'verified', txHash: `0x${'1'.repeat(64)}`, data: { priorityFeeGwei: '3' } });
    await recordResponderAction(ctx.store, {
      incidentId: incident.id,
      kind: 'safe-proposal',
      dryRun: true,
      status: 'proposed',
      actor: 'responder',
      at: at(5),
    });
    expect((await listResponderActions(ctx.store, { incidentId: incident.id })).map((a) => [a.kind, a.dryRun])).toEqual(
      [
        ['pause', false],
        ['safe-proposal', true],
      ],
    );
    const timeline = await getIncidentTimeline(ctx.store, incident.id);
    expect(timeline.map((e) => [e.kind, e.data.status ?? null])).toEqual([
      ['opened', null],
      ['note', null],
      ['alerts-linked', null],
      ['responder-action', 'sent'],
      ['responder-action', 'proposed'],
      ['responder-action', 'verified'],
    ]);
    await expect(
      recordResponderAction(ctx.store, {
        incidentId: 'missing',
        kind: 'notify',
        dryRun: false,
        status: 'sent',
        actor: 'x',
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(addIncidentEvent(ctx.store, { incidentId: 'missing', kind: 'note', actor: 'x' })).rejects.toThrow(
      /No incident with id missing/,
    );
  });

  test('behavior: list filters by state, severity, chain and detection time, newest first', async () => {
    const store = await ctx.open();
    const make = (title: string, severity: string, seconds: number, chainId?: number) =>
      openIncident(store, { title, severity, actor: 'monitor', detectedAt: at(seconds), chainId });
    const a = await make('a', 'critical', 0, 1);
    const b = await make('b', 'low', 10, 1);
    const c = await make('c', 'critical', 20, 10);
    await transitionIncident(store, { id: b.id, to: 'closed', actor: 'alice', at: at(30) });
    expect((await listIncidents(store)).map((i) => i.title)).toEqual(['c', 'b', 'a']);
    expect((await listIncidents(store, { state: ['detected', 'triaged'] })).map((i) => i.id)).toEqual([c.id, a.id]);
    expect((await listIncidents(store, { severity: 'critical', chainId: 1 })).map((i) => i.id)).toEqual([a.id]);
    expect((await listIncidents(store, { detectedAfter: at(5), detectedBefore: at(20) })).map((i) => i.id)).toEqual([
      b.id,
    ]);
    expect((await listIncidents(store, { limit: 1, offset: 1 })).map((i) => i.id)).toEqual([b.id]);
  });
  test('behavior: listIncidentEvents reads the events of many incidents in one call, of one kind when asked, oldest first', async () => {
    const t = (minutes: number) => new Date(Date.UTC(2026, 4, 1, 12, minutes));
    const [a, b, other] = await Promise.all(
      ['Many A', 'Many B', 'Many other'].map((title) =>
        openIncident(ctx.store, { title, severity: 'high', actor: 'x' }),
      ),
    );
    await addIncidentEvent(ctx.store, { incidentId: b!.id, kind: 'note', actor: 'x', at: t(2), data: { n: 2 } });
    await addIncidentEvent(ctx.store, { incidentId: a!.id, kind: 'note', actor: 'x', at: t(1), data: { n: 1 } });
    await addIncidentEvent(ctx.store, { incidentId: a!.id, kind: 'responder-action', actor: 'x', at: t(3) });
    await addIncidentEvent(ctx.store, { incidentId: other!.id, kind: 'note', actor: 'x', at: t(0) });
    const notes = await listIncidentEvents(ctx.store, { incidentIds: [a!.id, b!.id], kind: 'note' });
    expect(notes.map((e) => [e.incidentId, e.data])).toEqual([
      [a!.id, { n: 1 }],
      [b!.id, { n: 2 }],
    ]);
    const all = await listIncidentEvents(ctx.store, { incidentIds: [a!.id] });
    expect(all.map((e) => e.kind)).toEqual(expect.arrayContaining(['opened', 'note', 'responder-action']));
    expect(all.every((e) => e.incidentId === a!.id)).toBe(true);
    expect(await listIncidentEvents(ctx.store, { incidentIds: [] })).toEqual([]);
  });
});
