import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { missingZeroCheck } from './missing-zero-check.ts';

const scan = (source: string) => scanSource(source, missingZeroCheck);

describe('missing-zero-check', () => {
  test('default: owner set from a parameter without a check', () => {
    const findings = scan(`pragma solidity ^0.8.0;
contract Owned {
  address owner;
  function transferOwnership(address newOwner) external {
    require(msg.sender == owner);
    owner = newOwner;
  }
}`);
    expect(findingLines(findings)).toEqual([6]);
    expect(findings[0].impact).toBe('low');
  });

  test('behavior: ether sent to a parameter (0.4), constructor and internal helper', () => {
    const findings = scan(`pragma solidity ^0.4.24;
contract Pay {
  address treasury;
  function Pay(address t) public { treasury = t; }
  function _set(address t) internal { treasury = t; }
  function setTreasury(address t) public { _set(t); }
  function pay(address to) public { to.transfer(1 ether); }
}`);
    expect(findingLines(findings)).toEqual([4, 6, 7]);
  });

  test('fp: checked parameters (require, if-revert, assembly) and non-address uses', () => {
    const findings = scan(`pragma solidity ^0.8.0;
contract C {
  address owner;
  mapping(address => uint) balances;
  error Zero();
  function a(address o) external { require(o != address(0)); owner = o; }
  function b(address o) external { if (o == address(0)) revert Zero(); owner = o; }
  function c(address o) external { assembly { if iszero(o) { revert(0, 0) } } owner = o; }
  function d(address who) external { balances[who] = 1; }
  function e(address o) external { _check(o); owner = o; }
  function _check(address o) internal pure { require(o != address(0)); }
}`);
    expect(findings).toEqual([]);
  });
});
