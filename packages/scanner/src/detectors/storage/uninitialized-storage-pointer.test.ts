import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { uninitializedStoragePointer } from './uninitialized-storage-pointer.ts';

const scan = (source: string) => scanSource(source, uninitializedStoragePointer);

describe('uninitialized-storage-pointer', () => {
  test('default: 0.4 local struct without location overwrites slot 0', () => {
    const findings = scan(`pragma solidity ^0.4.24;
contract NameRegistrar {
  bool public unlocked = false;
  struct NameRecord { bytes32 name; address mappedAddress; }
  mapping(bytes32 => NameRecord) records;
  function register(bytes32 _name, address _mappedAddress) public {
    NameRecord newRecord;
    newRecord.name = _name;
    newRecord.mappedAddress = _mappedAddress;
    records[_name] = newRecord;
  }
}`);
    expect(findingLines(findings)).toEqual([7]);
    expect(findings[0].message).toContain('unlocked');
  });

  test('behavior: arrays and explicit storage without a value (0.4)', () => {
    const findings = scan(`pragma solidity 0.4.25;
contract C {
  address owner;
  uint[] data;
  function f() public {
    uint[] storage list;
    list.push(1);
  }
}`);
    expect(findingLines(findings)).toEqual([6]);
  });

  test('fp: memory locals, initialised pointers, re-pointed pointers and 0.5+ code', () => {
    expect(
      scan(`pragma solidity ^0.4.24;
contract C {
  struct R { uint a; }
  mapping(uint => R) rs;
  function f(uint k) public {
    R memory m;
    R storage s = rs[k];
    R storage t;
    t = rs[k + 1];
    uint x;
    m.a = x; s.a = 1; t.a = 2;
  }
}`),
    ).toEqual([]);
    expect(
      scan(`pragma solidity ^0.8.0;
contract C { struct R { uint a; } function f() public pure { R memory m; m.a = 1; } }`),
    ).toEqual([]);
  });
});
