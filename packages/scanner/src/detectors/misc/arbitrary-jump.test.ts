import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { arbitraryJump } from './arbitrary-jump.ts';

describe('arbitrary-jump', () => {
  test('default: a function pointer built from a parameter', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Dispatcher {
  function run(uint256 target) public {
    function() internal f;
    assembly { f := target }
    f();
  }
}`,
      arbitraryJump,
    );
    expect(findingLines(findings)).toEqual([5]);
  });

  test('behavior: 0.8 pointer read from calldata', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Dispatcher {
  function run() external {
    function() internal f;
    assembly { f := calldataload(4) }
    f();
  }
}`,
      arbitraryJump,
    );
    expect(findingLines(findings)).toEqual([5]);
  });

  test('fp: casting one function pointer to another type is clean', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
library Arrays {
  function cast(function(uint256, uint256) pure returns (bool) input)
    internal pure returns (function(bytes32, bytes32) pure returns (bool) output)
  {
    assembly { output := input }
  }
}`,
      arbitraryJump,
    );
    expect(findings).toEqual([]);
  });
});
