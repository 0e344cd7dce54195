import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { artifactsDir } from '@bulwark/contracts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ManifestContract } from '../manifest/types.ts';
import { ArtifactError } from './errors.ts';
import { readArtifact } from './readArtifact.ts';
import { type CompiledContract, compileDemo } from './testing.ts';

const root = mkdtempSync(join(tmpdir(), 'bulwark-artifacts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let vault: CompiledContract;
let output: { contracts: Record<string, Record<string, unknown>> };
let immutables: { start: number; length: number }[];

const write = (path: string, value: unknown) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), typeof value === 'string' ? value : JSON.stringify(value));
};
const contract = (fields: Partial<ManifestContract>): ManifestContract => ({
  name: 'DemoVault',
  sources: ['src/DemoVault.sol'],
  ...fields,
});
const failure = (run: () => unknown): ArtifactError => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ArtifactError);
    return error as ArtifactError;
  }
  throw new Error('expected an ArtifactError');
};

beforeAll(() => {
  const compiled = compileDemo(['demo/DemoVault.sol:DemoVault']);
  vault = compiled.byName.DemoVault;
  output = compiled.output;
  immutables = Object.values(vault.immutableReferences)
    .flat()
    .sort((a, b) => a.start - b.start);
}, 180_000);

describe('readArtifact', () => {
  test('default: a Foundry artifact found by contract name under out/, with its immutableReferences', () => {
    const dir = join(root, 'foundry');
    write('foundry/out/DemoVault.sol/DemoVault.json', {
      abi: vault.abi,
      bytecode: { object: vault.bytecode, linkReferences: {} },
      deployedBytecode: {
        object: vault.deployedBytecode,
        linkReferences: {},
        immutableReferences: vault.immutableReferences,
      },
    });
    write('foundry/out/build-info/abc.json', { id: 'abc' });
    const artifact = readArtifact(contract({}), dir);
    expect(artifact).toMatchObject({
      file: join(dir, 'out/DemoVault.sol/DemoVault.json'),
      contractName: 'DemoVault',
      deployedBytecode: vault.deployedBytecode,
      immutablesFrom: 'artifact',
    });
    expect([...artifact.immutableRanges].sort((a, b) => a.start - b.start)).toEqual(immutables);
  });

  test('behavior: a Hardhat artifact takes its immutables from the build-info its .dbg.json names', () => {
    const dir = join(root, 'hardhat');
    write('hardhat/artifacts/contracts/DemoVault.sol/DemoVault.json', {
      _format: 'hh-sol-artifact-1',
      contractName: 'DemoVault',
      sourceName: 'demo/DemoVault.sol',
      abi: vault.abi,
      bytecode: vault.bytecode,
      deployedBytecode: vault.deployedBytecode,
      linkReferences: {},
      deployedLinkReferences: {},
    });
    write('hardhat/artifacts/contracts/DemoVault.sol/DemoVault.dbg.json', {
      _format: 'hh-sol-dbg-1',
      buildInfo: '../../build-info/f00.json',
    });
    write('hardhat/artifacts/build-info/f00.json', {
      id: 'f00',
      solcVersion: '0.8.30',
      input: { sources: {} },
      output,
    });
    const artifact = readArtifact(contract({}), dir);
    expect(artifact.immutablesFrom).toBe('artifact');
    expect([...artifact.immutableRanges].sort((a, b) => a.start - b.start)).toEqual(immutables);
  });

  test('behavior: solc standard-JSON output, with `contract` naming unit:Name', () => {
    write('solc/output.json', output);
    const artifact = readArtifact(
      contract({ artifact: 'output.json', contract: 'demo/DemoVault.sol:DemoVault' }),
      join(root, 'solc'),
    );
    expect(artifact).toMatchObject({ deployedBytecode: vault.deployedBytecode, immutablesFrom: 'artifact' });
  });

  test('behavior: Bulwark build.json and per-contract artifacts, immutables inferred from the code', () => {
    const fromBuild = readArtifact(
      contract({ name: 'Vault', artifact: join(artifactsDir, 'build.json'), contract: 'DemoVault' }),
      root,
    );
    const fromFile = readArtifact(contract({ artifact: join(artifactsDir, 'DemoVault.json') }), root);
    for (const artifact of [fromBuild, fromFile]) {
      expect(artifact.immutablesFrom).toBe('inferred');
      expect(artifact.immutableRanges).toEqual(immutables);
    }
  });

  test('behavior: library placeholders become zeros and their bytes are ignored', () => {
    const placeholder = `__$${'a'.repeat(34)}$__`;
    write('linked/Lib.json', { deployedBytecode: { object: `6000${placeholder}00` } });
    const artifact = readArtifact(contract({ artifact: 'Lib.json' }), join(root, 'linked'));
    expect(artifact.deployedBytecode).toBe(`0x6000${'00'.repeat(20)}00`);
    expect(artifact.immutableRanges).toEqual([{ start: 2, length: 20 }]);
  });

  test('error: a missing artifact, no such contract, an interface, text that is not JSON', () => {
    expect(failure(() => readArtifact(contract({ artifact: 'nope.json' }), root)).message).toContain(
      'The artifact nope.json of contract DemoVault does not exist.',
    );
    write('solc2/output.json', output);
    expect(
      failure(() => readArtifact(contract({ artifact: 'output.json', contract: 'Missing' }), join(root, 'solc2')))
        .shortMessage,
    ).toBe('The artifact output.json has no runtime code for contract Missing.');
    expect(
      failure(() => readArtifact(contract({ name: 'IERC20', artifact: join(artifactsDir, 'IERC20.json') }), root))
        .shortMessage,
    ).toMatch(/has empty runtime code for IERC20\.$/);
    write('bad/a.json', '{ nope');
    expect(failure(() => readArtifact(contract({ artifact: 'a.json' }), join(root, 'bad'))).shortMessage).toBe(
      'The artifact a.json of contract DemoVault is not valid JSON.',
    );
  });

  test('error: no artifact in the build folders, or several', () => {
    const none = failure(() => readArtifact(contract({ name: 'Other' }), join(root, 'foundry')));
    expect(none.shortMessage).toBe('No artifact for contract Other: no Other.json under out/ or artifacts/.');
    expect(none.message).toContain('Fix: build the project (forge build, npx hardhat compile)');
    write('both/out/DemoVault.sol/DemoVault.json', { deployedBytecode: { object: '0x00' } });
    write('both/artifacts/DemoVault.json', { deployedBytecode: '0x00' });
    const both = failure(() => readArtifact(contract({}), join(root, 'both')));
    expect(both.shortMessage).toBe('Several artifacts named DemoVault.json for contract DemoVault.');
    expect(both.message).toContain('out/DemoVault.sol/DemoVault.json, artifacts/DemoVault.json');
  });
});
