import type { Address, Hex } from 'viem';
import { describe, expect, test } from 'vitest';
import { createCompetitorWatch } from './competitors.ts';

const vault = '0x00000000000000000000000000000000000000aa' as Address;
const attackerContract = '0x00000000000000000000000000000000000000bb';
const attacker = '0x00000000000000000000000000000000000000a1';
const bystander = '0x00000000000000000000000000000000000000b2';
const guardian = '0x00000000000000000000000000000000000000c3' as Address;
const router = '0x00000000000000000000000000000000000000dd';

const hex = (value: bigint) => `0x${value.toString(16)}` as Hex;
const tx = (hash: string, from: string, to: string | null, fees: Record<string, bigint>) => ({
  hash,
  from,
  to,
  ...Object.fromEntries(Object.entries(fees).map(([key, value]) => [key, hex(value)])),
});

/** `txpool_content` as geth and anvil answer it: pending and queued, by sender and nonce. */
const txpool = {
  pending: {
    [attacker]: {
      '0': tx('0x01', attacker, vault, { maxFeePerGas: 90n, maxPriorityFeePerGas: 30n }),
      '1': tx('0x02', attacker, attackerContract, { maxFeePerGas: 95n, maxPriorityFeePerGas: 31n }),
    },
    [bystander]: { '0': tx('0x03', bystander, router, { gasPrice: 500n }) },
    [guardian]: { '7': tx('0x04', guardian, vault, { maxFeePerGas: 999n, maxPriorityFeePerGas: 999n }) },
  },
  queued: { [bystander]: { '5': tx('0x05', bystander, vault, { gasPrice: 700n }) } },
};

describe('createCompetitorWatch', () => {
  const request = async (method: string) => {
    if (method === 'txpool_content') return txpool;
    throw new Error(`unexpected ${method}`);
  };

  test('default: pending txs to the contract and every pending tx of their senders; never our own, never queued ones', async () => {
    const watch = createCompetitorWatch({ request, exclude: [guardian], isMethodMissing: () => false });
    await watch.refresh();
    expect(watch.source).toBe('txpool');
    const competitors = watch.competitors(vault);
    expect(competitors.map((c) => c.hash).sort()).toEqual(['0x01', '0x02']);
    expect(competitors.find((c) => c.hash === '0x01')).toMatchObject({ maxFeePerGas: 90n, maxPriorityFeePerGas: 30n });
  });

  test('behavior: the trigger ties in its sender and target, and counts itself', async () => {
    const watch = createCompetitorWatch({ request, exclude: [guardian], isMethodMissing: () => false });
    await watch.refresh();
    const trigger = { hash: '0x09', from: bystander, to: router, gasPrice: 40n };
    const competitors = watch.competitors(vault, [trigger]);
    expect(competitors.map((c) => c.hash).sort()).toEqual(['0x01', '0x02', '0x03', '0x09']);
    expect(competitors.find((c) => c.hash === '0x03')).toMatchObject({ gasPrice: 500n, maxFeePerGas: undefined });
    // Not counted twice when the txpool holds the trigger too.
    expect(
      watch
        .competitors(vault, [{ hash: '0x01', from: attacker, to: vault }])
        .map((c) => c.hash)
        .sort(),
    ).toEqual(['0x01', '0x02']);
  });

  test('behavior: without txpool_content, the latest block’s best-paying transaction stands in, for every contract', async () => {
    const asked: string[] = [];
    const watch = createCompetitorWatch({
      request: async (method) => {
        asked.push(method);
        if (method === 'txpool_content') throw new Error('the method txpool_content does not exist');
        return {
          baseFeePerGas: hex(10n),
          transactions: [
            tx('0x11', attacker, router, { maxFeePerGas: 100n, maxPriorityFeePerGas: 50n }),
            // Higher tip, but its max fee leaves only 15 above the base fee.
            tx('0x12', bystander, router, { maxFeePerGas: 25n, maxPriorityFeePerGas: 80n }),
            tx('0x13', guardian, vault, { maxFeePerGas: 900n, maxPriorityFeePerGas: 900n }),
          ],
        };
      },
      exclude: [guardian],
      isMethodMissing: (error) => /does not exist/.test(String(error)),
    });
    await watch.refresh();
    await watch.refresh();
    expect(watch.source).toBe('latest-block');
    expect(watch.competitors(vault).map((c) => c.hash)).toEqual(['0x11']);
    expect(watch.competitors(attackerContract as Address).map((c) => c.hash)).toEqual(['0x11']);
    // The missing method is asked once, not on every refresh.
    expect(asked).toEqual(['txpool_content', 'eth_getBlockByNumber', 'eth_getBlockByNumber']);
  });

  test('behavior: a streamed competitor reaching the contract counts at once, with its sender, until the next block', async () => {
    const watch = createCompetitorWatch({ request, exclude: [guardian], isMethodMissing: () => false });
    await watch.refresh();
    const streamed = {
      hash: '0x09',
      from: bystander,
      to: attackerContract,
      maxFeePerGas: 800n,
      maxPriorityFeePerGas: 700n,
    };
    watch.add(streamed, [vault]);
    watch.add({ hash: '0x0a', from: guardian, to: vault, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n }, [vault]);
    const hashes = watch.competitors(vault).map((competitor) => competitor.hash);
    // The stream's transaction, and the bystander's other pending one (its sender is now a suspect); never our own.
    expect(hashes).toContain('0x09');
    expect(hashes).toContain('0x03');
    expect(hashes).not.toContain('0x0a');
    expect(watch.competitors(router as Address).map((competitor) => competitor.hash)).not.toContain('0x09');
    watch.newBlock();
    expect(watch.competitors(vault).map((competitor) => competitor.hash)).not.toContain('0x09');
  });
});
