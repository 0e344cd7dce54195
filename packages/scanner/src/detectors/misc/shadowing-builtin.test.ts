import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { shadowingBuiltin } from './shadowing-builtin.ts';

describe('shadowing-builtin', () => {
  test('default: 0.4 state variable, function and local named like built-ins', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.24;
contract Lottery {
  uint now;
  function assert(bool ok) internal {}
  function draw(bytes32 seed) public {
    bytes32 sha3 = keccak256(seed);
    assert(sha3 != 0);
  }
}`,
      shadowingBuiltin,
    );
    expect(findingLines(findings)).toEqual([3, 4, 6]);
    expect(findings[1].location.endLine).toBe(4);
  });

  test('behavior: parameters and events count too', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Log {
  event revert(uint code);
  function f(uint block) public pure returns (uint) { return block; }
}`,
      shadowingBuiltin,
    );
    expect(findingLines(findings)).toEqual([3, 4]);
  });

  test('fp: names that merely contain a built-in are clean', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Clean {
  uint256 public nowish;
  uint256 public gas;
  function requireOwner() internal view {}
  function balance(address a) external view returns (uint256) { return a.balance; }
}`,
      shadowingBuiltin,
    );
    expect(findings).toEqual([]);
  });
});
