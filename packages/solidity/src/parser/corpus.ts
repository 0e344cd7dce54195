import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** SolidiFI lives next to the repository and is absent in a plain clone. */
export const SOLIDIFI_DIR = resolve(repoRoot, '../shared/datasets/solidifi/buggy_contracts');

/** Installed Solidity packages used as a differential corpus. */
export const PACKAGE_DIRS = [
  'node_modules/@openzeppelin/contracts',
  'node_modules/solady/src',
  'node_modules/@uniswap/v3-core/contracts',
  'node_modules/@uniswap/v2-core/contracts',
  'node_modules/@aave/core-v3/contracts',
  'node_modules/@safe-global/safe-contracts/contracts',
].map((dir) => join(repoRoot, dir));

/** All `.sol` files below dir, sorted; none when dir does not exist. */
export function solidityFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.sol')) out.push(full);
    }
  };
  walk(dir);
  return out;
}
