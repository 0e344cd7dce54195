import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { incorrectEquality } from './incorrect-equality.ts';

describe('incorrect-equality', () => {
  test('default: a game that pays out when the balance hits a target', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Game {
  uint256 public target = 10 ether;
  function play() external payable {
    require(msg.value == 1 ether);
    if (address(this).balance == target) {
      payable(msg.sender).transfer(address(this).balance);
    }
  }
}`,
      incorrectEquality,
    );
    expect(findingLines(findings)).toEqual([6]);
  });

  test('behavior: 0.4 this.balance and a token balance through a local', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.24;
contract Token { function balanceOf(address) public view returns (uint); }
contract Sale {
  Token token;
  uint raised;
  function close() public {
    require(this.balance == raised);
    uint held = token.balanceOf(address(this));
    require(held != raised);
  }
}`,
      incorrectEquality,
    );
    expect(findingLines(findings)).toEqual([7, 9]);
  });

  test('fp: inequalities, `!= 0` presence checks and other addresses are clean', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
interface IERC20 { function balanceOf(address) external view returns (uint256); }
contract Vault {
  IERC20 token;
  uint256 deposits;
  function sweep(address user) external {
    require(address(this).balance >= deposits);
    if (address(this).balance != 0) { deposits = 0; }
    require(token.balanceOf(user) == 0);
    require(msg.sender.balance == 0);
  }
}`,
      incorrectEquality,
    );
    expect(findings).toEqual([]);
  });
});
