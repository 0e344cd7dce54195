import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { controlledDelegatecall } from './controlled-delegatecall.ts';

const scan = (source: string) => scanSource(source, controlledDelegatecall);

describe('controlled-delegatecall', () => {
  test('default: delegatecall to a parameter', () => {
    const findings = scan(`pragma solidity ^0.5.0;
contract Proxy {
  function forward(address target, bytes memory data) public {
    (bool ok, ) = target.delegatecall(data);
    require(ok);
  }
}`);
    expect(findingLines(findings)).toEqual([4]);
    expect(findings[0].impact).toBe('high');
  });

  test('behavior: 0.4 callcode, an implementation anyone can set, and assembly', () => {
    const findings = scan(`pragma solidity ^0.4.24;
contract Upgradeable {
  address implementation;
  function upgrade(address impl) public { implementation = impl; }
  function run() public { require(implementation.delegatecall(msg.data)); }
  function old(address lib) public { lib.callcode(bytes4(keccak256("f()"))); }
  function raw(address lib) public {
    assembly { let ok := delegatecall(gas, lib, 0, 0, 0, 0) }
  }
}`);
    expect(findingLines(findings)).toEqual([5, 6, 8]);
  });

  test('behavior: fixed target with caller-chosen call data outside the fallback is a lesser finding', () => {
    const findings = scan(`pragma solidity ^0.8.0;
contract Wallet {
  address immutable library_;
  constructor(address l) { library_ = l; }
  function exec(bytes calldata data) external { (bool ok, ) = library_.delegatecall(data); require(ok); }
}`);
    expect(findingLines(findings)).toEqual([5]);
    expect(findings[0].impact).toBe('medium');
  });

  test('fp: proxies, admin upgrades, self-multicall and always-reverting simulation', () => {
    const findings = scan(`pragma solidity ^0.8.0;
library Address {
  function functionDelegateCall(address target, bytes memory data) internal returns (bytes memory) {
    (bool ok, bytes memory out) = target.delegatecall(data);
    require(ok);
    return out;
  }
}
abstract contract Proxy {
  address admin;
  address immutable impl;
  constructor(address i) { impl = i; admin = msg.sender; }
  fallback() external payable { (bool ok, ) = impl.delegatecall(msg.data); require(ok); }
  function upgradeAndCall(address target, bytes memory data) external {
    require(msg.sender == admin);
    (bool ok, ) = target.delegatecall(data);
    require(ok);
  }
  function multicall2(bytes[] calldata calls) external {
    for (uint i = 0; i < calls.length; i++) Address.functionDelegateCall(address(this), calls[i]);
  }
  function multicall(bytes[] calldata calls) external {
    for (uint i = 0; i < calls.length; i++) { (bool ok, ) = address(this).delegatecall(calls[i]); require(ok); }
  }
  function _authorizeUpgrade(address) internal virtual;
  function upgradeToAndCall(address target, bytes memory data) external {
    _authorizeUpgrade(target);
    (bool ok, ) = target.delegatecall(data);
    require(ok);
  }
  function simulate(address target, bytes memory data) external {
    assembly {
      let ok := delegatecall(gas(), target, add(data, 0x20), mload(data), 0, 0)
      revert(0, 0)
    }
  }
}`);
    expect(findings).toEqual([]);
  });
});
