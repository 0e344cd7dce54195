import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { assertStateChange } from './assert-state-change.ts';

describe('assert-state-change', () => {
  test('default: assert with an increment and with a state-changing call', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Counter {
  uint256 public count;
  function bump() internal returns (bool) { count += 1; return true; }
  function next() external {
    assert(count++ < 100);
    assert(bump());
  }
}`,
      assertStateChange,
    );
    expect(findingLines(findings)).toEqual([6, 7]);
    expect(findings.every((f) => f.impact === 'low')).toBe(true);
  });

  test('behavior: 0.5 assert on caller input is informational', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Token {
  address owner;
  mapping(address => uint) balances;
  function transfer(address to, uint v) public {
    assert(to != address(0) && v > 0);
    balances[msg.sender] -= v;
    balances[to] += v;
  }
  function setOwner(address next) public { assert(msg.sender == owner); owner = next; }
}`,
      assertStateChange,
    );
    expect(findingLines(findings)).toEqual([6, 10]);
    expect(findings.every((f) => f.impact === 'informational')).toBe(true);
    expect(findings[0].message).toContain('consumes all remaining gas');
  });

  test('fp: invariant checks on computed values and in library helpers are clean', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
library SafeMath {
  function add(uint a, uint b) internal pure returns (uint) { uint c = a + b; assert(c >= a); return c; }
}
contract Bank {
  uint total;
  function deposit(uint v) public {
    uint before = total;
    total = total + v;
    assert(total >= before);
  }
}`,
      assertStateChange,
    );
    expect(findings).toEqual([]);
  });

  test('behavior: a view call in an assert is read-only only where it compiles to STATICCALL (0.5 on)', () => {
    const source = (pragma: string) => `pragma solidity ${pragma};
interface Oracle { function healthy() external view returns (bool); }
contract Vault {
  Oracle oracle;
  function check() public {
    assert(oracle.healthy());
  }
}`;
    const old = scanSource(source('^0.4.24'), assertStateChange);
    expect(findingLines(old)).toEqual([6]);
    expect(old[0].message).toContain('plain CALL');
    expect(scanSource(source('^0.5.0'), assertStateChange)).toEqual([]);
  });
});
