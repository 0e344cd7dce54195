import { parseAbi, toEventSelector, toFunctionSelector } from 'viem';
import { describe, expect, test } from 'vitest';
import { buildPrivilegeMap, classifyFunction, nameWords, PrivilegeConfigError, standardPrivilege } from './classify.ts';
import { operatedVaultAbi, roleTokenAbi } from './testing.ts';

describe('classification', () => {
  test('default: names and argument types of an operated vault and a role token', () => {
    const vault = buildPrivilegeMap({ abi: operatedVaultAbi });
    expect(vault.fromAbi).toBe(true);
    const kinds = Object.fromEntries([...vault.functions.values()].map((f) => [f.signature, f.kind]));
    expect(kinds).toEqual({
      'initialize(address)': 'initializer',
      'setOperator(address)': 'control',
      'setFee(uint256)': 'operation',
      'sweep(address)': 'operation',
      'pause()': 'pause',
      'unpause()': 'unpause',
    });
    expect(vault.functions.get(toFunctionSelector('setOperator(address)'))).toMatchObject({ targets: [0] });
    // The custom event of the outside trial; Paused/Unpaused stay with the standard decoder.
    const operatorUpdated = vault.events.get(toEventSelector('OperatorUpdated(address,address)'));
    expect(operatorUpdated).toMatchObject({ kind: 'control', targets: [1], weight: 0.3, pending: false });
    expect(vault.events.size).toBe(1);

    const token = buildPrivilegeMap({ abi: roleTokenAbi });
    expect([...token.functions.values()].map((f) => [f.signature, f.kind, f.targets, f.role, f.revokes])).toEqual([
      ['grantRole(bytes32,address)', 'control', [1], 0, false],
      ['revokeRole(bytes32,address)', 'control', [], 0, true],
      ['mint(address,uint256)', 'operation', [], undefined, false],
    ]);
  });

  test('behavior: public functions that look privileged are not', () => {
    const abi = parseAbi([
      'function mint(uint256 shares, address receiver) returns (uint256)',
      'function mint(uint256 quantity) payable',
      'function setApprovalForAll(address operator, bool approved)',
      'function initiateWithdrawal(uint256 amount)',
      'function initialized() view returns (bool)',
      'function transferFrom(address from, address to, uint256 amount) returns (bool)',
      'function setUserUseReserveAsCollateral(address asset, bool useAsCollateral)',
      'event OperatorSet(address indexed owner, address indexed spender, bool approved)',
      'event ApprovalForAll(address indexed owner, address indexed operator, bool approved)',
    ]);
    expect(buildPrivilegeMap({ abi }).functions.size).toBe(0);
    expect(buildPrivilegeMap({ abi }).events.size).toBe(0);
  });

  test('behavior: control shapes beyond Ownable', () => {
    const abi = parseAbi([
      'function _setPendingAdmin(address newPendingAdmin)',
      'function acceptOwnership()',
      'function rely(address usr)',
      'function deny(address usr)',
      'function upgradeToAndCall(address implementation, bytes data) payable',
      'function updateMasterMinter(address newMasterMinter)',
      'function reinitializeV2(uint256 version)',
      'function withdrawFees(address to)',
      'event NewPendingAdmin(address oldPendingAdmin, address newPendingAdmin)',
      'event MinterRemoved(address indexed oldMinter)',
      'event NewImplementation(address oldImplementation, address newImplementation)',
      'event GovernorTransferred(address indexed from, address indexed to)',
    ]);
    const map = buildPrivilegeMap({ abi });
    const fn = (signature: string) => map.functions.get(toFunctionSelector(signature));
    const ev = (signature: string) => map.events.get(toEventSelector(signature));
    expect(fn('_setPendingAdmin(address)')).toMatchObject({ kind: 'control', targets: [0] });
    expect(fn('acceptOwnership()')).toMatchObject({ kind: 'control', accepts: true });
    expect(fn('rely(address)')).toMatchObject({ kind: 'control', targets: [0] });
    expect(fn('deny(address)')).toMatchObject({ kind: 'control', revokes: true, targets: [] });
    expect(fn('upgradeToAndCall(address,bytes)')).toMatchObject({ kind: 'upgrade', targets: [0] });
    expect(fn('updateMasterMinter(address)')).toMatchObject({ kind: 'control' });
    expect(fn('reinitializeV2(uint256)')).toMatchObject({ kind: 'initializer' });
    expect(fn('withdrawFees(address)')).toMatchObject({ kind: 'operation' });
    expect(ev('NewPendingAdmin(address,address)')).toMatchObject({ pending: true, targets: [1], weight: 0.25 });
    expect(ev('MinterRemoved(address)')).toMatchObject({ revokes: true, targets: [], weight: 0.15 });
    expect(ev('NewImplementation(address,address)')).toMatchObject({ kind: 'upgrade', targets: [1], weight: 0.4 });
    expect(ev('GovernorTransferred(address,address)')).toMatchObject({ targets: [1], weight: 0.35 });
  });

  test('behavior: names split into words', () => {
    expect(nameWords('transferOwnership')).toEqual(['transfer', 'ownership']);
    expect(nameWords('_setPendingAdmin')).toEqual(['set', 'pending', 'admin']);
    expect(nameWords('DEFAULT_ADMIN_ROLE')).toEqual(['default', 'admin', 'role']);
    expect(nameWords('recoverERC20')).toEqual(['recover', 'erc20']);
    expect(classifyFunction(parseAbi(['function recoverERC20(address,uint256)'])[0] as never, 'abi')?.kind).toBe(
      'operation',
    );
  });

  test('behavior: without an ABI, the well-known signatures', () => {
    const map = standardPrivilege();
    expect(map.fromAbi).toBe(false);
    for (const [signature, kind] of [
      ['transferOwnership(address)', 'control'],
      ['grantRole(bytes32,address)', 'control'],
      ['upgradeTo(address)', 'upgrade'],
      ['initialize(address)', 'initializer'],
      ['setOperator(address)', 'control'],
      ['mint(address,uint256)', 'operation'],
      ['unpause()', 'unpause'],
    ] as const) {
      expect(map.functions.get(toFunctionSelector(signature))?.kind, signature).toBe(kind);
    }
    expect(map.events.get(toEventSelector('OperatorUpdated(address,address)'))).toMatchObject({ targets: [1] });
    expect(map.events.get(toEventSelector('NewOwner(address)'))).toMatchObject({ targets: [0] });
  });
});

describe('config overrides', () => {
  test('default: privileged functions and events by name, signature or selector; notPrivileged removes', () => {
    const abi = parseAbi(['function harvest()', 'function setFee(uint256)', 'event KeeperRotated(address keeper)']);
    const map = buildPrivilegeMap({
      abi,
      privileged: { functions: ['harvest'], events: ['KeeperRotated(address)'] },
      notPrivileged: ['setFee'],
    });
    expect(map.functions.get(toFunctionSelector('harvest()'))).toMatchObject({ kind: 'operation', source: 'config' });
    expect(map.functions.has(toFunctionSelector('setFee(uint256)'))).toBe(false);
    expect(map.notPrivileged.has(toFunctionSelector('setFee(uint256)'))).toBe(true);
    expect(map.events.get(toEventSelector('KeeperRotated(address)'))).toMatchObject({ source: 'config', targets: [0] });
    // A selector, without an ABI: only through a signature.
    const standard = buildPrivilegeMap({ privileged: { functions: ['emergencyExit(address)'] } });
    expect(standard.functions.get(toFunctionSelector('emergencyExit(address)'))).toMatchObject({ kind: 'operation' });
    expect(
      buildPrivilegeMap({ abi, privileged: { functions: [toFunctionSelector('harvest()')] } }).functions.size,
    ).toBeGreaterThan(0);
  });

  test('error: a name without an ABI, a name not in the ABI, a malformed selector', () => {
    expect(() => buildPrivilegeMap({ privileged: { functions: ['harvest'] }, contract: 'Vault' })).toThrow(
      /Vault: privilege override 'harvest': a bare name needs/,
    );
    expect(() =>
      buildPrivilegeMap({ abi: parseAbi(['function harvest()']), privileged: { functions: ['harvets'] } }),
    ).toThrow(/Did you mean 'harvest'/);
    expect(() => buildPrivilegeMap({ notPrivileged: ['0x1234'] })).toThrow(PrivilegeConfigError);
    expect(() => buildPrivilegeMap({ privileged: { functions: ['0x4641257d'] } })).toThrow(/a selector needs/);
  });
});
