import { findAll } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import { emitsEvent, unique, writtenRoot } from './events.ts';
import { writeTargets } from './storage.ts';
import { analyseSource, functionNamed } from './testing.ts';

describe('emitsEvent', () => {
  test('emit, assembly logs and emits in callees or modifiers count; writing state alone does not', () => {
    const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
      contract C {
        event Set(uint v);
        uint x;
        modifier logged() { _; emit Set(x); }
        function byEmit(uint v) external { x = v; emit Set(v); }
        function byAssembly(uint v) external { x = v; assembly { log1(0, 0, 1) } }
        function byHelper(uint v) external { x = v; _log(v); }
        function byModifier(uint v) external logged { x = v; }
        function silent(uint v) external { x = v; }
        function recursive(uint v) public { if (v > 0) { x = v; recursive(v - 1); } }
        function _log(uint v) internal { emit Set(v); }
      }`);
    const ask = (name: string) => emitsEvent(analysis, functionNamed(program, 'C', name));
    expect(['byEmit', 'byAssembly', 'byHelper', 'byModifier', 'silent', 'recursive'].map(ask)).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  test('0.4 events are called without emit', () => {
    const { program, analysis } = analyseSource(`pragma solidity ^0.4.24;
      contract Old { event Set(uint v); uint x; function set(uint v) public { x = v; Set(v); } function quiet(uint v) public { x = v; } }`);
    expect(emitsEvent(analysis, functionNamed(program, 'Old', 'set'))).toBe(true);
    expect(emitsEvent(analysis, functionNamed(program, 'Old', 'quiet'))).toBe(false);
  });
});

describe('writtenRoot', () => {
  test('the state variable at the root of a target; locals and parameters have none', () => {
    const { program } = analyseSource(`pragma solidity ^0.8.0;
      contract C {
        struct S { uint a; }
        mapping(address => S) users;
        uint[] list;
        uint x;
        function f(uint p) external {
          uint local;
          x = 1;
          users[msg.sender].a = 2;
          list[0] = 3;
          local = 4;
          p = 5;
          (x, local) = (6, 7);
        }
      }`);
    const f = functionNamed(program, 'C', 'f');
    const assignments = findAll(f.body!, (n) => n.type === 'BinaryOperation' && n.operator === '=');
    expect(assignments.map((a) => writtenRoot(f, a.left)?.name)).toEqual([
      'x',
      'users',
      'list',
      undefined,
      undefined,
      'x',
    ]);
    expect(writeTargets(f).length).toBe(7);
  });
});

describe('unique', () => {
  test('keeps the first of each, in order', () => {
    expect(unique([3, 1, 3, 2, 1])).toEqual([3, 1, 2]);
  });
});
