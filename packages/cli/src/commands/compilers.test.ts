import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { offlineRegistryUrl, type SolcRegistry, startSolcRegistry } from '@bulwark/solidity/testing';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { runCli } from '../testing.ts';

let registry: SolcRegistry;
beforeAll(async () => {
  registry = await startSolcRegistry({ versions: ['0.4.25'] });
});
afterAll(() => registry.close());

describe('bulwark compilers', () => {
  test('default: fetch a version and a range into BULWARK_CACHE_DIR, then list them', async () => {
    const cache = mkdtempSync(path.join(tmpdir(), 'bulwark-cli-cache-'));
    const env = { BULWARK_CACHE_DIR: cache };
    const fetched = await runCli(['compilers', 'fetch', '0.4.25', '^0.4.20', '0.8.30', '--registry', registry.url], {
      env,
    });
    expect(fetched.code).toBe(0);
    const soljson = path.join(cache, 'solc', '0.4.25', 'soljson.js');
    expect(fetched.stdout).toBe(
      `solc 0.4.25: ${soljson}\nsolc 0.4.25: ${soljson}\nsolc 0.8.30: bundled, nothing to fetch\n`,
    );
    const listed = await runCli(['compilers', 'list', '--json'], { env });
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({ fetched: ['0.4.25'], cacheDir: path.join(cache, 'solc') });
  });

  test('error: offline, an unknown version, a bad range: exit 2 with the reason', async () => {
    const env = { BULWARK_CACHE_DIR: mkdtempSync(path.join(tmpdir(), 'bulwark-cli-cache-')) };
    const offline = await runCli(['compilers', 'fetch', '0.4.18', '--registry', await offlineRegistryUrl()], { env });
    expect(offline.code).toBe(2);
    expect(offline.stderr).toMatch(
      /^error: Cannot fetch solc version list from http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
    );
    const missing = await runCli(['compilers', 'fetch', '0.4.18', '--registry', registry.url], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: solc 0\.4\.18 is not published on http:\/\/127\.0\.0\.1:\d+\./);
    const bad = await runCli(['compilers', 'fetch', 'latest'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: 'latest' is neither a version nor a version range\./);
  });

  test('behavior: a scan uses a fetched compiler the project configures, offline', async () => {
    const cache = mkdtempSync(path.join(tmpdir(), 'bulwark-cli-cache-'));
    const env = { BULWARK_CACHE_DIR: cache };
    expect((await runCli(['compilers', 'fetch', '0.4.25', '--registry', registry.url], { env })).code).toBe(0);
    const root = mkdtempSync(path.join(tmpdir(), 'bulwark-cli-foundry-'));
    writeFileSync(path.join(root, 'foundry.toml'), '[profile.default]\nsolc_version = "0.4.25"\n');
    mkdirSync(path.join(root, 'src'));
    writeFileSync(path.join(root, 'src', 'Old.sol'), 'contract Old { function f() returns (uint) { return 1; } }\n');
    // Workers read the cache folder from the process environment.
    vi.stubEnv('BULWARK_CACHE_DIR', cache);
    try {
      const scanned = await runCli(['scan', '.', '--format', 'json', '--offline'], { cwd: root, env });
      expect(scanned.code).toBe(0);
      const result = JSON.parse(scanned.stdout) as { files: { file: string; status: string; solcVersion?: string }[] };
      expect(result.files).toMatchObject([{ file: 'src/Old.sol', status: 'full', solcVersion: '0.4.25' }]);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
