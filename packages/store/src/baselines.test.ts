import { expect, test } from 'vitest';
import { getBaseline, listBaselines, upsertBaseline } from './baselines.ts';
import { ConflictError } from './errors.ts';
import { describeStore } from './testing.ts';

const vault = '0x00000000000000000000000000000000000000AA';

describeStore('baselines', (ctx) => {
  test('default: insert, read, update; the version counts writes', async () => {
    const key = { chainId: 1, address: vault, metricKey: 'outflow.wei', window: '1h' };
    const first = await upsertBaseline(ctx.store, { ...key, stats: { p50: '10', p99: 10n ** 21n, samples: 12 } });
    expect(first).toMatchObject({
      address: vault.toLowerCase(),
      version: 1,
      // wei amounts are stored as decimal strings, never through a JS number
      stats: { p50: '10', p99: '1000000000000000000000', samples: 12 },
    });
    const second = await upsertBaseline(ctx.store, { ...key, stats: { p50: '11', samples: 13 } });
    expect(second.version).toBe(2);
    expect(await getBaseline(ctx.store, key)).toEqual(second);
    expect(await getBaseline(ctx.store, { ...key, window: '24h' })).toBeUndefined();
  });

  test('behavior: list filters by chain, contract, metric and window, in key order', async () => {
    for (const window of ['5m', '1b'])
      for (const metricKey of ['calls.0xa9059cbb', 'failed.rate'])
        await upsertBaseline(ctx.store, { chainId: 137, address: vault, metricKey, window, stats: { n: 1 } });
    await upsertBaseline(ctx.store, { chainId: 138, address: vault, metricKey: 'gas', window: '1h', stats: {} });
    const all = await listBaselines(ctx.store, { chainId: 137 });
    expect(all.map((b) => `${b.metricKey}/${b.window}`)).toEqual([
      'calls.0xa9059cbb/1b',
      'calls.0xa9059cbb/5m',
      'failed.rate/1b',
      'failed.rate/5m',
    ]);
    expect(await listBaselines(ctx.store, { chainId: 137, metricKey: 'failed.rate', window: '5m' })).toHaveLength(1);
    expect(await listBaselines(ctx.store, { address: vault.toLowerCase(), window: '1h', chainId: 138 })).toHaveLength(
      1,
    );
  });

  test('error: a stale expected version is a conflict and the newer stats stay', async () => {
    const key = { chainId: 5, address: vault, metricKey: 'tvl', window: '24h' };
    await upsertBaseline(ctx.store, { ...key, stats: { v: 1 }, expectedVersion: 0 });
    await expect(upsertBaseline(ctx.store, { ...key, stats: { v: 'dup' }, expectedVersion: 0 })).rejects.toBeInstanceOf(
      ConflictError,
    );
    const v2 = await upsertBaseline(ctx.store, { ...key, stats: { v: 2 }, expectedVersion: 1 });
    expect(v2.version).toBe(2);
    const stale = upsertBaseline(ctx.store, { ...key, stats: { v: 'stale' }, expectedVersion: 1 });
    await expect(stale).rejects.toThrow(/tvl\/24h .* is at version 2, not 1[\s\S]*read it again/);
    expect((await getBaseline(ctx.store, key))?.stats).toEqual({ v: 2 });
  });
});
