import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadSolc } from './loadSolc.ts';
import { splitSoljson, splitSource } from './splitSoljson.ts';

const require = createRequire(import.meta.url);
const soljsonOf = (version: string) => require.resolve(`solc-${version}/soljson.js`);
const folder = mkdtempSync(join(tmpdir(), 'bulwark-split-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** The longest run of base64 characters: what is left of an embedded binary. */
const longestBase64 = (text: string) =>
  Math.max(0, ...(text.match(/[A-Za-z0-9+/=]{2000,}/g) ?? []).map((m) => m.length));

describe('splitSoljson', () => {
  // 0.6.12 embeds a data URI; 0.8.30 LZ4 blocks behind a decoding call.
  test.each(['0.6.12', '0.8.30'])('default: solc %s splits into a small glue and a valid binary', (version) => {
    const cacheDir = join(folder, `default-${version}`);
    const split = splitSoljson(soljsonOf(version), cacheDir)!;
    const glue = readFileSync(split.glue, 'utf8');
    const wasm = readFileSync(split.wasm);
    expect(statSync(soljsonOf(version)).size).toBeGreaterThan(8_000_000);
    expect(glue.length).toBeLessThan(500_000);
    expect(longestBase64(glue)).toBe(0);
    const { WebAssembly } = globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } };
    expect(WebAssembly.validate(wasm)).toBe(true);
  });

  test('behavior: a second call reuses the files written by the first', () => {
    const cacheDir = join(folder, 'reuse');
    const first = splitSoljson(soljsonOf('0.7.6'), cacheDir)!;
    const written = statSync(first.wasm).mtimeMs;
    expect(splitSoljson(soljsonOf('0.7.6'), cacheDir)).toEqual(first);
    expect(statSync(first.wasm).mtimeMs).toBe(written);
  });

  test('behavior: asm.js builds embed no binary (their data URI is a memory image) and are left whole', () => {
    const cacheDir = join(folder, 'asm');
    expect(splitSoljson(soljsonOf('0.5.17'), cacheDir)).toBeUndefined();
    expect(
      splitSource('var Module = {}; var memoryInitializer = "data:application/octet-stream;base64,AAECAw==";'),
    ).toBe(undefined);
    expect(() => readdirSync(join(cacheDir, 'split'))).toThrow();
  });

  test('behavior: loadSolc runs the split compiler, which reports errors as the whole one does', () => {
    const cacheDir = join(folder, 'load');
    const solc = loadSolc('0.8.20', { cacheDir });
    expect(readdirSync(join(cacheDir, 'split')).some((name) => name.endsWith('.wasm'))).toBe(true);
    const output = JSON.parse(
      solc.compileStandard(
        JSON.stringify({
          language: 'Solidity',
          sources: {
            'A.sol': {
              content:
                '// SPDX-License-Identifier: MIT\npragma solidity 0.8.20;\ncontract A { function f() public { x = 1; } }',
            },
          },
          settings: { outputSelection: { '*': { '': [] } } },
        }),
        () => ({ error: 'none' }),
      ),
    );
    expect(output.errors.map((e: { type: string; message: string }) => `${e.type}: ${e.message}`)).toEqual([
      'DeclarationError: Undeclared identifier.',
    ]);
  });

  test('behavior: a cache that cannot be written loads the compiler whole', () => {
    const blocker = join(folder, 'a-file');
    writeFileSync(blocker, '');
    const solc = loadSolc('0.8.24', { cacheDir: join(blocker, 'solc') });
    expect(solc.longVersion.startsWith('0.8.24+commit.')).toBe(true);
  });
});
