import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { wrongConstructorName } from './wrong-constructor-name.ts';

describe('wrong-constructor-name', () => {
  test('default: constructor name differs in case', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.15;
contract Missing {
  address private owner;
  function missing() public {
    owner = msg.sender;
  }
  function withdraw() public {
    require(msg.sender == owner);
    owner.transfer(this.balance);
  }
}`,
      wrongConstructorName,
    );
    // On the misnamed function's header, with the owner assignment related.
    expect(findingLines(findings)).toEqual([4]);
    expect(findings[0].related.map((r) => r.startLine)).toContain(5);
    expect(findings[0].confidence).toBe('high');
  });

  test('behavior: a stale constructor named after the former contract name', () => {
    const findings = scanSource(
      `pragma solidity ^0.4.0;
contract DynamicPyramid {}
contract Rubixi {
  address creator;
  function DynamicPyramid() public { creator = msg.sender; }
}`,
      wrongConstructorName,
    );
    expect(findingLines(findings)).toEqual([5]);
  });

  test('fp: exact legacy constructors, the constructor keyword and 0.5+ code', () => {
    const legacy = scanSource(
      `pragma solidity ^0.4.18;
contract Owned {
  address owner;
  function Owned() public { owner = msg.sender; }
  function ownedBy() public view returns (address) { return owner; }
}`,
      wrongConstructorName,
    );
    expect(legacy).toEqual([]);
    const modern = scanSource(
      `pragma solidity ^0.5.0;
contract Owned {
  address owner;
  constructor() public { owner = msg.sender; }
  function owned(address next) public { require(msg.sender == owner); owner = next; }
}`,
      wrongConstructorName,
    );
    expect(modern).toEqual([]);
  });
});
