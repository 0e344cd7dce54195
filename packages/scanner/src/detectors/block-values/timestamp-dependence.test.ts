import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { timestampDependence } from './timestamp-dependence.ts';

describe('timestamp-dependence', () => {
  test('default: exact match and modulo on the block time', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Game {
  address winner;
  function play(uint startTime) public {
    uint t = block.timestamp;
    if (startTime + 5 days == t) { winner = msg.sender; }
  }
  function bet() public payable {
    require(msg.value == 10 ether);
    if (now % 15 == 0) { msg.sender.transfer(address(this).balance); }
  }
}`,
      timestampDependence,
    );
    expect(findingLines(findings)).toEqual([6, 10]);
    expect(findings.map((f) => f.impact)).toEqual(['medium', 'medium']);
  });

  test('behavior: a deadline on stored state is a low-impact finding', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Lock {
  uint256 public unlockAt;
  mapping(address => uint256) deposits;
  function withdraw() external {
    require(block.timestamp >= unlockAt, "locked");
    uint256 amount = deposits[msg.sender];
    deposits[msg.sender] = 0;
    payable(msg.sender).transfer(amount);
  }
  function open() external view returns (bool) {
    return block.timestamp >= 1546300800;
  }
}`,
      timestampDependence,
    );
    expect(findingLines(findings)).toEqual([6, 12]);
    expect(findings.every((f) => f.impact === 'low')).toBe(true);
  });

  test('fp: caller-chosen deadlines, same-block checks and truncation are not reported', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Pool {
  uint32 lastTime;
  uint256 lastUpdate;
  function swap(uint256 amount, uint256 deadline) external {
    require(block.timestamp <= deadline, "expired");
    if (lastUpdate == block.timestamp) return;
    lastUpdate = block.timestamp;
    lastTime = uint32(block.timestamp % 2**32);
  }
}`,
      timestampDependence,
    );
    expect(findings).toEqual([]);
  });

  test('behavior: pre-0.5 now through a local', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.24;
contract Lottery {
  function draw() public {
    var t = now;
    if (t % 7 == 3) { msg.sender.transfer(this.balance); }
  }
}`,
      timestampDependence,
    );
    expect(findingLines(findings)).toEqual([5]);
  });

  test('behavior: a time stored earlier is reported at the store and at the decision that uses it', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.24;
contract Jackpot {
  uint lastInvestment;
  address lastInvestor;
  uint started = now;
  uint unread = block.timestamp;
  function invest() public payable {
    lastInvestor = msg.sender;
    lastInvestment = block.timestamp;
  }
  function payout() public {
    if (lastInvestment + 1 minutes <= block.timestamp) { lastInvestor.transfer(this.balance); }
  }
  function lucky() public {
    if (started % 2 == 0) { msg.sender.transfer(1 ether); }
  }
}`,
      timestampDependence,
    );
    // Line 6: stored and never read, it decides nothing. Lines 5 and 9: the stores; 12 and 15: the decisions.
    expect(findingLines(findings)).toEqual([5, 9, 12, 15]);
    const store = findings.find((f) => f.location.startLine === 9)!;
    expect(store.message).toContain('Jackpot.payout later decides');
    expect(store.related.map((r) => r.startLine)).toContain(12);
  });

  test('behavior: a time read here and passed to an internal function that decides on it', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.24;
contract Lotto {
  function randomGen() constant returns (uint) { return block.timestamp; }
  function draw() public {
    uint r = randomGen();
    payOut(r);
  }
  function payOut(uint rand) internal {
    if (rand % 10 == 7) { msg.sender.transfer(this.balance); }
  }
}`,
      timestampDependence,
    );
    expect(findingLines(findings)).toEqual([5, 9]);
    expect(findings[0].message).toContain('passes it to Lotto.payOut');
  });

  test('fp: a stored time only compared with the current block or with zero, and a store nobody reads', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Limiter {
  uint256 lastCall;
  uint256 createdAt = block.timestamp;
  uint256 firstSeen;
  function once() external {
    require(lastCall != block.timestamp, "same block");
    lastCall = block.timestamp;
    if (firstSeen == 0) firstSeen = block.timestamp;
  }
}`,
      timestampDependence,
    );
    expect(findings).toEqual([]);
  });
});
