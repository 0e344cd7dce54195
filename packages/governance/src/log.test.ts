import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

/** Packages the module at `file` loads when imported: static, non-type imports, followed through relative files. */
function loadedPackages(file: string, seen = new Set<string>(), packages = new Set<string>()): Set<string> {
  if (seen.has(file)) return packages;
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  for (const [, typeOnly, specifier] of source.matchAll(/^(?:import|export)\s+(type\s)?[^;]*?from\s+'([^']+)'/gms)) {
    if (typeOnly || !specifier) continue;
    if (specifier.startsWith('.')) loadedPackages(resolve(dirname(file), specifier), seen, packages);
    else packages.add(specifier);
  }
  return packages;
}

describe('@bulwark/governance/log', () => {
  test('behavior: loads the store and the crypto it needs, not the scanner, compilers or PDF renderer', () => {
    const packages = [...loadedPackages(resolve(import.meta.dirname, 'log.ts'))];
    expect(packages).toContain('@bulwark/store');
    const heavy = packages.filter((name) =>
      ['@bulwark/scanner', '@bulwark/solidity', 'playwright-core', 'solc', 'yaml', 'ajv', 'viem'].some(
        (prefix) => name === prefix || name.startsWith(`${prefix}/`),
      ),
    );
    expect(heavy).toEqual([]);
  });

  test('behavior: the package root loads them, so the check above can see them', () => {
    expect([...loadedPackages(resolve(import.meta.dirname, 'index.ts'))]).toContain('@bulwark/scanner');
  });
});
