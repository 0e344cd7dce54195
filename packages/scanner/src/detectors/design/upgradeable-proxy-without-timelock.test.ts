import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { upgradeableProxyWithoutTimelock } from './upgradeable-proxy-without-timelock.ts';

describe('upgradeable-proxy-without-timelock', () => {
  test('default: a proxy whose admin swaps the implementation at once', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Proxy {
  address public implementation;
  address public admin;
  constructor(address impl) { implementation = impl; admin = msg.sender; }
  function upgradeTo(address next) external {
    require(msg.sender == admin, "admin");
    implementation = next;
  }
  fallback() external payable {
    (bool ok, ) = implementation.delegatecall(msg.data);
    require(ok);
  }
}`,
      upgradeableProxyWithoutTimelock,
    );
    expect(findingLines(findings)).toEqual([8]);
    expect(findings[0].message).toContain('`admin`');
    expect(findings[0].confidence).toBe('medium');
    // Who holds the admin is a deployment fact (the governance gate checks it on chain).
    expect(findings[0].impact).toBe('low');
  });

  test('behavior: 0.5 EIP-1967 proxy with the admin in a slot (assembly)', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Proxy {
  bytes32 internal constant IMPLEMENTATION_SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
  bytes32 internal constant ADMIN_SLOT = 0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103;
  function _admin() internal view returns (address adm) { bytes32 slot = ADMIN_SLOT; assembly { adm := sload(slot) } }
  function _implementation() internal view returns (address impl) { bytes32 slot = IMPLEMENTATION_SLOT; assembly { impl := sload(slot) } }
  modifier ifAdmin() { if (msg.sender == _admin()) { _; } else { _fallback(); } }
  function upgradeTo(address next) external ifAdmin {
    bytes32 slot = IMPLEMENTATION_SLOT;
    assembly { sstore(slot, next) }
  }
  function _fallback() internal {
    address impl = _implementation();
    assembly {
      calldatacopy(0, 0, calldatasize())
      let result := delegatecall(gas(), impl, 0, calldatasize(), 0, 0)
      returndatacopy(0, 0, returndatasize())
      switch result case 0 { revert(0, returndatasize()) } default { return(0, returndatasize()) }
    }
  }
  function () external payable { _fallback(); }
}`,
      upgradeableProxyWithoutTimelock,
    );
    expect(findingLines(findings)).toEqual([10]);
    expect(findings[0].confidence).toBe('low');
  });

  test('behavior: a UUPS implementation upgraded by its owner through StorageSlot', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.20;
library StorageSlot {
  struct AddressSlot { address value; }
  function getAddressSlot(bytes32 slot) internal pure returns (AddressSlot storage r) { assembly { r.slot := slot } }
}
contract Logic {
  bytes32 internal constant IMPLEMENTATION_SLOT = bytes32(uint256(keccak256("eip1967.proxy.implementation")) - 1);
  address public owner;
  uint256 public value;
  function initialize() external { require(owner == address(0)); owner = msg.sender; }
  function upgradeToAndCall(address next, bytes calldata data) external {
    require(msg.sender == owner, "owner");
    StorageSlot.getAddressSlot(IMPLEMENTATION_SLOT).value = next;
    if (data.length > 0) { (bool ok, ) = next.delegatecall(data); require(ok); }
  }
  function set(uint256 v) external { value = v; }
}`,
      upgradeableProxyWithoutTimelock,
    );
    expect(findingLines(findings)).toEqual([13]);
  });

  test('behavior: an abstract UUPS base authorised by the derived contract (virtual dispatch)', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.20;
abstract contract UUPS {
  bytes32 internal constant SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
  function _authorizeUpgrade(address next) internal virtual;
  function upgradeTo(address next) external {
    _authorizeUpgrade(next);
    assembly { sstore(SLOT, next) }
  }
}
contract Token is UUPS {
  address public owner;
  mapping(address => uint256) public balanceOf;
  constructor() { owner = msg.sender; }
  function _authorizeUpgrade(address) internal view override { require(msg.sender == owner, "owner"); }
}`,
      upgradeableProxyWithoutTimelock,
    );
    expect(findingLines(findings)).toEqual([7]);
    expect(findings[0].message).toContain('Token.upgradeTo');
  });

  test('behavior: a timelocked proxy is clean', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract TimelockedProxy {
  address public implementation;
  address public admin;
  address public pending;
  uint256 public eta;
  constructor(address impl) { implementation = impl; admin = msg.sender; }
  function propose(address next) external { require(msg.sender == admin); pending = next; eta = block.timestamp + 2 days; }
  function upgrade() external {
    require(msg.sender == admin);
    require(eta != 0 && block.timestamp >= eta, "too early");
    implementation = pending;
    eta = 0;
  }
  fallback() external payable { (bool ok, ) = implementation.delegatecall(msg.data); require(ok); }
}`,
      upgradeableProxyWithoutTimelock,
    );
    expect(findings).toEqual([]);
  });

  test('fp: an admin that is a contract the proxy created is judged where its own owner is', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract ProxyAdmin {
  address public owner;
  constructor(address o) { owner = o; }
}
contract TransparentProxy {
  address public implementation;
  address private immutable admin;
  constructor(address impl, address owner) { implementation = impl; admin = address(new ProxyAdmin(owner)); }
  function upgradeTo(address next) external { require(msg.sender == admin); implementation = next; }
  fallback() external payable { (bool ok, ) = implementation.delegatecall(msg.data); require(ok); }
}`,
      upgradeableProxyWithoutTimelock,
    );
    expect(findings).toEqual([]);
  });
});
