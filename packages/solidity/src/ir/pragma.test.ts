import { describe, expect, test } from 'vitest';
import { admitsCompilerBelow, hasCheckedArithmetic, lowestCompilerVersion } from './pragma.ts';

describe('lowestCompilerVersion', () => {
  test('default: the compiled version wins over the pragmas', () => {
    expect(lowestCompilerVersion({ solcVersion: '0.8.20', pragmas: ['^0.4.0'] })).toEqual([0, 8, 20]);
  });

  test('behavior: the highest lower bound of all pragmas, however spaced', () => {
    expect(lowestCompilerVersion({ pragmas: ['^ 0.4.24'] })).toEqual([0, 4, 24]);
    expect(lowestCompilerVersion({ pragmas: ['>=0.4.22<0.6.0', '^0.5.0'] })).toEqual([0, 5, 0]);
    expect(lowestCompilerVersion({ pragmas: ['^0.8.0 || ^0.7.0'] })).toEqual([0, 7, 0]);
    expect(lowestCompilerVersion({ pragmas: ['>0.4.99 <0.6.0'] })).toEqual([0, 4, 100]);
  });

  test('behavior: nothing says: no pragma, an upper bound alone, an unreadable pragma', () => {
    expect(lowestCompilerVersion({ pragmas: [] })).toBeUndefined();
    expect(lowestCompilerVersion({ pragmas: ['<0.8.0'] })).toBeUndefined();
    expect(lowestCompilerVersion({ pragmas: ['latest'] })).toBeUndefined();
  });
});

describe('admitsCompilerBelow', () => {
  test('default: whether an older compiler may build the unit', () => {
    expect(admitsCompilerBelow({ pragmas: ['^0.7.6'] }, [0, 8, 0])).toBe(true);
    expect(admitsCompilerBelow({ pragmas: ['^0.8.0'] }, [0, 8, 0])).toBe(false);
    expect(admitsCompilerBelow({ pragmas: ['>=0.4.22<0.6.0'] }, [0, 5, 0])).toBe(true);
    expect(admitsCompilerBelow({ solcVersion: '0.8.30', pragmas: ['>=0.4.22'] }, [0, 5, 0])).toBe(false);
    expect(admitsCompilerBelow({ pragmas: [] }, [0, 8, 0])).toBe(true);
  });
});

describe('hasCheckedArithmetic', () => {
  test('default: only when no compiler before 0.8.0 may build the unit', () => {
    expect(hasCheckedArithmetic({ pragmas: ['^0.8.0'] })).toBe(true);
    expect(hasCheckedArithmetic({ pragmas: ['>=0.7.0 <0.9.0'] })).toBe(false);
    expect(hasCheckedArithmetic({ solcVersion: '0.8.4', pragmas: ['>=0.6.0'] })).toBe(true);
    expect(hasCheckedArithmetic({ pragmas: [] })).toBe(false);
  });
});
