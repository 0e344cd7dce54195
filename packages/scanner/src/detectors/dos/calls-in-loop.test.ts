import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { callsInLoop } from './calls-in-loop.ts';

describe('calls-in-loop', () => {
  test('default: a transfer per shareholder (0.8)', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Dividends {
  address payable[] holders;
  function distribute(uint256 share) external {
    for (uint256 i = 0; i < holders.length; i++) {
      holders[i].transfer(share);
    }
  }
}`,
      callsInLoop,
    );
    expect(findingLines(findings)).toEqual([6]);
    expect(findings[0].impact).toBe('low');
  });

  test('behavior: the call sits in a helper the loop calls (0.5 call.value)', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Payroll {
  address payable[] staff;
  function _pay(address payable to, uint amount) internal {
    (bool ok, ) = to.call.value(amount)("");
    require(ok);
  }
  function payAll(uint amount) public {
    for (uint i = 0; i < staff.length; i++) _pay(staff[i], amount);
  }
}`,
      callsInLoop,
    );
    expect(findingLines(findings)).toEqual([5]);
    expect(findings[0].message).toContain('called in a loop in Payroll.payAll');
  });

  test('fp: view calls in a loop, and an owner-only batch over owner-set contracts', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
interface IFeed { function price() external view returns (uint256); function poke() external; }
contract Agg {
  address owner;
  IFeed[] feeds;
  function sum() external view returns (uint256 total) {
    for (uint256 i = 0; i < feeds.length; i++) total += feeds[i].price();
  }
  function pokeAll() external {
    require(msg.sender == owner);
    for (uint256 i = 0; i < feeds.length; i++) feeds[i].poke();
  }
}`,
      callsInLoop,
    );
    expect(findings).toEqual([]);
  });
});
