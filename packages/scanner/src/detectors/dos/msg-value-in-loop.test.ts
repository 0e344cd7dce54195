import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { msgValueInLoop } from './msg-value-in-loop.ts';

describe('msg-value-in-loop', () => {
  test('default: each recipient credited the whole msg.value (0.8)', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Batch {
  mapping(address => uint256) public balances;
  function depositFor(address[] calldata recipients) external payable {
    for (uint256 i = 0; i < recipients.length; i++) {
      balances[recipients[i]] += msg.value;
    }
  }
}`,
      msgValueInLoop,
    );
    expect(findingLines(findings)).toEqual([6]);
    expect(findings[0].impact).toBe('high');
  });

  test('behavior: a helper reading msg.value called in a loop (0.5)', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Shop {
  uint price = 1 ether;
  mapping(uint => address) owners;
  function _buy(uint id) internal {
    require(msg.value >= price);
    owners[id] = msg.sender;
  }
  function buyMany(uint[] memory ids) public payable {
    for (uint i = 0; i < ids.length; i++) _buy(ids[i]);
  }
}`,
      msgValueInLoop,
    );
    expect(findingLines(findings)).toEqual([10]);
  });

  test('fp: msg.value read once before the loop and shared out', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Batch {
  mapping(address => uint256) public balances;
  function split(address[] calldata to) external payable {
    uint256 share = msg.value / to.length;
    for (uint256 i = 0; i < to.length; i++) balances[to[i]] += share;
  }
}`,
      msgValueInLoop,
    );
    expect(findings).toEqual([]);
  });
});
