import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { offlineRegistryUrl, type SolcRegistry, startSolcRegistry } from '../testing.ts';
import { compileFiles } from './compileFiles.ts';
import { cachedSolcVersions, fetchSolc, npmRegistryUrl, solcCacheDir } from './fetchSolc.ts';
import { loadSolc } from './loadSolc.ts';

let registry: string;
let stand: SolcRegistry;
let soljson: Buffer;
let requests: SolcRegistry['requests'];

beforeAll(async () => {
  stand = await startSolcRegistry({ versions: ['0.4.25'], tampered: ['0.4.24'] });
  registry = stand.url;
  soljson = stand.soljson;
  requests = stand.requests;
});

afterAll(() => stand.close());

const freshCache = () => mkdtempSync(join(tmpdir(), 'bulwark-solc-cache-'));
describe('fetchSolc', () => {
  test('default: fetches the tarball npm would, verifies it, and keeps only soljson.js in the cache', async () => {
    const cacheDir = freshCache();
    requests.length = 0;
    const path = await fetchSolc('0.4.25', { registry, cacheDir });
    expect(path).toBe(join(cacheDir, '0.4.25', 'soljson.js'));
    expect(readFileSync(path).equals(soljson)).toBe(true);
    expect(readdirSync(join(cacheDir, '0.4.25'))).toEqual(['soljson.js']);
    expect(requests.map((r) => r.url)).toEqual(['/solc', '/solc/-/solc-0.4.25.tgz']);
    expect(requests[0]!.headers.accept).toMatch(/application\/vnd\.npm\.install-v1\+json/);
    expect(cachedSolcVersions(cacheDir)).toEqual(['0.4.25']);

    // A fetched compiler loads from the cache, driven by the newest bundled solc-js wrapper.
    const solc = loadSolc('0.4.25', { cacheDir });
    expect(solc.longVersion).toMatch(/^0\.4\.26\+commit/);
    const output = JSON.parse(
      solc.compileStandard(
        JSON.stringify({
          language: 'Solidity',
          sources: { 'A.sol': { content: 'import "B.sol"; contract A is B {}' } },
          settings: { outputSelection: { '*': { '': ['ast'] } } },
        }),
        (name) => (name === 'B.sol' ? { contents: 'contract B {}' } : { error: 'not found' }),
      ),
    ) as { sources: Record<string, unknown> };
    expect(Object.keys(output.sources).sort()).toEqual(['A.sol', 'B.sol']);
  });

  test('behavior: a cached compiler needs no registry', async () => {
    const cacheDir = freshCache();
    await fetchSolc('0.4.25', { registry, cacheDir });
    const path = await fetchSolc('0.4.25', { registry: await offlineRegistryUrl(), cacheDir });
    expect(readFileSync(path).equals(soljson)).toBe(true);
  });

  test('error: a tarball that does not match its published integrity is refused and nothing is cached', async () => {
    const cacheDir = freshCache();
    await expect(fetchSolc('0.4.24', { registry, cacheDir })).rejects.toThrow(
      /The solc 0\.4\.24 tarball from http:\/\/127\.0\.0\.1:\d+ does not match its published integrity/,
    );
    expect(existsSync(join(cacheDir, '0.4.24'))).toBe(false);
    expect(cachedSolcVersions(cacheDir)).toEqual([]);
  });

  test('error: a version the registry does not have, and one older than solc-js drives', async () => {
    await expect(fetchSolc('0.4.23', { registry, cacheDir: freshCache() })).rejects.toThrow(
      /solc 0\.4\.23 is not published on http:\/\/127\.0\.0\.1/,
    );
    await expect(fetchSolc('0.3.6', { registry, cacheDir: freshCache() })).rejects.toThrow(
      /Bulwark drives solc-js 0\.4\.11 and newer/,
    );
  });

  test('error: offline, the message names the version and how to pre-fetch it', async () => {
    const error = await fetchSolc('0.4.25', { registry: await offlineRegistryUrl(), cacheDir: freshCache() }).catch(
      (e: Error) => e,
    );
    expect(String((error as Error).message)).toMatch(
      /Cannot fetch solc version list from http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\.\nPre-fetch it where the registry is reachable: bulwark compilers fetch/,
    );
  });
});

describe('compileFiles with compilers beyond the bundled ones', () => {
  test("behavior: the project's configured compiler is fetched and used", async () => {
    const root = mkdtempSync(join(tmpdir(), 'bulwark-fetch-project-'));
    writeFileSync(join(root, 'A.sol'), 'contract A { function f() returns (uint) { return 1; } }\n');
    const cacheDir = freshCache();
    const outcome = await compileFiles([join(root, 'A.sol')], {
      root,
      compilers: { source: 'foundry.toml', versions: ['0.4.25'] },
      fetchCompilers: { registry, cacheDir },
    });
    expect(outcome.files.map((f) => [f.compiled, f.solcVersion, f.reason])).toEqual([[true, '0.4.25', undefined]]);
    expect(cachedSolcVersions(cacheDir)).toEqual(['0.4.25']);
  });

  test('behavior: offline, a pin no bundled solc satisfies leaves the file uncompiled with the way out', async () => {
    const root = mkdtempSync(join(tmpdir(), 'bulwark-fetch-offline-'));
    writeFileSync(join(root, 'Old.sol'), 'pragma solidity 0.4.18;\ncontract Old {}\n');
    const outcome = await compileFiles([join(root, 'Old.sol')], {
      root,
      fetchCompilers: { registry: await offlineRegistryUrl(), cacheDir: freshCache() },
    });
    const [file] = outcome.files;
    expect(file!.compiled).toBe(false);
    expect(file!.reason).toMatch(
      /^no bundled solc satisfies pragma 0\.4\.18 .*; Cannot fetch solc version list from http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\. Pre-fetch one where the registry is reachable: bulwark compilers fetch 0\.4\.18$/,
    );
  });

  test('behavior: a pin older than solc-js can drive asks no registry and says why', async () => {
    const root = mkdtempSync(join(tmpdir(), 'bulwark-fetch-old-'));
    writeFileSync(join(root, 'Old.sol'), 'pragma solidity 0.4.8;\ncontract Old {}\n');
    requests.length = 0;
    const outcome = await compileFiles([join(root, 'Old.sol')], {
      root,
      fetchCompilers: { registry, cacheDir: freshCache() },
    });
    expect(outcome.files[0]!.reason).toMatch(
      /^no bundled solc satisfies pragma 0\.4\.8 .*; solc before 0\.4\.11 has no standard-JSON input to drive$/,
    );
    expect(requests).toEqual([]);
  });

  test('behavior: fetching off, a pin no bundled solc satisfies asks no registry', async () => {
    const root = mkdtempSync(join(tmpdir(), 'bulwark-fetch-off-'));
    // The imports' ranges allow the pin: the command to run names the pin alone.
    writeFileSync(
      join(root, 'Old.sol'),
      'pragma solidity 0.4.18;\nimport "./A.sol";\nimport "./B.sol";\ncontract Old {}\n',
    );
    writeFileSync(join(root, 'A.sol'), 'pragma solidity ^0.4.11;\ncontract A {}\n');
    writeFileSync(join(root, 'B.sol'), 'pragma solidity ^0.4.11;\ncontract B {}\n');
    requests.length = 0;
    const outcome = await compileFiles([join(root, 'Old.sol')], { root, fetchCompilers: false });
    expect(outcome.files[0]!.reason).toMatch(
      /^no bundled solc satisfies pragma 0\.4\.18 .*; fetching compilers is off: bulwark compilers fetch 0\.4\.18$/,
    );
    expect(requests).toEqual([]);
  });
});

describe('where compilers come from', () => {
  test('default: BULWARK_CACHE_DIR, else the XDG cache, else ~/.cache', () => {
    expect(solcCacheDir({ BULWARK_CACHE_DIR: '/c' })).toBe('/c/solc');
    expect(solcCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/bulwark/solc');
    expect(solcCacheDir({})).toMatch(/\/\.cache\/bulwark\/solc$/);
  });

  test("default: npm's registry setting, from the environment or .npmrc", () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-npmrc-'));
    writeFileSync(join(dir, '.npmrc'), 'fund=false\nregistry = https://npm.example.org/mirror\n');
    expect(npmRegistryUrl({ npm_config_registry: 'http://r.local' }, dir)).toBe('http://r.local/');
    expect(npmRegistryUrl({ npm_config_userconfig: join(dir, 'none') }, dir)).toBe('https://npm.example.org/mirror/');
    const empty = mkdtempSync(join(tmpdir(), 'bulwark-npmrc-'));
    expect(npmRegistryUrl({ npm_config_userconfig: join(empty, 'none') }, empty)).toBe('https://registry.npmjs.org/');
  });
});
