import { readFileSync } from 'node:fs';
import { hexToBytes } from '@noble/hashes/utils';
import { ReleaseError } from './errors.ts';
import { sha256Hex } from './sha256.ts';

export type ArtifactBytecode = {
  /** sha256 of the creation code's bytes (of its text when it has unlinked library placeholders). */
  bytecodeSha256?: string | undefined;
  deployedBytecodeSha256?: string | undefined;
};

type Evm = { bytecode?: { object?: string }; deployedBytecode?: { object?: string } };

/**
 * Finds a contract's bytecode in an artifact of any common shape: Hardhat and Foundry artifacts
 * (`bytecode` as a string or `{ object }`), solc standard output or build-info
 * (`[output.]contracts[file][name].evm`), or a map of artifacts by name (`contracts[name]`).
 * Returns no hashes when the artifact holds none for the contract (an interface).
 */
export function readArtifactBytecode(file: string, contract: string, shownAs: string): ArtifactBytecode {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ReleaseError(`Cannot read the artifact ${shownAs} of ${contract}.`, {
      cause: error,
      metaMessages: ['Fix: build the contracts (forge build, npx hardhat compile), or correct the artifact path.'],
      docsPath: 'governance/approve.md#release-digest',
    });
  }
  const found = findCode(json, contract);
  return {
    bytecodeSha256: found.bytecode ? hashCode(found.bytecode) : undefined,
    deployedBytecodeSha256: found.deployedBytecode ? hashCode(found.deployedBytecode) : undefined,
  };
}

function findCode(json: unknown, contract: string): { bytecode?: string; deployedBytecode?: string } {
  if (!isObject(json)) return {};
  const direct = codeOf(json);
  if (direct.bytecode || direct.deployedBytecode) return direct;
  const output = isObject(json.output) ? json.output : json;
  const contracts = output.contracts;
  if (!isObject(contracts)) return {};
  const byName = contracts[contract];
  if (isObject(byName)) {
    const code = codeOf(byName);
    if (code.bytecode || code.deployedBytecode) return code;
  }
  for (const perFile of Object.values(contracts)) {
    if (isObject(perFile) && isObject(perFile[contract])) {
      const code = codeOf(perFile[contract] as Record<string, unknown>);
      if (code.bytecode || code.deployedBytecode) return code;
    }
  }
  return {};
}

function codeOf(entry: Record<string, unknown>): { bytecode?: string; deployedBytecode?: string } {
  const evm = (isObject(entry.evm) ? entry.evm : undefined) as Evm | undefined;
  const pick = (value: unknown, fromEvm: { object?: string } | undefined): string | undefined => {
    const text = typeof value === 'string' ? value : isObject(value) ? value.object : fromEvm?.object;
    if (typeof text !== 'string') return undefined;
    const hex = text.replace(/^0x/i, '');
    return hex.length > 0 ? hex : undefined;
  };
  const result: { bytecode?: string; deployedBytecode?: string } = {};
  const bytecode = pick(entry.bytecode, evm?.bytecode);
  const deployedBytecode = pick(entry.deployedBytecode, evm?.deployedBytecode);
  if (bytecode) result.bytecode = bytecode;
  if (deployedBytecode) result.deployedBytecode = deployedBytecode;
  return result;
}

function hashCode(hex: string): string {
  return /^([0-9a-fA-F]{2})+$/.test(hex) ? sha256Hex(hexToBytes(hex)) : sha256Hex(hex);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
