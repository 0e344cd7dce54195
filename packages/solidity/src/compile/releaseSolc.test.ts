import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, test } from 'vitest';
import { loadedSolcVersions, loadSolc, releaseSolc } from './loadSolc.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * A weak handle on a loaded compiler: gone once nothing holds it (its soljson runs split, or
 * through a code cache, not always through `require`, so the compiler object is what is watched).
 */
function compilerOf(version: string): WeakRef<object> {
  return new WeakRef(loadSolc(version));
}

async function collectGarbage() {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('releaseSolc', () => {
  test('default: released compilers are unloaded and can be collected; a later load works again', async () => {
    for (const version of ['0.4.26', '0.5.17', '0.6.12']) loadSolc(version).version;
    const handles = ['0.4.26', '0.5.17', '0.6.12'].map(compilerOf);
    expect(releaseSolc().sort()).toEqual(['0.4.26', '0.5.17', '0.6.12']);
    expect(loadedSolcVersions()).toEqual([]);
    await collectGarbage();
    expect(handles.map((handle) => handle.deref() === undefined)).toEqual([true, true, true]);
    expect(loadSolc('0.5.17').longVersion.startsWith('0.5.17+commit.')).toBe(true);
  });

  test('behavior: the versions kept stay loaded', () => {
    loadSolc('0.4.26');
    loadSolc('0.5.17');
    expect(releaseSolc(['0.5.17'])).toEqual(['0.4.26']);
    expect(loadedSolcVersions()).toEqual(['0.5.17']);
  });
});
