import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { weakRandomness } from './weak-randomness.ts';

describe('weak-randomness', () => {
  test('default: a hash of block values picks a winner', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Lottery {
  address[] players;
  function draw() external {
    uint256 seed = uint256(keccak256(abi.encodePacked(block.timestamp, block.prevrandao)));
    address winner = players[seed % players.length];
    payable(winner).transfer(address(this).balance);
  }
}`,
      weakRandomness,
    );
    expect(findingLines(findings)).toEqual([5]);
    expect(findings[0].impact).toBe('high');
  });

  test('behavior: modulo of the timestamp deciding a payout (0.5)', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Roulette {
  function spin() public payable {
    if (now % 15 == 0) msg.sender.transfer(address(this).balance);
  }
  function guess(uint8 n) public payable {
    uint8 answer = uint8(uint256(blockhash(block.number - 1)) % 10);
    if (n == answer) msg.sender.transfer(2 ether);
  }
}`,
      weakRandomness,
    );
    expect(findingLines(findings)).toEqual([4, 7]);
  });

  test('fp: ids, truncation and deadlines are not randomness', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Orders {
  struct Order { address maker; uint256 amount; }
  mapping(bytes32 => Order) orders;
  uint32 last;
  function place(uint256 amount) external returns (bytes32 id) {
    id = keccak256(abi.encodePacked(msg.sender, block.timestamp, amount));
    require(orders[id].maker == address(0));
    orders[id] = Order(msg.sender, amount);
    last = uint32(block.timestamp % 2**32);
    require(block.timestamp > 100);
  }
}`,
      weakRandomness,
    );
    expect(findings).toEqual([]);
  });
  test('behavior: a block value stored earlier is reported where it is stored, not only where it decides', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Lottery {
  uint start;
  uint fee;
  function begin() public { start = block.timestamp; fee = 10; }
  function win() public {
    if (start % 2 == 0) msg.sender.transfer(address(this).balance);
  }
}`,
      weakRandomness,
    );
    expect(findingLines(findings)).toEqual([5, 7]);
    expect(findings.find((f) => f.location.startLine === 5)?.message).toContain('later turns into `start % 2`');
  });

  test('behavior: a seed passed to an internal function is reported where it is read and where it decides', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Raffle {
  address payable[] players;
  function draw() public {
    uint seed = uint(keccak256(abi.encodePacked(block.difficulty, now)));
    _pay(seed);
  }
  function _pay(uint r) internal {
    players[r % players.length].transfer(address(this).balance);
  }
}`,
      weakRandomness,
    );
    expect(findingLines(findings)).toEqual([5, 9]);
    expect(findings[0].message).toContain('by passing it to Raffle._pay');
  });
});
