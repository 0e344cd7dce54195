import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { txOriginAuth } from './tx-origin-auth.ts';

describe('tx-origin-auth', () => {
  test('default: a require on tx.origin in the function itself', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Wallet {
  address owner;
  function sendTo(address payable to, uint amount) public {
    require(tx.origin == owner);
    to.transfer(amount);
  }
}`,
      txOriginAuth,
    );
    expect(findingLines(findings)).toEqual([5]);
  });

  test('behavior: a check in an internal helper is reported at each exposing entry point once', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Wallet {
  address owner;
  function _authorise() internal view {
    require(tx.origin == owner);
  }
  function sendTo(address payable to, uint amount) public {
    _authorise();
    to.transfer(amount);
  }
}`,
      txOriginAuth,
    );
    expect(findingLines(findings)).toEqual([8]);
    expect(findings[0].related.map((r) => [r.startLine, r.message])).toContainEqual([
      5,
      'the tx.origin check in Wallet._authorise',
    ]);
  });

  test('behavior: a check in a modifier stays in the modifier (one finding, not one per user)', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Wallet {
  address owner;
  modifier onlyOwner() { require(tx.origin == owner); _; }
  function a() public onlyOwner {}
  function b() public onlyOwner {}
}`,
      txOriginAuth,
    );
    expect(findingLines(findings)).toEqual([4]);
  });

  test('fp: tx.origin == msg.sender only tells an EOA from a contract', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract C {
  function f() public { require(tx.origin == msg.sender); }
}`,
      txOriginAuth,
    );
    expect(findings).toEqual([]);
  });
});
