import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { addFiles, removeTree, writeTree } from './fixtures/writeTree.ts';
import { parseFoundryToml } from './readFoundryConfig.ts';
import { parseRemapping, readRemappings } from './readRemappings.ts';
import { createImportResolver, remapImport } from './resolveImports.ts';

const roots: string[] = [];
function project(files: Record<string, string>): string {
  const root = writeTree(files);
  roots.push(root);
  return root;
}
afterAll(() => roots.forEach(removeTree));

const sol = 'contract X {}';

describe('createImportResolver', () => {
  test('default: relative imports resolve against the importing file', () => {
    const root = project({ 'src/a/A.sol': sol, 'src/b/B.sol': sol, 'src/a/C.sol': sol });
    const resolver = createImportResolver({ root });
    const from = join(root, 'src/a/A.sol');
    expect(resolver.resolve('../b/B.sol', from)).toEqual({ found: true, path: join(root, 'src/b/B.sol') });
    expect(resolver.resolve('./C.sol', from)).toEqual({ found: true, path: join(root, 'src/a/C.sol') });
  });

  test('behavior: remappings.txt', () => {
    const root = project({
      'remappings.txt': '# comment\n@oz/=lib/openzeppelin-contracts/contracts/\nsolmate/=lib/solmate/src\n',
      'lib/openzeppelin-contracts/contracts/token/ERC20.sol': sol,
      'lib/solmate/src/tokens/ERC721.sol': sol,
      'src/A.sol': sol,
    });
    const resolver = createImportResolver({ root });
    const from = join(root, 'src/A.sol');
    expect(resolver.resolve('@oz/token/ERC20.sol', from)).toEqual({
      found: true,
      path: join(root, 'lib/openzeppelin-contracts/contracts/token/ERC20.sol'),
    });
    expect(resolver.resolve('solmate/tokens/ERC721.sol', from)).toMatchObject({ found: true });
  });

  test('behavior: foundry.toml remappings, multi-line with comments, and context-specific remappings', () => {
    const root = project({
      'foundry.toml': [
        '[profile.default]',
        'src = "contracts" # where sources live',
        'remappings = [',
        "  '@solady/=lib/solady/src/', # single quotes",
        '  "src/legacy:@old/=vendor/old/",',
        ']',
        '[profile.ci]',
        'remappings = ["@solady/=wrong/"]',
      ].join('\n'),
      'lib/solady/src/utils/LibString.sol': sol,
      'vendor/old/Old.sol': sol,
      'contracts/A.sol': sol,
    });
    const resolver = createImportResolver({ root });
    const from = join(root, 'contracts/A.sol');
    expect(resolver.resolve('@solady/utils/LibString.sol', from)).toEqual({
      found: true,
      path: join(root, 'lib/solady/src/utils/LibString.sol'),
    });
    expect(resolver.resolve('@old/Old.sol', from)).toEqual({ found: true, path: join(root, 'vendor/old/Old.sol') });
    expect(resolver.remappings).toContainEqual({ context: 'src/legacy', prefix: '@old/', target: 'vendor/old/' });
  });

  test('behavior: node_modules from the importing file and from the root', () => {
    const root = project({
      'node_modules/@acme/lib/X.sol': sol,
      'packages/app/node_modules/@acme/local/Y.sol': sol,
      'packages/app/contracts/A.sol': sol,
    });
    const resolver = createImportResolver({ root: join(root, 'packages/app') });
    const from = join(root, 'packages/app/contracts/A.sol');
    expect(resolver.resolve('@acme/lib/X.sol', from)).toEqual({
      found: true,
      path: join(root, 'node_modules/@acme/lib/X.sol'),
    });
    expect(resolver.resolve('@acme/local/Y.sol', from)).toEqual({
      found: true,
      path: join(root, 'packages/app/node_modules/@acme/local/Y.sol'),
    });
  });

  test('behavior: Foundry lib/ conventions when no remapping is given', () => {
    const root = project({
      'lib/forge-std/src/Test.sol': sol,
      'lib/openzeppelin-contracts/contracts/access/Ownable.sol': sol,
      'lib/ds-test/test.sol': sol,
      'src/A.sol': sol,
    });
    const resolver = createImportResolver({ root });
    const from = join(root, 'src/A.sol');
    expect(resolver.resolve('forge-std/Test.sol', from)).toEqual({
      found: true,
      path: join(root, 'lib/forge-std/src/Test.sol'),
    });
    expect(resolver.resolve('@openzeppelin/contracts/access/Ownable.sol', from)).toEqual({
      found: true,
      path: join(root, 'lib/openzeppelin-contracts/contracts/access/Ownable.sol'),
    });
    expect(resolver.resolve('ds-test/test.sol', from)).toMatchObject({ found: true });
  });

  test('behavior: remappings a library declares for itself, rebased onto its folder', () => {
    const root = project({
      'lib/openzeppelin-contracts/remappings.txt': '@openzeppelin/contracts/=contracts/\n',
      'lib/openzeppelin-contracts/contracts/token/ERC20/ERC20.sol': sol,
      'src/A.sol': sol,
    });
    expect(readRemappings(root)).toEqual([
      { prefix: '@openzeppelin/contracts/', target: 'lib/openzeppelin-contracts/contracts/' },
    ]);
  });

  test('behavior: imports from the project root (Foundry allows `src/...`)', () => {
    const root = project({ 'src/utils/Math.sol': sol, 'src/A.sol': sol });
    expect(createImportResolver({ root }).resolve('src/utils/Math.sol', join(root, 'src/A.sol'))).toMatchObject({
      found: true,
      path: join(root, 'src/utils/Math.sol'),
    });
  });

  test('error: not found names the import, the importing file, where it looked and the fix', () => {
    const root = project({ 'src/A.sol': sol, 'remappings.txt': '@oz/=lib/oz/\n' });
    const result = createImportResolver({ root }).resolve('@oz/token/ERC20.sol', join(root, 'src/A.sol'));
    expect(result.found).toBe(false);
    if (result.found) return;
    const [first, looked, fix] = result.message.split('\n');
    expect(first).toBe('Import "@oz/token/ERC20.sol" in src/A.sol not found.');
    expect(looked).toContain('lib/oz/token/ERC20.sol');
    expect(looked).toContain('node_modules/@oz/token/ERC20.sol');
    expect(fix).toMatch(/add a remapping such as "@oz\/token\/=<folder>\/".*npm install @oz\/token/);
    expect(result.searched[0]).toBe(join(root, 'lib/oz/token/ERC20.sol'));
  });

  test('error: a relative import that does not exist', () => {
    const root = project({ 'src/A.sol': sol });
    const result = createImportResolver({ root }).resolve('./Missing.sol', join(root, 'src/A.sol'));
    expect(result).toMatchObject({ found: false, searched: [join(root, 'src/Missing.sol')] });
  });

  test('behavior: a later file added to the tree is found (no stale cache)', () => {
    const root = project({ 'src/A.sol': sol });
    const resolver = createImportResolver({ root });
    expect(resolver.resolve('./B.sol', join(root, 'src/A.sol')).found).toBe(false);
    addFiles(root, { 'src/B.sol': sol });
    expect(resolver.resolve('./B.sol', join(root, 'src/A.sol')).found).toBe(true);
  });
});

describe('remappings', () => {
  test('parseRemapping', () => {
    expect(parseRemapping('@oz/=lib/oz')).toEqual({ prefix: '@oz/', target: 'lib/oz/' });
    expect(parseRemapping('ctx:@oz/=./lib/oz/')).toEqual({ context: 'ctx', prefix: '@oz/', target: 'lib/oz/' });
    expect(parseRemapping('# comment')).toBeUndefined();
    expect(parseRemapping('   ')).toBeUndefined();
    expect(parseRemapping('=x')).toBeUndefined();
  });

  test('remapImport picks the longest prefix', () => {
    const remappings = [
      { prefix: '@oz/', target: 'lib/oz/' },
      { prefix: '@oz/contracts/', target: 'lib/oz-v5/contracts/' },
    ];
    expect(remapImport('@oz/contracts/X.sol', remappings)).toBe('lib/oz-v5/contracts/X.sol');
    expect(remapImport('@oz/other/X.sol', remappings)).toBe('lib/oz/other/X.sol');
    expect(remapImport('forge-std/Test.sol', remappings)).toBe('forge-std/Test.sol');
  });

  test('parseFoundryToml reads the default profile only', () => {
    const config = parseFoundryToml(
      'src = "top"\n[profile.default]\nout = "build" # out\nlibs = ["lib", "deps"]\n[profile.default.fuzz]\nruns = 1\n[profile.ci]\nsrc = "ci"\n',
    );
    expect(config).toEqual({
      src: 'top',
      out: 'build',
      test: 'test',
      script: 'script',
      libs: ['lib', 'deps'],
      remappings: [],
    });
  });
});
