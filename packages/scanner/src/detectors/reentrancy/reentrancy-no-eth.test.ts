import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { reentrancyNoEth } from './reentrancy-no-eth.ts';

describe('reentrancy-no-eth', () => {
  test('default: caller-chosen hook called before the claim is recorded', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
interface IHook { function onClaim(address user, uint256 amount) external; }
contract Airdrop {
  mapping(address => bool) public claimed;
  mapping(address => uint256) public credit;
  function claim(IHook hook) external {
    require(!claimed[msg.sender]);
    credit[msg.sender] += 100;
    hook.onClaim(msg.sender, 100);
    claimed[msg.sender] = true;
  }
}`,
      reentrancyNoEth,
    );
    expect(findingLines(findings)).toEqual([9]);
    expect(findings[0].message).toContain('claimed');
  });

  test('behavior: 0.5 low-level call without value to msg.sender', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Notify {
  mapping(address => uint) pending;
  function settle() public {
    require(pending[msg.sender] > 0);
    (bool ok, ) = msg.sender.call(abi.encodeWithSignature("settled()"));
    require(ok);
    pending[msg.sender] = 0;
  }
}`,
      reentrancyNoEth,
    );
    expect(findingLines(findings)).toEqual([6]);
  });

  test('behavior: a flash mint re-checked after the callback is clean in 0.8, low in 0.5', () => {
    const source = (version: string, uint: string) => `pragma solidity ^${version};
interface IBorrower { function onFlashLoan(${uint} amount) external; }
contract Flash {
  ${uint} public totalSupply;
  mapping(address => ${uint}) public balanceOf;
  function flashLoan(IBorrower receiver, ${uint} amount) external {
    require(amount <= 1e30 - totalSupply);
    totalSupply += amount;
    balanceOf[address(receiver)] += amount;
    receiver.onFlashLoan(amount);
    ${uint} b = balanceOf[address(receiver)];
    if (b < amount) revert();
    balanceOf[address(receiver)] = b - amount;
    totalSupply -= amount;
  }
}`;
    expect(scanSource(source('0.8.0', 'uint256'), reentrancyNoEth)).toEqual([]);
    const old = scanSource(source('0.5.0', 'uint'), reentrancyNoEth);
    expect(findingLines(old)).toEqual([10]);
    expect(old[0].impact).toBe('low');
    expect(old[0].message).toContain('totalSupply');
  });

  test('fp: the callee was fixed by the deployer', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
interface IOracle { function poke() external; }
contract Feed {
  IOracle immutable oracle;
  uint256 public rounds;
  constructor(IOracle o) { oracle = o; }
  function update() external {
    require(rounds < 100);
    oracle.poke();
    rounds += 1;
  }
}`,
      reentrancyNoEth,
    );
    expect(findings).toEqual([]);
  });

  test('fp: a view function is called with STATICCALL and cannot re-enter', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
interface IPrice { function price() external view returns (uint256); }
contract Shop {
  mapping(address => uint256) public bought;
  function buy(IPrice feed) external {
    require(bought[msg.sender] == 0);
    uint256 p = feed.price();
    bought[msg.sender] = p;
  }
}`,
      reentrancyNoEth,
    );
    expect(findings).toEqual([]);
  });
  test('behavior: a view call is a plain CALL where 0.4 may compile the file (STATICCALL only from 0.5)', () => {
    const source = (pragma: string) => `pragma solidity ${pragma};
interface Registry { function lookup(address a) external view returns (uint); }
contract Points {
  mapping(address => uint) points;
  function redeem(Registry registry) public {
    require(points[msg.sender] > 0);
    uint rate = registry.lookup(msg.sender);
    points[msg.sender] = rate;
  }
}`;
    expect(findingLines(scanSource(source('^0.4.24'), reentrancyNoEth))).toEqual([7]);
    expect(scanSource(source('^0.5.0'), reentrancyNoEth)).toEqual([]);
  });
});
