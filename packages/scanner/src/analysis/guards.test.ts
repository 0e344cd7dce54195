import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findAll, hasUnresolvedGuardModifier, type Node, unresolvedModifierGuards } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import { isGuarded, isSender, reachesSignatureCheck, verifiesSignature } from './guards.ts';
import { analyseSource, functionNamed } from './testing.ts';

// One function per kind of guard; each writes state so that every guard question applies.
const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
library ECDSA { function recover(bytes32 h, bytes memory s) internal pure returns (address) { return address(0); } }
library SafeMath { function sub(uint a, uint b) internal pure returns (uint) { require(b <= a); return a - b; } }
abstract contract Vault {
  using SafeMath for uint;
  mapping(address => mapping(address => uint)) tokens;
  address owner;
  mapping(address => bool) admins;
  mapping(address => bool) blocked;
  mapping(bytes32 => mapping(address => bool)) roles;
  mapping(address => uint) balances;
  uint value;
  modifier onlyOwner() { require(msg.sender == owner, "owner"); _; }
  function hasRole(bytes32 role, address account) internal view returns (bool) { return roles[role][account]; }
  function isOwner() internal view returns (bool) { return _msgSender() == owner; }
  function _msgSender() internal view returns (address) { return msg.sender; }
  function _authorize() internal virtual;
  function _checkOwner(address account) internal view { require(account == owner); }
  function byModifier(uint v) external onlyOwner { value = v; }
  function byRequire(uint v) external { require(msg.sender == owner); value = v; }
  function byIfRevert(uint v) external { if (msg.sender != owner) revert(); value = v; }
  function byIfReturn(uint v) external { if (msg.sender != owner) return; value = v; }
  function byRole(uint v) external { require(hasRole(keccak256("ADMIN"), msg.sender)); value = v; }
  function byAllowList(uint v) external { require(admins[msg.sender]); value = v; }
  function byHelper(uint v) external { require(isOwner()); value = v; }
  function bySenderLocal(uint v) external { address who = _msgSender(); require(who == owner); value = v; }
  function byHook(uint v) external { _authorize(); value = v; }
  function byAssembly(uint v) external { assembly { if iszero(eq(sload(owner.slot), caller())) { revert(0, 0) } } value = v; }
  function bySignature(bytes32 h, bytes calldata s, uint v) external { require(ECDSA.recover(h, s) == owner); value = v; }
  function byUnresolvedGuard(uint v) external onlyGovernance { value = v; }
  function byUnresolvedAuthorityCheck(uint v) external checkOwner { value = v; }
  function byUnresolvedPause(uint v) external whenNotPaused { value = v; }
  function byUnresolvedValidation(uint v) external validAmount(v) { value = v; }
  function byOwnBalance(uint v) external { require(balances[msg.sender] >= v); balances[msg.sender] -= v; }
  function byExclusion(uint v) external { require(msg.sender != address(0)); value = v; }
  function byDenyList(uint v) external { require(!blocked[msg.sender]); value = v; }
  function byEoaCheck(uint v) external { require(msg.sender == tx.origin); value = v; }
  function byRevertForOwner(uint v) external { if (msg.sender == owner) revert(); value = v; }
  function byCheckHelper(uint v) external { _checkOwner(msg.sender); value = v; }
  function byOwnTokensThroughLibrary(address t, uint v) external { tokens[t][msg.sender] = tokens[t][msg.sender].sub(v); }
  function open(uint v) external { value = v; }
}`);

const table: [name: string, guarded: boolean][] = [
  ['byModifier', true],
  ['byRequire', true],
  ['byIfRevert', true],
  ['byIfReturn', true],
  ['byRole', true],
  ['byAllowList', true],
  ['byHelper', true],
  ['bySenderLocal', true],
  ['byHook', true],
  ['byAssembly', true],
  ['bySignature', true],
  ['byUnresolvedGuard', true],
  ['byUnresolvedAuthorityCheck', true],
  ['byUnresolvedPause', false],
  ['byUnresolvedValidation', false],
  ['byOwnBalance', false],
  ['byExclusion', false],
  ['byDenyList', false],
  ['byEoaCheck', false],
  ['byRevertForOwner', false],
  ['byCheckHelper', true],
  ['byOwnTokensThroughLibrary', false],
  ['open', false],
];

describe('isGuarded (the one meaning of "guarded")', () => {
  test.each(table)('%s → %s', (name, guarded) => {
    expect(isGuarded(analysis, functionNamed(program, 'Vault', name))).toBe(guarded);
  });

  test('no detector answers the question itself: they all import it from analysis/guards.ts', () => {
    const detectors = fileURLToPath(new URL('../detectors/', import.meta.url));
    const own = readdirSync(detectors, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .filter((file) =>
        /function (isGuarded|isPrivileged|restrictsCaller|isSender|isSenderExpression)\b/.test(
          readFileSync(`${detectors}${file}`, 'utf8'),
        ),
      );
    expect(own).toEqual([]);
  });
  test('the state taint ("a value anyone can set") asks isGuarded, not a looser test of its own', () => {
    const { program: p, analysis: a } = analyseSource(`pragma solidity ^0.8.0;
      contract C {
        address owner;
        address banned;
        uint limit;
        uint cap;
        function setLimit(uint v) external { require(msg.sender != banned); limit = v; }
        function setCap(uint v) external { require(msg.sender == owner); cap = v; }
      }`);
    const taint = a.stateTaint(p.contracts.find((c) => c.name === 'C')!);
    expect(isGuarded(a, functionNamed(p, 'C', 'setLimit'))).toBe(false);
    expect([...(taint.get('limit') ?? [])]).toContain('user-input');
    expect([...(taint.get('cap') ?? [])]).not.toContain('user-input');
  });
});

describe('isSender (the one "is this the caller" check)', () => {
  test('msg.sender, tx.origin, _msgSender(), conversions of them and locals holding them; nothing else', () => {
    const { program: p, analysis: a } = analyseSource(`pragma solidity ^0.8.0;
      contract C {
        address owner;
        function _msgSender() internal view returns (address) { return msg.sender; }
        function f(address to) external view returns (bool[7] memory r) {
          address who = _msgSender();
          r = [msg.sender == owner, tx.origin == owner, _msgSender() == owner, payable(msg.sender) == owner,
               who == owner, to == owner, address(this) == owner];
        }
      }`);
    const f = functionNamed(p, 'C', 'f');
    const [array] = findAll(f.body!, (n) => n.type === 'TupleExpression' && n.isArray);
    expect(array!.components.map((c: Node) => isSender(a, f, c.left))).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(isSender(a, f, array!.components[5].left, new Set(['to']))).toBe(true);
  });
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
