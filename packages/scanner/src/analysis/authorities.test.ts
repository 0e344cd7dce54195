import { findAll } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import {
  authoritiesOf,
  delayVariables,
  hasApprovalQuorum,
  hasDelay,
  holdsContractAddress,
  isGuardCondition,
  resolveAuthority,
} from './authorities.ts';
import { profileOf } from './contractProfile.ts';
import { analyseSource, functionNamed } from './testing.ts';

const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
  library StorageSlot { struct AddressSlot { address value; } function getAddressSlot(bytes32 s) internal pure returns (AddressSlot storage r) { assembly { r.slot := s } } }
  interface IAccess { function isAdmin(address a) external view returns (bool); }
  contract Helper {}
  contract Vault {
    bytes32 constant ADMIN_SLOT = keccak256("admin");
    address owner;
    address factory;
    address self_ = address(this);
    address child = address(new Helper());
    IAccess acl;
    mapping(address => bool) admins;
    mapping(bytes32 => mapping(address => bool)) roles;
    mapping(uint => address) ownerOf;
    mapping(address => uint) balances;
    uint value;
    uint unlockAt;
    uint approvals;
    uint threshold;
    constructor() { factory = msg.sender; }
    modifier onlyOwner() { require(msg.sender == owner); _; }
    modifier onlyAdminBranch() { if (admins[msg.sender]) { _; } else { revert(); } }
    function _owner() internal view returns (address) { return owner; }
    function _admin() internal view returns (address a) { a = StorageSlot.getAddressSlot(ADMIN_SLOT).value; }
    function _hasRole(bytes32 r, address a) internal view returns (bool) { return roles[r][a]; }
    function byModifier() external onlyOwner { value = 1; }
    function byGetter() external { require(msg.sender == _owner()); value = 2; }
    function bySlot() external { require(msg.sender == _admin()); value = 3; }
    function byAllowList() external onlyAdminBranch { value = 4; }
    function byRole() external { require(_hasRole(keccak256("R"), msg.sender)); value = 5; }
    function byContract() external { require(acl.isAdmin(msg.sender)); value = 6; }
    function bySelf() external { require(msg.sender == address(this)); value = 7; }
    function byIfRevert() external { if (msg.sender != owner) revert(); value = 8; }
    function byOwnerOf(uint id) external { require(ownerOf[id] == msg.sender); value = 9; }
    function byStoredIndex() external { require(ownerOf[0] == msg.sender); value = 10; }
    function byFactory() external { require(msg.sender == factory); value = 11; }
    function byBranchOnly() external { if (msg.sender == owner) { value = 12; } else { value = 13; } }
    function byBalance() external { require(balances[msg.sender] > 0); value = 14; }
    function open() external { value = 15; }
    function timelocked() external { require(block.timestamp >= unlockAt); value = 16; }
    function deadlineOnly(uint deadline) external { require(block.timestamp <= deadline); value = 17; }
    function quorum() external { require(approvals >= threshold); value = 18; }
    function notQuorum(uint n) external { require(n >= threshold); value = 19; }
    function useSelf() external view returns (bool) { return self_ == child; }
  }
  contract Factory { function make() external returns (Vault) { return new Vault(); } }`);
const fn = (name: string) => functionNamed(program, 'Vault', name);
const vault = program.contract('Vault')!;
const kinds = (name: string) =>
  authoritiesOf(analysis, fn(name), vault).map((a) => (a.variable ? `${a.kind}:${a.variable.name}` : a.kind));

describe('authoritiesOf', () => {
  test('what each entry checks the caller against', () => {
    expect(
      Object.fromEntries(
        [
          'byModifier',
          'byGetter',
          'bySlot',
          'byAllowList',
          'byRole',
          'byContract',
          'bySelf',
          'byIfRevert',
          'byStoredIndex',
          'byFactory',
        ].map((n) => [n, kinds(n)]),
      ),
    ).toEqual({
      byModifier: ['address:owner'],
      byGetter: ['address:owner'],
      bySlot: ['slot'],
      byAllowList: ['role:admins'],
      byRole: ['role'],
      byContract: ['contract'],
      bySelf: ['self'],
      byIfRevert: ['address:owner'],
      byStoredIndex: ['role:ownerOf'],
      byFactory: ['contract:factory'], // set to the deployer, and only a contract deploys Vault
    });
  });

  test('no authority: ownership of a caller-chosen item, a branch that stops nobody, own balance, nothing', () => {
    expect(kinds('byOwnerOf')).toEqual([]);
    expect(kinds('byBranchOnly')).toEqual([]);
    expect(kinds('byBalance')).toEqual([]);
    expect(kinds('open')).toEqual([]);
  });
});

describe('isGuardCondition', () => {
  test('require arguments and ifs that revert or hold `_` in a branch', () => {
    const guards = (name: string) => {
      const f = name === 'onlyAdminBranch' ? vault.modifiers.find((m) => m.name === name)! : fn(name);
      const facts = analysis.facts(f);
      return facts.conditions.map((c) => isGuardCondition(c, facts.parents));
    };
    expect(guards('byModifier')).toEqual([]);
    expect(guards('byIfRevert')).toEqual([true]);
    expect(guards('byBranchOnly')).toEqual([false]);
    expect(guards('onlyAdminBranch')).toEqual([true]);
    expect(guards('byGetter')).toEqual([true]);
  });
});

describe('resolveAuthority and holdsContractAddress', () => {
  test('address(this) is self; variables set to this or a new contract hold contracts', () => {
    const f = fn('useSelf');
    const [ret] = findAll(f.body!, 'ReturnStatement');
    expect(resolveAuthority(analysis, ret!.expression.left, f, 0)?.kind).toBe('contract');
    const variable = (name: string) => vault.stateVariables.find((v) => v.name === name)!;
    expect(holdsContractAddress(analysis, variable('self_'))).toBe(true);
    expect(holdsContractAddress(analysis, variable('child'))).toBe(true);
    expect(holdsContractAddress(analysis, variable('owner'))).toBe(false);
    const [thisCheck] = analysis.facts(fn('bySelf')).conditions;
    expect(resolveAuthority(analysis, thisCheck!.right, fn('bySelf'), 0)).toEqual({ kind: 'self' });
  });
});

describe('hasDelay, delayVariables, hasApprovalQuorum', () => {
  test('a stored time compared with the block is a delay; a caller-chosen deadline is not', () => {
    expect(hasDelay(analysis, fn('timelocked'))).toBe(true);
    expect(hasDelay(analysis, fn('deadlineOnly'))).toBe(false);
    expect([...delayVariables(analysis, profileOf(analysis, vault))].map((v) => v.name)).toEqual(['unlockAt']);
  });
  test('a stored count against a stored threshold is a quorum; a parameter is not', () => {
    expect(hasApprovalQuorum(analysis, fn('quorum'))).toBe(true);
    expect(hasApprovalQuorum(analysis, fn('notQuorum'))).toBe(false);
    expect(hasApprovalQuorum(analysis, fn('open'))).toBe(false);
  });
});

describe('0.4 code', () => {
  test('`if (msg.sender != owner) throw;` in a modifier checks the owner', () => {
    const { program: p, analysis: a } = analyseSource(`pragma solidity ^0.4.24;
      contract Old { address owner; uint x;
        modifier onlyOwner { if (msg.sender != owner) throw; _; }
        function Old() { owner = msg.sender; }
        function set(uint v) onlyOwner { x = v; } }`);
    expect(authoritiesOf(a, functionNamed(p, 'Old', 'set')).map((x) => `${x.kind}:${x.variable?.name}`)).toEqual([
      'address:owner',
    ]);
  });
});

describe('OpenZeppelin-style Ownable and AccessControl (inheritance, virtual helpers, custom errors, overloads)', () => {
  test('an owner behind a virtual getter and a role behind an overloaded check', () => {
    const { program: p, analysis: a } = analyseSource(`pragma solidity ^0.8.0;
      abstract contract Context { function _msgSender() internal view virtual returns (address) { return msg.sender; } }
      abstract contract Ownable is Context {
        address private _owner;
        error OwnableUnauthorizedAccount(address a);
        modifier onlyOwner() { _checkOwner(); _; }
        function owner() public view virtual returns (address) { return _owner; }
        function _checkOwner() internal view virtual { if (owner() != _msgSender()) revert OwnableUnauthorizedAccount(_msgSender()); }
        function transferOwnership(address n) public virtual onlyOwner { _owner = n; }
      }
      abstract contract AccessControl is Context {
        mapping(bytes32 => mapping(address => bool)) private _roles;
        modifier onlyRole(bytes32 role) { _checkRole(role); _; }
        function hasRole(bytes32 role, address account) public view virtual returns (bool) { return _roles[role][account]; }
        function _checkRole(bytes32 role) internal view virtual { _checkRole(role, _msgSender()); }
        function _checkRole(bytes32 role, address account) internal view virtual { if (!hasRole(role, account)) revert(); }
      }
      contract Token is Ownable, AccessControl {
        bytes32 constant MINTER = keccak256("MINTER");
        mapping(address => uint) balances;
        function mint(address to, uint v) external onlyRole(MINTER) { balances[to] += v; }
        function open(uint v) external { balances[msg.sender] += v; }
      }`);
    const token = p.contract('Token')!;
    const ask = (contract: string, name: string) =>
      authoritiesOf(a, functionNamed(p, contract, name), token).map((x) => `${x.kind}:${x.variable?.name}`);
    expect(ask('Ownable', 'transferOwnership')).toEqual(['address:_owner']);
    expect(ask('Token', 'mint')).toEqual(['role:undefined']);
    expect(ask('Token', 'open')).toEqual([]);
  });
});
