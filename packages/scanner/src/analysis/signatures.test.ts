import { qualifiedName } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import { actsOnState, bindsDomain, derive, entryPointsReaching, recoveries, replayGuard } from './signatures.ts';
import { sourceText } from './sourceText.ts';
import { analyseSource, functionNamed } from './testing.ts';

const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
  library ECDSA {
    function recover(bytes32 h, bytes memory s) internal pure returns (address) { return address(0); }
    function tryRecover(bytes32 h, bytes memory s) internal pure returns (address, uint8) { return (address(0), 0); }
  }
  contract Permit {
    using ECDSA for bytes32;
    bytes32 immutable DOMAIN;
    uint cachedChain;
    mapping(address => uint) nonces;
    mapping(bytes32 => bool) used;
    mapping(bytes32 => uint) filled;
    address signer;
    uint value;
    constructor() { DOMAIN = keccak256(abi.encode(block.chainid, address(this))); }
    function withNonce(address owner, uint v, uint8 sv, bytes32 r, bytes32 s) external {
      bytes32 digest = keccak256(abi.encodePacked("\\x19\\x01", DOMAIN, keccak256(abi.encode(owner, v, nonces[owner]++))));
      require(ecrecover(digest, sv, r, s) == owner);
      value = v;
    }
    function withUsedMap(bytes32 h, bytes calldata sig) external {
      require(ECDSA.recover(h, sig) == signer);
      require(!used[h]);
      used[h] = true;
      value = 1;
    }
    function withHelperNonce(address owner, uint v, bytes calldata sig) external {
      bytes32 digest = keccak256(abi.encode(owner, v, _useNonce(owner)));
      require(digest.recover(sig) == owner);
      value = v;
    }
    function withFill(bytes32 orderHash, uint amount, bytes calldata sig) external {
      (address who, ) = orderHash.tryRecover(sig);
      require(who == signer);
      filled[orderHash] += amount;
    }
    function replayable(uint v, uint8 sv, bytes32 r, bytes32 s) external {
      bytes32 digest = keccak256(abi.encode(v));
      require(ecrecover(digest, sv, r, s) == signer);
      value = v;
    }
    function withAssemblyChain(uint v, uint8 sv, bytes32 r, bytes32 s) external {
      uint id;
      assembly { id := chainid() }
      require(ecrecover(keccak256(abi.encode(id, v)), sv, r, s) == signer);
      value = v;
    }
    function _useNonce(address owner) internal returns (uint) { return nonces[owner]++; }
    function _verify(bytes32 h, uint8 sv, bytes32 r, bytes32 s) internal view { require(ecrecover(h, sv, r, s) == signer); }
    function a(bytes32 h, uint8 sv, bytes32 r, bytes32 s) external { _verify(h, sv, r, s); value = 2; }
    function b(bytes32 h, uint8 sv, bytes32 r, bytes32 s) public { _verify(h, sv, r, s); }
    function check(bytes32 h, uint8 sv, bytes32 r, bytes32 s) external view returns (bool) { _verify(h, sv, r, s); return true; }
    function call(address t) external { (bool ok, ) = t.call(""); ok; }
  }`);
const fn = (name: string) => functionNamed(program, 'Permit', name);
const first = (name: string) => recoveries(fn(name), analysis)[0]!;

describe('recoveries', () => {
  test('raw ecrecover (with s), ECDSA.recover written out, bound recover and tryRecover', () => {
    const show = (name: string) => {
      const r = first(name);
      return [
        r.raw,
        sourceText(r.fn, r.digest!),
        r.s ? sourceText(r.fn, r.s) : undefined,
        r.signature.map((n) => sourceText(r.fn, n)),
      ];
    };
    expect(show('withNonce')).toEqual([true, 'digest', 's', ['sv', 'r', 's']]);
    expect(show('withUsedMap')).toEqual([false, 'h', undefined, ['sig']]);
    expect(show('withHelperNonce')).toEqual([false, 'digest', undefined, ['sig']]);
    expect(show('withFill')).toEqual([false, 'orderHash', undefined, ['sig']]);
    expect(recoveries(fn('call'), analysis)).toEqual([]);
  });
});

describe('derive and bindsDomain', () => {
  const domain = (name: string) => {
    const r = first(name);
    return bindsDomain(derive(r.digest, r.fn, analysis), r.fn);
  };
  test('a domain separator set in the constructor binds chain and contract', () => {
    expect(domain('withNonce')).toEqual({ chain: true, contract: true });
    const d = derive(first('withNonce').digest, fn('withNonce'), analysis);
    expect([...d.names].sort()).toEqual(['digest', 'owner', 'v']); // locals and parameters it is built from
    expect([...d.state].map((v) => v.name).sort()).toEqual(['DOMAIN', 'nonces']);
  });
  test('assembly chainid binds the chain only; a bare digest binds nothing', () => {
    expect(domain('withAssemblyChain')).toEqual({ chain: true, contract: false });
    expect(domain('replayable')).toEqual({ chain: false, contract: false });
  });
  test('an internal callee in the digest is recorded', () => {
    const d = derive(first('withHelperNonce').digest, fn('withHelperNonce'), analysis);
    expect([...d.callees].map((f) => f.name)).toEqual(['_useNonce']);
  });
});

describe('replayGuard', () => {
  const guard = (name: string) => {
    const r = first(name);
    return replayGuard(r, fn(name), derive(r.digest, r.fn, analysis), analysis);
  };
  test('a nonce in the digest updated, a used-map, a nonce helper, a per-message record', () => {
    expect(guard('withNonce')).toBe('updates nonces');
    expect(guard('withUsedMap')).toBe('marks used as used');
    expect(guard('withHelperNonce')).toBe('updates nonces');
    expect(guard('withFill')).toBe('marks filled as used');
  });
  test('nothing consumed: replayable', () => {
    expect(guard('replayable')).toBeUndefined();
    expect(guard('withAssemblyChain')).toBeUndefined();
  });
});

describe('entryPointsReaching and actsOnState', () => {
  test('the public non-view functions running a helper', () => {
    expect(entryPointsReaching(fn('_verify'), analysis).map(qualifiedName).sort()).toEqual(['Permit.a', 'Permit.b']);
    expect(entryPointsReaching(fn('a'), analysis).map(qualifiedName)).toEqual(['Permit.a']);
  });
  test('writing state or calling out acts; only checking does not', () => {
    expect([actsOnState(fn('a'), analysis), actsOnState(fn('b'), analysis), actsOnState(fn('call'), analysis)]).toEqual(
      [true, false, true],
    );
  });
});
