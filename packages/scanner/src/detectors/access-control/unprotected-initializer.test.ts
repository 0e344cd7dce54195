import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { unprotectedInitializer } from './unprotected-initializer.ts';

const scan = (source: string) => scanSource(source, unprotectedInitializer);

describe('unprotected-initializer', () => {
  test('default: an initialiser anyone can call again', () => {
    const findings = scan(`pragma solidity ^0.8.0;
contract Wallet {
  address owner;
  function initWallet(address _owner) external {
    owner = _owner;
  }
  function withdraw() external {
    require(msg.sender == owner);
    payable(owner).transfer(address(this).balance);
  }
}`);
    // On the function header; the assignment and the check it defeats are related locations.
    expect(findingLines(findings)).toEqual([4]);
    expect(findings[0].related.map((r) => r.startLine)).toEqual(expect.arrayContaining([5, 8]));
  });

  test('behavior: 0.5 function that was meant as the constructor, owner from msg.sender, via a helper', () => {
    const findings = scan(`pragma solidity ^0.5.0;
contract Owned {
  address public owner;
  modifier onlyOwner() { require(msg.sender == owner); _; }
  function _setOwner(address o) internal { owner = o; }
  function owned() public { _setOwner(msg.sender); }
  function kill() public onlyOwner { selfdestruct(msg.sender); }
}`);
    expect(findingLines(findings)).toEqual([6]);
  });

  test('behavior: the check that makes the variable an authority lives in a derived contract', () => {
    const findings = scan(`pragma solidity ^0.6.0;
contract Base {
  address admin;
  function setup(address a) public { admin = a; }
}
contract Vault is Base {
  function sweep() external { require(msg.sender == admin); msg.sender.transfer(address(this).balance); }
}`);
    expect(findingLines(findings)).toEqual([4]);
  });

  test('behavior: a reentrancy lock is no once-only guard', () => {
    const findings = scan(`pragma solidity ^0.8.0;
contract Locked {
  address owner;
  bool locked;
  modifier nonReentrant() { require(!locked); locked = true; _; locked = false; }
  function setOwner(address o) external nonReentrant { owner = o; }
  function act() external view { require(msg.sender == owner); }
}`);
    expect(findingLines(findings)).toEqual([6]);
  });

  test('behavior: a setter that lost its modifier (0.4)', () => {
    const findings = scan(`pragma solidity ^0.4.24;
contract Admin {
  address admin;
  function isAdmin() internal view returns (bool) { return msg.sender == admin; }
  function setAdmin(address a) public { admin = a; }
  function act() public { require(msg.sender == admin); }
}`);
    expect(findingLines(findings)).toEqual([5]);
  });

  test('fp: once-only guards (flag, zero check, OpenZeppelin 5 storage struct) and protected setters', () => {
    const findings = scan(`pragma solidity ^0.8.0;
contract Guarded {
  address owner;
  bool initialized;
  struct InitStorage { uint64 _initialized; bool _initializing; }
  function _store() private pure returns (InitStorage storage $) { assembly { $.slot := 0x1234 } }
  modifier initializer() {
    InitStorage storage $ = _store();
    bool top = !$._initializing;
    uint64 done = $._initialized;
    if (!(done == 0 && top)) revert();
    $._initialized = 1;
    if (top) $._initializing = true;
    _;
    if (top) $._initializing = false;
  }
  bool done;
  modifier once() { require(!done); _; done = true; }
  function init(address o) external { require(!initialized); initialized = true; owner = o; }
  function init4(address o) external once { owner = o; }
  function init2(address o) external { require(owner == address(0)); owner = o; }
  function init3(address o) external initializer { owner = o; }
  function transferOwnership(address o) external { require(msg.sender == owner); owner = o; }
  function act() external { require(msg.sender == owner); }
}`);
    expect(findings).toEqual([]);
  });

  test('fp: open roles by design (keyed membership, paying to become king)', () => {
    const findings = scan(`pragma solidity ^0.8.0;
contract Open {
  mapping(address => bool) members;
  address king;
  uint price;
  function join() external { members[msg.sender] = true; }
  function onlyMembers() external view { require(members[msg.sender]); }
  function becomeKing() external payable { require(msg.value > price); price = msg.value; king = msg.sender; }
  function rule() external view { require(msg.sender == king); }
}`);
    expect(findings).toEqual([]);
  });
});
