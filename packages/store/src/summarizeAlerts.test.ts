import { expect, test } from 'vitest';
import { insertAlert, listAlerts, summarizeAlerts } from './alerts.ts';
import { describeStore } from './testing.ts';

describeStore('summarizeAlerts', (ctx) => {
  test('counts the window and names its rules in the order listAlerts lists them; a new alert changes it', async () => {
    const at = (minutes: number) => new Date(Date.UTC(2026, 0, 10, 12, minutes));
    const window = { since: at(0), until: at(60) };
    const raise = (ruleId: string, minutes: number, n: number) =>
      insertAlert(ctx.store, {
        ruleId,
        severity: 'high',
        dedupeKey: `${ruleId}-${minutes}-${n}`,
        createdAt: at(minutes),
      });
    await raise('before-window', -5, 0);
    await raise('outflow-spike', 10, 0);
    await raise('admin-change', 20, 0);
    await raise('outflow-spike', 30, 0);
    // Two rules at one instant: listAlerts breaks the tie by id.
    await raise('tie-a', 40, 0);
    await raise('tie-b', 40, 0);
    await raise('at-until', 60, 0);
    const fromRows = async () => {
      const rows = await listAlerts(ctx.store, window);
      return { count: rows.length, ruleIds: [...new Set(rows.map((a) => a.ruleId))] };
    };
    const summary = await summarizeAlerts(ctx.store, window);
    expect(summary).toEqual(await fromRows());
    expect(summary.count).toBe(5);
    expect(summary.ruleIds.slice(2)).toEqual(['outflow-spike', 'admin-change']);
    await raise('admin-change', 50, 1);
    const after = await summarizeAlerts(ctx.store, window);
    expect(after).toEqual(await fromRows());
    expect(after.ruleIds[0]).toBe('admin-change');
  });
});
