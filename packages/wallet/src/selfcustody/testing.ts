/**
 * Test support for the self-custody checks: OpenZeppelin ERC-20 and ERC-721 contracts compiled
 * with solc-js (imports read from node_modules), deployed on anvil. Not exported from the package.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Artifacts, compileSources } from '@bulwark/contracts';

const contractsDir = fileURLToPath(new URL('../../testdata/contracts/', import.meta.url));
const openZeppelinRoot = dirname(createRequire(import.meta.url).resolve('@openzeppelin/contracts/package.json'));

let compiled: Promise<Artifacts> | undefined;

/** TestToken (ERC-20) and TestNft (ERC-721), plus any other contract in testdata/contracts. */
export function testTokenArtifacts(): Promise<Artifacts> {
  compiled ??= compile();
  return compiled;
}

async function compile(): Promise<Artifacts> {
  const sources = new Map<string, string>();
  const queue = readdirSync(contractsDir)
    .filter((file) => file.endsWith('.sol'))
    .map((file) => {
      sources.set(file, readFileSync(join(contractsDir, file), 'utf8'));
      return file;
    });
  // Follow imports so solc finds every OpenZeppelin file it needs in the map.
  while (queue.length > 0) {
    const unit = queue.pop() as string;
    for (const [, path] of (sources.get(unit) ?? '').matchAll(/import\s+(?:[^"']*from\s+)?["']([^"']+)["']/g)) {
      const name = path.startsWith('.') ? posix.normalize(posix.join(posix.dirname(unit), path)) : path;
      if (sources.has(name) || !name.startsWith('@openzeppelin/contracts/')) continue;
      sources.set(name, readFileSync(join(openZeppelinRoot, name.slice('@openzeppelin/contracts/'.length)), 'utf8'));
      queue.push(name);
    }
  }
  return compileSources(sources);
}
