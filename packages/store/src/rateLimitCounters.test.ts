import { expect, test } from 'vitest';
import { countRateLimitHit, deleteEndedRateLimitWindows } from './rateLimitCounters.ts';
import { describeStore } from './testing.ts';

describeStore('rate-limit counters', (ctx) => {
  test('default: hits of one key add up within the window; another key counts alone', async () => {
    const hits = [];
    for (let i = 0; i < 3; i++) hits.push(await countRateLimitHit(ctx.store, { key: 'ip:10.0.0.1', windowMs: 60_000 }));
    expect(hits.map((hit) => hit.hits)).toEqual([1, 2, 3]);
    for (const hit of hits) expect(hit.resetInMs).toBeGreaterThan(0);
    for (const hit of hits) expect(hit.resetInMs).toBeLessThanOrEqual(60_000);
    expect((await countRateLimitHit(ctx.store, { key: 'token:olga', windowMs: 60_000 })).hits).toBe(1);
  });

  test('behavior: concurrent hits (several pooled connections on PostgreSQL) are each counted once', async () => {
    const other = await ctx.open();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => countRateLimitHit(ctx.store, { key: 'ip:race', windowMs: 60_000 })),
    );
    expect(results.map((hit) => hit.hits).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // A second database is a second counter: keys are per store.
    expect((await countRateLimitHit(other, { key: 'ip:race', windowMs: 60_000 })).hits).toBe(1);
  });

  test('behavior: a window that ended starts again at 1, and ended windows are deleted', async () => {
    const endWindow = () =>
      ctx.store.db
        .updateTable('rate_limit_counters')
        .set({ window_ends_at: new Date(Date.now() - 60_000) })
        .where('key', '=', 'ip:short')
        .execute();
    await countRateLimitHit(ctx.store, { key: 'ip:short', windowMs: 60_000 });
    expect((await countRateLimitHit(ctx.store, { key: 'ip:short', windowMs: 60_000 })).hits).toBe(2);
    await endWindow();
    expect((await countRateLimitHit(ctx.store, { key: 'ip:short', windowMs: 60_000 })).hits).toBe(1);
    await endWindow();
    expect(await deleteEndedRateLimitWindows(ctx.store)).toBe(1);
    const left = await ctx.store.db
      .selectFrom('rate_limit_counters')
      .select('key')
      .where('key', '=', 'ip:short')
      .execute();
    expect(left).toEqual([]);
  });
});
