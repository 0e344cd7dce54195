import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { reentrancyReadOnly } from './reentrancy-read-only.ts';

const pool = (removeBody: string, priceCheck = '') => `pragma solidity ^0.8.0;
contract Pool {
  uint256 public totalSupply;
  mapping(address => uint256) public shares;
  bool locked;
  modifier nonReentrant() { require(!locked); locked = true; _; locked = false; }
  function removeLiquidity(uint256 amount) external nonReentrant {
${removeBody}
  }
  function virtualPrice() external view returns (uint256) {
    ${priceCheck}
    return address(this).balance * 1e18 / totalSupply;
  }
}`;

describe('reentrancy-read-only', () => {
  test('default: ether sent before the supply is burnt (Curve-style price getter)', () => {
    const findings = scanSource(
      pool(`    uint256 value = amount * address(this).balance / totalSupply;
    (bool ok, ) = msg.sender.call{value: value}("");
    require(ok);
    shares[msg.sender] -= amount;
    totalSupply -= amount;`),
      reentrancyReadOnly,
    );
    expect(findingLines(findings)).toEqual([9]);
    expect(findings[0].message).toContain('Pool.virtualPrice');
  });

  test('behavior: 0.5, a share price mixing a value written before the call with one written after', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Vault {
  uint public assets;
  uint public supply;
  function redeem(uint amount) public {
    uint value = amount * assets / supply;
    assets -= value;
    (bool ok, ) = msg.sender.call.value(value)("");
    require(ok);
    supply -= amount;
  }
  function pricePerShare() public view returns (uint) {
    return assets * 1e18 / supply;
  }
}`,
      reentrancyReadOnly,
    );
    expect(findingLines(findings)).toEqual([8]);
  });

  test('fp: all state updated before the call', () => {
    const findings = scanSource(
      pool(`    uint256 value = amount * address(this).balance / totalSupply;
    shares[msg.sender] -= amount;
    totalSupply -= amount;
    (bool ok, ) = msg.sender.call{value: value}("");
    require(ok);`),
      reentrancyReadOnly,
    );
    expect(findings).toEqual([]);
  });

  test('fp: the view reverts while the lock is held', () => {
    const findings = scanSource(
      pool(
        `    uint256 value = amount * address(this).balance / totalSupply;
    (bool ok, ) = msg.sender.call{value: value}("");
    require(ok);
    totalSupply -= amount;`,
        'require(!locked);',
      ),
      reentrancyReadOnly,
    );
    expect(findings).toEqual([]);
  });
});
