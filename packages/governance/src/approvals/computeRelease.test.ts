import { describe, expect, test } from 'vitest';
import { createReleaseProject } from '../gate/testing.ts';
import { loadManifest } from '../manifest/loadManifest.ts';
import { computeRelease } from './computeRelease.ts';
import { ReleaseError } from './errors.ts';

describe('computeRelease', () => {
  test('default: the digest covers the manifest, sources with their imports, artifacts and dependencies', async () => {
    const project = await createReleaseProject();
    const loaded = await loadManifest({ cwd: project.dir });
    const { digest, release, inventory } = computeRelease({ loaded, target: 'production' });
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(release.target).toBe('production');
    expect(release.manifest).toEqual({ path: 'bulwark.config.yaml', sha256: loaded.sha256 });
    expect(release.sources.map((s) => s.path)).toEqual(['src/Pausable.sol', 'src/Vault.sol']);
    expect(release.artifacts).toHaveLength(1);
    expect(release.artifacts[0]).toMatchObject({ contract: 'Vault', path: 'artifacts/Vault.json' });
    expect(release.artifacts[0]!.bytecodeSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(release.artifacts[0]!.deployedBytecodeSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(release.dependencies).toEqual({ lockDigest: inventory.lockDigest, count: 2 });
    // The same release computes the same digest.
    expect(computeRelease({ loaded: await loadManifest({ cwd: project.dir }), target: 'production' }).digest).toBe(
      digest,
    );
  });

  test('behavior: any change to what ships changes the digest', async () => {
    const project = await createReleaseProject();
    const digestNow = async (target = 'production') =>
      computeRelease({ loaded: await loadManifest({ cwd: project.dir }), target }).digest;
    const seen = new Set([await digestNow()]);
    const changed = async (what: string) => {
      const digest = await digestNow();
      expect(seen.has(digest), what).toBe(false);
      seen.add(digest);
    };
    expect(seen.has(await digestNow('staging'))).toBe(false);
    // A file only imported (not listed in the manifest) is part of the release too.
    project.write('src/Pausable.sol', `${project.read('src/Pausable.sol')}\n// changed\n`);
    await changed('an imported source');
    const artifact = JSON.parse(project.read('artifacts/Vault.json'));
    artifact.deployedBytecode = `${artifact.deployedBytecode}00`;
    project.write('artifacts/Vault.json', JSON.stringify(artifact));
    await changed('the artifact bytecode');
    project.write('lib/safe-math/src/SafeMathLite.sol', `${project.read('lib/safe-math/src/SafeMathLite.sol')}\n`);
    await changed('a library in lib/');
    project.write(
      'package-lock.json',
      project.read('package-lock.json').replace('"version": "1.3.0"', '"version": "1.3.1"'),
    );
    await changed('the lockfile');
    project.editManifest((m) => {
      (m.project as Record<string, unknown>).description = 'edited';
    });
    await changed('the manifest');
  });

  test('error: a missing artifact or source names the contract and the fix', async () => {
    const project = await createReleaseProject();
    project.editManifest((m) => {
      (m.contracts as Record<string, unknown>[])[0]!.artifact = 'out/Missing.json';
    });
    const loaded = await loadManifest({ cwd: project.dir });
    expect(() => computeRelease({ loaded, target: 'production' })).toThrow(ReleaseError);
    expect(() => computeRelease({ loaded, target: 'production' })).toThrow(
      /The artifact out\/Missing.json of Vault does not exist.\nFix: build the contracts first/,
    );
    expect(() => computeRelease({ loaded, target: 'prod uction' })).toThrow(/target "prod uction" is not a valid name/);
  });
});
