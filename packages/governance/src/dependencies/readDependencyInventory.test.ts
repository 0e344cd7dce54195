import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { createReleaseProject } from '../gate/testing.ts';
import { hashTree } from './hashTree.ts';
import { readDependencyInventory } from './readDependencyInventory.ts';
import { gitCommit } from './readFoundryLibs.ts';
import { readNpmLock } from './readNpmLock.ts';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-deps-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

describe('readDependencyInventory', () => {
  test('default: lockfile packages, Foundry libraries, and which of them the contracts import', async () => {
    const project = await createReleaseProject();
    const inventory = readDependencyInventory({ root: project.dir, sources: ['src/Vault.sol'] });
    expect(inventory.lockfile).toBe('package-lock.json');
    expect(inventory.dependencies).toEqual([
      {
        ecosystem: 'foundry',
        name: 'safe-math',
        version: 'unversioned',
        integrity: hashTree(path.join(project.dir, 'lib/safe-math')),
        source: 'lib/safe-math',
        imported: ['lib/safe-math/src/SafeMathLite.sol'],
      },
      {
        ecosystem: 'npm',
        name: 'left-pad',
        version: '1.3.0',
        integrity: 'sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQEB9fcsnvvN+/DAoGdGopMnWVeXvTdpjl5NKxVtuwZFPzE9Q==',
        source: 'https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz',
        dev: true,
        imported: [],
      },
    ]);
    // Project files reached through imports are the project's code, not dependencies.
    expect(inventory.localSources).toEqual(['src/Pausable.sol', 'src/Vault.sol']);
    expect(inventory.unresolvedImports).toEqual([]);
  });

  test('behavior: an edit inside lib/ changes the library integrity and the lock digest', async () => {
    const project = await createReleaseProject();
    const before = readDependencyInventory({ root: project.dir, sources: ['src/Vault.sol'] });
    project.write(
      'lib/safe-math/src/SafeMathLite.sol',
      project.read('lib/safe-math/src/SafeMathLite.sol').replace('b > a', 'b >= a'),
    );
    const after = readDependencyInventory({ root: project.dir, sources: ['src/Vault.sol'] });
    expect(after.dependencies[0]!.integrity).not.toBe(before.dependencies[0]!.integrity);
    expect(after.lockDigest).not.toBe(before.lockDigest);
  });

  test('behavior: a submodule version is its checked-out commit, read from git files', () => {
    const commit = 'c'.repeat(40);
    const root = folder({
      '.git/modules/lib/forge-std/HEAD': `${commit}\n`,
      'lib/forge-std/.git': 'gitdir: ../../.git/modules/lib/forge-std\n',
      'lib/forge-std/src/Test.sol': 'contract Test {}\n',
      'lib/on-branch/.git/HEAD': 'ref: refs/heads/main\n',
      'lib/on-branch/.git/packed-refs': `# pack-refs\n${'d'.repeat(40)} refs/heads/main\n`,
      'lib/on-branch/A.sol': 'contract A {}\n',
    });
    expect(gitCommit(path.join(root, 'lib/forge-std'))).toBe(commit);
    expect(gitCommit(path.join(root, 'lib/on-branch'))).toBe('d'.repeat(40));
    const inventory = readDependencyInventory({ root, sources: [] });
    expect(inventory.dependencies.map((d) => `${d.name}@${d.version}`)).toEqual([
      `forge-std@${commit}`,
      `on-branch@${'d'.repeat(40)}`,
    ]);
    // The .git pointer is not content: the hash is the same as the folder's without it.
    expect(inventory.dependencies[0]!.integrity).toBe(hashTree(folder({ 'src/Test.sol': 'contract Test {}\n' })));
  });

  test('behavior: an npm package imported from node_modules is marked imported, also from outside the lockfile', () => {
    // A monorepo: the app's lockfile, and a package hoisted to the workspace's node_modules.
    const workspace = folder({
      'node_modules/hoisted/package.json': JSON.stringify({ name: 'hoisted', version: '3.1.4' }),
      'node_modules/hoisted/Lib.sol': 'library Lib {}\n',
      'app/package-lock.json': JSON.stringify({
        lockfileVersion: 3,
        packages: {
          '': { name: 'p' },
          'node_modules/@oz/contracts': { version: '5.0.2', integrity: 'sha512-oz' },
          'node_modules/@oz/contracts/node_modules/nested': { version: '1.0.0', integrity: 'sha512-n1' },
          'node_modules/dup': { version: '2.0.0', integrity: 'sha512-d' },
          'node_modules/x/node_modules/dup': { version: '2.0.0', integrity: 'sha512-d' },
          'packages/workspace': { name: 'workspace' },
          'node_modules/workspace': { resolved: 'packages/workspace', link: true },
          'node_modules/gitdep': { version: '0.1.0', resolved: 'git+ssh://git@github.com/a/b.git#0123abc' },
        },
      }),
      'app/node_modules/@oz/contracts/token/ERC20.sol': 'contract ERC20 {}\n',
      'app/src/Token.sol':
        'import "@oz/contracts/token/ERC20.sol";\nimport "hoisted/Lib.sol";\ncontract Token is ERC20 {}\n',
    });
    const root = path.join(workspace, 'app');
    const inventory = readDependencyInventory({ root, sources: ['src/Token.sol'] });
    const view = inventory.dependencies.map((d) => [d.name, d.version, d.integrity, d.imported]);
    expect(view).toEqual([
      ['@oz/contracts', '5.0.2', 'sha512-oz', ['node_modules/@oz/contracts/token/ERC20.sol']],
      ['dup', '2.0.0', 'sha512-d', []],
      ['gitdep', '0.1.0', 'resolved:git+ssh://git@github.com/a/b.git#0123abc', []],
      ['hoisted', '3.1.4', hashTree(path.join(workspace, 'node_modules/hoisted')), ['../node_modules/hoisted/Lib.sol']],
      ['nested', '1.0.0', 'sha512-n1', []],
    ]);
  });

  test('behavior: a v1 lockfile is read too', () => {
    const root = folder({
      'package-lock.json': JSON.stringify({
        lockfileVersion: 1,
        dependencies: {
          a: { version: '1.0.0', integrity: 'sha1-a', dependencies: { b: { version: '2.0.0', integrity: 'sha1-b' } } },
        },
      }),
    });
    expect(readNpmLock(path.join(root, 'package-lock.json')).map((e) => [e.location, e.version])).toEqual([
      ['node_modules/a', '1.0.0'],
      ['node_modules/a/node_modules/b', '2.0.0'],
    ]);
  });

  test('error: an unreadable lockfile names the file and the fix', () => {
    const root = folder({ 'package-lock.json': '{ not json' });
    expect(() => readDependencyInventory({ root, sources: [] })).toThrow(
      /Cannot read the lockfile .*package-lock.json.\nFix: make it valid JSON again/,
    );
  });
});
