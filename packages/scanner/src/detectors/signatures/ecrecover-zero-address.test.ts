import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { ecrecoverZeroAddress } from './ecrecover-zero-address.ts';

describe('ecrecover-zero-address', () => {
  test('default: recovered address compared with a caller-named signer', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Permit {
  mapping(address => mapping(address => uint)) allowance;
  function permit(address owner, address spender, uint value, uint8 v, bytes32 r, bytes32 s) public {
    bytes32 digest = keccak256(abi.encode(owner, spender, value));
    require(ecrecover(digest, v, r, s) == owner);
    allowance[owner][spender] = value;
  }
}`,
      ecrecoverZeroAddress,
    );
    expect(findingLines(findings)).toEqual([6]);
    expect(findings[0].confidence).toBe('medium');
  });

  test('fp: the result or the signer is checked against zero', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Permit {
  function a(address owner, bytes32 digest, uint8 v, bytes32 r, bytes32 s) external pure returns (bool) {
    address recovered = ecrecover(digest, v, r, s);
    require(recovered != address(0), "invalid");
    return recovered == owner;
  }
  function b(address owner, bytes32 digest, uint8 v, bytes32 r, bytes32 s) external pure returns (bool) {
    require(owner != address(0));
    return owner == ecrecover(digest, v, r, s);
  }
}`,
      ecrecoverZeroAddress,
    );
    expect(findings).toEqual([]);
  });

  test('fp: ordered signers (recovered > last, last starting at zero) exclude zero', () => {
    const findings = scanSource(
      `pragma solidity ^0.7.0;
contract Multisig {
  mapping(address => bool) isOwner;
  function check(bytes32 digest, uint8[] memory v, bytes32[] memory r, bytes32[] memory s) public view {
    address last = address(0);
    for (uint256 i = 0; i < v.length; i++) {
      address current = ecrecover(digest, v[i], r[i], s[i]);
      require(current > last && isOwner[current]);
      last = current;
    }
  }
}`,
      ecrecoverZeroAddress,
    );
    expect(findings).toEqual([]);
  });
});
