import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCachedScript } from './runCachedScript.ts';

const folder = mkdtempSync(join(tmpdir(), 'bulwark-code-cache-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A CommonJS file that uses what `require` gives a module, with a function only a call compiles. */
function writeScript(name: string, body = 'return a * 2;') {
  const file = join(folder, name);
  writeFileSync(
    file,
    [
      "const path = require('node:path');",
      `function later(a) { ${body} }`,
      'module.exports = { dir: __dirname, name: path.basename(__filename), later, self: this === module.exports };',
    ].join('\n'),
  );
  return file;
}

const cacheFiles = (prefix: string) => readdirSync(folder).filter((name) => name.startsWith(prefix));

/**
 * Loads the file in a fresh process (V8 also keeps compiled code per process, which would hide
 * whether the cache file was used), calls `later`, saves the cache; answers what it saw.
 */
function loadInChild(file: string, cacheFile: string): { fromCache: boolean; later: number } {
  const child = [
    `import { runCachedScript } from ${JSON.stringify(join(import.meta.dirname, 'runCachedScript.ts'))};`,
    `const loaded = runCachedScript(${JSON.stringify(file)}, ${JSON.stringify(cacheFile)});`,
    'const later = loaded.exports.later(5);',
    'loaded.saveCache();',
    'console.log(JSON.stringify({ fromCache: loaded.fromCache, later }));',
  ].join('\n');
  const script = join(folder, `child-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(script, child);
  return JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' }));
}

describe('runCachedScript', () => {
  test('default: runs the file as require would; the next process takes its code from the cache', () => {
    const file = writeScript('a.js');
    const first = runCachedScript(file, join(folder, 'a.cache'));
    const exports = first.exports as { dir: string; name: string; later: (a: number) => number; self: boolean };
    expect(exports).toMatchObject({ dir: folder, name: 'a.js', self: true });
    expect(exports.later(21)).toBe(42);
    expect(cacheFiles('a.cache')).toEqual([]);
    first.saveCache();
    expect(cacheFiles('a.cache')).toHaveLength(1);
    expect(loadInChild(file, join(folder, 'a.cache'))).toEqual({ fromCache: true, later: 10 });
  });

  test('behavior: an edited file does not use the cache of its old text', () => {
    const file = writeScript('b.js');
    expect(loadInChild(file, join(folder, 'b.cache'))).toEqual({ fromCache: false, later: 10 });
    writeScript('b.js', 'return a * 3;');
    expect(loadInChild(file, join(folder, 'b.cache'))).toEqual({ fromCache: false, later: 15 });
    expect(loadInChild(file, join(folder, 'b.cache'))).toEqual({ fromCache: true, later: 15 });
  });

  test('behavior: parameters are variables the file sees', () => {
    const file = join(folder, 'parameters.js');
    writeFileSync(file, 'module.exports = Module.answer + typeof require;');
    const loaded = runCachedScript(file, join(folder, 'parameters.cache'), { parameters: { Module: { answer: 42 } } });
    expect(loaded.exports).toBe('42function');
  });

  test('behavior: cacheIf false neither reads nor writes a cache', () => {
    const file = writeScript('c.js');
    const loaded = runCachedScript(file, join(folder, 'c.cache'), { cacheIf: () => false });
    loaded.saveCache();
    expect(cacheFiles('c.cache')).toEqual([]);
  });

  test('error: a corrupt cache is rejected by V8, the file still runs and the cache is written again', () => {
    const file = writeScript('d.js');
    expect(loadInChild(file, join(folder, 'd.cache'))).toEqual({ fromCache: false, later: 10 });
    const [cache] = cacheFiles('d.cache');
    writeFileSync(join(folder, cache!), 'not a code cache');
    expect(loadInChild(file, join(folder, 'd.cache'))).toEqual({ fromCache: false, later: 10 });
    expect(loadInChild(file, join(folder, 'd.cache'))).toEqual({ fromCache: true, later: 10 });
  });
});
