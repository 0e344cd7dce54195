import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { defaultStateVisibility } from './default-state-visibility.ts';

const scan = (source: string) => scanSource(source, defaultStateVisibility);

describe('default-state-visibility', () => {
  test('default: variables without a keyword', () => {
    const findings = scan(`pragma solidity ^0.5.0;
contract C {
  uint secret;
  address public owner;
  mapping(address => uint) balances;
  uint constant LIMIT = 10;
}`);
    expect(findingLines(findings)).toEqual([3, 5]);
    expect(findings[0].impact).toBe('informational');
  });

  test('fp: explicit visibility everywhere (0.8)', () => {
    expect(scan(`pragma solidity ^0.8.0;\ncontract C { uint internal a; uint private b; uint public c; }`)).toEqual([]);
  });
  test('behavior: the informational finding names no weakness class (SWC) or OWASP category', () => {
    const [finding] = scan(`pragma solidity ^0.5.0;\ncontract C { uint a; }`);
    expect(finding.impact).toBe('informational');
    expect(finding.swc).toEqual([]);
    expect(finding.owasp).toEqual([]);
  });
});
