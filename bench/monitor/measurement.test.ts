import { describe, expect, test } from 'vitest';
import {
  type Frame,
  type Log,
  type LossScope,
  lossOfTransaction,
  lowerSet,
  reachableShare,
  savedShare,
  transferTopic,
} from './measurement.ts';

const victim = '0x1111111111111111111111111111111111111111';
const attacker = '0x2222222222222222222222222222222222222222';
const user = '0x3333333333333333333333333333333333333333';
const token = '0x4444444444444444444444444444444444444444';
const other = '0x5555555555555555555555555555555555555555';
const topic = (address: string) => `0x${'0'.repeat(24)}${address.slice(2)}`;
const transfer = (from: string, to: string, amount: bigint, address = token): Log => ({
  address,
  topics: [transferTopic, topic(from), topic(to)],
  data: `0x${amount.toString(16).padStart(64, '0')}`,
});
const scope: LossScope = { holders: lowerSet([victim]), attacker: lowerSet([attacker]), tokens: lowerSet([token]) };

describe('lossOfTransaction', () => {
  test('default: token transfers and ether from a holder to the attacker add up', () => {
    const trace: Frame = {
      from: attacker,
      to: victim,
      calls: [{ from: victim, to: attacker, value: '0x64' }],
    };
    expect(lossOfTransaction(scope, [transfer(victim, attacker, 1_000n)], trace)).toBe(1_100n);
  });

  test('behavior: value to others, from others, or of other tokens is not a loss', () => {
    const logs = [transfer(victim, user, 5n), transfer(user, attacker, 7n), transfer(victim, attacker, 9n, other)];
    const trace: Frame = {
      from: attacker,
      to: victim,
      value: '0x10',
      calls: [{ from: victim, to: user, value: '0x20' }],
    };
    expect(lossOfTransaction(scope, logs, trace)).toBe(0n);
  });

  test('behavior: what the attacker paid in to the holders in the same transaction is netted out', () => {
    const trace: Frame = {
      from: attacker,
      to: victim,
      value: '0xa',
      calls: [
        { from: victim, to: attacker, value: '0xa' },
        { from: victim, to: attacker, value: '0xa' },
      ],
    };
    expect(lossOfTransaction(scope, [transfer(attacker, victim, 5n)], trace)).toBe(5n);
    expect(lossOfTransaction(scope, [transfer(attacker, victim, 50n)], trace)).toBe(0n);
  });

  test('behavior: a frame that failed moved nothing, nor did its children', () => {
    const trace: Frame = {
      from: attacker,
      to: victim,
      calls: [
        {
          from: victim,
          to: attacker,
          value: '0x64',
          error: 'execution reverted',
          calls: [{ from: victim, to: attacker, value: '0x64' }],
        },
      ],
    };
    expect(lossOfTransaction(scope, [], trace)).toBe(0n);
  });

  test('behavior: addresses match whatever their case', () => {
    const upper: LossScope = { ...scope, attacker: lowerSet([attacker.toUpperCase().replace('0X', '0x')]) };
    expect(lossOfTransaction(upper, [transfer(victim, attacker, 3n)], undefined)).toBe(3n);
  });
});

describe('savedShare', () => {
  test('default: saved is at risk minus lost, as a share', () => {
    expect(savedShare({ atRisk: 1_000n, lost: 50n })).toBe(0.95);
  });

  test('behavior: nothing at risk counts as all saved; a loss above the risk as none', () => {
    expect(savedShare({ atRisk: 0n, lost: 0n })).toBe(1);
    expect(savedShare({ atRisk: 100n, lost: 150n })).toBe(0);
  });

  test('behavior: the reachable share leaves out only what the unseen strike took', () => {
    expect(reachableShare({ atRisk: 2_000n, unavoidable: 70n })).toBe(0.965);
  });
});
