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
    // batch(n): the caller picks n; reported low (a batch too large never completes) below the storage-bound ones.
    expect(findingLines(findings)).toEqual([11, 12, 13]);
    expect(findings[0].message).toContain('payees');
    expect(findings[1].message).toContain('linked list in next');
    expect(findings[2]).toMatchObject({ impact: 'low', confidence: 'low' });
    expect(findings[2].message).toContain('parameter n');
  });

  test('behavior: a loop bounded by an array parameter; a cap or a guard keeps it quiet', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Airdrop {
  address owner;
  uint256 public maxBatch = 100;
  mapping(address => uint256) public balances;
  function send(address[] calldata to, uint256 v) external {
    for (uint256 i = 0; i < to.length; i++) balances[to[i]] += v;
  }
  function sendCapped(address[] calldata to, uint256 v) external {
    require(to.length <= maxBatch, "batch");
    for (uint256 i = 0; i < to.length; i++) balances[to[i]] += v;
  }
  function sendPair(address[] calldata to, uint256[] calldata v) external {
    require(to.length == v.length && to.length > 0);
    for (uint256 i = 0; i < to.length; i++) balances[to[i]] += v[i];
  }
  function adminSend(address[] calldata to, uint256 v) external {
    require(msg.sender == owner);
    for (uint256 i = 0; i < to.length; i++) balances[to[i]] += v;
  }
  function local() external {
    uint256[] memory fixedSize = new uint256[](3);
    for (uint256 i = 0; i < fixedSize.length; i++) balances[msg.sender] += fixedSize[i];
  }
}`,
      unboundedLoop,
    );
    expect(findingLines(findings)).toEqual([7, 15]);
    expect(findings.every((f) => f.impact === 'low')).toBe(true);
  });

  test('behavior: a fixed-count loop pushing to a storage array that is later cleared', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.24;
contract Queue {
  address[] entries;
  uint[] scores;
  function enter() public {
    for (uint i = 0; i < 350; i++) entries.push(msg.sender);
  }
  function fill(uint n) public {
    for (uint i = 0; i < n; i++) { scores.length += 1; scores[scores.length - 1] = i; }
  }
  function clear() public { entries = new address[](0); }
}`,
      unboundedLoop,
    );
    expect(findingLines(findings)).toEqual([6, 9]);
    expect(findings[0]).toMatchObject({ impact: 'medium' });
    expect(findings[0].message).toContain('Queue.clear, which clears it');
    expect(findings[0].related.map((r) => r.startLine)).toContain(6);
    // Nothing walks or clears scores: the growth alone is reported low.
    expect(findings[1]).toMatchObject({ impact: 'low' });
  });

  test('behavior: a linked list walked through a node struct field', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Orders {
  struct Order { uint256 amount; uint256 next; }
  mapping(uint256 => Order) orders;
  mapping(address => uint256) filled;
  uint256 head;
  function place(uint256 id, uint256 amount) external { orders[id] = Order(amount, head); head = id; }
  function match_() external {
    uint256 cur = head;
    while (cur != 0) { filled[msg.sender] += orders[cur].amount; cur = orders[cur].next; }
  }
}`,
      unboundedLoop,
    );
    expect(findingLines(findings)).toEqual([10]);
    expect(findings[0].message).toContain('linked list in orders');
  });

  test('fp: a growth loop only an admin can run', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Seed {
  address owner;
  uint256[] slots;
  function seed() external {
    require(msg.sender == owner);
    for (uint256 i = 0; i < 10; i++) slots.push(i);
  }
  function walk() external { for (uint256 i = 0; i < slots.length; i++) slots[i] += 1; }
}`,
      unboundedLoop,
    );
    expect(findings).toEqual([]);
  });

  test('behavior: a walk along a sorted linked list to find a place, reading storage only', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Book {
  mapping(uint256 => uint256) nextOf;
  mapping(uint256 => uint256) price;
  function insert(uint256 id, uint256 p) external {
    uint256 cur = 0;
    while (nextOf[cur] != 0 && price[nextOf[cur]] < p) cur = nextOf[cur];
    price[id] = p;
    nextOf[id] = nextOf[cur];
    nextOf[cur] = id;
  }
}`,
      unboundedLoop,
    );
    expect(findingLines(findings)).toEqual([7]);
    expect(findings[0].message).toContain('a storage read per step');
  });
});
