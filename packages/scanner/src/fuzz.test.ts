import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRandom } from '@bulwark/core';
import { describe, expect, test } from 'vitest';
import { analyze, parseInput } from './analyze.ts';
import { allDetectors } from './detectors/index.ts';
import { scan } from './scan.ts';
import { deepInheritance, recursiveProgram } from './testdata/generate.ts';

function analyzeAll(source: string) {
  const target = parseInput('Fuzz.sol', source);
  expect(target.errors).toEqual([]);
  return analyze({ targets: [target], detectors: allDetectors });
}

describe('every detector on generated programs', () => {
  test('behavior: random recursion and mutual recursion of any shape: no detector throws', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const r = createRandom(seed);
      const source = recursiveProgram(r, 1 + r.int(6), 1 + r.int(6));
      const { detectorErrors } = analyzeAll(source);
      expect({ seed, detectorErrors }).toEqual({ seed, detectorErrors: [] });
    }
  });

  test('behavior: deep diamond inheritance (once exponential) and a long recursive function', () => {
    expect(analyzeAll(deepInheritance(40)).detectorErrors).toEqual([]);
    expect(analyzeAll(recursiveProgram(createRandom(99), 2, 40)).detectorErrors).toEqual([]);
  });

  test('behavior: cyclic imports and a file that does not parse, through the isolated scan', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-fuzz-'));
    writeFileSync(
      path.join(dir, 'A.sol'),
      'pragma solidity ^0.8.0;\nimport "./B.sol";\ncontract A is B { function a() external { b(); } }\n',
    );
    writeFileSync(
      path.join(dir, 'B.sol'),
      'pragma solidity ^0.8.0;\nimport "./A.sol";\ncontract B { uint256 x; function b() internal { x += 1; } }\n',
    );
    writeFileSync(path.join(dir, 'C.sol'), recursiveProgram(createRandom(7), 4, 4));
    writeFileSync(path.join(dir, 'D.sol'), 'contract D { function ( }');
    const result = await scan({ paths: [dir], cwd: dir, jobs: 2 });
    const byFile = Object.fromEntries(result.files.map((file) => [file.file, file.status]));
    expect(byFile).toMatchObject({ 'A.sol': expect.any(String), 'B.sol': expect.any(String), 'C.sol': 'full' });
    expect(byFile['D.sol']).toBe('failed');
    for (const file of result.files)
      expect(file.diagnostics.filter((d) => /detector .* failed/.test(d.message))).toEqual([]);
  });
});
