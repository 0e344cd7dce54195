import { sql } from 'kysely';
import { expect, test } from 'vitest';
import { insertAlert, retractAlert } from './alerts.ts';
import { addIncidentEvent, openIncident, transitionIncident } from './incidents.ts';
import { listChangesSince, liveChangeKey } from './liveChanges.ts';
import { describeStore, plansWithoutSeqScan } from './testing.ts';
import { addWalletRequestApproval, closeWalletRequest, insertWalletRequest } from './wallet.ts';

const t0 = new Date('2026-03-01T00:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describeStore('live changes', (ctx) => {
  test('default: alerts raised and retracted, incidents moved, wallet requests submitted, approved and closed, oldest first', async () => {
    const { alert: old } = await insertAlert(ctx.store, {
      ruleId: 'r',
      severity: 'low',
      dedupeKey: 'lc-old',
      createdAt: at(-60),
    });
    const { alert } = await insertAlert(ctx.store, {
      ruleId: 'r',
      severity: 'high',
      dedupeKey: 'lc-1',
      createdAt: at(1),
    });
    await retractAlert(ctx.store, { id: old.id, reason: 'reorg', at: at(2) });
    await insertWalletRequest(ctx.store, {
      id: 'lc-req',
      digest: `0x${'ab'.repeat(32)}`,
      request: { kind: 'withdrawal', amount: '5' },
      initiator: 'alice',
      source: 'hot',
      chainId: 1,
      state: 'pending',
      decision: { outcome: 'require-approval' },
      policyId: null,
      createdAt: at(3),
      expiresAt: null,
    });

    const changes = await listChangesSince(ctx.store, { since: t0 });
    expect(changes.map((change) => [change.kind, change.at.toISOString()])).toEqual([
      ['alert', at(1).toISOString()],
      ['alert-retracted', at(2).toISOString()],
      ['wallet-request', at(3).toISOString()],
    ]);
    expect(changes[1]).toMatchObject({ alert: { id: old.id, status: 'retracted' } });

    // An approval and a close are changes of the request; each has its own key.
    await addWalletRequestApproval(ctx.store, { requestId: 'lc-req', approver: 'carol', digest: '0xd', at: at(4) });
    const approved = (await listChangesSince(ctx.store, { since: at(4) })).find((c) => c.kind === 'wallet-request')!;
    expect(approved.at).toEqual(at(4));
    await closeWalletRequest(ctx.store, { id: 'lc-req', state: 'approved', at: at(5) });
    const closed = (await listChangesSince(ctx.store, { since: at(5) })).find((c) => c.kind === 'wallet-request')!;
    expect(closed).toMatchObject({ at: at(5), request: { state: 'approved' } });
    expect(liveChangeKey(closed)).not.toBe(liveChangeKey(approved));
    expect(liveChangeKey(changes[0]!)).toBe(`alert:${alert.id}`);

    // An incident: opened, then its timeline grows (its updated_at moves), a new key each time.
    const since = new Date();
    const incident = await openIncident(ctx.store, { title: 'Drain', severity: 'critical', actor: 'monitor' });
    const opened = (await listChangesSince(ctx.store, { since })).filter((c) => c.kind === 'incident');
    expect(opened).toMatchObject([{ incident: { id: incident.id, state: 'detected' } }]);
    await transitionIncident(ctx.store, {
      id: incident.id,
      to: 'triaged',
      actor: 'alice',
      at: new Date(Date.now() + 1000),
    });
    await addIncidentEvent(ctx.store, {
      incidentId: incident.id,
      kind: 'note',
      actor: 'alice',
      at: new Date(Date.now() + 2000),
    });
    const moved = (await listChangesSince(ctx.store, { since })).filter((c) => c.kind === 'incident');
    expect(moved).toHaveLength(1);
    expect(liveChangeKey(moved[0]!)).not.toBe(liveChangeKey(opened[0]!));
    expect(await listChangesSince(ctx.store, { since: new Date(Date.now() + 60_000) })).toEqual([]);
  });
  test('behavior: the feed reads alerts and incidents by their times through indexes, not a scan and a sort of the history', async () => {
    // With sequential scans priced out, the plan shows whether an index on the time exists.
    const plans = Object.values(
      await plansWithoutSeqScan(ctx.store, {
        raised: sql`select * from alerts where created_at >= ${t0} order by created_at limit 500`,
        retracted: sql`select * from alerts where retracted_at >= ${t0} order by retracted_at limit 500`,
        incidents: sql`select * from incidents where updated_at >= ${t0} order by updated_at limit 500`,
        newest: sql`select * from incidents order by detected_at desc limit 100`,
      }),
    );
    expect(plans[0]).toContain('alerts_created_at');
    expect(plans[1]).toContain('alerts_retracted_at');
    expect(plans[2]).toContain('incidents_updated_at');
    expect(plans[3]).toContain('incidents_detected_at');
  });
});
