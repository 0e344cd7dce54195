import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { reentrancyEth } from './reentrancy-eth.ts';

describe('reentrancy-eth', () => {
  test('default: call with value before the balance update', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Bank {
  mapping(address => uint) balances;
  function withdraw(uint amount) public {
    require(balances[msg.sender] >= amount);
    (bool ok, ) = msg.sender.call.value(amount)("");
    require(ok);
    balances[msg.sender] -= amount;
  }
}`,
      reentrancyEth,
    );
    expect(findingLines(findings)).toEqual([6]);
    expect(findings[0].related.map((r) => r.startLine)).toContain(8);
  });

  test('behavior: state updated first is clean', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Bank {
  mapping(address => uint) balances;
  function withdraw(uint amount) public {
    balances[msg.sender] -= amount;
    (bool ok, ) = msg.sender.call{value: amount}("");
    require(ok);
  }
}`,
      reentrancyEth,
    );
    expect(findings).toEqual([]);
  });

  test('behavior: a nonReentrant-style guard silences it', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Bank {
  mapping(address => uint) balances;
  bool locked;
  modifier guard() { require(!locked); locked = true; _; locked = false; }
  function withdraw(uint amount) public guard {
    (bool ok, ) = msg.sender.call{value: amount}("");
    require(ok);
    balances[msg.sender] -= amount;
  }
}`,
      reentrancyEth,
    );
    expect(findings).toEqual([]);
  });
});
