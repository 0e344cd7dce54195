import { type Node, qualifiedName } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import { sourceText } from './sourceText.ts';
import { analyseSource, functionNamed } from './testing.ts';
import { implementationVariables, upgradePower, upgradeWrites } from './upgrades.ts';

const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
  library StorageSlot { struct AddressSlot { address value; } function getAddressSlot(bytes32 s) internal pure returns (AddressSlot storage r) { assembly { r.slot := s } } }
  interface IProxy { function upgradeTo(address impl) external; }
  contract SlotProxy {
    bytes32 internal constant IMPLEMENTATION_SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
    bytes32 internal constant NAMED_SLOT = keccak256("eip1967.proxy.implementation");
    bytes32 internal constant OTHER_SLOT = keccak256("my.other.slot");
    address admin;
    function upgradeTo(address impl) external { require(msg.sender == admin); _setImplementation(impl); }
    function _setImplementation(address impl) internal { bytes32 slot = IMPLEMENTATION_SLOT; assembly { sstore(slot, impl) } }
    function upgradeNamed(address impl) external { StorageSlot.getAddressSlot(NAMED_SLOT).value = impl; }
    function setOther(address v) external { bytes32 slot = OTHER_SLOT; assembly { sstore(slot, v) } }
    fallback() external payable {
      assembly { let impl := sload(IMPLEMENTATION_SLOT) let ok := delegatecall(gas(), impl, 0, calldatasize(), 0, 0) }
    }
  }
  contract VarProxy {
    address target;
    address owner;
    function setTarget(address t) external { require(msg.sender == owner); target = t; }
    function setOwner(address o) external { owner = o; }
    fallback() external payable { (bool ok, ) = _impl().delegatecall(msg.data); ok; }
    function _impl() internal view returns (address) { return target; }
  }
  contract AsmVarProxy {
    address logic;
    function set(address l) external { logic = l; }
    fallback() external payable { address l = logic; assembly { let ok := delegatecall(gas(), l, 0, 0, 0, 0) } }
  }
  contract Beacon {
    address impl;
    function implementation() external view returns (address) { return impl; }
    function upgrade(address i) external { impl = i; }
  }
  contract Admin {
    IProxy proxy;
    function upgradeProxy(address impl) external { proxy.upgradeTo(impl); }
    function nothing() external { }
  }`);
const fn = (contract: string, name: string) => functionNamed(program, contract, name);
const names = (contract: string) =>
  [...implementationVariables(analysis, program.contract(contract)!)].map((v) => v.name);

describe('implementationVariables', () => {
  test('delegatecall targets (direct, through a getter, through an assembly local) and beacon implementations', () => {
    expect(names('VarProxy')).toEqual(['target']);
    expect(names('Beacon')).toEqual(['impl']);
    expect(names('SlotProxy')).toEqual([]); // a slot, not a variable
    expect(names('Admin')).toEqual([]);
  });
  test('an assembly delegatecall through a Solidity local set from state', () => {
    expect(names('AsmVarProxy')).toEqual(['logic']);
  });
});

describe('upgradeWrites', () => {
  const writes = (contract: string, name: string) => {
    const f = fn(contract, name);
    return upgradeWrites(analysis, f, implementationVariables(analysis, program.contract(contract)!)).map((n: Node) =>
      sourceText(f, n),
    );
  };
  test('EIP-1967 slot stores (hash literal or its preimage), StorageSlot writes, implementation variables', () => {
    expect(writes('SlotProxy', '_setImplementation')).toEqual(['sstore(slot, impl)']);
    expect(writes('SlotProxy', 'upgradeNamed')).toEqual(['StorageSlot.getAddressSlot(NAMED_SLOT).value = impl']);
    expect(writes('VarProxy', 'setTarget')).toEqual(['target = t']);
    expect(writes('Beacon', 'upgrade')).toEqual(['impl = i']);
  });
  test('other slots and other variables are no upgrade', () => {
    expect(writes('SlotProxy', 'setOther')).toEqual([]);
    expect(writes('VarProxy', 'setOwner')).toEqual([]);
    expect(writes('SlotProxy', 'upgradeTo')).toEqual([]); // the write sits in a callee
  });
});

describe('upgradePower', () => {
  const power = (contract: string, name: string) => {
    const entry = fn(contract, name);
    const result = upgradePower(
      analysis,
      entry,
      implementationVariables(analysis, program.contract(contract)!),
      program.contract(contract),
    );
    return result && [sourceText(result.fn, result.node), qualifiedName(result.fn), result.external];
  };
  test('its own write (reported at the call in the entry), or a call to a proxy upgradeTo', () => {
    expect(power('SlotProxy', 'upgradeTo')).toEqual(['_setImplementation(impl)', 'SlotProxy.upgradeTo', false]);
    expect(power('VarProxy', 'setTarget')).toEqual(['target = t', 'VarProxy.setTarget', false]);
    expect(power('Admin', 'upgradeProxy')).toEqual(['proxy.upgradeTo(impl)', 'Admin.upgradeProxy', true]);
    expect(power('Admin', 'nothing')).toBeUndefined();
    expect(power('VarProxy', 'setOwner')).toBeUndefined();
  });
});
