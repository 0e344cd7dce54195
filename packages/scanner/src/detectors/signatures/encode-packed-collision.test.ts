import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { encodePackedCollision } from './encode-packed-collision.ts';

describe('encode-packed-collision', () => {
  test('default: two dynamic arrays packed and hashed', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Roles {
  function digest(address[] calldata admins, address[] calldata users) external pure returns (bytes32) {
    return keccak256(abi.encodePacked(admins, users));
  }
}`,
      encodePackedCollision,
    );
    expect(findingLines(findings)).toEqual([4]);
  });

  test('behavior: two strings packed into a local that is hashed (0.5)', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Names {
  mapping(bytes32 => address) owners;
  function register(string memory first, string memory last) public {
    bytes memory packed = abi.encodePacked(first, last);
    owners[keccak256(packed)] = msg.sender;
  }
}`,
      encodePackedCollision,
    );
    expect(findingLines(findings)).toEqual([5]);
  });

  test('fp: one dynamic value, literals, abi.encode and unhashed packing', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Safe {
  function f(string calldata a, string calldata b, uint256 n) external pure returns (bytes32, bytes32, bytes memory) {
    return (
      keccak256(abi.encodePacked("prefix:", a, n)),
      keccak256(abi.encode(a, b)),
      abi.encodePacked(a, b)
    );
  }
}`,
      encodePackedCollision,
    );
    expect(findings).toEqual([]);
  });
});
