import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { transactionOrderDependence } from './transaction-order-dependence.ts';

describe('transaction-order-dependence', () => {
  test('default: a puzzle whose winner any caller can become, paid elsewhere', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Puzzle {
  address payable winner;
  function play(bytes32 guess) public {
    if (keccak256(abi.encode(guess)) == keccak256(abi.encode('hello'))) {
      winner = msg.sender;
    }
  }
  function getReward() public payable {
    winner.transfer(msg.value);
  }
}`,
      transactionOrderDependence,
    );
    expect(findingLines(findings)).toEqual([5, 10]);
  });

  test('behavior: a reward the owner can change while a claim is pending', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.24;
contract Reward {
  bool claimed;
  address owner;
  uint256 reward;
  function setReward() public payable {
    require(!claimed);
    require(msg.sender == owner);
    owner.transfer(reward);
    reward = msg.value;
  }
  function claimReward(uint256 submission) public {
    require(!claimed);
    require(submission < 10);
    msg.sender.transfer(reward);
    claimed = true;
  }
}`,
      transactionOrderDependence,
    );
    expect(findingLines(findings)).toEqual([15]);
    expect(findings[0].related.map((r) => r.startLine)).toContain(10);
  });

  test('behavior: a token price the owner sets decides what a buyer receives (0.8)', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
interface IERC20 { function transfer(address to, uint256 amount) external returns (bool); }
contract Sale {
  IERC20 token;
  address owner;
  uint256 rate;
  function setRate(uint256 newRate) external {
    require(msg.sender == owner);
    rate = newRate;
  }
  function buy() external payable {
    uint256 tokens = msg.value * rate;
    token.transfer(msg.sender, tokens);
  }
}`,
      transactionOrderDependence,
    );
    expect(findingLines(findings)).toEqual([13]);
  });

  test('fp: per-account balances, accumulators and commit-reveal are not races', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Bank {
  mapping(address => uint256) balances;
  mapping(address => bytes32) commitments;
  uint256 fees;
  address treasury;
  address owner;
  function deposit() external payable { balances[msg.sender] += msg.value; fees += msg.value / 100; }
  function withdraw() external {
    uint256 amount = balances[msg.sender];
    balances[msg.sender] = 0;
    payable(msg.sender).transfer(amount);
  }
  function sweep() external { payable(treasury).transfer(fees); fees = 0; }
  function commit(bytes32 c) external { commitments[msg.sender] = c; }
  function reveal(uint256 value, bytes32 salt) external {
    require(keccak256(abi.encodePacked(value, salt)) == commitments[msg.sender]);
    payable(msg.sender).transfer(1 ether);
  }
}`,
      transactionOrderDependence,
    );
    expect(findings).toEqual([]);
  });
});
