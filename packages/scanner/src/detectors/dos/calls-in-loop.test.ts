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
    // At the call in the loop of the entry point; the helper's call is related.
    expect(findingLines(findings)).toEqual([9]);
    expect(findings[0].related.map((r) => [r.startLine, r.message])).toContainEqual([5, 'the call in Payroll._pay']);
    expect(findings[0].message).toContain('called in a loop in Payroll.payAll');
  });

  test('behavior: a helper reached from two entry points gives one finding', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Payroll {
  address payable[] staff;
  function _payAll(uint256 amount) internal {
    for (uint256 i = 0; i < staff.length; i++) staff[i].transfer(amount);
  }
  function payMonthly() external { _payAll(1 ether); }
  function payBonus() external { _payAll(2 ether); }
}`,
      callsInLoop,
    );
    expect(findings).toHaveLength(1);
    expect(findings[0].related.map((r) => r.startLine)).toEqual(expect.arrayContaining([5, 8]));
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
