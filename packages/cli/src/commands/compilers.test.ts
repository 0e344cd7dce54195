import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { offlineRegistryUrl, type SolcRegistry, startSolcRegistry } from '@bulwark/solidity/testing';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { type Io, main } from '../main.ts';

function capture(cwd: string, env: NodeJS.ProcessEnv): Io & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    stdoutIsTty: false,
    stderrIsTty: false,
    cwd,
    env,
    out: () => out,
    err: () => err,
  };
}

let registry: SolcRegistry;
beforeAll(async () => {
  registry = await startSolcRegistry({ versions: ['0.4.25'] });
});
afterAll(() => registry.close());

describe('bulwark compilers', () => {
  test('default: fetch a version and a range into BULWARK_CACHE_DIR, then list them', async () => {
    const cache = mkdtempSync(path.join(tmpdir(), 'bulwark-cli-cache-'));
    const env = { BULWARK_CACHE_DIR: cache };
    const fetchIo = capture(cache, env);
    expect(await main(['compilers', 'fetch', '0.4.25', '^0.4.20', '0.8.30', '--registry', registry.url], fetchIo)).toBe(
      0,
    );
    const soljson = path.join(cache, 'solc', '0.4.25', 'soljson.js');
    expect(fetchIo.out()).toBe(
      `solc 0.4.25: ${soljson}\nsolc 0.4.25: ${soljson}\nsolc 0.8.30: bundled, nothing to fetch\n`,
    );
    const listIo = capture(cache, env);
    expect(await main(['compilers', 'list', '--json'], listIo)).toBe(0);
    expect(JSON.parse(listIo.out())).toMatchObject({ fetched: ['0.4.25'], cacheDir: path.join(cache, 'solc') });
  });

  test('error: offline, an unknown version, a bad range: exit 2 with the reason', async () => {
    const env = { BULWARK_CACHE_DIR: mkdtempSync(path.join(tmpdir(), 'bulwark-cli-cache-')) };
    const offline = capture('/', env);
    expect(await main(['compilers', 'fetch', '0.4.18', '--registry', await offlineRegistryUrl()], offline)).toBe(2);
    expect(offline.err()).toMatch(
      /^error: Cannot fetch solc version list from http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
    );
    const missing = capture('/', env);
    expect(await main(['compilers', 'fetch', '0.4.18', '--registry', registry.url], missing)).toBe(2);
    expect(missing.err()).toMatch(/^error: solc 0\.4\.18 is not published on http:\/\/127\.0\.0\.1:\d+\./);
    const bad = capture('/', env);
    expect(await main(['compilers', 'fetch', 'latest'], bad)).toBe(2);
    expect(bad.err()).toMatch(/^error: 'latest' is neither a version nor a version range\./);
  });

  test('behavior: a scan uses a fetched compiler the project configures, offline', async () => {
    const cache = mkdtempSync(path.join(tmpdir(), 'bulwark-cli-cache-'));
    expect(
      await main(
        ['compilers', 'fetch', '0.4.25', '--registry', registry.url],
        capture('/', { BULWARK_CACHE_DIR: cache }),
      ),
    ).toBe(0);
    const root = mkdtempSync(path.join(tmpdir(), 'bulwark-cli-foundry-'));
    writeFileSync(path.join(root, 'foundry.toml'), '[profile.default]\nsolc_version = "0.4.25"\n');
    mkdirSync(path.join(root, 'src'));
    writeFileSync(path.join(root, 'src', 'Old.sol'), 'contract Old { function f() returns (uint) { return 1; } }\n');
    // Workers read the cache folder from the process environment.
    vi.stubEnv('BULWARK_CACHE_DIR', cache);
    try {
      const io = capture(root, { BULWARK_CACHE_DIR: cache });
      expect(await main(['scan', '.', '--format', 'json', '--offline'], io)).toBe(0);
      const result = JSON.parse(io.out()) as { files: { file: string; status: string; solcVersion?: string }[] };
      expect(result.files).toMatchObject([{ file: 'src/Old.sol', status: 'full', solcVersion: '0.4.25' }]);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
