import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** One entry of solc's standard-JSON `errors`. */
export type SolcError = {
  severity: 'error' | 'warning' | 'info' | string;
  type?: string | undefined;
  message: string;
  formattedMessage?: string | undefined;
  sourceLocation?: { file: string; start: number; end: number } | undefined;
};

/**
 * A compiler run recorded by Foundry (`out/build-info/*.json`) or Hardhat
 * (`artifacts/build-info/*.json`): solc's standard-JSON input and output, so the ASTs can be
 * reused without compiling again.
 */
export type BuildInfo = {
  /** The build-info file it was read from. */
  file: string;
  id: string;
  /** Short version, e.g. `0.8.30`. */
  solcVersion: string;
  solcLongVersion?: string | undefined;
  input: { sources: Record<string, { content?: string | undefined }> };
  output: { sources: Record<string, { id: number; ast?: unknown }>; errors?: SolcError[] | undefined };
};

export type ReadBuildInfoReturnType = { buildInfo: BuildInfo[]; warnings: string[] };

/**
 * Reads every build-info file in `dir`. A file that is not a build-info is skipped with a
 * warning: build-info only saves time, the sources are compiled when it is missing.
 */
export function readBuildInfo(dir: string): ReadBuildInfoReturnType {
  const buildInfo: BuildInfo[] = [];
  const warnings: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json') && !name.endsWith('.output.json'));
  } catch {
    return { buildInfo, warnings };
  }
  for (const name of names.sort()) {
    const file = join(dir, name);
    try {
      const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      // Hardhat 3 keeps the output in a sibling `<id>.output.json`.
      const sibling = join(dir, `${basename(name, '.json')}.output.json`);
      if (raw.output === undefined && existsSync(sibling)) {
        raw.output = (JSON.parse(readFileSync(sibling, 'utf8')) as { output?: unknown }).output;
      }
      buildInfo.push(toBuildInfo(raw, file));
    } catch (error) {
      warnings.push(`Skipped build-info ${file}: ${(error as Error).message}`);
    }
  }
  return { buildInfo, warnings };
}

function toBuildInfo(raw: Record<string, unknown>, file: string): BuildInfo {
  const input = raw.input as BuildInfo['input'] | undefined;
  const output = raw.output as BuildInfo['output'] | undefined;
  const long = typeof raw.solcLongVersion === 'string' ? raw.solcLongVersion : undefined;
  const version = typeof raw.solcVersion === 'string' ? raw.solcVersion : long;
  if (!version || typeof input?.sources !== 'object' || typeof output?.sources !== 'object') {
    throw new Error('not a build-info file (needs solcVersion, input.sources and output.sources)');
  }
  return {
    file,
    id: typeof raw.id === 'string' ? raw.id : basename(file, '.json'),
    solcVersion: version.replace(/[+-].*$/, ''),
    solcLongVersion: long,
    input: { sources: input.sources },
    output: { sources: output.sources, errors: output.errors },
  };
}
