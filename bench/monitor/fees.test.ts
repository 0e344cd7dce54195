import { createRandom } from '@bulwark/core';
import { parseGwei } from 'viem';
import { describe, expect, test } from 'vitest';
import { attackerFee, medianFee, percentile, sampleBenignFee } from './fees.ts';

describe('sampleBenignFee', () => {
  const random = createRandom(5);
  const bids = Array.from({ length: 20_000 }, () => sampleBenignFee(random));
  const tips = bids.map((bid) => Number(bid.priorityFee) / 1e9);

  test('default: most tips sit near the base, 0.5–2 gwei', () => {
    const near = tips.filter((tip) => tip >= 0.5 && tip <= 2).length / tips.length;
    expect(near).toBeGreaterThan(0.75);
    expect(near).toBeLessThan(0.85);
    expect(percentile(tips, 50)).toBeGreaterThan(0.8);
    expect(percentile(tips, 50)).toBeLessThan(1.5);
  });

  test('behavior: a heavy tail pays 20–50 gwei, and nothing pays more', () => {
    const tail = tips.filter((tip) => tip >= 20).length / tips.length;
    expect(tail).toBeGreaterThan(0.03);
    expect(tail).toBeLessThan(0.07);
    expect(Math.max(...tips)).toBeLessThanOrEqual(50);
    expect(Math.min(...tips)).toBeGreaterThanOrEqual(0.5);
  });

  test('behavior: some wallets bid a legacy gas price', () => {
    const legacy = bids.filter((bid) => bid.type === 'legacy').length / bids.length;
    expect(legacy).toBeGreaterThan(0.1);
    expect(legacy).toBeLessThan(0.2);
  });

  test('behavior: the same seed gives the same fees', () => {
    const again = createRandom(5);
    expect(Array.from({ length: 50 }, () => sampleBenignFee(again))).toEqual(bids.slice(0, 50));
  });
});

describe('attackerFee', () => {
  test('default: a multiple of the typical tip', () => {
    expect(attackerFee(parseGwei('1.2'), 20)).toEqual({ type: 'eip1559', priorityFee: parseGwei('24') });
    expect(attackerFee(parseGwei('1'), 12.5, 'legacy')).toEqual({ type: 'legacy', priorityFee: parseGwei('12.5') });
  });

  test('error: a multiple below 1 is refused', () => {
    expect(() => attackerFee(parseGwei('1'), 0.5)).toThrow(RangeError);
  });
});

describe('medianFee', () => {
  test('default: the nearest-rank median, or the fallback when empty', () => {
    expect(medianFee([5n, 1n, 3n], 0n)).toBe(3n);
    expect(medianFee([4n, 1n, 3n, 2n], 0n)).toBe(2n);
    expect(medianFee([], 7n)).toBe(7n);
  });
});
