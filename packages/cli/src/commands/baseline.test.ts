import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { emptyProfile, profileMetric } from '@bulwark/monitor';
import { upsertBaseline } from '@bulwark/store';
import { expect, test } from 'vitest';
import { describeCli } from '../testing.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-baseline-cli-'));
const young = '0x00000000000000000000000000000000000000a1';
const mature = '0x00000000000000000000000000000000000000a2';

describeCli('bulwark baseline show: warm-up', (ctx) => {
  test('behavior: says which baselines are warming up, with the config thresholds when given', async () => {
    const profile = (address: string, txs: number, blocks: number) => ({
      ...emptyProfile(1, address),
      txs,
      blocks,
    });
    await upsertBaseline(ctx.store, { chainId: 1, address: young, ...profileMetric, stats: profile(young, 80, 150) });
    await upsertBaseline(ctx.store, {
      chainId: 1,
      address: mature,
      ...profileMetric,
      stats: profile(mature, 900, 400),
    });

    const text = await ctx.run(['baseline', 'show']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `${young} on chain 1\n  baseline: warming up (80 of 200 transactions, 150 of 100 blocks learned): alerts, but pauses only on unequivocal exploitation`,
    );
    expect(text.stdout).toContain(`${mature} on chain 1\n  baseline: mature (900 of 200 transactions`);

    const json = await ctx.run(['baseline', 'show', '--format', 'json']);
    const byAddress = new Map(
      (JSON.parse(json.stdout) as { address: string; warmUp: unknown }[]).map((entry) => [entry.address, entry.warmUp]),
    );
    expect(byAddress.get(young)).toEqual({ warmingUp: true, txs: 80, blocks: 150, needTxs: 200, needBlocks: 100 });
    expect(byAddress.get(mature)).toMatchObject({ warmingUp: false });

    // By the monitor config's lower thresholds, the young one is mature too.
    const config = path.join(dir, 'monitor.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        chains: [{ id: 1, rpc: ['http://localhost:8545'] }],
        contracts: [],
        baseline: { warmUpTxs: 50, warmUpBlocks: 120 },
      }),
    );
    const viaConfig = await ctx.run(['baseline', 'show', '--config', config, '--format', 'json']);
    const states = (JSON.parse(viaConfig.stdout) as { warmUp: { warmingUp: boolean; needBlocks: number } }[]).map(
      (entry) => entry.warmUp,
    );
    expect(states).toEqual([
      expect.objectContaining({ warmingUp: false, needTxs: 50, needBlocks: 120 }),
      expect.objectContaining({ warmingUp: false, needTxs: 50, needBlocks: 120 }),
    ]);
  });
});
