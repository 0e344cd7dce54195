import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Audited npm packages used to count false alarms, and where their sources are. */
export const auditedPackages: Record<string, string> = {
  '@openzeppelin/contracts': 'node_modules/@openzeppelin/contracts',
  solady: 'node_modules/solady/src',
  '@uniswap/v3-core': 'node_modules/@uniswap/v3-core/contracts',
  '@uniswap/v2-core': 'node_modules/@uniswap/v2-core/contracts',
  '@aave/core-v3': 'node_modules/@aave/core-v3/contracts',
  '@safe-global/safe-contracts': 'node_modules/@safe-global/safe-contracts/contracts',
};

export function solidityFiles(folder: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(folder)) {
    const full = path.join(folder, name);
    if (statSync(full).isDirectory()) {
      if (!['mocks', 'test', 'tests', 'node_modules'].includes(name)) out.push(...solidityFiles(full));
    } else if (name.endsWith('.sol')) out.push(full);
  }
  return out.sort();
}
