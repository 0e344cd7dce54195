import { findAll, hasUnresolvedGuardModifier, unresolvedModifierGuards } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import { isGuarded as accessControlGuarded } from '../detectors/access-control/shared.ts';
import { isPrivileged } from '../detectors/arithmetic/shared.ts';
import { isGuarded as designGuarded } from '../detectors/design/shared.ts';
import { restrictsCaller } from '../detectors/reentrancy/shared.ts';
import { reachesSignatureCheck, verifiesSignature } from './guards.ts';
import { analyseSource, functionNamed } from './testing.ts';

// One function per kind of guard; each writes state so that every guard question applies.
const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
library ECDSA { function recover(bytes32 h, bytes memory s) internal pure returns (address) { return address(0); } }
contract Vault {
  address owner;
  mapping(address => bool) admins;
  mapping(bytes32 => mapping(address => bool)) roles;
  mapping(address => uint) balances;
  uint value;
  modifier onlyOwner() { require(msg.sender == owner, "owner"); _; }
  function hasRole(bytes32 role, address account) internal view returns (bool) { return roles[role][account]; }

  function byModifier(uint v) external onlyOwner { value = v; }
  function byRequire(uint v) external { require(msg.sender == owner); value = v; }
  function byIfRevert(uint v) external { if (msg.sender != owner) revert(); value = v; }
  function byRole(uint v) external { require(hasRole(keccak256("ADMIN"), msg.sender)); value = v; }
  function byAllowList(uint v) external { require(admins[msg.sender]); value = v; }
  function byUnresolvedGuard(uint v) external onlyGovernance { value = v; }
  function byUnresolvedAuthorityCheck(uint v) external checkOwner { value = v; }
  function byUnresolvedPause(uint v) external whenNotPaused { value = v; }
  function byUnresolvedValidation(uint v) external validAmount(v) { value = v; }
  function byOwnBalance(uint v) external { require(balances[msg.sender] >= v); balances[msg.sender] -= v; }
  function open(uint v) external { value = v; }
}`);

const table: [name: string, guarded: boolean][] = [
  ['byModifier', true],
  ['byRequire', true],
  ['byIfRevert', true],
  ['byRole', true],
  ['byAllowList', true],
  ['byUnresolvedGuard', true],
  ['byUnresolvedAuthorityCheck', true],
  ['byUnresolvedPause', false],
  ['byUnresolvedValidation', false],
  ['byOwnBalance', false],
  ['open', false],
];

/** Every detector family's "does this function restrict its caller?" question. */
const questions = {
  'access-control isGuarded': (name: string) =>
    accessControlGuarded(analysis, functionNamed(program, 'Vault', name), undefined, { amountsAreNotGuards: true }),
  'design isGuarded': (name: string) => designGuarded(analysis, functionNamed(program, 'Vault', name)),
  'arithmetic isPrivileged': (name: string) => isPrivileged(functionNamed(program, 'Vault', name), analysis),
  'reentrancy restrictsCaller': (name: string) => restrictsCaller(analysis, functionNamed(program, 'Vault', name)),
};

describe('every detector family answers "guarded?" the same way', () => {
  for (const [question, ask] of Object.entries(questions)) {
    test.each(table)(`${question}: %s → %s`, (name, guarded) => {
      expect(ask(name)).toBe(guarded);
    });
  }
});

describe('unresolvedModifierGuards (the one rule for modifiers whose code is missing)', () => {
  test('an unresolved modifier guards unless its name says it does something else', () => {
    const answers = Object.fromEntries(
      table.map(([name]) => [name, hasUnresolvedGuardModifier(functionNamed(program, 'Vault', name))]),
    );
    expect(answers).toMatchObject({
      byUnresolvedGuard: true,
      byUnresolvedAuthorityCheck: true,
      byUnresolvedPause: false,
      byUnresolvedValidation: false,
      byModifier: false, // resolved: its code decides, not its name
    });
  });

  test('a base constructor call in a constructor header is no guard', () => {
    const { program: p } = analyseSource(`pragma solidity ^0.8.0;
      contract Ownable { address owner; constructor(address o) { owner = o; } }
      contract Token is Ownable { constructor() Ownable(msg.sender) {} }`);
    const tokenConstructor = p.contract('Token')!.functions.find((f) => f.kind === 'constructor')!;
    expect(tokenConstructor.modifiers.map((use) => unresolvedModifierGuards(tokenConstructor, use))).toEqual([false]);
  });
});

describe('verifiesSignature', () => {
  test('ecrecover, ECDSA.recover and isValidSignature verify signatures; other calls do not', () => {
    const { program: p, analysis: a } = analyseSource(`pragma solidity ^0.8.0;
      library ECDSA { function recover(bytes32 h, bytes memory s) internal pure returns (address) { return address(0); } }
      interface IERC1271 { function isValidSignature(bytes32 h, bytes calldata s) external view returns (bytes4); }
      contract Wallet {
        using ECDSA for bytes32;
        uint nonce;
        function byEcrecover(bytes32 h, uint8 v, bytes32 r, bytes32 s) external { require(ecrecover(h, v, r, s) != address(0)); nonce++; }
        function byLibrary(bytes32 h, bytes calldata s) external { require(ECDSA.recover(h, s) != address(0)); nonce++; }
        function byErc1271(IERC1271 signer, bytes32 h, bytes calldata s) external { require(signer.isValidSignature(h, s) == 0x1626ba7e); nonce++; }
        function viaHelper(bytes32 h, uint8 v, bytes32 r, bytes32 s) external { check(h, v, r, s); nonce++; }
        function check(bytes32 h, uint8 v, bytes32 r, bytes32 s) internal pure { require(ecrecover(h, v, r, s) != address(0)); }
        function unsigned(bytes32 h) external { require(keccak256(abi.encode(h)) != h); nonce++; }
      }`);
    const ask = (name: string) => reachesSignatureCheck(a, functionNamed(p, 'Wallet', name));
    expect(['byEcrecover', 'byLibrary', 'byErc1271', 'viaHelper', 'unsigned'].map(ask)).toEqual([
      true,
      true,
      true,
      true,
      false,
    ]);
    const unsigned = functionNamed(p, 'Wallet', 'unsigned');
    expect(a.facts(unsigned).calls.some(verifiesSignature)).toBe(false);
    expect(findAll(unsigned.body!, 'FunctionCall').length).toBeGreaterThan(0);
  });
});
