import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { uncheckedSend } from './unchecked-send.ts';

describe('unchecked-send', () => {
  test('default: send result discarded, then the payout is marked done', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Lottery {
  bool public paidOut = false;
  address payable public winner;
  uint public winAmount;
  function sendToWinner() public {
    require(!paidOut);
    winner.send(winAmount);
    paidOut = true;
  }
}`,
      uncheckedSend,
    );
    expect(findingLines(findings)).toEqual([8]);
  });

  test('behavior: tests that do nothing on failure (empty branches, a dead local counter)', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.24;
contract Pay {
  function a(address addr) public {
    if (!addr.send(10 ether)) {
      // failed
    } else {
      // sent
    }
  }
  function b(address addr) public {
    uint failures;
    if (!addr.send(42 ether)) { failures += 1; } else { revert(); }
  }
}`,
      uncheckedSend,
    );
    expect(findingLines(findings)).toEqual([4, 12]);
  });

  test('behavior: result stored in a local that is never read (0.8)', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Pay {
  function pay(address payable to) external {
    bool sent = to.send(1 ether);
  }
}`,
      uncheckedSend,
    );
    expect(findingLines(findings)).toEqual([4]);
  });

  test('fp: require, if/revert, a state update only on success, a failure recorded in state', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Pay {
  mapping(address => uint) balances;
  mapping(address => uint) failed;
  function a(address payable to) public { require(to.send(1 ether)); }
  function b(address payable to) public { if (!to.send(1 ether)) revert(); }
  function c() public {
    if (msg.sender.send(balances[msg.sender])) balances[msg.sender] = 0;
  }
  function d(address payable to, uint amount) public {
    if (!to.send(amount)) failed[to] += amount;
  }
  function e(address payable to) public returns (bool) { return to.send(1); }
}`,
      uncheckedSend,
    );
    expect(findings).toEqual([]);
  });

  test('fp: the failure path reverts (the function always reverts; that is another bug)', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Pay {
  function pay(address payable addr) public {
    if (!addr.send(10 ether) || 1 == 1) { revert(); }
  }
}`,
      uncheckedSend,
    );
    expect(findings).toEqual([]);
  });

  test('behavior: a send in an internal helper is reported at the entry point that calls it', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.24;
contract Pay {
  function _pay(address to, uint amount) internal {
    to.send(amount);
  }
  function refund() public {
    _pay(msg.sender, 1 ether);
  }
  function unreached(address to) private { to.send(1); }
}`,
      uncheckedSend,
    );
    // The helper's own place is kept as a related location; a helper no entry point reaches stays where it is.
    expect(findingLines(findings)).toEqual([7, 9]);
    const atEntry = findings.find((f) => f.location.startLine === 7)!;
    expect(atEntry.related.map((r) => [r.startLine, r.message])).toContainEqual([4, 'the send in Pay._pay']);
    expect(atEntry.message).toContain('reached from Pay.refund');
  });
});
