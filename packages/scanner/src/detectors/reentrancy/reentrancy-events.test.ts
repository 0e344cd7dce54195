import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { reentrancyEvents } from './reentrancy-events.ts';

describe('reentrancy-events', () => {
  test('default: event emitted after paying the caller', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Bank {
  event Withdrawn(address who, uint256 amount);
  mapping(address => uint256) balances;
  function withdraw() external {
    uint256 amount = balances[msg.sender];
    balances[msg.sender] = 0;
    (bool ok, ) = msg.sender.call{value: amount}("");
    require(ok);
    emit Withdrawn(msg.sender, amount);
  }
}`,
      reentrancyEvents,
    );
    expect(findingLines(findings)).toEqual([10]);
    expect(findings[0].impact).toBe('informational');
  });

  test('fp: event emitted before the call (0.5)', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Bank {
  event Withdrawn(address who, uint amount);
  mapping(address => uint) balances;
  function withdraw() public {
    uint amount = balances[msg.sender];
    balances[msg.sender] = 0;
    emit Withdrawn(msg.sender, amount);
    (bool ok, ) = msg.sender.call.value(amount)("");
    require(ok);
  }
}`,
      reentrancyEvents,
    );
    expect(findings).toEqual([]);
  });
});
