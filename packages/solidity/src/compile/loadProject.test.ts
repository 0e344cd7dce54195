import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '@bulwark/core';
import { afterAll, describe, expect, test } from 'vitest';
import { compileFiles } from './compileFiles.ts';
import { addFiles, removeTree, writeTree } from './fixtures/writeTree.ts';
import { detectProject } from './loadProject.ts';
import { loadSolc } from './loadSolc.ts';
import { readBuildInfo } from './readBuildInfo.ts';
import { createImportResolver } from './resolveImports.ts';

const roots: string[] = [];
function project(files: Record<string, string>): string {
  const root = writeTree(files);
  roots.push(root);
  return root;
}
afterAll(() => roots.forEach(removeTree));

const v8 = '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n';
const ownable = `${v8}contract Ownable { address public owner; }\n`;
const counter = `${v8}import {Ownable} from "@oz/Ownable.sol";\ncontract Counter is Ownable { uint256 public n; }\n`;

/** Compiles like `forge build` does and writes the build-info file Foundry would leave. */
function writeBuildInfo(
  root: string,
  dir: string,
  sources: Record<string, string>,
  extra: Record<string, unknown> = {},
) {
  const solc = loadSolc('0.8.30');
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(Object.entries(sources).map(([unit, content]) => [unit, { content }])),
    settings: { remappings: ['@oz/=lib/oz/contracts/'], outputSelection: { '*': { '': ['ast'] } } },
  };
  const output = JSON.parse(solc.compileStandard(JSON.stringify(input), () => ({ error: 'all sources are given' })));
  expect(output.errors?.filter((e: { severity: string }) => e.severity === 'error') ?? []).toEqual([]);
  const file = join(root, dir, 'build-info', 'b1.json');
  addFiles(root, {
    [join(dir, 'build-info', 'b1.json')]: JSON.stringify({
      id: 'b1',
      solcVersion: '0.8.30',
      solcLongVersion: solc.longVersion,
      input,
      output,
      ...extra,
    }),
  });
  return { file, output };
}

function foundryProject(): string {
  return project({
    'foundry.toml': '[profile.default]\nsrc = "src"\nout = "out"\nlibs = ["lib"]\n',
    'remappings.txt': '@oz/=lib/oz/contracts/\n',
    'lib/oz/contracts/Ownable.sol': ownable,
    'lib/oz/contracts/Unused.sol': `${v8}contract Unused {}\n`,
    'src/Counter.sol': counter,
    'src/Other.sol': `${v8}contract Other {}\n`,
    'src/Helper.t.sol': `${v8}contract HelperTest {}\n`,
    'src/test/Inner.sol': `${v8}contract Inner {}\n`,
    'test/Counter.t.sol': `${v8}contract CounterTest {}\n`,
    'script/Deploy.s.sol': `${v8}contract Deploy {}\n`,
    'node_modules/x/X.sol': `${v8}contract X {}\n`,
  });
}

describe('detectProject', () => {
  test('default: a Foundry project reads src/, skips tests, scripts and libraries, and reuses build-info', async () => {
    const root = foundryProject();
    const { file, output } = writeBuildInfo(root, 'out', {
      'src/Counter.sol': counter,
      'lib/oz/contracts/Ownable.sol': ownable,
    });
    const found = detectProject([root]);
    expect(found).toMatchObject({ kind: 'foundry', root, warnings: [] });
    expect(found.sources).toEqual([join(root, 'src/Counter.sol'), join(root, 'src/Other.sol')]);
    expect(found.remappings).toEqual([{ prefix: '@oz/', target: 'lib/oz/contracts/' }]);
    expect(found.buildInfo).toHaveLength(1);
    expect(found.buildInfo![0]).toMatchObject({ file, id: 'b1', solcVersion: '0.8.30' });

    const outcome = await compileFiles(found.sources, {
      root: found.root,
      resolver: createImportResolver({ root: found.root, remappings: found.remappings }),
      buildInfo: found.buildInfo,
    });
    const [counterFile, other] = outcome.files;
    expect(counterFile).toMatchObject({ compiled: true, solcVersion: '0.8.30' });
    // Taken from the build-info, not compiled again.
    expect(counterFile!.ast).toEqual(output.sources['src/Counter.sol'].ast);
    expect(outcome.compilations[counterFile!.compilation!]).toMatchObject({ buildInfo: file, solcVersion: '0.8.30' });
    expect(outcome.compilations[counterFile!.compilation!]!.sources.map((s) => [s.id, s.path])).toEqual([
      [0, join(root, 'lib/oz/contracts/Ownable.sol')],
      [1, join(root, 'src/Counter.sol')],
    ]);
    // Not in the build-info: compiled with solc.
    expect(other).toMatchObject({ compiled: true, solcVersion: '0.8.30' });
    expect(outcome.compilations[other!.compilation!]!.buildInfo).toBeUndefined();
    expect(outcome.imports.get(join(root, 'lib/oz/contracts/Ownable.sol'))).toBe(ownable);
  });

  test('behavior: a build-info is not reused once the file or one of its imports changed', async () => {
    const root = foundryProject();
    writeBuildInfo(root, 'out', { 'src/Counter.sol': counter, 'lib/oz/contracts/Ownable.sol': ownable });
    writeFileSync(join(root, 'lib/oz/contracts/Ownable.sol'), `${ownable}// changed\n`);
    const found = detectProject([root]);
    const outcome = await compileFiles(found.sources, { root, buildInfo: found.buildInfo });
    expect(outcome.files[0]).toMatchObject({ compiled: true });
    expect(outcome.compilations[outcome.files[0]!.compilation!]!.buildInfo).toBeUndefined();
  });

  test('behavior: a subfolder of a Foundry project scans that folder with the project root', () => {
    const root = foundryProject();
    const found = detectProject([join(root, 'test')]);
    expect(found).toMatchObject({ kind: 'foundry', root, sources: [join(root, 'test/Counter.t.sol')] });
  });

  test('behavior: a Hardhat project reads contracts/ and artifacts/build-info', async () => {
    const token = `${v8}import "@acme/tokens/Base.sol";\ncontract Token is Base {}\n`;
    const base = `${v8}contract Base {}\n`;
    const root = project({
      'hardhat.config.ts': 'export default { solidity: "0.8.30" };\n',
      'contracts/Token.sol': token,
      'contracts/mocks/Mock.sol': `${v8}contract Mock {}\n`,
      'node_modules/@acme/tokens/Base.sol': base,
      'test/Token.ts': '',
    });
    const solc = loadSolc('0.8.30');
    const input = {
      language: 'Solidity',
      sources: { 'contracts/Token.sol': { content: token }, '@acme/tokens/Base.sol': { content: base } },
      settings: { outputSelection: { '*': { '': ['ast'] } } },
    };
    const output = JSON.parse(solc.compileStandard(JSON.stringify(input), () => ({ error: 'given' })));
    addFiles(root, {
      'artifacts/build-info/h1.json': JSON.stringify({
        _format: 'hh-sol-build-info-1',
        id: 'h1',
        solcVersion: '0.8.30',
        solcLongVersion: solc.longVersion,
        input,
        output,
      }),
    });
    const found = detectProject([root]);
    expect(found).toMatchObject({ kind: 'hardhat', root, remappings: [] });
    expect(found.sources).toEqual([join(root, 'contracts/Token.sol'), join(root, 'contracts/mocks/Mock.sol')]);
    expect(found.buildInfo?.map((b) => b.id)).toEqual(['h1']);

    const outcome = await compileFiles(found.sources, { root, buildInfo: found.buildInfo });
    expect(outcome.files.map((f) => f.compiled)).toEqual([true, true]);
    expect(outcome.compilations[outcome.files[0]!.compilation!]!.buildInfo).toBe(
      join(root, 'artifacts/build-info/h1.json'),
    );
    expect(outcome.compilations[outcome.files[1]!.compilation!]!.buildInfo).toBeUndefined();
  });

  test('behavior: plain files and folders (no project config)', () => {
    const root = project({
      'contracts/A.sol': 'contract A {}',
      'contracts/deep/B.sol': 'contract B {}',
      'contracts/node_modules/dep/C.sol': 'contract C {}',
      'contracts/.hidden/D.sol': 'contract D {}',
      'contracts/notes.md': '',
      'other/E.sol': 'contract E {}',
    });
    expect(detectProject([join(root, 'contracts')])).toEqual({
      kind: 'files',
      root: join(root, 'contracts'),
      sources: [join(root, 'contracts/A.sol'), join(root, 'contracts/deep/B.sol')],
      remappings: [],
      buildInfo: undefined,
      warnings: [],
    });
    expect(detectProject([join(root, 'contracts/A.sol'), join(root, 'other/E.sol')])).toMatchObject({
      kind: 'files',
      root,
      sources: [join(root, 'contracts/A.sol'), join(root, 'other/E.sol')],
    });
  });

  test('error: a missing path is an InputError naming it', () => {
    const root = project({ 'A.sol': '' });
    const missing = join(root, 'nope');
    expect(() => detectProject([join(root, 'A.sol'), missing])).toThrow(InputError);
    expect(() => detectProject([missing])).toThrow(`Cannot find ${missing}.`);
  });
});

describe('readBuildInfo', () => {
  test('behavior: Hardhat 3 output in a sibling file, and a broken file is skipped with a warning', () => {
    const root = project({
      'b/solc-1.json': JSON.stringify({ id: 'solc-1', solcVersion: '0.8.30', input: { sources: {} } }),
      'b/solc-1.output.json': JSON.stringify({ id: 'solc-1', output: { sources: {} } }),
      'b/broken.json': '{ not json',
      'b/other.json': JSON.stringify({ hello: 'world' }),
    });
    const { buildInfo, warnings } = readBuildInfo(join(root, 'b'));
    expect(buildInfo.map((b) => [b.id, b.solcVersion])).toEqual([['solc-1', '0.8.30']]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^Skipped build-info .*broken\.json: /);
    expect(warnings[1]).toMatch(/other\.json: not a build-info file/);
  });
});
