import { loadArtifacts } from '@bulwark/contracts';
import { type Hex, toFunctionSelector } from 'viem';
import { describe, expect, test } from 'vitest';
import { readBytecode, referencedAddresses } from './bytecode.ts';

const artifacts = await loadArtifacts();
const selectorsOf = (name: string) =>
  artifacts.contracts[name]!.abi.flatMap((item) => (item.type === 'function' ? [toFunctionSelector(item)] : []));

describe('readBytecode', () => {
  test('default: the dispatcher gives the external functions, and the calls made elsewhere', () => {
    const { functions, calls } = readBytecode(artifacts.contracts.ReentrancyAttacker!.deployedBytecode);
    expect([...functions].sort()).toEqual(selectorsOf('ReentrancyAttacker').sort());
    // It calls the vault's deposit() and withdrawAll().
    expect(calls).toContain(toFunctionSelector('deposit()'));
    expect(calls).toContain(toFunctionSelector('withdrawAll()'));
    for (const selector of functions) expect(calls.has(selector)).toBe(false);
  });

  test('behavior: a larger contract (binary-search dispatcher) and push data never read as opcodes', () => {
    const { functions } = readBytecode(artifacts.contracts.DemoVault!.deployedBytecode);
    expect([...functions].sort()).toEqual(selectorsOf('DemoVault').sort());
    // 0x63 (PUSH4) inside PUSH32 data, then EQ: not a function.
    expect(readBytecode(`0x7f${'63aabbccdd14'.padEnd(64, '0')}00`).functions).toEqual([]);
    expect(readBytecode('0x63aabbccdd14').functions).toEqual(['0xaabbccdd']);
    expect(readBytecode('0x63aabbccdd8114').functions).toEqual(['0xaabbccdd']);
  });
});

describe('referencedAddresses', () => {
  const address = '0x5fc8d32690cc91d4c39d9d3abcbd16989f875707';
  test('default: an address pushed, in an immutable or in constructor arguments, on a byte boundary only', () => {
    expect(referencedAddresses(`0x73${address.slice(2)}`, [address])).toEqual([address]);
    expect(referencedAddresses(`0x7f${address.slice(2).padStart(64, '0')}`, [address.toUpperCase()])).toEqual([
      address,
    ]);
    // Half a byte off: not a reference.
    expect(referencedAddresses(`0x7${address.slice(2)}0` as Hex, [address])).toEqual([]);
    expect(referencedAddresses('0x6080', [address])).toEqual([]);
  });
});
