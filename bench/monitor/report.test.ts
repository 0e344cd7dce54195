import { describe, expect, test } from 'vitest';
import { type AttackOutcome, attackRow } from './report.ts';

const outcome = (lost: bigint, naiveLost: bigint, singleTransaction = false): AttackOutcome => ({
  name: 'reentrancy-drain',
  victim: 'savings',
  singleTransaction,
  description: '',
  attackerTipGwei: 20,
  bulwark: {
    atRisk: 1_000n * 10n ** 18n,
    lost: lost * 10n ** 18n,
    unavoidable: 30n * 10n ** 18n,
    paused: true,
    blocksToPause: 1,
    rounds: 2,
  },
  naive: {
    atRisk: 1_000n * 10n ** 18n,
    lost: naiveLost * 10n ** 18n,
    unavoidable: 0n,
    paused: false,
    blocksToPause: undefined,
    rounds: 12,
  },
});

describe('attackRow', () => {
  test('default: saved against the 95% target and against the naive script', () => {
    const row = attackRow(outcome(40n, 500n));
    expect(row.figure).toContain('Bulwark saved 96.0%');
    expect(row.figure).toContain('reachable 97.0%');
    expect(row.peer).toContain('naive 5%/block script saved 50.0% (never paused)');
    expect(row.ratio).toBe('1.01 of target (met); vs naive 1.92');
  });

  test('behavior: a single-transaction attack must be saved whole', () => {
    expect(attackRow(outcome(1n, 1_000n, true)).ratio).toBe('0.99 of target (missed); vs naive —');
  });
});
