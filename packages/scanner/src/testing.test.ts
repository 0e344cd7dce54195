import { describe, expect, test } from 'vitest';
import { allDetectors } from './detectors/index.ts';
import { scanSource } from './testing.ts';

describe('scanSource', () => {
  test('error: a fixture with a syntax error throws instead of yielding a partial tree', () => {
    expect(() => scanSource('contract C {\n  function f() public { uint x = ; }\n}', allDetectors)).toThrow(
      /^scanSource: Test\.sol does not parse: line 2: /,
    );
    // A reserved word used as a name is a typo the tolerant parser would have skipped over.
    expect(() =>
      scanSource({ 'A.sol': 'contract A {}', 'B.sol': 'interface B { function supports() external; }' }, []),
    ).toThrow(/^scanSource: B\.sol does not parse/);
    expect(() => scanSource('contract A {}', [], { dependencies: { 'Dep.sol': 'contract D { ' } })).toThrow(
      /^scanSource: Dep\.sol does not parse/,
    );
  });

  test('default: valid code, and pre-0.4 code the legacy front end reads, run the detectors', () => {
    expect(scanSource('pragma solidity ^0.8.0;\ncontract A {}', allDetectors)).toBeInstanceOf(Array);
    const old =
      'contract Old {\n  address owner;\n  modifier only { if (msg.sender != owner) throw; _ }\n  function kill() { suicide(msg.sender); }\n}';
    const selfdestruct = allDetectors.filter((d) => d.id === 'unprotected-selfdestruct');
    expect(scanSource(old, selfdestruct).map((f) => f.location.startLine)).toEqual([4]);
  });
});
