import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { failedSendDos } from './failed-send-dos.ts';

describe('failed-send-dos', () => {
  test('default: refund to the previous highest bidder must succeed (0.8)', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Auction {
  address payable public highestBidder;
  uint256 public highestBid;
  function bid() external payable {
    require(msg.value > highestBid);
    highestBidder.transfer(highestBid);
    highestBidder = payable(msg.sender);
    highestBid = msg.value;
  }
}`,
      failedSendDos,
    );
    expect(findingLines(findings)).toEqual([7]);
    expect(findings[0].message).toContain('highestBidder');
  });

  test('behavior: require(send) and if(!send) revert in 0.5, and a payout loop over participants', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract King {
  address payable lastPlayer;
  uint jackpot;
  address payable[] players;
  function buyTicket() public payable {
    if (!(lastPlayer.send(jackpot))) revert();
    lastPlayer = msg.sender;
    jackpot = address(this).balance;
  }
  function join() public payable { players.push(msg.sender); }
  function payAll(uint share) public {
    for (uint i = 0; i < players.length; i++) require(players[i].send(share));
  }
}`,
      failedSendDos,
    );
    expect(findingLines(findings)).toEqual([7, 13]);
  });

  test('fp: paying the caller, an admin-set beneficiary, or ignoring the failure', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Safe {
  address owner;
  address payable beneficiary;
  address payable lastBidder;
  mapping(address => uint256) owed;
  function setBeneficiary(address payable b) external { require(msg.sender == owner); beneficiary = b; }
  function withdraw() external { uint256 a = owed[msg.sender]; owed[msg.sender] = 0; payable(msg.sender).transfer(a); }
  function sweep() external { beneficiary.transfer(address(this).balance); owed[beneficiary] = 0; }
  function outbid() external payable { lastBidder.send(1); lastBidder = payable(msg.sender); }
}`,
      failedSendDos,
    );
    expect(findings).toEqual([]);
  });
});
