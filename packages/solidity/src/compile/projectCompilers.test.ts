import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { compileFiles } from './compileFiles.ts';
import { removeTree, writeTree } from './fixtures/writeTree.ts';
import { detectProject } from './loadProject.ts';
import { parseHardhatCompilers } from './projectCompilers.ts';
import { parseFoundryToml } from './readFoundryConfig.ts';

const roots: string[] = [];
function project(files: Record<string, string>): string {
  const root = writeTree(files);
  roots.push(root);
  return root;
}
afterAll(() => roots.forEach(removeTree));

const v8 = '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\n';

describe('parseHardhatCompilers', () => {
  test('default: the forms hardhat.config takes, read without running it', () => {
    expect(parseHardhatCompilers('module.exports = { solidity: "0.8.15" };', '/p', 'h.js')).toEqual({
      source: 'h.js',
      versions: ['0.8.15'],
    });
    expect(
      parseHardhatCompilers(
        `import type { HardhatUserConfig } from "hardhat/config";
         // solidity: "0.4.0" in a comment is not the setting
         const config: HardhatUserConfig = {
           networks: { hardhat: { chainId: 1 } },
           solidity: { version: '0.8.19', settings: { optimizer: { enabled: true, runs: 200 } } },
         };
         export default config;`,
        '/p',
        'h.ts',
      ),
    ).toEqual({ source: 'h.ts', versions: ['0.8.19'], overrides: {} });
    expect(
      parseHardhatCompilers(
        `module.exports = {
          solidity: {
            compilers: [
              { version: "0.5.5" },
              { version: "0.6.7", settings: { optimizer: { enabled: true } } },
            ],
            overrides: {
              "contracts/Foo.sol": { version: "0.5.5", settings: {} },
              'contracts/sub/Bar.sol': { version: '0.7.6' },
            },
          },
        };`,
        '/p',
        'h.js',
      ),
    ).toEqual({
      source: 'h.js',
      versions: ['0.5.5', '0.6.7'],
      overrides: { '/p/contracts/Foo.sol': '0.5.5', '/p/contracts/sub/Bar.sol': '0.7.6' },
    });
    // Hardhat 3: build profiles; the default one is what `hardhat build` uses.
    expect(
      parseHardhatCompilers(
        `export default { solidity: { profiles: { default: { version: "0.8.28" }, production: { version: "0.8.29" } } } };`,
        '/p',
        'h.ts',
      ),
    ).toMatchObject({ versions: ['0.8.28'] });
  });

  test('behavior: a computed or missing setting leaves the choice to the pragmas', () => {
    expect(parseHardhatCompilers('module.exports = { solidity: SOLC_VERSION };', '/p', 'h.js')).toBeUndefined();
    expect(parseHardhatCompilers('module.exports = { solidity: { version: v } };', '/p', 'h.js')).toBeUndefined();
    expect(parseHardhatCompilers('module.exports = { networks: {} };', '/p', 'h.js')).toBeUndefined();
    expect(parseHardhatCompilers('module.exports = { solidity: "^0.8.0" };', '/p', 'h.js')).toBeUndefined();
  });
});

describe('the project compiler', () => {
  test('default: foundry.toml solc / solc_version in the default profile', () => {
    expect(parseFoundryToml('[profile.default]\nsolc = "0.8.15"\n').solc).toBe('0.8.15');
    expect(parseFoundryToml("solc_version = '0.7.6'\n").solc).toBe('0.7.6');
    expect(parseFoundryToml('[profile.ci]\nsolc = "0.8.15"\n').solc).toBeUndefined();
  });

  test('behavior: a Foundry project with solc = "0.8.20" is compiled with 0.8.20, not the newest its pragma allows', async () => {
    const root = project({
      'foundry.toml': '[profile.default]\nsrc = "src"\nsolc = "0.8.20"\n',
      'src/A.sol': `${v8}contract A {}\n`,
    });
    const detected = detectProject([root]);
    expect(detected.compilers).toEqual({ source: 'foundry.toml', versions: ['0.8.20'] });
    const outcome = await compileFiles(detected.sources, {
      root,
      compilers: detected.compilers,
      fetchCompilers: false,
    });
    expect(outcome.files.map((f) => [f.compiled, f.solcVersion])).toEqual([[true, '0.8.20']]);
    // Without the setting the same file gets the newest bundled 0.8.
    const plain = await compileFiles(detected.sources, { root, fetchCompilers: false });
    expect(plain.files[0]!.solcVersion).not.toBe('0.8.20');
  });

  test("behavior: Hardhat's compilers by pragma, its overrides by file, and a pragma no configured compiler satisfies", async () => {
    const root = project({
      'hardhat.config.js': `module.exports = {
        solidity: {
          compilers: [{ version: "0.7.6" }, { version: "0.8.10" }, { version: "0.8.20" }],
          overrides: { "contracts/Pinned.sol": { version: "0.8.10" } },
        },
      };\n`,
      'contracts/Old.sol': 'pragma solidity >=0.7.0;\ncontract Old {}\n',
      'contracts/New.sol': `${v8}contract New {}\n`,
      'contracts/Pinned.sol': `${v8}contract Pinned {}\n`,
      'contracts/Legacy.sol': 'pragma solidity ^0.5.0;\ncontract Legacy {}\n',
    });
    const detected = detectProject([root]);
    expect(detected.kind).toBe('hardhat');
    const outcome = await compileFiles(detected.sources, {
      root,
      compilers: detected.compilers,
      fetchCompilers: false,
    });
    const byName = Object.fromEntries(
      outcome.files.map((f) => [f.path.slice(join(root, 'contracts').length + 1), f.solcVersion]),
    );
    expect(byName).toEqual({
      'Legacy.sol': '0.5.17',
      'New.sol': '0.8.20',
      'Old.sol': '0.8.20',
      'Pinned.sol': '0.8.10',
    });
    const legacy = outcome.files.find((f) => f.path.endsWith('Legacy.sol'))!;
    expect(legacy.diagnostics.map((d) => d.message)).toContainEqual(
      "The project's compiler (0.7.6, 0.8.10, 0.8.20) does not satisfy the pragmas of this file or its imports; the version was chosen from the pragmas.",
    );
  });
});
