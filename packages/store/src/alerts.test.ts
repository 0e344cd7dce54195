import { sql } from 'kysely';
import { expect, test } from 'vitest';
import {
  getAlert,
  insertAlert,
  listAlerts,
  listPendingDeliveries,
  markAlertDelivered,
  queueAlertDeliveries,
  retractAlert,
  retractAlertsFromBlock,
} from './alerts.ts';
import { NotFoundError } from './errors.ts';
import { describeStore } from './testing.ts';

const t0 = new Date('2025-03-01T12:00:00.000Z');
const later = (ms: number) => new Date(t0.getTime() + ms);
const tx = `0x${'C'.repeat(64)}`;

describeStore('alerts', (ctx) => {
  test('default: an alert is stored with its fields as given', async () => {
    const { alert, duplicate } = await insertAlert(ctx.store, {
      ruleId: 'flash-loan',
      severity: 'critical',
      chainId: 1,
      address: '0x00000000000000000000000000000000000000AA',
      blockNumber: 19_000_001n,
      blockHash: `0x${'b'.repeat(64)}`,
      txHash: tx,
      dedupeKey: 'flash-loan:vault:attacker',
      payload: { provider: 'aave', amount: 5n * 10n ** 24n },
      createdAt: t0,
    });
    expect(duplicate).toBe(false);
    expect(alert).toMatchObject({
      ruleId: 'flash-loan',
      chainId: 1,
      address: '0x00000000000000000000000000000000000000aa',
      blockNumber: 19_000_001n,
      txHash: tx.toLowerCase(),
      payload: { provider: 'aave', amount: '5000000000000000000000000' },
      status: 'active',
      retractedAt: null,
      createdAt: t0,
    });
    expect(await getAlert(ctx.store, alert.id)).toEqual(alert);
  });

  test('behavior: the same dedupe key within the cooldown returns the first alert; after it, a new one', async () => {
    const base = { ruleId: 'unknown-selector', severity: 'low', dedupeKey: 'dedupe-1', cooldownMs: 60_000 };
    const first = await insertAlert(ctx.store, { ...base, createdAt: t0 });
    const again = await insertAlert(ctx.store, { ...base, createdAt: later(59_000), payload: { other: true } });
    expect(again).toEqual({ alert: first.alert, duplicate: true });
    const afterCooldown = await insertAlert(ctx.store, { ...base, createdAt: later(61_000) });
    expect(afterCooldown.duplicate).toBe(false);
    expect(afterCooldown.alert.id).not.toBe(first.alert.id);
    expect(await listAlerts(ctx.store, { ruleId: 'unknown-selector' })).toHaveLength(2);
  });

  test('behavior: with no cooldown, alerts with one key in the same millisecond are all stored', async () => {
    const base = { ruleId: 'no-cooldown', severity: 'high', dedupeKey: 'same-ms', cooldownMs: 0, createdAt: t0 };
    expect((await insertAlert(ctx.store, base)).duplicate).toBe(false);
    expect((await insertAlert(ctx.store, base)).duplicate).toBe(false);
    expect(await listAlerts(ctx.store, { ruleId: 'no-cooldown' })).toHaveLength(2);
  });

  test('behavior: a retracted alert does not suppress its re-issue', async () => {
    const base = { ruleId: 'oracle-jump', severity: 'high', dedupeKey: 'dedupe-2', chainId: 1, blockNumber: 100n };
    const first = await insertAlert(ctx.store, { ...base, createdAt: t0 });
    const retracted = await retractAlert(ctx.store, { id: first.alert.id, reason: 'reorg', at: later(1000) });
    expect(retracted).toMatchObject({ status: 'retracted', retractReason: 'reorg', retractedAt: later(1000) });
    // Idempotent: the first reason and time stay.
    expect(await retractAlert(ctx.store, { id: first.alert.id, reason: 'again' })).toEqual(retracted);
    const reissued = await insertAlert(ctx.store, { ...base, createdAt: later(2000) });
    expect(reissued.duplicate).toBe(false);
  });

  test('behavior: concurrent inserts with one key store one alert', async () => {
    // Open the pool's connections first, so that the inserts really run side by side on PostgreSQL.
    await Promise.all(Array.from({ length: 5 }, () => sql`select pg_sleep(0.05)`.execute(ctx.store.db)));
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        insertAlert(ctx.store, { ruleId: 'reentrancy', severity: 'critical', dedupeKey: 'race', payload: { i } }),
      ),
    );
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.alert.id)).size).toBe(1);
    expect(await listAlerts(ctx.store, { ruleId: 'reentrancy' })).toHaveLength(1);
  });

  test("behavior: a reorg retracts the chain's active alerts from the fork block up", async () => {
    for (const block of [200n, 201n, 202n])
      await insertAlert(ctx.store, {
        ruleId: 'mint-jump',
        severity: 'high',
        chainId: 42161,
        blockNumber: block,
        dedupeKey: `m${block}`,
      });
    await insertAlert(ctx.store, {
      ruleId: 'mint-jump',
      severity: 'high',
      chainId: 10,
      blockNumber: 999n,
      dedupeKey: 'other-chain',
    });
    const retracted = await retractAlertsFromBlock(ctx.store, {
      chainId: 42161,
      fromBlock: 201n,
      reason: 'reorg at 201',
    });
    expect(retracted.map((a) => a.blockNumber)).toEqual([201n, 202n]);
    expect(retracted.every((a) => a.status === 'retracted' && a.retractReason === 'reorg at 201')).toBe(true);
    expect((await listAlerts(ctx.store, { chainId: 42161, status: 'active' })).map((a) => a.blockNumber)).toEqual([
      200n,
    ]);
    expect(await listAlerts(ctx.store, { chainId: 10, status: 'active' })).toHaveLength(1);
  });

  test('behavior: a reorg told its dropped blocks retracts only their alerts, not those of the replacements', async () => {
    const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
    for (const [block, blockHash] of [
      [300n, hash(1)],
      [301n, hash(2)],
      [301n, hash(3)],
    ] as const)
      await insertAlert(ctx.store, {
        ruleId: 'mint-jump',
        severity: 'high',
        chainId: 8453,
        blockNumber: block,
        blockHash,
        dedupeKey: `h${blockHash}`,
      });
    const retracted = await retractAlertsFromBlock(ctx.store, {
      chainId: 8453,
      fromBlock: 301n,
      reason: 'reorg',
      blockHashes: [hash(2)],
    });
    expect(retracted.map((a) => a.blockHash)).toEqual([hash(2)]);
    expect((await listAlerts(ctx.store, { chainId: 8453, status: 'active' })).map((a) => a.blockHash).sort()).toEqual([
      hash(1),
      hash(3),
    ]);
  });

  test('behavior: list filters by time and limit, newest first', async () => {
    for (const [i, ms] of [0, 10, 20].entries())
      await insertAlert(ctx.store, { ruleId: 'gas-spike', severity: 'low', dedupeKey: `g${i}`, createdAt: later(ms) });
    const listed = await listAlerts(ctx.store, { ruleId: 'gas-spike', since: later(5), limit: 5 });
    expect(listed.map((a) => a.createdAt)).toEqual([later(20), later(10)]);
    expect(await listAlerts(ctx.store, { ruleId: 'gas-spike', limit: 1 })).toHaveLength(1);
  });

  test('behavior: the outbox holds an alert for each sink until it is marked delivered', async () => {
    const { alert } = await insertAlert(ctx.store, {
      ruleId: 'outbox',
      severity: 'high',
      chainId: 7,
      blockNumber: 10n,
      dedupeKey: 'outbox-1',
    });
    await queueAlertDeliveries(ctx.store, { alertId: alert.id, sinks: ['jsonl', 'webhook'] });
    // Queued twice (a replayed block): still once per sink.
    await queueAlertDeliveries(ctx.store, { alertId: alert.id, sinks: ['jsonl'] });
    expect(await listPendingDeliveries(ctx.store, { chainId: 7 })).toEqual([
      { alert, kind: 'alert', sinks: ['jsonl', 'webhook'] },
    ]);
    await markAlertDelivered(ctx.store, { alertId: alert.id, sink: 'jsonl', kind: 'alert' });
    expect(await listPendingDeliveries(ctx.store, { chainId: 7 })).toEqual([
      { alert, kind: 'alert', sinks: ['webhook'] },
    ]);
    expect(await listPendingDeliveries(ctx.store, { chainId: 8 })).toEqual([]);
  });

  test('behavior: a retraction is queued for the sinks that got the alert, and the alert no longer for the rest', async () => {
    const { alert } = await insertAlert(ctx.store, {
      ruleId: 'outbox',
      severity: 'high',
      chainId: 9,
      blockNumber: 50n,
      dedupeKey: 'outbox-2',
    });
    await queueAlertDeliveries(ctx.store, { alertId: alert.id, sinks: ['jsonl', 'slack', 'webhook'] });
    await markAlertDelivered(ctx.store, { alertId: alert.id, sink: 'jsonl', kind: 'alert' });
    await markAlertDelivered(ctx.store, { alertId: alert.id, sink: 'webhook', kind: 'alert' });
    await retractAlertsFromBlock(ctx.store, { chainId: 9, fromBlock: 50n, reason: 'reorg' });
    const pending = await listPendingDeliveries(ctx.store, { chainId: 9 });
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({
      alert: { id: alert.id, status: 'retracted', retractReason: 'reorg' },
      kind: 'retraction',
      sinks: ['jsonl', 'webhook'],
    });
    await markAlertDelivered(ctx.store, { alertId: alert.id, sink: 'jsonl', kind: 'retraction' });
    await markAlertDelivered(ctx.store, { alertId: alert.id, sink: 'webhook', kind: 'retraction' });
    expect(await listPendingDeliveries(ctx.store, { chainId: 9 })).toEqual([]);
    // Retracting again (a second reorg over the same block) queues nothing new.
    await retractAlert(ctx.store, { id: alert.id, reason: 'again' });
    expect(await listPendingDeliveries(ctx.store, { chainId: 9 })).toEqual([]);
  });

  test('error: retracting an unknown alert', async () => {
    await expect(retractAlert(ctx.store, { id: 'nope', reason: 'x' })).rejects.toBeInstanceOf(NotFoundError);
  });
});
