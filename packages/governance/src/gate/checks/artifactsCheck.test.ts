import { describe, expect, test } from 'vitest';
import { loadManifest } from '../../manifest/loadManifest.ts';
import { createReleaseProject } from '../testing.ts';
import { artifactsCheck } from './artifactsCheck.ts';

describe('artifactsCheck', () => {
  test('default: an artifact whose solc metadata hashes match the sources passes', async () => {
    const project = await createReleaseProject();
    const result = artifactsCheck(await loadManifest({ cwd: project.dir }));
    expect(result).toMatchObject({
      status: 'pass',
      reason: '1 artifact(s) were built from the sources as they are now (2 source hash(es) compared).',
    });
  });

  test('behavior: a source edited after the build fails, naming it; an artifact without source hashes warns', async () => {
    const project = await createReleaseProject();
    project.write('src/Vault.sol', `${project.read('src/Vault.sol')}// edited after the build\n`);
    const stale = artifactsCheck(await loadManifest({ cwd: project.dir }));
    expect(stale).toMatchObject({
      status: 'fail',
      reason:
        "The artifacts were not built from today's sources: src/Vault.sol (changed since the build, artifacts/Vault.json). Rebuild them (forge build, npx hardhat compile) and run the gate again.",
    });

    const { metadata: _, ...bare } = JSON.parse(project.read('artifacts/Vault.json'));
    project.write('artifacts/Vault.json', JSON.stringify(bare));
    const unrecorded = artifactsCheck(await loadManifest({ cwd: project.dir }));
    expect(unrecorded.status).toBe('warn');
    expect(unrecorded.reason).toMatch(/^Vault \(artifacts\/Vault.json\) record\(s\) no source hashes/);
  });
});
