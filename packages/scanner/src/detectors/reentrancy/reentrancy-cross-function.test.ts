import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { reentrancyCrossFunction } from './reentrancy-cross-function.ts';

const guard = `  bool locked;
  modifier nonReentrant() { require(!locked); locked = true; _; locked = false; }`;

describe('reentrancy-cross-function', () => {
  test('default: guarded withdraw, unguarded transfer reads the stale balance', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Bank {
  mapping(address => uint256) public balances;
${guard}
  function withdraw() external nonReentrant {
    uint256 amount = balances[msg.sender];
    (bool ok, ) = msg.sender.call{value: amount}("");
    require(ok);
    balances[msg.sender] = 0;
  }
  function transfer(address to, uint256 amount) external {
    require(balances[msg.sender] >= amount);
    balances[msg.sender] -= amount;
    balances[to] += amount;
  }
}`,
      reentrancyCrossFunction,
    );
    expect(findingLines(findings)).toEqual([8]);
    expect(findings[0].message).toContain('Bank.transfer');
  });

  test('behavior: 0.5, state the paying function never read is decided on elsewhere', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Game {
  bool public settled;
  uint public pot;
  function payWinner(address payable winner) public {
    (bool ok, ) = winner.call.value(address(this).balance)("");
    require(ok);
    settled = true;
  }
  function enter() public payable {
    require(!settled);
    pot += msg.value;
  }
}`,
      reentrancyCrossFunction,
    );
    expect(findingLines(findings)).toEqual([6]);
  });

  test('fp: every function that touches the state holds the same lock', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Bank {
  mapping(address => uint256) public balances;
${guard}
  function withdraw() external nonReentrant {
    uint256 amount = balances[msg.sender];
    (bool ok, ) = msg.sender.call{value: amount}("");
    require(ok);
    balances[msg.sender] = 0;
  }
  function transfer(address to, uint256 amount) external nonReentrant {
    require(balances[msg.sender] >= amount);
    balances[msg.sender] -= amount;
    balances[to] += amount;
  }
}`,
      reentrancyCrossFunction,
    );
    expect(findings).toEqual([]);
  });

  test('fp: a deposit credited after transferFrom leaves re-entrant calls a smaller balance', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
interface IERC20 { function transferFrom(address f, address t, uint256 a) external returns (bool); function transfer(address t, uint256 a) external returns (bool); }
contract Exchange {
  mapping(address => mapping(address => uint256)) public tokens;
  function deposit(address token, uint256 amount) external {
    require(IERC20(token).transferFrom(msg.sender, address(this), amount));
    tokens[token][msg.sender] += amount;
  }
  function withdraw(address token, uint256 amount) external {
    require(tokens[token][msg.sender] >= amount);
    tokens[token][msg.sender] -= amount;
    require(IERC20(token).transfer(msg.sender, amount));
  }
}`,
      reentrancyCrossFunction,
    );
    expect(findings).toEqual([]);
  });
  test('fp: the re-entered function only checks the stale flag and has no effect (a payable fallback)', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.24;
interface Target { function checkInvariant() external returns (bool); }
contract Bounty {
  bool public claimed;
  mapping(address => uint) public credit;
  function claim(Target target) public {
    require(!target.checkInvariant());
    claimed = true;
  }
  function () external payable { require(!claimed); }
  function bonus() public { require(!claimed); credit[msg.sender] += 1; }
}`,
      reentrancyCrossFunction,
    );
    // bonus() writes state on the stale flag and keeps the finding; the fallback alone would not.
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain('bonus');
    expect(findings[0].message).not.toContain('fallback');
  });
});
