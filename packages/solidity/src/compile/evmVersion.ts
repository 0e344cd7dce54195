import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFoundryConfig } from './readFoundryConfig.ts';
import { compareVersions, parseVersion } from './satisfiesRange.ts';
import { stripComments } from './stripComments.ts';

/** EVM versions in order, each with the first solc that accepts it (as Foundry normalises them). */
const evmVersions: [name: string, firstSolc: string][] = [
  ['homestead', '0.4.21'],
  ['tangerineWhistle', '0.4.21'],
  ['spuriousDragon', '0.4.21'],
  ['byzantium', '0.4.21'],
  ['constantinople', '0.4.21'],
  ['petersburg', '0.5.5'],
  ['istanbul', '0.5.14'],
  ['berlin', '0.8.5'],
  ['london', '0.8.7'],
  ['paris', '0.8.18'],
  ['shanghai', '0.8.20'],
  ['cancun', '0.8.24'],
  ['prague', '0.8.27'],
  ['osaka', '0.8.29'],
];

const atLeast = (version: string, bound: string) => compareVersions(parseVersion(version)!, parseVersion(bound)!) >= 0;

/**
 * The `evmVersion` to give solc `solcVersion`. A project's configured one comes first, lowered to
 * the newest that compiler knows (a library pinned to an older solc still compiles, as with Foundry).
 * Otherwise solc's default, except where the default lags what the release accepts: 0.8.24
 * understands cancun (`tload`, `mcopy`) but defaults to shanghai, and code pinned to it uses them.
 * Undefined: give no setting (solc before 0.4.21 has none).
 */
export function evmVersionFor(solcVersion: string, configured?: string | undefined): string | undefined {
  if (!parseVersion(solcVersion) || !atLeast(solcVersion, '0.4.21')) return undefined;
  if (configured) {
    const wanted = evmVersions.findIndex(([name]) => name.toLowerCase() === configured.toLowerCase());
    if (wanted < 0) return undefined;
    for (let i = wanted; i >= 0; i--) if (atLeast(solcVersion, evmVersions[i]![1])) return evmVersions[i]![0];
    return undefined;
  }
  return atLeast(solcVersion, '0.8.24') && !atLeast(solcVersion, '0.8.25') ? 'cancun' : undefined;
}

const hardhatConfigs = ['hardhat.config.ts', 'hardhat.config.js', 'hardhat.config.cjs', 'hardhat.config.mjs'];

/**
 * The EVM version a project configures: foundry.toml's `evm_version`, or the first `evmVersion`
 * in hardhat.config.* (read as text, never run). Undefined when neither sets one.
 */
export function configuredEvmVersion(root: string): string | undefined {
  const foundry = readFoundryConfig(root)?.evmVersion;
  if (foundry) return foundry;
  for (const name of hardhatConfigs) {
    const file = join(root, name);
    if (!existsSync(file)) continue;
    const match = /["']?evmVersion["']?\s*:\s*["'`](\w+)["'`]/.exec(stripComments(readFileSync(file, 'utf8')));
    if (match) return match[1];
  }
  return undefined;
}
