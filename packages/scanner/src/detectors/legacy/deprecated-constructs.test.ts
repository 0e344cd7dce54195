import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { deprecatedConstructs } from './deprecated-constructs.ts';

describe('deprecated-constructs', () => {
  test('default: 0.4 constructs', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.11;
contract Old {
  address owner;
  function balance() constant returns (uint) { return this.balance; }
  function kill() {
    if (msg.sender != owner) throw;
    var h = sha3(block.blockhash(block.number - 1));
    owner.callcode(bytes4(h));
    suicide(owner);
  }
}`,
      deprecatedConstructs,
    );
    expect(findingLines(findings)).toEqual([4, 6, 7, 7, 7, 8, 9]);
    expect(findings.every((f) => f.impact === 'informational')).toBe(true);
  });

  test('fp: current constructs', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract New {
  address owner;
  function total() external view returns (uint256) { return address(this).balance; }
  function kill() external {
    if (msg.sender != owner) revert();
    bytes32 h = keccak256(abi.encode(blockhash(block.number - 1)));
    (bool ok, ) = owner.delegatecall(abi.encode(h));
    require(ok);
  }
}`,
      deprecatedConstructs,
    );
    expect(findings).toEqual([]);
  });
});
