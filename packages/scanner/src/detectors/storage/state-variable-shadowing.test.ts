import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { stateVariableShadowing } from './state-variable-shadowing.ts';

const scan = (source: string) => scanSource(source, stateVariableShadowing);

describe('state-variable-shadowing', () => {
  test('default: derived contract redeclares the owner (0.4)', () => {
    const findings = scan(`pragma solidity ^0.4.24;
contract Owned {
  address owner;
  modifier onlyOwner() { require(msg.sender == owner); _; }
}
contract Token is Owned {
  address owner;
  constructor() public { owner = msg.sender; }
}`);
    expect(findingLines(findings)).toEqual([7]);
    expect(findings[0].related.map((r) => r.startLine)).toContain(3);
  });

  test('behavior: through an intermediate base, public in 0.5; constants only low', () => {
    const findings = scan(`pragma solidity ^0.5.0;
contract A { uint public fee; uint constant DECIMALS = 18; }
contract B is A {}
contract C is B { uint public fee; uint constant DECIMALS = 8; }`);
    expect(findingLines(findings)).toEqual([4, 4]);
    expect(findings.map((f) => f.impact).sort()).toEqual(['low', 'medium']);
  });

  test('fp: private base variables and distinct names', () => {
    const findings = scan(`pragma solidity ^0.8.0;
contract A { string private _name; uint internal x; }
contract B is A { string private _name; uint internal y; }`);
    expect(findings).toEqual([]);
  });
});
