import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { uncheckedArithmetic } from './unchecked-arithmetic.ts';

describe('unchecked-arithmetic', () => {
  test('default: caller-controlled subtraction in an unchecked block', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Vault {
  mapping(address => uint256) balances;
  function withdraw(uint256 amount) external {
    unchecked {
      balances[msg.sender] -= amount;
    }
    payable(msg.sender).transfer(amount);
  }
}`,
      uncheckedArithmetic,
    );
    expect(findingLines(findings)).toEqual([6]);
  });

  test('fp: a check before the block, loop increments and checked code are fine', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.4;
contract Vault {
  error Insufficient();
  mapping(address => uint256) balances;
  uint256[] items;
  function withdraw(uint256 amount) external {
    uint256 balance = balances[msg.sender];
    if (balance < amount) revert Insufficient();
    unchecked {
      balances[msg.sender] = balance - amount;
    }
    for (uint256 i = 0; i < items.length; ) {
      unchecked { ++i; }
    }
    balances[msg.sender] += amount;
  }
}`,
      uncheckedArithmetic,
    );
    expect(findings).toEqual([]);
  });

  test('fp: state-only arithmetic in unchecked blocks is deliberate', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Counter {
  uint32 last;
  function poke() external {
    unchecked { uint32 elapsed = uint32(block.timestamp) - last; last = elapsed; }
  }
}`,
      uncheckedArithmetic,
    );
    expect(findings).toEqual([]);
  });
  test('fp: an unchecked credit of an amount that a checked debit or supply change bounds (solmate ERC20)', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Token {
  uint256 public totalSupply;
  mapping(address => uint256) public balanceOf;
  mapping(address => uint256) public points;
  function transfer(address to, uint256 amount) public {
    balanceOf[msg.sender] -= amount;
    unchecked { balanceOf[to] += amount; }
  }
  function mint(address to, uint256 amount) public {
    totalSupply += amount;
    unchecked { balanceOf[to] += amount; }
  }
  function burn(uint256 amount) public {
    balanceOf[msg.sender] -= amount;
    unchecked { totalSupply -= amount; }
  }
  function award(address to, uint256 amount) public {
    unchecked { points[to] += amount; }
  }
}`,
      uncheckedArithmetic,
    );
    // The credit no checked operation bounds is kept.
    expect(findingLines(findings)).toEqual([19]);
  });
});
