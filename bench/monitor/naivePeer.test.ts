import { describe, expect, test } from 'vitest';
import { createNaiveWatch, naiveWouldPause } from './naivePeer.ts';

describe('naiveWouldPause', () => {
  test('default: more than 5% leaving in one block pauses', () => {
    expect(naiveWouldPause(1_000n, 949n)).toBe(true);
  });

  test('behavior: exactly 5%, less, or an inflow does not pause', () => {
    expect(naiveWouldPause(1_000n, 950n)).toBe(false);
    expect(naiveWouldPause(1_000n, 990n)).toBe(false);
    expect(naiveWouldPause(1_000n, 2_000n)).toBe(false);
  });

  test('behavior: an empty contract never pauses', () => {
    expect(naiveWouldPause(0n, 0n)).toBe(false);
  });
});

const one = (entries: [string, bigint][]) =>
  new Map(entries.map(([contract, amount]) => [contract, new Map([['native', amount]])]));

describe('createNaiveWatch', () => {
  test('default: compares each contract with its own previous block', () => {
    const watch = createNaiveWatch();
    expect(
      watch.observe(
        one([
          ['a', 100n],
          ['b', 100n],
        ]),
      ),
    ).toEqual([]);
    expect(
      watch.observe(
        one([
          ['a', 94n],
          ['b', 99n],
        ]),
      ),
    ).toEqual(['a']);
    // 94 → 90 is 4.3% of 94: below the threshold, though 10% below the first block.
    expect(
      watch.observe(
        one([
          ['a', 90n],
          ['b', 50n],
        ]),
      ),
    ).toEqual(['b']);
  });

  test('behavior: each asset is judged on its own, however small next to the others', () => {
    const watch = createNaiveWatch();
    const vault = (ether: bigint, tokens: bigint) =>
      new Map([
        [
          'vault',
          new Map([
            ['native', ether],
            ['token', tokens],
          ]),
        ],
      ]);
    expect(watch.observe(vault(1_000n, 1_000_000n))).toEqual([]);
    expect(watch.observe(vault(700n, 1_000_000n))).toEqual(['vault']);
  });

  test('behavior: a drain of 4% a block is never seen', () => {
    const watch = createNaiveWatch();
    let held = 10_000n;
    const paused: string[] = [];
    for (let block = 0; block < 40; block++) {
      paused.push(...watch.observe(one([['vault', held]])));
      held -= (held * 4n) / 100n;
    }
    expect(paused).toEqual([]);
    expect(held < 3_000n).toBe(true);
  });
});
