import { describe, expect, test } from 'vitest';
import { isExternallyCallable, isStateChangingEntry } from './entryPoints.ts';
import { analyseSource, functionNamed } from './testing.ts';

describe('entry points', () => {
  test('public/external functions with a body in a contract; views are entries but change no state', () => {
    const { program } = analyseSource(`pragma solidity ^0.8.0;
      library L { function lib() public pure returns (uint) { return 1; } }
      abstract contract C {
        uint x;
        constructor() { x = 1; }
        function set(uint v) external { x = v; }
        function get() public view returns (uint) { return x; }
        function hidden() internal { x = 2; }
        function declared() external virtual;
      }`);
    const ask = (name: string) => {
      const fn = functionNamed(program, 'C', name);
      return [isExternallyCallable(fn), isStateChangingEntry(fn)];
    };
    expect(ask('set')).toEqual([true, true]);
    expect(ask('get')).toEqual([true, false]);
    expect(ask('hidden')).toEqual([false, false]);
    expect(ask('declared')).toEqual([false, false]);
    expect(isExternallyCallable(functionNamed(program, 'L', 'lib'))).toBe(false);
  });
});
