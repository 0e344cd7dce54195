import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { divideBeforeMultiply } from './divide-before-multiply.ts';

describe('divide-before-multiply', () => {
  test('default: a fee computed by dividing first', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Fees {
  uint256 feeBps = 30;
  function fee(uint256 amount) external view returns (uint256) {
    return amount / 10000 * feeBps;
  }
}`,
      divideBeforeMultiply,
    );
    expect(findingLines(findings)).toEqual([5]);
  });

  test('behavior: through a local (0.5)', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Rewards {
  function reward(uint total, uint shares, uint mine) public pure returns (uint) {
    uint perShare = total / shares;
    return perShare * mine;
  }
}`,
      divideBeforeMultiply,
    );
    expect(findingLines(findings)).toEqual([5]);
  });

  test('behavior: a constant divisor only loses a bounded amount and is reported low', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Interest {
  function accrue(uint256 rate, uint256 seconds_) external pure returns (uint256) {
    uint256 perSecond = rate / 365 days;
    return perSecond * seconds_;
  }
}`,
      divideBeforeMultiply,
    );
    expect(findingLines(findings)).toEqual([5]);
    expect(findings[0].impact).toBe('low');
  });

  test('fp: multiply first, round to a multiple, constants', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Ok {
  uint256 constant WEEK = 7 days;
  function f(uint256 a, uint256 b, uint256 c, uint256 t) external pure returns (uint256, uint256, uint256) {
    return (a * c / b, t / WEEK * WEEK, (1e18 / 100) * a + 4 * ((b + 2) / 3) + (c / 4) * 3);
  }
}`,
      divideBeforeMultiply,
    );
    expect(findings).toEqual([]);
  });
});
