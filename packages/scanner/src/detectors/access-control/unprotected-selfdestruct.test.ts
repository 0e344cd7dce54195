import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { unprotectedSelfdestruct } from './unprotected-selfdestruct.ts';

const scan = (source: string) => scanSource(source, unprotectedSelfdestruct);

describe('unprotected-selfdestruct', () => {
  test('default: anyone can kill the contract', () => {
    const findings = scan(`pragma solidity ^0.5.0;
contract Killable {
  function kill() public {
    selfdestruct(msg.sender);
  }
}`);
    expect(findingLines(findings)).toEqual([4]);
    expect(findings[0].message).toContain('Killable.kill');
  });

  test('behavior: 0.4 suicide, through an internal helper', () => {
    const findings = scan(`pragma solidity ^0.4.24;
contract Old {
  address owner;
  function destroy(address to) internal { suicide(to); }
  function close() public { destroy(owner); }
}`);
    expect(findingLines(findings)).toEqual([5]);
    expect(findings[0].related.map((r) => r.startLine)).toContain(4);
  });

  test('behavior: assembly selfdestruct and a time condition that is no access control', () => {
    const findings = scan(`pragma solidity ^0.8.0;
contract Timed {
  uint deadline;
  function end() external {
    require(block.timestamp > deadline);
    assembly { selfdestruct(caller()) }
  }
}`);
    expect(findingLines(findings)).toEqual([6]);
  });

  test('fp: owner-only destruction', () => {
    const findings = scan(`pragma solidity ^0.8.0;
contract Owned {
  address owner;
  modifier onlyOwner() { require(msg.sender == owner, "not owner"); _; }
  function kill() external onlyOwner { selfdestruct(payable(owner)); }
  function kill2() external { require(tx.origin == owner); selfdestruct(payable(owner)); }
  function close() internal { selfdestruct(payable(owner)); }
}`);
    expect(findings).toEqual([]);
  });
});
