import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { erc20ApproveRace } from './erc20-approve-race.ts';

const token = (approveBody: string, version = '^0.5.0') => `pragma solidity ${version};
contract Token {
  mapping(address => uint256) balances;
  mapping(address => mapping(address => uint256)) allowed;
  function approve(address spender, uint256 value) public returns (bool) {
${approveBody}
    return true;
  }
  function transferFrom(address from, address to, uint256 value) public returns (bool) {
    require(value <= allowed[from][msg.sender]);
    allowed[from][msg.sender] -= value;
    balances[from] -= value;
    balances[to] += value;
    return true;
  }
}`;

describe('erc20-approve-race', () => {
  test('default: approve overwrites a non-zero allowance', () => {
    const findings = scanSource(token('    allowed[msg.sender][spender] = value;'), erc20ApproveRace);
    expect(findingLines(findings)).toEqual([6]);
    expect(findings[0].impact).toBe('low');
  });

  test('behavior: the write through an internal _approve is found (0.8)', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Token {
  mapping(address => mapping(address => uint256)) private _allowances;
  function approve(address spender, uint256 value) external returns (bool) {
    _approve(msg.sender, spender, value);
    return true;
  }
  function _approve(address owner, address spender, uint256 value) internal {
    require(spender != address(0));
    _allowances[owner][spender] = value;
  }
  function transferFrom(address from, address to, uint256 value) external returns (bool) {
    _allowances[from][msg.sender] -= value;
    return true;
  }
}`,
      erc20ApproveRace,
    );
    expect(findingLines(findings)).toEqual([10]);
  });

  test('fp: requiring a zero old or new value closes the race', () => {
    const findings = scanSource(
      token('    require(value == 0 || allowed[msg.sender][spender] == 0);\n    allowed[msg.sender][spender] = value;'),
      erc20ApproveRace,
    );
    expect(findings).toEqual([]);
  });

  test('fp: not an ERC-20 without transferFrom', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Registry {
  mapping(address => mapping(address => uint256)) limits;
  function approve(address spender, uint256 value) public { limits[msg.sender][spender] = value; }
}`,
      erc20ApproveRace,
    );
    expect(findings).toEqual([]);
  });
});
