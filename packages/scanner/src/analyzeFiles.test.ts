import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadedSolcVersions } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import { analyzeFiles } from './analyzeFiles.ts';
import { allDetectors } from './detectors/index.ts';

describe('analyzeFiles', () => {
  test('behavior: pre-0.4 code is analysed degraded by the legacy front end, not failed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-legacy-'));
    const file = path.join(dir, 'Old.sol');
    writeFileSync(
      file,
      `pragma solidity ^0.3.5;
contract Old {
    address owner;
    modifier onlyOwner { if (msg.sender != owner) throw; _ }
    function Old() { owner = msg.sender; }
    function close() onlyOwner { suicide(owner); }
    function kill() { suicide(msg.sender); }
}
`,
    );
    const detectors = allDetectors.filter((d) => d.id === 'unprotected-selfdestruct');
    const result = await analyzeFiles(
      { files: [file], root: dir, remappings: [], detectorIds: [], cwd: dir },
      detectors,
    );
    expect(result.reports[0]).toMatchObject({ file: 'Old.sol', status: 'degraded' });
    expect(result.reports[0]!.reason).toMatch(/^pre-0\.4 syntax \(line 4: .*\), older than any solc-js/);
    // The guarded `suicide` is not reported: the modifier was read, placeholder included.
    expect(result.findings.map((f) => [f.detector, f.location.startLine])).toEqual([['unprotected-selfdestruct', 7]]);
  });
});

describe('analyzeFiles compiler groups', () => {
  test('behavior: moving to another compiler group releases the compilers of the last one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-groups-'));
    const old = path.join(dir, 'Old.sol');
    const newer = path.join(dir, 'Newer.sol');
    writeFileSync(old, 'pragma solidity ^0.4.24;\ncontract Old { uint256 x; }\n');
    writeFileSync(newer, 'pragma solidity ^0.5.0;\ncontract Newer { uint256 x; }\n');
    const job = (file: string, compilerKey: string) => ({
      files: [file],
      root: dir,
      remappings: [],
      detectorIds: [],
      cwd: dir,
      compilerKey,
    });
    await analyzeFiles(job(old, '0.4.26'), []);
    expect(loadedSolcVersions()).toContain('0.4.26');
    const result = await analyzeFiles(job(newer, '0.5.17'), []);
    expect(result.reports[0]).toMatchObject({ status: 'full', solcVersion: '0.5.17' });
    expect(loadedSolcVersions()).toEqual(['0.5.17']);
  });
});

describe('analyzeFiles parse cache', () => {
  test('behavior: imported files stay parsed for the next files of the group; analysed files do not', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-parse-cache-'));
    writeFileSync(path.join(dir, 'Base.sol'), 'pragma solidity ^0.8.0;\ncontract Base { uint256 internal x; }\n');
    writeFileSync(path.join(dir, 'A.sol'), 'pragma solidity ^0.8.0;\nimport "./Base.sol";\ncontract A is Base {}\n');
    writeFileSync(path.join(dir, 'B.sol'), 'pragma solidity ^0.8.0;\nimport "./Base.sol";\ncontract B is Base {}\n');
    const cache = new Map();
    const job = (name: string) => ({
      files: [path.join(dir, name)],
      root: dir,
      remappings: [],
      detectorIds: [],
      cwd: dir,
      compilerKey: '0.8.30',
    });
    await analyzeFiles(job('A.sol'), [], cache);
    expect([...cache.keys()]).toEqual([path.join(dir, 'Base.sol')]);
    const parsedBase = cache.get(path.join(dir, 'Base.sol'));
    const result = await analyzeFiles(job('B.sol'), [], cache);
    expect(result.reports[0]).toMatchObject({ file: 'B.sol', status: 'full' });
    expect(cache.get(path.join(dir, 'Base.sol'))).toBe(parsedBase);
    expect(cache.has(path.join(dir, 'B.sol'))).toBe(false);
  });
});
