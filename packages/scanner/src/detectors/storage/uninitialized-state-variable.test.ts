import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { uninitializedStateVariable } from './uninitialized-state-variable.ts';

const scan = (source: string) => scanSource(source, uninitializedStateVariable);

describe('uninitialized-state-variable', () => {
  test('default: destination never set', () => {
    const findings = scan(`pragma solidity ^0.5.0;
contract Splitter {
  address payable treasury;
  function split() public payable {
    treasury.transfer(msg.value / 2);
  }
}`);
    expect(findingLines(findings)).toEqual([3]);
    expect(findings[0].impact).toBe('medium');
    expect(findings[0].related.map((r) => r.startLine)).toContain(5);
  });

  test('behavior: a value that is only read is low; a base variable is checked in the derived contract (0.8)', () => {
    const findings = scan(`pragma solidity ^0.8.0;
contract Base { uint limit; address feeTo; }
contract Pool is Base {
  function check(uint v) external view returns (bool) { return v < limit; }
  function init(address f) external { feeTo = f; }
}`);
    expect(findingLines(findings)).toEqual([2]);
    expect(findings[0].impact).toBe('low');
    expect(findings[0].message).toContain('limit');
  });

  test('fp: assigned in constructor, declaration, base setter, or by assembly; mappings', () => {
    const sources = [
      `pragma solidity ^0.8.0;
contract A { address payable t; constructor(address payable x) { t = x; } function f() external { t.transfer(1); } }`,
      `pragma solidity ^0.8.0;
contract A { address payable t = payable(address(0x1)); function f() external { t.transfer(1); } }`,
      `pragma solidity ^0.8.0;
contract A { struct S { address a; } S s; function g() external { s.a = msg.sender; } function f() external view returns (address) { return s.a; } }`,
      `pragma solidity ^0.8.0;
contract A { address t; function set() external { assembly { sstore(t.slot, caller()) } } function f() external view returns (address) { return t; } }`,
      `pragma solidity ^0.8.0;
contract A { mapping(address => uint) m; function f() external view returns (uint) { return m[msg.sender]; } }`,
    ];
    for (const source of sources) expect(scan(source)).toEqual([]);
  });
});
