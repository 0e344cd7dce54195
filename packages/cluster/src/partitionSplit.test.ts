import type { Block, Tx } from '@bulwark/chain';
import { allRules, type BlockResult, createEngine, type Engine } from '@bulwark/monitor';
import {
  frame,
  log,
  random,
  block as testBlock,
  tx as testTx,
  transfer,
  user,
  victim as vault,
  wei,
} from '@bulwark/monitor/rules/testing';
import { type Address, encodeAbiParameters, toEventSelector } from 'viem';
import { describe, expect, test } from 'vitest';
import { ownResult } from './partitionWork.ts';

// One process against the same contracts split over two partitions (each engine watching all of
// them, judging its own, handing its flags to the other after each block): seeded traffic on a
// vault, a pool, a lender reading the pool's price and a token, with attacks that cross the
// partitions (the pool's price pushed within the transaction that borrows from the lender; a
// drain through the vault onto the token; fresh contracts). Every block, each partition must report
// for its contracts exactly what the one process reports for them, and keep the same baselines.
const pool = '0x00000000000000000000000000000000000900e1' as Address;
const lender = '0x000000000000000000000000000000000001e4d0' as Address;
const token = '0x0000000000000000000000000000000000070c0e' as Address;
const attacker = '0x00000000000000000000000000000000000a77ac' as Address;
const sync = toEventSelector('Sync(uint112,uint112)');
const sides: Address[][] = [
  [vault, token],
  [pool, lender],
];

const syncLog = (reserve0: bigint, reserve1: bigint) =>
  log(pool, [sync], encodeAbiParameters([{ type: 'uint112' }, { type: 'uint112' }], [reserve0, reserve1]));

function traffic(seed: number, count: number): Block[] {
  const rng = random(seed);
  let reserve0 = 1_000_000n * 10n ** 18n;
  let reserve1 = 2_000_000n * 10n ** 18n;
  const blocks: Block[] = [];
  let contractsMade = 0;
  for (let n = 0; n < count; n++) {
    const txs: Tx[] = [];
    for (let i = 0; i < 1 + rng.int(4); i++) {
      const from = user(1 + rng.int(30));
      const amount = wei(Math.exp(rng.normal()));
      const kind = rng.next();
      if (kind < 0.25) txs.push(testTx(from, frame(from, vault, { input: '0xd0e30db0', value: amount })));
      else if (kind < 0.45)
        txs.push(
          testTx(from, frame(from, vault, { input: '0x2e1a7d4d', calls: [frame(vault, from, { value: amount })] })),
        );
      else if (kind < 0.65) {
        // A swap moving the pool's price a little.
        reserve0 += amount;
        reserve1 -= amount;
        txs.push(testTx(from, frame(from, pool, { input: '0x022c0d9f' }), [syncLog(reserve0, reserve1)]));
      } else if (kind < 0.8)
        txs.push(
          testTx(
            from,
            frame(from, lender, {
              input: '0xc5ebeaec',
              calls: [
                frame(lender, pool, { type: 'STATICCALL', input: '0x0902f1ac' }),
                frame(lender, from, { value: amount }),
              ],
            }),
          ),
        );
      else
        txs.push(
          testTx(from, frame(from, token, { input: '0xa9059cbb' }), [
            transfer(token, from, user(1 + rng.int(30)), amount),
          ]),
        );
    }
    if (n > 120 && n % 37 === 0) {
      // The pool's price pushed up fivefold, the lender borrowed from, the price put back: one transaction.
      const pushed = reserve1 * 5n;
      txs.push(
        testTx(
          attacker,
          frame(attacker, pool, {
            input: '0x022c0d9f',
            calls: [
              frame(pool, lender, {
                input: '0xc5ebeaec',
                calls: [
                  frame(lender, pool, { type: 'STATICCALL', input: '0x0902f1ac' }),
                  frame(lender, attacker, { value: 500n * 10n ** 18n }),
                ],
              }),
            ],
          }),
          [syncLog(reserve0, pushed), syncLog(reserve0, reserve1)],
        ),
      );
    }
    if (n > 120 && n % 41 === 0) {
      // A fresh contract drains the vault onto the token in one call, then the token onward.
      const made = `0x${(0xfe000 + ++contractsMade).toString(16).padStart(40, '0')}` as Address;
      txs.push(
        testTx(
          attacker,
          frame(attacker, made, {
            type: 'CREATE',
            calls: [
              frame(made, vault, {
                input: '0x2e1a7d4d',
                calls: [frame(vault, made, { value: 900n * 10n ** 18n }), frame(vault, token, { input: '0xa9059cbb' })],
              }),
            ],
          }),
          [transfer(token, vault, made, 10n ** 24n)],
        ),
      );
    }
    // The attacker's ordinary calls on the other partition's contracts, a block after each attack:
    // one process never learns them (the attacker is flagged); a partition learns them unless told.
    if (n > 120 && n % 37 === 1)
      txs.push(testTx(attacker, frame(attacker, vault, { input: '0xd0e30db0', value: 10n ** 17n })));
    if (n > 120 && n % 41 === 1)
      txs.push(
        testTx(
          attacker,
          frame(attacker, lender, { input: '0xc5ebeaec', calls: [frame(lender, attacker, { value: 1n })] }),
        ),
      );
    blocks.push(testBlock(2_000 + n, 1_700_000_000 + 12 * n, txs));
  }
  return blocks;
}

const engineJudging = (judged: readonly string[] | undefined): Engine =>
  createEngine({
    chainId: 1,
    contracts: [
      { address: vault, name: 'Vault', kind: 'vault' },
      { address: token, name: 'Token', kind: 'token' },
      { address: pool, name: 'Pool', kind: 'pool' },
      { address: lender, name: 'Lender', kind: 'market' },
    ],
    rules: allRules,
    learningDelayBlocks: 5,
    warmUp: { txs: 20, blocks: 20 },
    judged,
  });

/** What a block's result says about `contracts`: its signals, verdicts and pauses. */
const about = (result: BlockResult, contracts: readonly string[]) => {
  const mine = ownResult(result, new Set(contracts));
  return {
    flagged: mine.flagged.map((entry) => ({ tx: entry.tx.hash, signals: entry.signals, verdicts: entry.verdicts })),
    pauses: mine.pauses,
  };
};

describe('detect partitions against one process', () => {
  test('behavior: split over two partitions that hand each other their flags, every block reports and learns as one process', () => {
    const blocks = traffic(7, 400);
    const single = engineJudging(undefined);
    const partitions = sides.map((own) => engineJudging(own));
    let signals = 0;
    let pauses = 0;
    for (const block of blocks) {
      const whole = single.process(structuredClone(block));
      const results = partitions.map((engine) => engine.process(structuredClone(block)));
      for (const [i, own] of sides.entries()) expect(about(results[i]!, own)).toEqual(about(whole, own));
      for (const [i, engine] of partitions.entries())
        for (const [j, result] of results.entries())
          if (i !== j) engine.noteFlagged(result.number, result.flaggedAccounts ?? []);
      signals += whole.flagged.reduce((sum, entry) => sum + entry.signals.length, 0);
      pauses += whole.pauses.length;
    }
    for (const [i, own] of sides.entries())
      for (const address of own) expect(partitions[i]!.profile(address)).toEqual(single.profile(address));
    // The traffic is not idle: signals on both sides, and pauses.
    expect(signals).toBeGreaterThan(10);
    expect(pauses).toBeGreaterThan(0);
  });
});
