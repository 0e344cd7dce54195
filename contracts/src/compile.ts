import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Abi, Hex } from 'viem';
import { ContractsBuildError } from './errors.ts';

/** The solc every contract here is pinned to (`pragma solidity 0.8.30;`). */
export const solcVersion = '0.8.30';

/** `contracts/solidity/`: the sources. */
export const solidityDir = fileURLToPath(new URL('../solidity/', import.meta.url));
/** `contracts/artifacts/`: the compiled output, git-ignored. */
export const artifactsDir = fileURLToPath(new URL('../artifacts/', import.meta.url));

const settings = {
  optimizer: { enabled: true, runs: 200 },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
};

export type Artifact = {
  contractName: string;
  /** Path under `contracts/solidity/`, with forward slashes. */
  sourceName: string;
  abi: Abi;
  /** Creation code; `0x` for interfaces and abstract contracts. */
  bytecode: Hex;
  deployedBytecode: Hex;
};

export type Artifacts = {
  /** sha256 of the compiler, its settings and every source: the cache key. */
  sourceHash: string;
  solcVersion: string;
  /** By contract name (names are unique across the sources). */
  contracts: Record<string, Artifact>;
  /** solc's warnings, formatted. */
  warnings: string[];
};

export type LoadArtifactsParameters = {
  /** Default: `contracts/solidity/`. */
  sourceDir?: string | undefined;
  /** Default: `contracts/artifacts/`. */
  artifactsDir?: string | undefined;
  /** Compile even when the cache matches the sources. */
  force?: boolean | undefined;
};

export type LoadArtifactsReturnType = Artifacts & {
  /** Whether the artifacts came from the cache (no solc run). */
  fromCache: boolean;
};

const buildFile = 'build.json';
const lockTimeoutMs = 180_000;

/**
 * The compiled circuit breakers and demo protocol. Reads `artifacts/build.json` when its hash
 * matches the sources; otherwise compiles with solc-js and writes it, plus one `<Name>.json`
 * per contract for tools that take an artifact file. Concurrent callers (parallel test files)
 * compile once: the others wait on a lock directory.
 */
export async function loadArtifacts(parameters: LoadArtifactsParameters = {}): Promise<LoadArtifactsReturnType> {
  const sourceDir = parameters.sourceDir ?? solidityDir;
  const outDir = parameters.artifactsDir ?? artifactsDir;
  const sources = readSources(sourceDir);
  const sourceHash = hashSources(sources);
  if (!parameters.force) {
    const cached = readCache(outDir, sourceHash);
    if (cached) return { ...cached, fromCache: true };
  }
  mkdirSync(outDir, { recursive: true });
  const lockDir = join(outDir, '.compile.lock');
  const deadline = Date.now() + lockTimeoutMs;
  for (;;) {
    if (tryLock(lockDir)) break;
    if (!parameters.force) {
      const cached = readCache(outDir, sourceHash);
      if (cached) return { ...cached, fromCache: true };
    }
    if (Date.now() > deadline) {
      throw new ContractsBuildError(`Timed out waiting for another compile of ${sourceDir}.`, {
        details: `The lock ${lockDir} was held for over ${lockTimeoutMs / 1000} s.`,
        metaMessages: [`Remove ${lockDir} if no other process is compiling.`],
        retryable: true,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  try {
    const artifacts = await compileSources(sources, sourceHash);
    writeCache(outDir, artifacts);
    return { ...artifacts, fromCache: false };
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Compiles `sources` (unit name -> content) with solc-js; throws on any compile error. */
export async function compileSources(
  sources: Map<string, string>,
  sourceHash = hashSources(sources),
): Promise<Artifacts> {
  // Loaded here, not at the top: a cache hit then never pays for the Solidity front-end's import.
  const { loadSolc } = await import('@bulwark/solidity');
  const solc = loadSolc(solcVersion);
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries([...sources].map(([name, content]) => [name, { content }])),
    settings,
  };
  const raw = solc.compileStandard(JSON.stringify(input), (unitName) => {
    const content = sources.get(unitName);
    return content === undefined ? { error: `File not found: ${unitName}` } : { contents: content };
  });
  let output: SolcOutput;
  try {
    output = JSON.parse(raw) as SolcOutput;
  } catch (cause) {
    throw new ContractsBuildError(`solc ${solcVersion} returned output that is not JSON.`, { cause });
  }
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) {
    throw new ContractsBuildError(`The contracts do not compile (${errors.length} error(s)).`, {
      details: errors.map(formatSolcError).join('\n'),
    });
  }
  const contracts: Record<string, Artifact> = {};
  for (const [sourceName, byName] of Object.entries(output.contracts ?? {})) {
    for (const [contractName, compiled] of Object.entries(byName)) {
      const existing = contracts[contractName];
      if (existing) {
        throw new ContractsBuildError(`Contract name ${contractName} is used twice.`, {
          details: `In ${existing.sourceName} and ${sourceName}; artifacts are keyed by name, so rename one.`,
        });
      }
      contracts[contractName] = {
        contractName,
        sourceName,
        abi: compiled.abi,
        bytecode: `0x${compiled.evm.bytecode.object}`,
        deployedBytecode: `0x${compiled.evm.deployedBytecode.object}`,
      };
    }
  }
  const warnings = (output.errors ?? []).filter((e) => e.severity !== 'error').map(formatSolcError);
  return { sourceHash, solcVersion, contracts, warnings };
}

/** Every `.sol` file under `dir`, by unit name (path relative to `dir`, forward slashes), sorted. */
export function readSources(dir: string): Map<string, string> {
  const files: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.sol')) files.push(path);
    }
  };
  try {
    walk(dir);
  } catch (cause) {
    throw new ContractsBuildError(`Cannot read the Solidity sources in ${dir}.`, { cause });
  }
  if (files.length === 0) throw new ContractsBuildError(`No .sol files in ${dir}.`);
  const units = files.map((path) => [relative(dir, path).split(sep).join('/'), readFileSync(path, 'utf8')] as const);
  return new Map(units.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function hashSources(sources: Map<string, string>): string {
  const hash = createHash('sha256');
  hash.update(`solc ${solcVersion}\0${JSON.stringify(settings)}\0`);
  for (const [name, content] of sources) hash.update(`${name}\0${content}\0`);
  return hash.digest('hex');
}

function readCache(outDir: string, sourceHash: string): Artifacts | undefined {
  try {
    const artifacts = JSON.parse(readFileSync(join(outDir, buildFile), 'utf8')) as Artifacts;
    return artifacts.sourceHash === sourceHash ? artifacts : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(outDir: string, artifacts: Artifacts): void {
  for (const artifact of Object.values(artifacts.contracts)) {
    writeAtomically(join(outDir, `${artifact.contractName}.json`), artifact);
  }
  // build.json last: once it matches, every per-contract file does too.
  writeAtomically(join(outDir, buildFile), artifacts);
}

function writeAtomically(path: string, value: unknown): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(temporary, path);
}

/** Takes the lock, breaking one left behind by a process that died over `lockTimeoutMs` ago. */
function tryLock(lockDir: string): boolean {
  try {
    mkdirSync(lockDir);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    try {
      if (Date.now() - statSync(lockDir).mtimeMs > lockTimeoutMs) rmSync(lockDir, { recursive: true, force: true });
    } catch {
      // Released meanwhile.
    }
    return false;
  }
}

type SolcOutputError = {
  severity: 'error' | 'warning' | 'info';
  message: string;
  formattedMessage?: string;
  sourceLocation?: { file: string; start: number; end: number };
};

type SolcOutput = {
  errors?: SolcOutputError[];
  contracts?: Record<
    string,
    Record<string, { abi: Abi; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>
  >;
};

function formatSolcError(error: SolcOutputError): string {
  return (error.formattedMessage ?? error.message).trim();
}
