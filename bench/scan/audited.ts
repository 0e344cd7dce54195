import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export type AuditedPackage = { folder: string; era: 'old' | 'modern' };

/**
 * Audited npm packages used to count false alarms, and where their sources are. "old" is pre-0.8
 * code, where most deployed value still sits; versions are exact-pinned in the root package.json.
 * @uniswap/v2-periphery has only 1.1.0-beta.0 in the registry snapshot (the deployed router's code).
 */
export const auditedPackages: Record<string, AuditedPackage> = {
  'zeppelin-solidity@1.12.0': { folder: 'node_modules/zeppelin-solidity/contracts', era: 'old' },
  'openzeppelin-solidity@2.5.1': { folder: 'node_modules/openzeppelin-solidity/contracts', era: 'old' },
  '@openzeppelin/contracts@3.4.2': { folder: 'node_modules/oz-contracts-3', era: 'old' },
  '@gnosis.pm/safe-contracts@1.3.0': { folder: 'node_modules/@gnosis.pm/safe-contracts/contracts', era: 'old' },
  '@aragon/os@4.4.0': { folder: 'node_modules/@aragon/os/contracts', era: 'old' },
  '@uniswap/v2-periphery@1.1.0-beta.0': { folder: 'node_modules/@uniswap/v2-periphery/contracts', era: 'old' },
  '@uniswap/v2-core': { folder: 'node_modules/@uniswap/v2-core/contracts', era: 'old' },
  '@uniswap/v3-core': { folder: 'node_modules/@uniswap/v3-core/contracts', era: 'old' },
  solmate: { folder: 'node_modules/solmate/src', era: 'modern' },
  '@openzeppelin/contracts': { folder: 'node_modules/@openzeppelin/contracts', era: 'modern' },
  solady: { folder: 'node_modules/solady/src', era: 'modern' },
  '@aave/core-v3': { folder: 'node_modules/@aave/core-v3/contracts', era: 'modern' },
  '@safe-global/safe-contracts': { folder: 'node_modules/@safe-global/safe-contracts/contracts', era: 'modern' },
};

/** Production code only: mocks, tests and examples are written to be unsafe. */
const skippedFolders = ['mocks', 'test', 'tests', 'examples', 'node_modules'];

export function solidityFiles(folder: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(folder)) {
    const full = path.join(folder, name);
    if (statSync(full).isDirectory()) {
      if (!skippedFolders.includes(name)) out.push(...solidityFiles(full));
    } else if (name.endsWith('.sol')) out.push(full);
  }
  return out.sort();
}
