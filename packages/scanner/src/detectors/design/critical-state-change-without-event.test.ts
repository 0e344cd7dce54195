import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { criticalStateChangeWithoutEvent } from './critical-state-change-without-event.ts';

describe('critical-state-change-without-event', () => {
  test('default: owner changes the fee and the owner silently', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Exchange {
  address public owner;
  uint256 public feeBps;
  mapping(address => uint256) public balances;
  event FeeChanged(uint256 feeBps);
  constructor() { owner = msg.sender; }
  modifier onlyOwner() { require(msg.sender == owner); _; }
  function setOwner(address next) external onlyOwner {
    owner = next;
  }
  function setFee(uint256 f) external onlyOwner {
    feeBps = f;
  }
  function setFeeLogged(uint256 f) external onlyOwner { feeBps = f; emit FeeChanged(f); }
  function withdraw(uint256 amount) external {
    uint256 fee = amount * feeBps / 10000;
    balances[msg.sender] -= amount;
    payable(msg.sender).transfer(amount - fee);
  }
}`,
      criticalStateChangeWithoutEvent,
    );
    expect(findingLines(findings)).toEqual([10, 13]);
    expect(findings[1].message).toContain('feeBps');
  });

  test('behavior: 0.4 event call style counts as an event; the pause switch without one is reported', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.24;
contract Token {
  address owner;
  bool paused;
  mapping(address => uint) balances;
  event OwnerChanged(address next);
  function Token() public { owner = msg.sender; }
  function setOwner(address next) public { require(msg.sender == owner); owner = next; OwnerChanged(next); }
  function pause(bool p) public { require(msg.sender == owner); paused = p; }
  function transfer(address to, uint v) public {
    require(!paused);
    balances[msg.sender] -= v;
    balances[to] += v;
  }
}`,
      criticalStateChangeWithoutEvent,
    );
    expect(findingLines(findings)).toEqual([9]);
    expect(findings[0].message).toContain('switch');
  });

  test('behavior: role grants through an allow-list are critical', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Minter {
  mapping(address => bool) public minters;
  mapping(address => uint256) public balanceOf;
  constructor() { minters[msg.sender] = true; }
  function addMinter(address m) external { require(minters[msg.sender]); minters[m] = true; }
  function mint(address to, uint256 v) external { require(minters[msg.sender], "minter"); balanceOf[to] += v; }
}`,
      criticalStateChangeWithoutEvent,
    );
    expect(findingLines(findings)).toEqual([6]);
  });

  test('fp: constructors, settings that do not matter and calls only another contract may make are not reported', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
interface IConfigurator {}
contract Pool {
  address public owner;
  string public label;
  IConfigurator public immutable configurator;
  mapping(address => uint256) public caps;
  constructor(IConfigurator c) { owner = msg.sender; configurator = c; }
  function setLabel(string calldata l) external { require(msg.sender == owner); label = l; }
  function setCap(address a, uint256 c) external { require(msg.sender == address(configurator)); caps[a] = c; }
  function deposit(address a, uint256 v) external payable { require(v <= caps[a]); }
}`,
      criticalStateChangeWithoutEvent,
    );
    expect(findings).toEqual([]);
  });
});
