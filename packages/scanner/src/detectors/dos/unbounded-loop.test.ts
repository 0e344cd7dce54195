import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { unboundedLoop } from './unbounded-loop.ts';

describe('unbounded-loop', () => {
  test('default: anyone can join, the payout loops over everyone (0.8)', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Raffle {
  address payable[] public players;
  mapping(address => uint256) public paid;
  function join() external payable { players.push(payable(msg.sender)); }
  function settle(uint256 share) external {
    for (uint256 i = 0; i < players.length; i++) {
      paid[players[i]] += share;
    }
  }
}`,
      unboundedLoop,
    );
    expect(findingLines(findings)).toEqual([7]);
    expect(findings[0].message).toContain('Raffle.join');
  });

  test('behavior: bound copied into a local, and a counter anyone can raise (0.5)', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Registry {
  uint[] entries;
  uint public count;
  mapping(uint => uint) scores;
  function add(uint v) public { entries.push(v); count++; }
  function rescore() public {
    uint n = entries.length;
    for (uint i = 0; i < n; i++) scores[i] = entries[i] * 2;
  }
  function reset() public {
    uint i = 0;
    while (i < count) { delete scores[i]; i++; }
  }
}`,
      unboundedLoop,
    );
    expect(findingLines(findings)).toEqual([9, 13]);
  });

  test('fp: only the owner can grow the list, and a loop that only reads', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Admin {
  address owner;
  address[] admins;
  uint256[] values;
  uint256 public total;
  function addAdmin(address a) external { require(msg.sender == owner); admins.push(a); }
  function add(uint256 v) external { values.push(v); }
  function touchAdmins() external { for (uint256 i = 0; i < admins.length; i++) total += 1; }
  function sum() external returns (uint256 s) { for (uint256 i = 0; i < values.length; i++) s += values[i]; }
}`,
      unboundedLoop,
    );
    expect(findings).toEqual([]);
  });
  test('behavior: growth by length += 1, a bound passed to an internal function, a linked list (0.4)', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.24;
contract Payroll {
  address[] payees;
  mapping(uint => uint) next;
  mapping(uint => uint) amount;
  mapping(address => uint) owed;
  uint head;
  function join() public { payees.length += 1; payees[payees.length - 1] = msg.sender; }
  function enqueue(uint id, uint v) public { next[id] = head; head = id; amount[id] = v; }
  function payAll() public { _pay(payees.length); }
  function _pay(uint n) internal { for (uint i = 0; i < n; i++) owed[payees[i]] += 1; }
  function settle() public { uint cur = head; while (cur != 0) { owed[msg.sender] += amount[cur]; cur = next[cur]; } }
  function batch(uint n) public { for (uint i = 0; i < n; i++) owed[payees[i]] += 1; }
}`,
      unboundedLoop,
    );
    // batch(n): the caller picks n and pays for it, so it is not reported.
    expect(findingLines(findings)).toEqual([11, 12]);
    expect(findings[0].message).toContain('payees');
    expect(findings[1].message).toContain('linked list in next');
  });
});
