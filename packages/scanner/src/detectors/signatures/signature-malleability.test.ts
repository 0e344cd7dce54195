import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { signatureMalleability } from './signature-malleability.ts';

describe('signature-malleability', () => {
  test('default: the signature is the replay key of a raw ecrecover', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Claims {
  address signer;
  mapping(bytes32 => bool) used;
  function claim(bytes32 digest, uint8 v, bytes32 r, bytes32 s) external {
    bytes32 sigHash = keccak256(abi.encodePacked(v, r, s));
    require(!used[sigHash]);
    used[sigHash] = true;
    require(ecrecover(digest, v, r, s) == signer);
    payable(msg.sender).transfer(1 ether);
  }
}`,
      signatureMalleability,
    );
    expect(findingLines(findings)).toEqual([9]);
    expect(findings[0].impact).toBe('medium');
  });

  test('behavior: raw ecrecover with a nonce is only a low finding (0.5)', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Permit {
  mapping(address => uint) nonces;
  function act(address owner, uint8 v, bytes32 r, bytes32 s) public {
    bytes32 digest = keccak256(abi.encode(owner, nonces[owner]++));
    require(ecrecover(digest, v, r, s) == owner);
  }
}`,
      signatureMalleability,
    );
    expect(findingLines(findings)).toEqual([6]);
    expect(findings[0].impact).toBe('low');
  });

  test('fp: s restricted to the lower half order', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Safe {
  function check(bytes32 digest, uint8 v, bytes32 r, bytes32 s) external pure returns (address) {
    require(uint256(s) <= 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0, "bad s");
    return ecrecover(digest, v, r, s);
  }
}`,
      signatureMalleability,
    );
    expect(findings).toEqual([]);
  });
});
