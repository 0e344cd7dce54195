import { describe, expect, test } from 'vitest';
import { ether } from './units.ts';

describe('ether', () => {
  test('default: wei as ETH, exact for integers, at most 6 decimals, thousands grouped', () => {
    expect(ether('1000000000000000000')).toBe('1 ETH');
    expect(ether('1234567890123456789012')).toBe('1,234.56789 ETH');
    expect(ether(10n ** 15n)).toBe('0.001 ETH');
    expect(ether('0')).toBe('0 ETH');
    expect(ether('-2500000000000000000')).toBe('-2.5 ETH');
  });

  test('edge: amounts below a millionth of an ETH stay in wei, not shown as zero', () => {
    expect(ether('7000')).toBe('7,000 wei');
    expect(ether(-7000n)).toBe('-7,000 wei');
    expect(ether(7000.4)).toBe('7,000 wei');
    expect(ether('999999999999')).toBe('999,999,999,999 wei');
    expect(ether('1000000000000')).toBe('0.000001 ETH');
  });

  test('default: chart numbers (possibly averages) are scaled the same way', () => {
    expect(ether(1.5e18)).toBe('1.5 ETH');
    expect(ether(0)).toBe('0 ETH');
  });

  test('error: what is not an integer amount is shown as served', () => {
    expect(ether('?')).toBe('?');
  });
});
