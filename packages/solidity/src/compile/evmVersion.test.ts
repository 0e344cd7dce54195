import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { compileFiles } from './compileFiles.ts';
import { configuredEvmVersion, evmVersionFor } from './evmVersion.ts';
import { removeTree, writeTree } from './fixtures/writeTree.ts';

// Transient storage and memory copy: cancun opcodes, accepted by solc 0.8.24 only when asked for.
const pinned0824 = `// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;
contract Lock {
    function enter() external {
        assembly {
            if tload(0) { revert(0, 0) }
            tstore(0, 1)
            mcopy(0, 32, 32)
        }
    }
}
`;

// One folder per project below a single temp root.
const root = writeTree({
  'plain/Lock.sol': pinned0824,
  'foundry/foundry.toml': '[profile.default]\nevm_version = "shanghai"\n',
  'foundry/Lock.sol': pinned0824,
  'foundry-paris/foundry.toml': '[profile.default]\nevm_version = "paris"\n',
  'hardhat/hardhat.config.js':
    "module.exports = { solidity: { version: '0.8.24', settings: { evmVersion: 'cancun' } } };\n",
  'hardhat-comment/hardhat.config.js': "// evmVersion: 'paris'\nmodule.exports = {};\n",
});
afterAll(() => removeTree(root));
const project = (name: string) => join(root, name);

describe('evmVersionFor', () => {
  test('default: solc decides, except 0.8.24, which knows cancun but defaults to shanghai', () => {
    expect(evmVersionFor('0.8.24')).toBe('cancun');
    expect(evmVersionFor('0.8.30')).toBeUndefined();
    expect(evmVersionFor('0.8.20')).toBeUndefined();
    expect(evmVersionFor('0.4.26')).toBeUndefined();
  });

  test('behavior: a configured EVM version is lowered to the newest the compiler knows', () => {
    expect(evmVersionFor('0.8.30', 'shanghai')).toBe('shanghai');
    expect(evmVersionFor('0.8.24', 'prague')).toBe('cancun');
    expect(evmVersionFor('0.6.12', 'cancun')).toBe('istanbul');
    expect(evmVersionFor('0.4.26', 'Cancun')).toBe('constantinople');
    expect(evmVersionFor('0.4.11', 'cancun')).toBeUndefined();
    expect(evmVersionFor('0.8.30', 'no-such-fork')).toBeUndefined();
  });

  test('behavior: read from foundry.toml, then hardhat.config', () => {
    expect(configuredEvmVersion(project('foundry-paris'))).toBe('paris');
    expect(configuredEvmVersion(project('hardhat'))).toBe('cancun');
    expect(configuredEvmVersion(project('hardhat-comment'))).toBeUndefined();
    expect(configuredEvmVersion(project('plain'))).toBeUndefined();
  });
});

describe('compileFiles with an EVM version', () => {
  test('default: a file pinned to 0.8.24 that uses tload and mcopy compiles', async () => {
    const plain = project('plain');
    const outcome = await compileFiles([join(plain, 'Lock.sol')], { root: plain, ast: false, fetchCompilers: false });
    expect(outcome.files.map((f) => [f.compiled, f.solcVersion, f.reason])).toEqual([[true, '0.8.24', undefined]]);
  });

  test('behavior: the project’s configured EVM version comes first', async () => {
    const foundry = project('foundry');
    const outcome = await compileFiles([join(foundry, 'Lock.sol')], {
      root: foundry,
      ast: false,
      fetchCompilers: false,
    });
    expect(outcome.files[0]!.compiled).toBeFalsy();
    // shanghai has no transient storage: the setting reached solc.
    expect(outcome.files[0]!.reason).toMatch(/tload/);
  });
});
