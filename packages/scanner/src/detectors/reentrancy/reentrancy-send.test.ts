import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { reentrancySend } from './reentrancy-send.ts';

describe('reentrancy-send', () => {
  test('default: transfer before the reward is cleared', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Rewards {
  mapping(address => uint) redeemable;
  function claim() public {
    require(redeemable[msg.sender] > 0);
    uint value = redeemable[msg.sender];
    msg.sender.transfer(value);
    redeemable[msg.sender] = 0;
  }
}`,
      reentrancySend,
    );
    expect(findingLines(findings)).toEqual([7]);
    expect(findings[0].impact).toBe('low');
  });

  test('behavior: require(send) in 0.4, and a send guarded by if/revert', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.24;
contract Lottery {
  address lastPlayer;
  uint jackpot;
  mapping(address => uint) balances;
  function withdraw(uint amount) public {
    require(balances[msg.sender] >= amount);
    require(msg.sender.send(amount));
    balances[msg.sender] -= amount;
  }
  function buyTicket() public {
    if (!(lastPlayer.send(jackpot))) revert();
    lastPlayer = msg.sender;
    jackpot = address(this).balance;
  }
}`,
      reentrancySend,
    );
    expect(findingLines(findings)).toEqual([8, 12]);
  });

  test('fp: state cleared before paying', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Rewards {
  mapping(address => uint) redeemable;
  function claim() external {
    uint value = redeemable[msg.sender];
    redeemable[msg.sender] = 0;
    payable(msg.sender).transfer(value);
  }
}`,
      reentrancySend,
    );
    expect(findings).toEqual([]);
  });
});
