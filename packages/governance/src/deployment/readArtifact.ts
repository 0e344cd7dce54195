import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Hex } from 'viem';
import { displayPath } from '../manifest/displayPath.ts';
import type { ManifestContract } from '../manifest/types.ts';
import { ArtifactError } from './errors.ts';
import { inferImmutableRanges } from './normalizeRuntimeCode.ts';

/** Byte ranges of the runtime code filled at deployment: immutables and linked library addresses. */
export type CodeRange = { start: number; length: number };

export type ResolvedArtifact = {
  /** The file it was read from. */
  file: string;
  contractName: string;
  /** Runtime code as compiled, with library placeholders replaced by zeros. */
  deployedBytecode: Hex;
  /** Ranges filled at deployment: immutables and linked libraries. */
  immutableRanges: CodeRange[];
  /** Whether the artifact listed its immutables, or they were inferred from the code (see `inferImmutableRanges`). */
  immutablesFrom: 'artifact' | 'inferred';
};

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The artifact of a manifest contract: its `artifact` file (a Foundry or Hardhat artifact, a solc
 * standard-JSON output, a build-info, or a Bulwark build.json), else the contract's name
 * (`contract`, default `name`) looked up in the build folders `out/` (Foundry) and `artifacts/`
 * (Hardhat) under `dir`.
 */
export function readArtifact(contract: ManifestContract, dir: string): ResolvedArtifact {
  const contractName = contract.contract ?? contract.name;
  const file = contract.artifact ? resolve(dir, contract.artifact) : findInBuild(contractName, dir, contract.name);
  const shown = displayPath(dir, file);
  if (!existsSync(file))
    throw new ArtifactError(`The artifact ${shown} of contract ${contract.name} does not exist.`, {
      metaMessages: ['Fix: build the contracts (forge build, npx hardhat compile) or correct `artifact:`.'],
    });
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ArtifactError(`The artifact ${shown} of contract ${contract.name} is not valid JSON.`, { cause });
  }
  const found = fromJson(raw, contractName, file);
  if (!found)
    throw new ArtifactError(`The artifact ${shown} has no runtime code for contract ${contractName}.`, {
      metaMessages: [
        'Fix: point `artifact:` at a Foundry/Hardhat artifact, solc output or build-info holding the contract, and set `contract:` to its name there.',
      ],
    });
  if (found.code === '0x' || found.code === '')
    throw new ArtifactError(`The artifact ${shown} has empty runtime code for ${contractName}.`, {
      metaMessages: ['An interface or abstract contract has no code: point the manifest at the deployed contract.'],
    });
  const { code, linkRanges } = replaceLinkPlaceholders(found.code);
  if (!/^0x([0-9a-fA-F]{2})*$/.test(code))
    throw new ArtifactError(`The runtime code in ${shown} for ${contractName} is not hex.`);
  const deployedBytecode = code.toLowerCase() as Hex;
  const immutables = found.immutableRanges ?? inferImmutableRanges(deployedBytecode);
  return {
    file,
    contractName,
    deployedBytecode,
    immutableRanges: [...immutables, ...linkRanges],
    immutablesFrom: found.immutableRanges ? 'artifact' : 'inferred',
  };
}

type Found = { code: string; immutableRanges: CodeRange[] | undefined };

function fromJson(raw: unknown, contractName: string, file: string): Found | undefined {
  if (!isObject(raw)) return undefined;
  // Foundry (`deployedBytecode.object`) or a single solc contract (`evm.deployedBytecode`).
  const evm = isObject(raw.evm) ? raw.evm : undefined;
  const objectForm = isObject(raw.deployedBytecode)
    ? raw.deployedBytecode
    : (evm?.deployedBytecode as Json | undefined);
  if (isObject(objectForm) && typeof objectForm.object === 'string')
    return { code: withPrefix(objectForm.object), immutableRanges: ranges(objectForm.immutableReferences) };
  // Hardhat, Truffle or Bulwark: a hex string; the immutables are in Hardhat's build-info, Truffle's top level.
  if (typeof raw.deployedBytecode === 'string') {
    const immutables =
      ranges(raw.immutableReferences) ??
      hardhatBuildInfoRanges(file, raw, contractName) ??
      (raw.deployedBytecode === '0x' ? [] : undefined);
    return { code: withPrefix(raw.deployedBytecode), immutableRanges: immutables };
  }
  // solc standard-JSON output, a build-info (`output.contracts`) or Bulwark's build.json (`contracts`).
  const output = isObject(raw.output) ? raw.output : raw;
  if (isObject(output.contracts)) {
    const byName = output.contracts;
    // Bulwark build.json: contracts by name.
    const direct = byName[contractName];
    if (isObject(direct) && typeof direct.deployedBytecode === 'string') return fromJson(direct, contractName, file);
    const [unit, name] = contractName.includes(':') ? contractName.split(':') : [undefined, contractName];
    for (const [sourceName, contracts] of Object.entries(byName)) {
      if (unit !== undefined && sourceName !== unit) continue;
      if (isObject(contracts) && isObject(contracts[name])) return fromJson(contracts[name], name, file);
    }
  }
  return undefined;
}

function withPrefix(hex: string): string {
  return hex.startsWith('0x') ? hex : `0x${hex}`;
}

function ranges(value: unknown): CodeRange[] | undefined {
  if (!isObject(value)) return undefined;
  const out: CodeRange[] = [];
  for (const list of Object.values(value)) {
    if (!Array.isArray(list)) continue;
    for (const entry of list)
      if (isObject(entry) && typeof entry.start === 'number' && typeof entry.length === 'number')
        out.push({ start: entry.start, length: entry.length });
  }
  return out;
}

/** Hardhat keeps immutables in the build-info its `<Name>.dbg.json` points to. */
function hardhatBuildInfoRanges(file: string, raw: Json, contractName: string): CodeRange[] | undefined {
  const dbg = file.replace(/\.json$/, '.dbg.json');
  if (!existsSync(dbg)) return undefined;
  try {
    const pointer = JSON.parse(readFileSync(dbg, 'utf8')) as { buildInfo?: string };
    if (!pointer.buildInfo) return undefined;
    const buildInfo = JSON.parse(readFileSync(resolve(dirname(dbg), pointer.buildInfo), 'utf8')) as Json;
    const sourceName = typeof raw.sourceName === 'string' ? raw.sourceName : undefined;
    const name = typeof raw.contractName === 'string' ? raw.contractName : contractName;
    const contracts = (buildInfo.output as Json | undefined)?.contracts as Json | undefined;
    const compiled = sourceName
      ? ((contracts?.[sourceName] as Json | undefined)?.[name] as Json | undefined)
      : undefined;
    const deployed = (compiled?.evm as Json | undefined)?.deployedBytecode as Json | undefined;
    return ranges(deployed?.immutableReferences);
  } catch {
    return undefined;
  }
}

/** Library placeholders (`__$…$__`, or `__Name___…` before solc 0.5) become zeros, and their ranges are noted. */
function replaceLinkPlaceholders(code: string): { code: string; linkRanges: CodeRange[] } {
  const linkRanges: CodeRange[] = [];
  const replaced = code.replace(/__[^\s"]{38}/g, (_match, offset: number) => {
    linkRanges.push({ start: (offset - 2) / 2, length: 20 });
    return '0'.repeat(40);
  });
  return { code: replaced, linkRanges };
}

const skipDirs = new Set(['build-info', 'node_modules', '.git', 'cache']);

function findInBuild(contractName: string, dir: string, manifestName: string): string {
  const name = contractName.includes(':') ? contractName.split(':')[1] : contractName;
  const matches: string[] = [];
  for (const root of ['out', 'artifacts']) {
    const walk = (current: string, depth: number) => {
      if (depth > 8) return;
      let entries: import('node:fs').Dirent[];
      try {
        entries = readdirSync(current, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        if (entry.isDirectory()) {
          if (!skipDirs.has(entry.name)) walk(join(current, entry.name), depth + 1);
        } else if (entry.name === `${name}.json`) matches.push(join(current, entry.name));
      }
    };
    walk(join(dir, root), 0);
  }
  if (matches.length === 1) return matches[0];
  if (matches.length === 0)
    throw new ArtifactError(`No artifact for contract ${manifestName}: no ${name}.json under out/ or artifacts/.`, {
      metaMessages: [
        'Fix: build the project (forge build, npx hardhat compile), or set `artifact:` to the artifact file.',
      ],
    });
  throw new ArtifactError(`Several artifacts named ${name}.json for contract ${manifestName}.`, {
    details: matches.map((m) => relative(dir, m)).join(', '),
    metaMessages: ['Fix: set `artifact:` to the one that was deployed.'],
  });
}
