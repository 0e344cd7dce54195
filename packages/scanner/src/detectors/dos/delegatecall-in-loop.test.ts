import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { delegatecallInLoop } from './delegatecall-in-loop.ts';

const deposit = `  mapping(address => uint256) public credit;
  function deposit() external payable { credit[msg.sender] += msg.value; }`;

describe('delegatecall-in-loop', () => {
  test('default: payable multicall over a payable deposit (0.8)', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Router {
${deposit}
  function multicall(bytes[] calldata calls) external payable {
    for (uint256 i = 0; i < calls.length; i++) {
      (bool ok, ) = address(this).delegatecall(calls[i]);
      require(ok);
    }
  }
}`,
      delegatecallInLoop,
    );
    expect(findingLines(findings)).toEqual([7]);
    expect(findings[0].message).toContain('Router.deposit');
  });

  test('behavior: 0.5 multicall through an internal helper', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Router {
  mapping(address => uint) public credit;
  function deposit() public payable { credit[msg.sender] += msg.value; }
  function _run(bytes memory data) internal { (bool ok, ) = address(this).delegatecall(data); require(ok); }
  function multicall(bytes[] memory calls) public payable {
    for (uint i = 0; i < calls.length; i++) _run(calls[i]);
  }
}`,
      delegatecallInLoop,
    );
    expect(findingLines(findings)).toEqual([5]);
  });

  test('fp: a non-payable multicall, or no function that reads msg.value', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract A {
${deposit}
  function multicall(bytes[] calldata calls) external {
    for (uint256 i = 0; i < calls.length; i++) { (bool ok, ) = address(this).delegatecall(calls[i]); require(ok); }
  }
}
contract B {
  function multicall(bytes[] calldata calls) external payable {
    for (uint256 i = 0; i < calls.length; i++) { (bool ok, ) = address(this).delegatecall(calls[i]); require(ok); }
  }
}`,
      delegatecallInLoop,
    );
    expect(findings).toEqual([]);
  });
});
