import { type Artifacts, loadArtifacts } from '@bulwark/contracts';
import type { Hex } from 'viem';
import { beforeAll, describe, expect, test } from 'vitest';
import { inferImmutableRanges, normalizeRuntimeCode } from './normalizeRuntimeCode.ts';
import { type CompiledContract, compileDemo } from './testing.ts';

let artifacts: Artifacts;
let compiled: Record<string, CompiledContract>;
let edited: CompiledContract;
const withImmutables = ['DemoVault', 'DemoLendingMarket', 'DemoAmm', 'DemoPriceOracle'];

beforeAll(async () => {
  artifacts = await loadArtifacts();
  compiled = compileDemo([
    'demo/DemoVault.sol:DemoVault',
    'demo/DemoLendingMarket.sol:DemoLendingMarket',
    'demo/DemoAmm.sol:DemoAmm',
    'demo/DemoPriceOracle.sol:DemoPriceOracle',
    'demo/DemoToken.sol:DemoToken',
  ]).byName;
  // The same token with a comment added: same code, another metadata hash.
  edited = compileDemo(['demo/DemoToken.sol:DemoToken'], (unit, content) =>
    unit === 'demo/DemoToken.sol' ? `${content}\n// a comment changes only the metadata\n` : content,
  ).byName.DemoToken;
}, 180_000);

const ranges = (references: CompiledContract['immutableReferences']) =>
  Object.values(references)
    .flat()
    .sort((a, b) => a.start - b.start);

describe('normalizeRuntimeCode', () => {
  test('default: cuts the CBOR metadata off the end, by the length in the last two bytes', () => {
    const code = artifacts.contracts.DemoToken.deployedBytecode;
    const { code: normalized, metadata, hash } = normalizeRuntimeCode(code);
    expect(metadata).toBeDefined();
    // solc 0.8: a2 64 "ipfs" 58 22 <34 bytes> 64 "solc" 43 <3 bytes>, then its length 0x0033.
    expect(metadata).toMatch(/^0xa264697066735822[0-9a-f]{68}64736f6c6343[0-9a-f]{6}0033$/);
    expect(normalized.length + metadata!.length - 2).toBe(code.length);
    expect(code.startsWith(normalized)).toBe(true);
    expect(hash).toMatch(/^0x[0-9a-f]{64}$/);
  });

  test('behavior: a build whose metadata hash differs normalizes to the same code', () => {
    const original = compiled.DemoToken.deployedBytecode as Hex;
    expect(edited.deployedBytecode).not.toBe(original);
    expect(normalizeRuntimeCode(edited.deployedBytecode as Hex).hash).toBe(normalizeRuntimeCode(original).hash);
    // …and the build matches the committed-build artifact too.
    expect(normalizeRuntimeCode(original).hash).toBe(
      normalizeRuntimeCode(artifacts.contracts.DemoToken.deployedBytecode).hash,
    );
  });

  test('behavior: code without solc metadata is kept whole', () => {
    expect(normalizeRuntimeCode('0x6001600055')).toMatchObject({ code: '0x6001600055', metadata: undefined });
    // Ends in a plausible length, but what precedes is not a CBOR map with solc's keys.
    expect(normalizeRuntimeCode('0x600160005500000003')).toMatchObject({ metadata: undefined });
    expect(normalizeRuntimeCode('0x').code).toBe('0x');
  });

  test('behavior: immutables (filled at deployment) are zeroed', () => {
    const code = compiled.DemoVault.deployedBytecode as Hex;
    const immutables = ranges(compiled.DemoVault.immutableReferences);
    const bytes = Buffer.from(code.slice(2), 'hex');
    for (const { start, length } of immutables) bytes.fill(0xab, start, start + length);
    const filled = `0x${bytes.toString('hex')}` as Hex;
    expect(normalizeRuntimeCode(filled).hash).not.toBe(normalizeRuntimeCode(code).hash);
    expect(normalizeRuntimeCode(filled, immutables).hash).toBe(normalizeRuntimeCode(code, immutables).hash);
  });
});

describe('inferImmutableRanges', () => {
  test.each(withImmutables)('default: finds exactly the immutables solc lists for %s', (name) => {
    const expected = ranges(compiled[name].immutableReferences);
    expect(expected.length).toBeGreaterThan(0);
    expect(inferImmutableRanges(compiled[name].deployedBytecode as Hex)).toEqual(expected);
    // The artifacts without immutableReferences give the same answer.
    expect(inferImmutableRanges(artifacts.contracts[name].deployedBytecode)).toEqual(expected);
  });

  test('behavior: none in a contract without immutables; push data is never read as code', () => {
    expect(inferImmutableRanges(artifacts.contracts.DemoToken.deployedBytecode)).toEqual([]);
    // PUSH2 0x7f00 then STOP: the 0x7f inside push data is not a PUSH32.
    expect(inferImmutableRanges(`0x617f00${'00'.repeat(40)}`)).toEqual([]);
    expect(inferImmutableRanges(`0x7f${'00'.repeat(32)}00`)).toEqual([{ start: 1, length: 32 }]);
  });
});
