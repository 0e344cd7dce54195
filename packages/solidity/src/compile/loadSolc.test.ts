import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, test } from 'vitest';
import { CompileError } from './errors.ts';
import { loadSolc, releaseSolc } from './loadSolc.ts';
import { bundledSolcVersions } from './selectSolc.ts';

function input(pragma: string) {
  return JSON.stringify({
    language: 'Solidity',
    sources: { 'src/A.sol': { content: `pragma solidity ${pragma};\nimport "./B.sol";\ncontract A is B {}\n` } },
    settings: { outputSelection: { '*': { '': ['ast'] } } },
  });
}

describe('loadSolc', () => {
  test.each(bundledSolcVersions)('default: solc %s compiles with imports read through the callback', (version) => {
    const solc = loadSolc(version);
    expect(solc.version).toBe(version);
    expect(solc.longVersion.startsWith(`${version}+commit.`)).toBe(true);
    const asked: string[] = [];
    const output = JSON.parse(
      solc.compileStandard(input(version), (unitName) => {
        asked.push(unitName);
        return unitName === 'src/B.sol' ? { contents: `pragma solidity ${version};\ncontract B {}` } : { error: 'no' };
      }),
    );
    expect(asked).toEqual(['src/B.sol']);
    expect((output.errors ?? []).filter((e: { severity: string }) => e.severity === 'error')).toEqual([]);
    expect(output.sources['src/A.sol'].ast.nodeType).toBe('SourceUnit');
    expect(output.sources['src/B.sol'].id).toBe(1);
  });

  test('behavior: a callback error becomes a solc error naming the import', () => {
    for (const version of ['0.4.26', '0.5.16', '0.8.30']) {
      const output = JSON.parse(loadSolc(version).compileStandard(input(version), () => ({ error: 'looked nowhere' })));
      const error = output.errors.find((e: { severity: string }) => e.severity === 'error');
      expect(error.message).toContain('"src/B.sol" not found: looked nowhere');
      expect(error.sourceLocation.file).toBe('src/A.sol');
    }
  });

  test('behavior: one instance per version and process', () => {
    expect(loadSolc('0.8.30')).toBe(loadSolc('0.8.30'));
  });

  test('behavior: does not leave the emscripten process handlers behind', () => {
    // Every version is loaded by now (test.each above); only vitest's own handlers remain.
    const handlers = process.listeners('unhandledRejection').map(String);
    expect(handlers.some((h) => h.includes('abort') || h.includes('throw reason'))).toBe(false);
  });

  test('behavior: a released compiler leaves the heap, asm.js builds too', () => {
    // `loadSolc` exposes `gc` (see `setCompilerFlags`); every bundled version was loaded above.
    releaseSolc();
    const collect = runInNewContext('gc') as () => void;
    collect();
    const before = process.memoryUsage().heapUsed;
    for (const version of ['0.4.26', '0.5.17', '0.8.30']) {
      loadSolc(version).compileStandard(input(version), () => ({
        contents: `pragma solidity ${version};\ncontract B {}`,
      }));
    }
    expect(process.memoryUsage().heapUsed - before).toBeGreaterThan(30 * 1024 * 1024);
    releaseSolc();
    collect();
    // V8's compilation cache kept each asm.js script (~15 MB) after its release: 28 MB left here.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(20 * 1024 * 1024);
  });

  test('error: a version that is neither bundled nor fetched', () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'bulwark-empty-cache-'));
    expect(() => loadSolc('0.8.19', { cacheDir })).toThrow(CompileError);
    expect(() => loadSolc('0.8.19', { cacheDir })).toThrow(
      /solc 0\.8\.19 is neither bundled nor fetched\.\nFetch it first: bulwark compilers fetch 0\.8\.19/,
    );
  });
});
