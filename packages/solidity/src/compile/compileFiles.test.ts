import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { compileFiles } from './compileFiles.ts';
import { fixturesDir, removeTree, writeTree } from './fixtures/writeTree.ts';
import { bundledSolcVersions } from './selectSolc.ts';

const roots: string[] = [];
function project(files: Record<string, string>): string {
  const root = writeTree(files);
  roots.push(root);
  return root;
}
afterAll(() => roots.forEach(removeTree));

type AstNode = { nodeType: string; name?: string; absolutePath?: string; nodes?: AstNode[] };
const contractNames = (ast: unknown) =>
  ((ast as AstNode).nodes ?? []).filter((n) => n.nodeType === 'ContractDefinition').map((n) => n.name);

const v8 = '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\n';

describe('compileFiles', () => {
  test('default: a 0.4, a 0.5, a 0.7 and a 0.8 file each compile with the solc their pragma asks for', async () => {
    const names = ['Wallet04.sol', 'Bank05.sol', 'Vault07.sol', 'Token08.sol'];
    const outcome = await compileFiles(
      names.map((n) => join(fixturesDir, n)),
      { root: fixturesDir },
    );
    expect(outcome.files.map((f) => [f.compiled, f.solcVersion, f.reason])).toEqual([
      [true, '0.4.26', undefined],
      [true, '0.5.17', undefined],
      [true, '0.7.6', undefined],
      [true, '0.8.10', undefined],
    ]);
    for (const [i, file] of outcome.files.entries()) {
      expect(file.path).toBe(join(fixturesDir, names[i]!));
      expect((file.ast as AstNode).nodeType).toBe('SourceUnit');
      expect((file.ast as AstNode).absolutePath).toBe(names[i]);
      expect(contractNames(file.ast)).toEqual([names[i]!.replace('.sol', '')]);
      expect(outcome.compilations[file.compilation!]!.solcVersion).toBe(file.solcVersion);
    }
    expect(outcome.compilations).toHaveLength(4);
    // solc 0.4 warns about `throw` at line 17, column 44; warnings keep severity 'warning'.
    expect(outcome.files[0]!.diagnostics).toContainEqual({
      severity: 'warning',
      file: join(fixturesDir, 'Wallet04.sol'),
      line: 17,
      column: 44,
      message: '"throw" is deprecated in favour of "revert()", "require()" and "assert()".',
    });
    expect(outcome.files.slice(1).flatMap((f) => f.diagnostics)).toEqual([]);
  });

  test('behavior: one broken file in a group of three fails alone', async () => {
    const root = project({
      'src/A.sol': `${v8}contract A { function f() external pure returns (uint256) { return 1; } }\n`,
      'src/B.sol': `${v8}contract B {\n  function f() external {\n    address payable = msg.sender;\n  }\n}\n`,
      'src/C.sol': `${v8}import "./A.sol";\ncontract C is A {}\n`,
    });
    const outcome = await compileFiles(
      ['A', 'B', 'C'].map((n) => join(root, `src/${n}.sol`)),
      { root },
    );
    const [a, b, c] = outcome.files;
    expect(a).toMatchObject({ compiled: true, solcVersion: '0.8.30' });
    expect(c).toMatchObject({ compiled: true, solcVersion: '0.8.30' });
    expect(contractNames(c!.ast)).toEqual(['C']);
    // A and C still share one run, so C's base contract id points into A's AST.
    expect(a!.compilation).toBe(c!.compilation);
    expect(b).toMatchObject({
      compiled: false,
      solcVersion: '0.8.30',
      reason: "ParserError at line 5: Expected identifier but got '='",
    });
    expect(b!.ast).toBeUndefined();
    expect(b!.diagnostics).toEqual([
      {
        severity: 'error',
        file: join(root, 'src/B.sol'),
        line: 5,
        column: 21,
        message: "ParserError: Expected identifier but got '='",
      },
    ]);
  });

  test('behavior: an error in an imported file fails only the files importing it, and names that file', async () => {
    const root = project({
      'src/lib/Bad.sol': `${v8}contract Bad { function f() external { uint256 x = "no"; } }\n`,
      'src/UsesBad.sol': `${v8}import "./lib/Bad.sol";\ncontract UsesBad is Bad {}\n`,
      'src/Fine.sol': `${v8}contract Fine {}\n`,
    });
    const outcome = await compileFiles([join(root, 'src/UsesBad.sol'), join(root, 'src/Fine.sol')], { root });
    expect(outcome.files[0]).toMatchObject({ compiled: false });
    expect(outcome.files[0]!.reason).toMatch(
      /^TypeError in src\/lib\/Bad\.sol at line 3: Type literal_string "no" is not implicitly convertible/,
    );
    expect(outcome.files[0]!.diagnostics[0]).toMatchObject({
      severity: 'error',
      file: join(root, 'src/lib/Bad.sol'),
      line: 3,
    });
    expect(outcome.files[1]).toMatchObject({ compiled: true });
  });

  test('behavior: imports by relative path, remappings.txt, foundry.toml remappings and node_modules', async () => {
    const root = project({
      'remappings.txt': '@txt/=vendor/txt/\n',
      'foundry.toml': '[profile.default]\nremappings = ["@toml/=vendor/toml/"]\n',
      'vendor/txt/FromTxt.sol': `${v8}contract FromTxt {}\n`,
      'vendor/toml/FromToml.sol': `${v8}contract FromToml {}\n`,
      'node_modules/@acme/lib/X.sol': `${v8}import "./Y.sol";\ncontract X is Y {}\n`,
      'node_modules/@acme/lib/Y.sol': `${v8}contract Y {}\n`,
      'src/Near.sol': `${v8}contract Near {}\n`,
      'src/Main.sol': [
        v8,
        'import "./Near.sol";',
        'import "@txt/FromTxt.sol";',
        'import {FromToml} from "@toml/FromToml.sol";',
        'import * as acme from "@acme/lib/X.sol";',
        'contract Main is Near, FromTxt, FromToml, acme.X {}',
        '',
      ].join('\n'),
    });
    const outcome = await compileFiles([join(root, 'src/Main.sol')], { root });
    const [main] = outcome.files;
    expect(main).toMatchObject({ compiled: true, solcVersion: '0.8.30' });
    expect(main!.reason).toBeUndefined();
    expect(contractNames(main!.ast)).toEqual(['Main']);
    expect([...outcome.imports.keys()].sort()).toEqual(
      [
        'node_modules/@acme/lib/X.sol',
        'node_modules/@acme/lib/Y.sol',
        'src/Near.sol',
        'vendor/toml/FromToml.sol',
        'vendor/txt/FromTxt.sol',
      ].map((p) => join(root, p)),
    );
    expect(outcome.imports.get(join(root, 'src/Near.sol'))).toBe(`${v8}contract Near {}\n`);
    // Every source of the run is listed with its solc source id and the file behind it.
    const sources = outcome.compilations[main!.compilation!]!.sources;
    expect(sources.map((s) => [s.unitName, s.path]).sort()).toEqual(
      [
        ['@acme/lib/X.sol', 'node_modules/@acme/lib/X.sol'],
        ['@acme/lib/Y.sol', 'node_modules/@acme/lib/Y.sol'],
        ['src/Main.sol', 'src/Main.sol'],
        ['src/Near.sol', 'src/Near.sol'],
        ['vendor/toml/FromToml.sol', 'vendor/toml/FromToml.sol'],
        ['vendor/txt/FromTxt.sol', 'vendor/txt/FromTxt.sol'],
      ].map(([unit, path]) => [unit, join(root, path!)]),
    );
    expect(new Set(sources.map((s) => s.id)).size).toBe(sources.length);
  });

  test('behavior: a missing import gives a diagnostic naming it, where it was looked for and the fix', async () => {
    const root = project({
      'src/A.sol': `${v8}import "@acme/missing/M.sol";\ncontract A {}\n`,
      'src/Ok.sol': `${v8}contract Ok {}\n`,
    });
    const outcome = await compileFiles([join(root, 'src/A.sol'), join(root, 'src/Ok.sol')], { root });
    const [a, ok] = outcome.files;
    expect(ok).toMatchObject({ compiled: true });
    expect(a).toMatchObject({
      compiled: false,
      reason:
        'ParserError at line 3: Source "@acme/missing/M.sol" not found: no remapping, node_modules package or lib/ folder has it.',
    });
    const diagnostic = a!.diagnostics.find((d) => d.severity === 'error')!;
    expect(diagnostic).toMatchObject({ file: join(root, 'src/A.sol'), line: 3, column: 1 });
    expect(diagnostic.message).toContain('Source "@acme/missing/M.sol" not found');
    expect(diagnostic.message).toMatch(/\nLooked in: .*src\/node_modules\/@acme\/missing\/M\.sol, node_modules\/@acme/);
    expect(diagnostic.message).toContain('lib/acme-missing/src/M.sol');
    expect(diagnostic.message).toContain('Fix: add a remapping such as "@acme/missing/=<folder>/"');
  });

  test('behavior: a file no bundled solc can compile is reported, not thrown', async () => {
    const root = project({ 'Old.sol': '// old\npragma solidity ^0.3.0;\ncontract Old {}\n' });
    const outcome = await compileFiles([join(root, 'Old.sol')], { root });
    const reason = `no bundled solc satisfies pragma ^0.3.0 (bundled: ${bundledSolcVersions.join(', ')}); solc before 0.4.11 has no standard-JSON input to drive`;
    expect(outcome.files[0]).toMatchObject({ compiled: false, reason });
    expect(outcome.files[0]!.solcVersion).toBeUndefined();
    expect(outcome.files[0]!.diagnostics).toEqual([
      { severity: 'error', file: join(root, 'Old.sol'), line: 2, message: reason },
    ]);
    expect(outcome.compilations).toEqual([]);
  });

  test('behavior: the pragmas of imported files narrow the version', async () => {
    const root = project({
      'A.sol': 'pragma solidity >=0.6.0;\nimport "./B.sol";\ncontract A is B {}\n',
      'B.sol': 'pragma solidity ^0.7.0;\ncontract B {}\n',
      'C.sol': 'pragma solidity ^0.8.0;\nimport "./B.sol";\ncontract C is B {}\n',
    });
    const outcome = await compileFiles([join(root, 'A.sol'), join(root, 'C.sol')], { root });
    expect(outcome.files[0]).toMatchObject({ compiled: true, solcVersion: '0.7.6' });
    expect(outcome.files[1]).toMatchObject({ compiled: false });
    expect(outcome.files[1]!.reason).toBe(
      `no bundled solc satisfies both this file's pragma ^0.8.0 and pragma ^0.7.0 of imported B.sol (bundled: ${bundledSolcVersions.join(', ')})`,
    );
  });

  test('behavior: an open pragma falls back to an older solc line when the newest rejects the code', async () => {
    // Unnamed fallback functions were removed in 0.6; `>=0.5.0` still allows 0.5.
    const root = project({
      'Old.sol': 'pragma solidity >=0.5.0;\ncontract Old {\n  function () external payable {}\n}\n',
    });
    const outcome = await compileFiles([join(root, 'Old.sol')], { root });
    expect(outcome.files[0]).toMatchObject({ compiled: true, solcVersion: '0.5.17' });
    expect(outcome.compilations.map((c) => c.solcVersion)).toEqual(['0.5.17']);
    expect(outcome.files[0]!.diagnostics).toEqual([
      expect.objectContaining({
        severity: 'info',
        message: expect.stringMatching(
          /^Compiled with solc 0\.5\.17: solc 0\.8\.30, the newest its pragmas allow, failed with /,
        ),
      }),
    ]);
  });

  test('behavior: line and column count characters, not UTF-8 bytes', async () => {
    const root = project({
      'U.sol': `${v8}// 日本語 🙂 café\ncontract U {\n  /* ééé 🙂 */ uint256 x = ;\n}\n`,
    });
    const outcome = await compileFiles([join(root, 'U.sol')], { root });
    const line = '  /* ééé 🙂 */ uint256 x = ;';
    expect(outcome.files[0]!.diagnostics[0]).toMatchObject({ line: 5, column: line.indexOf(';') + 1 });
  });

  test('behavior: warnings of a shared import are reported once', async () => {
    const root = project({
      'Shared.sol': 'pragma solidity ^0.8.0;\ncontract Shared {}\n',
      'A.sol': `${v8}import "./Shared.sol";\ncontract A is Shared {}\n`,
      'B.sol': `${v8}import "./Shared.sol";\ncontract B is Shared {}\n`,
    });
    const outcome = await compileFiles([join(root, 'A.sol'), join(root, 'B.sol')], { root });
    expect(outcome.files.every((f) => f.compiled)).toBe(true);
    const all = outcome.files.flatMap((f) => f.diagnostics);
    // The missing SPDX line of Shared.sol.
    expect(all).toEqual([expect.objectContaining({ severity: 'warning', file: join(root, 'Shared.sol') })]);
    expect(outcome.compilations).toHaveLength(1);
  });

  test('behavior: a file outside the root compiles under its absolute path', async () => {
    const root = project({ 'project/README.md': '' });
    const outside = project({
      'A.sol': `${v8}import "./B.sol";\ncontract A is B {}\n`,
      'B.sol': `${v8}contract B {}\n`,
    });
    const outcome = await compileFiles([join(outside, 'A.sol')], { root: join(root, 'project') });
    expect(outcome.files[0]).toMatchObject({ compiled: true });
    expect((outcome.files[0]!.ast as AstNode).absolutePath).toBe(join(outside, 'A.sol'));
    expect([...outcome.imports.keys()]).toEqual([join(outside, 'B.sol')]);
  });

  test('error: a path that cannot be read is reported', async () => {
    const root = project({ 'A.sol': `${v8}contract A {}\n` });
    const outcome = await compileFiles([join(root, 'Gone.sol'), join(root, 'A.sol')], { root });
    expect(outcome.files[0]).toMatchObject({
      path: join(root, 'Gone.sol'),
      compiled: false,
      reason: 'cannot read file (ENOENT)',
    });
    expect(outcome.files[1]).toMatchObject({ compiled: true });
  });
});
