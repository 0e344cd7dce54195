import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { artifactsDir, loadArtifacts, readSources, solidityDir } from './compile.ts';

const temporary: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-contracts-'));
  temporary.push(dir);
  return dir;
};

afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

const names = (abi: readonly { type: string; name?: string }[], type: string) =>
  abi.filter((item) => item.type === type).map((item) => item.name);

describe('loadArtifacts', () => {
  test('default: every breaker, demo and attacker contract, with ABI and bytecode, cached on disk', async () => {
    const artifacts = await loadArtifacts();
    expect(artifacts.solcVersion).toBe('0.8.30');
    for (const name of [
      'DemoToken',
      'DemoVault',
      'DemoLendingMarket',
      'DemoPriceOracle',
      'DemoAmm',
      'DemoFlashLender',
      'ReentrancyAttacker',
      'FlashLoanOracleAttacker',
      'DrainerImplementation',
      'RiggedOracle',
    ]) {
      const artifact = artifacts.contracts[name]!;
      expect(artifact.bytecode.length, name).toBeGreaterThan(100);
      expect(artifact.deployedBytecode.length, name).toBeGreaterThan(100);
      expect(existsSync(join(artifactsDir, `${name}.json`)), name).toBe(true);
    }
    // The breakers are abstract: ABI only.
    expect(artifacts.contracts.GuardianPausable!.bytecode).toBe('0x');
    expect(artifacts.contracts.OutflowLimiter!.sourceName).toBe('breakers/OutflowLimiter.sol');
    const vault = artifacts.contracts.DemoVault!.abi;
    expect(names(vault, 'function')).toEqual(
      expect.arrayContaining(['pause', 'requestUnpause', 'unpause', 'setGuardian', 'setOutflowLimit', 'claim']),
    );
    expect(names(vault, 'event')).toEqual(
      expect.arrayContaining(['Paused', 'UnpauseRequested', 'Unpaused', 'GuardianChanged', 'OutflowLimitBreached']),
    );
    expect(names(vault, 'error')).toEqual(expect.arrayContaining(['EnforcedPause', 'OutflowLimitExceeded']));
    expect(artifacts.warnings).toEqual([]);

    const again = await loadArtifacts();
    expect(again.fromCache).toBe(true);
    expect(again.sourceHash).toBe(artifacts.sourceHash);
    const build = JSON.parse(readFileSync(join(artifactsDir, 'build.json'), 'utf8')) as { sourceHash: string };
    expect(build.sourceHash).toBe(artifacts.sourceHash);
  });

  test('behavior: compiles again only when a source changes', async () => {
    const sources = tempDir();
    const out = tempDir();
    const path = join(sources, 'One.sol');
    writeFileSync(
      path,
      'pragma solidity 0.8.30;\ncontract One { function one() external pure returns (uint256) { return 1; } }\n',
    );
    const first = await loadArtifacts({ sourceDir: sources, artifactsDir: out });
    expect(first.fromCache).toBe(false);
    expect(Object.keys(first.contracts)).toEqual(['One']);
    expect((await loadArtifacts({ sourceDir: sources, artifactsDir: out })).fromCache).toBe(true);

    writeFileSync(
      path,
      'pragma solidity 0.8.30;\ncontract One { function two() external pure returns (uint256) { return 2; } }\n',
    );
    const changed = await loadArtifacts({ sourceDir: sources, artifactsDir: out });
    expect(changed.fromCache).toBe(false);
    expect(changed.sourceHash).not.toBe(first.sourceHash);
    expect(names(changed.contracts.One!.abi, 'function')).toEqual(['two']);
    expect((await loadArtifacts({ sourceDir: sources, artifactsDir: out, force: true })).fromCache).toBe(false);
  });

  test('error: a source that does not compile is named with its line', async () => {
    const sources = tempDir();
    writeFileSync(join(sources, 'Broken.sol'), 'pragma solidity 0.8.30;\ncontract Broken {\n  uint256 x = ;\n}\n');
    const error = await loadArtifacts({ sourceDir: sources, artifactsDir: tempDir() }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ContractsBuildError' });
    expect((error as Error).message).toContain('Broken.sol:3');
  });

  test('error: an empty source folder is refused', async () => {
    await expect(loadArtifacts({ sourceDir: tempDir(), artifactsDir: tempDir() })).rejects.toMatchObject({
      name: 'ContractsBuildError',
    });
  });
});

describe('demo sources', () => {
  test('behavior: every deliberate vulnerability is marked, and the breakers have none', () => {
    const sources = readSources(solidityDir);
    const marked = Object.fromEntries(
      [...sources].map(([name, content]) => [name, content.split('// DEMO-VULNERABILITY:').length - 1]),
    );
    expect(marked).toMatchObject({
      'demo/DemoVault.sol': 3, // reentrancy, slow drain, upgrade
      'demo/DemoPriceOracle.sol': 1, // spot price
      'demo/DemoLendingMarket.sol': 2, // role grant, trust in the spot price
      'breakers/GuardianPausable.sol': 0,
      'breakers/OutflowLimiter.sol': 0,
      'breakers/Transfers.sol': 0,
    });
    for (const [name, content] of sources) expect(content, name).toMatch(/^pragma solidity 0\.8\.30;$/m);
  });
});
