import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { arbitraryStorageWrite } from './arbitrary-storage-write.ts';

const scan = (source: string) => scanSource(source, arbitraryStorageWrite);

describe('arbitrary-storage-write', () => {
  test('default: SWC-124 array length underflow then write at a chosen index', () => {
    const findings = scan(`pragma solidity ^0.4.25;
contract Wallet {
  uint[] private bonusCodes;
  address private owner;
  function PushBonusCode(uint c) public { bonusCodes.push(c); }
  function PopBonusCode() public {
    require(0 <= bonusCodes.length);
    bonusCodes.length--;
  }
  function UpdateBonusCodeAt(uint idx, uint c) public {
    require(idx < bonusCodes.length);
    bonusCodes[idx] = c;
  }
}`);
    expect(findingLines(findings)).toEqual([12]);
    expect(findings[0].related.map((r) => r.startLine)).toContain(8);
  });

  test('behavior: length set by the caller, and assembly sstore to a caller slot', () => {
    const findings = scan(`pragma solidity ^0.5.0;
contract C {
  uint[] items;
  function resize(uint n) public { items.length = n; }
  function set(uint i, uint v) public { items[i] = v; }
  function poke(uint slot, uint v) public { assembly { sstore(slot, v) } }
}`);
    expect(findingLines(findings)).toEqual([5, 6]);
  });

  test('fp: checked pop, owner-only length change, hashed assembly slots', () => {
    const findings = scan(`pragma solidity ^0.5.0;
contract C {
  uint[] items;
  address owner;
  uint[] other;
  function pop() public { require(items.length > 0); items.length--; }
  function set(uint i, uint v) public { items[i] = v; }
  function shrink() public { require(msg.sender == owner); other.length--; }
  function setOther(uint i, uint v) public { other[i] = v; }
  function poke(uint id, uint v) public {
    assembly {
      mstore(0, id)
      let slot := keccak256(0, 32)
      sstore(slot, v)
    }
  }
}`);
    expect(findings).toEqual([]);
  });
});
