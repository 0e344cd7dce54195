import { allRules, createEngine, type Engine } from '@bulwark/monitor';
import { block, deposit, ether, user, victim, wei, withdraw } from '@bulwark/monitor/rules/testing';
import { listBaselines, withTransaction } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { expect, test } from 'vitest';
import { createLiveStateRows, liveEntriesMetric } from './partitionLive.ts';

const chainId = 31337;

const engine = (): Engine => {
  const created = createEngine({
    chainId,
    contracts: [{ address: victim, name: 'Vault', kind: 'vault' }],
    rules: allRules,
    learningDelayBlocks: 3,
  });
  created.setBalance(victim, 'native', 1_000_000n * ether);
  return created;
};

/** Block `n`, ten minutes after the one before: 144 a day, so the day window drops the oldest after that. */
const busyBlock = (n: number) =>
  block(n, 1_700_000_000 + n * 600, [n % 2 ? deposit(user(n % 9), wei(1)) : withdraw(user(n % 7), wei(0.5))]);

describeStore('a contract’s live state in rows', (ctx) => {
  test('behavior: each block writes only the rows its transactions fall in, deletes those that left the day, and loads back exactly', async () => {
    const store = await ctx.open();
    const worker = engine();
    const rows = createLiveStateRows(chainId);
    const entryRows = async () =>
      new Map(
        (await listBaselines(store, { chainId, address: victim, metricKey: liveEntriesMetric })).map((row) => [
          row.window,
          row.version,
        ]),
      );
    for (let n = 1; n <= 300; n++) {
      worker.process(busyBlock(n));
      const before = await entryRows();
      await withTransaction(store, (tx) => rows.save(tx, worker, victim));
      const after = await entryRows();
      const changed = [...after].filter(([window, version]) => before.get(window) !== version).map(([w]) => w);
      // One transaction a block: at most one row per window kind is new or rewritten.
      expect(changed.filter((window) => window.startsWith('live-')).length).toBeLessThanOrEqual(1);
      expect(changed.filter((window) => window.startsWith('clean-')).length).toBeLessThanOrEqual(1);
    }
    const state = worker.liveState(victim);
    // The day window dropped the oldest transactions, and their rows went with them.
    expect(state.live.first).toBeGreaterThan(64);
    const windows = [...(await entryRows()).keys()].filter((window) => window.startsWith('live-'));
    expect(windows.every((window) => (Number(window.slice(5)) + 1) * 64 > state.live.first)).toBe(true);
    expect(windows.length).toBeLessThanOrEqual(Math.ceil(state.live.entries.length / 64) + 1);

    const next = engine();
    expect(await createLiveStateRows(chainId).load(store, next, victim)).toBe(true);
    expect(next.liveState(victim)).toEqual(state);
    expect(await createLiveStateRows(chainId).load(store, engine(), '0x000000000000000000000000000000000000dead')).toBe(
      false,
    );
  });
});
