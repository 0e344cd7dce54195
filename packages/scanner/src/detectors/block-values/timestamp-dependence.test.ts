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
});
