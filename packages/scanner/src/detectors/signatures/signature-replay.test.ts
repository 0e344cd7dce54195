import { describe, expect, test } from 'vitest';
import { findingLines, scanSource } from '../../testing.ts';
import { signatureReplay } from './signature-replay.ts';

describe('signature-replay', () => {
  test('default: a signed payment without nonce or used marker', () => {
    const findings = scanSource(
      `pragma solidity ^0.5.0;
contract Wallet {
  address owner;
  function pay(address payable to, uint amount, uint8 v, bytes32 r, bytes32 s) public {
    bytes32 digest = keccak256(abi.encodePacked(to, amount, address(this)));
    require(ecrecover(digest, v, r, s) == owner);
    to.transfer(amount);
  }
}`,
      signatureReplay,
    );
    expect(findingLines(findings)).toEqual([6]);
    expect(findings[0].impact).toBe('high');
  });

  test('behavior: a consumed nonce and a domain separator make it safe', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Permit {
  mapping(address => uint256) public nonces;
  mapping(address => mapping(address => uint256)) allowance;
  bytes32 public DOMAIN_SEPARATOR;
  constructor() {
    DOMAIN_SEPARATOR = keccak256(abi.encode(keccak256("EIP712Domain"), block.chainid, address(this)));
  }
  function permit(address owner, address spender, uint256 value, uint8 v, bytes32 r, bytes32 s) external {
    bytes32 digest = keccak256(abi.encodePacked("\\x19\\x01", DOMAIN_SEPARATOR, keccak256(abi.encode(owner, spender, value, nonces[owner]++))));
    address signer = ecrecover(digest, v, r, s);
    require(signer != address(0) && signer == owner);
    allowance[owner][spender] = value;
  }
}`,
      signatureReplay,
    );
    expect(findings).toEqual([]);
  });

  test('behavior: a nonce without chain id or contract address is a low finding', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Relay {
  mapping(address => uint256) nonces;
  mapping(address => uint256) balances;
  function move(address from, address to, uint256 amount, uint8 v, bytes32 r, bytes32 s) external {
    bytes32 digest = keccak256(abi.encode(from, to, amount, nonces[from]));
    nonces[from] += 1;
    require(ecrecover(digest, v, r, s) == from && from != address(0));
    balances[from] -= amount;
    balances[to] += amount;
  }
}`,
      signatureReplay,
    );
    expect(findingLines(findings)).toEqual([8]);
    expect(findings[0].impact).toBe('low');
  });

  test('fp: a claim marked as used cannot be replayed', () => {
    const findings = scanSource(
      `pragma solidity ^0.8.0;
contract Airdrop {
  address signer;
  mapping(address => bool) claimed;
  function claim(address account, uint256 amount, uint8 v, bytes32 r, bytes32 s) external {
    require(!claimed[account]);
    bytes32 digest = keccak256(abi.encode(block.chainid, address(this), account, amount));
    require(ecrecover(digest, v, r, s) == signer && signer != address(0));
    claimed[account] = true;
    payable(account).transfer(amount);
  }
}`,
      signatureReplay,
    );
    expect(findings).toEqual([]);
  });

  test('behavior: a 0.5 domain separator built with assembly chainid counts', () => {
    const findings = scanSource(
      `pragma solidity =0.5.16;
contract Permit {
  bytes32 public DOMAIN_SEPARATOR;
  mapping(address => uint) public nonces;
  mapping(address => mapping(address => uint)) public allowance;
  constructor() public {
    uint chainId;
    assembly { chainId := chainid }
    DOMAIN_SEPARATOR = keccak256(abi.encode(chainId, address(this)));
  }
  function permit(address owner, address spender, uint value, uint8 v, bytes32 r, bytes32 s) external {
    bytes32 digest = keccak256(abi.encodePacked(DOMAIN_SEPARATOR, owner, spender, value, nonces[owner]++));
    address recovered = ecrecover(digest, v, r, s);
    require(recovered != address(0) && recovered == owner);
    allowance[owner][spender] = value;
  }
}`,
      signatureReplay,
    );
    expect(findings).toEqual([]);
  });
});
