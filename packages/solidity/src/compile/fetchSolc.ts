import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { redactSecrets } from '@bulwark/core';
import { CompileError } from './errors.ts';
import { compareVersions, parseVersion, type Version } from './satisfiesRange.ts';

/** The oldest solc-js with standard-JSON input, which is what Bulwark drives. */
export const oldestFetchableSolc: Version = [0, 4, 11];

export type SolcSourceOptions = {
  /** Where fetched compilers live; default `solcCacheDir()`. */
  cacheDir?: string | undefined;
  /** npm registry base URL; default `npmRegistryUrl()`. */
  registry?: string | undefined;
  /** Per request; default 120 s. */
  timeoutMs?: number | undefined;
};

/** `$BULWARK_CACHE_DIR/solc`, else `$XDG_CACHE_HOME/bulwark/solc`, else `~/.cache/bulwark/solc`. */
export function solcCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BULWARK_CACHE_DIR) return join(env.BULWARK_CACHE_DIR, 'solc');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'bulwark', 'solc');
}

/**
 * The registry npm itself would use: `npm_config_registry` (set by npm for scripts, or by the
 * user), else the `registry=` line of the project's or the user's `.npmrc`, else npmjs.org.
 */
export function npmRegistryUrl(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const fromEnv = env.npm_config_registry || env.NPM_CONFIG_REGISTRY;
  if (fromEnv) return withSlash(fromEnv);
  const userConfig = env.npm_config_userconfig || env.NPM_CONFIG_USERCONFIG || join(homedir(), '.npmrc');
  for (const file of [join(cwd, '.npmrc'), userConfig]) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const line = /^\s*registry\s*=\s*(\S+)\s*$/m.exec(text);
    if (line) return withSlash(line[1]!);
  }
  return 'https://registry.npmjs.org/';
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** Path of a fetched compiler's soljson.js, whether or not it is there. */
export function cachedSoljsonPath(version: string, cacheDir = solcCacheDir()): string {
  return join(cacheDir, version, 'soljson.js');
}

/** Versions already fetched into the cache, oldest first. */
export function cachedSolcVersions(cacheDir = solcCacheDir()): string[] {
  let names: string[];
  try {
    names = readdirSync(cacheDir);
  } catch {
    return [];
  }
  return names
    .filter(
      (name) => parseVersion(name) && /^\d+\.\d+\.\d+$/.test(name) && existsSync(join(cacheDir, name, 'soljson.js')),
    )
    .sort((a, b) => compareVersions(parseVersion(a)!, parseVersion(b)!));
}

type Packument = { versions?: Record<string, { dist?: { tarball?: string; integrity?: string } }> };

const packuments = new Map<string, Promise<Packument>>();

/** Release versions of the `solc` package on the registry that Bulwark can drive, oldest first. */
export async function publishedSolcVersions(options: SolcSourceOptions = {}): Promise<string[]> {
  const packument = await readPackument(options);
  return Object.keys(packument.versions ?? {})
    .filter((v) => /^\d+\.\d+\.\d+$/.test(v) && compareVersions(parseVersion(v)!, oldestFetchableSolc) >= 0)
    .sort((a, b) => compareVersions(parseVersion(a)!, parseVersion(b)!));
}

/**
 * Makes solc `version` available in the cache, as `npm install solc@version` would fetch it: the
 * registry's tarball, checked against its `dist.integrity`, of which only `soljson.js` is kept.
 * Returns the path of that soljson.js; a cache hit makes no request.
 */
export async function fetchSolc(version: string, options: SolcSourceOptions = {}): Promise<string> {
  const cacheDir = options.cacheDir ?? solcCacheDir();
  const target = cachedSoljsonPath(version, cacheDir);
  if (existsSync(target)) return target;
  const parsed = parseVersion(version);
  if (!parsed || !/^\d+\.\d+\.\d+$/.test(version) || compareVersions(parsed, oldestFetchableSolc) < 0) {
    throw new CompileError(`Cannot fetch solc ${version}: Bulwark drives solc-js 0.4.11 and newer.`, {
      metaMessages: ['Give a release version such as 0.4.18 or 0.8.15.'],
      docsPath: 'scan/compilers.md',
    });
  }
  const registry = options.registry ?? npmRegistryUrl();
  const packument = await readPackument(options);
  const dist = packument.versions?.[version]?.dist;
  if (!dist?.tarball || !dist.integrity) {
    throw new CompileError(`solc ${version} is not published on ${origin(registry)}.`, {
      metaMessages: ['Check the version against the solc releases (`npm view solc versions`).'],
      docsPath: 'scan/compilers.md',
    });
  }
  const tarball = await download(new URL(dist.tarball, registry).href, version, options);
  if (!matchesIntegrity(tarball, dist.integrity)) {
    throw new CompileError(
      `The solc ${version} tarball from ${origin(registry)} does not match its published integrity.`,
      {
        details: `expected ${dist.integrity}`,
        metaMessages: ['Nothing was cached. Check the registry (or a proxy in front of it) and try again.'],
        docsPath: 'scan/compilers.md',
      },
    );
  }
  let soljson: Buffer | undefined;
  try {
    soljson = readTarEntry(gunzipSync(tarball), 'package/soljson.js');
  } catch (cause) {
    throw new CompileError(`The solc ${version} tarball from ${origin(registry)} cannot be unpacked.`, {
      cause,
      docsPath: 'scan/compilers.md',
    });
  }
  if (!soljson) {
    throw new CompileError(`The solc ${version} tarball from ${origin(registry)} has no soljson.js.`, {
      docsPath: 'scan/compilers.md',
    });
  }
  // Written beside the target and renamed, so a parallel fetch or a killed one never leaves half a file.
  const folder = join(cacheDir, version);
  mkdirSync(folder, { recursive: true });
  const partial = join(folder, `soljson.js.${process.pid}.${Math.random().toString(36).slice(2)}.partial`);
  try {
    writeFileSync(partial, soljson);
    renameSync(partial, target);
  } finally {
    rmSync(partial, { force: true });
  }
  return target;
}

function readPackument(options: SolcSourceOptions): Promise<Packument> {
  const registry = options.registry ?? npmRegistryUrl();
  let pending = packuments.get(registry);
  if (!pending) {
    pending = (async () => {
      const body = await download(`${registry}solc`, 'version list', options, {
        // The abbreviated document npm install reads: versions with their dist, nothing else.
        accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8',
      });
      try {
        return JSON.parse(body.toString('utf8')) as Packument;
      } catch (cause) {
        throw new CompileError(
          `The registry ${origin(registry)} answered the solc package request with something that is not JSON.`,
          {
            cause,
            docsPath: 'scan/compilers.md',
          },
        );
      }
    })();
    // A failed look-up is not remembered: the next file may try again (the network may be back).
    pending.catch(() => packuments.delete(registry));
    packuments.set(registry, pending);
  }
  return pending;
}

async function download(
  url: string,
  what: string,
  options: SolcSourceOptions,
  headers: Record<string, string> = {},
): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(options.timeoutMs ?? 120_000) });
  } catch (cause) {
    const reason = (cause as { cause?: { code?: string } }).cause?.code ?? (cause as Error).message;
    throw new CompileError(`Cannot fetch solc ${what} from ${origin(url)} (${reason}).`, {
      cause,
      retryable: true,
      metaMessages: offlineHelp(what),
      docsPath: 'scan/compilers.md',
    });
  }
  if (!response.ok) {
    throw new CompileError(`Cannot fetch solc ${what} from ${origin(url)}: HTTP ${response.status}.`, {
      retryable: response.status >= 500 || response.status === 429,
      metaMessages: offlineHelp(what),
      docsPath: 'scan/compilers.md',
    });
  }
  return Buffer.from(await response.arrayBuffer());
}

function offlineHelp(what: string): string[] {
  const version = parseVersion(what) ? what : '<version>';
  return [
    `Pre-fetch it where the registry is reachable: bulwark compilers fetch ${version}`,
    `(it lands in ${solcCacheDir()}; copy that folder, or point BULWARK_CACHE_DIR at a copy).`,
  ];
}

function origin(url: string): string {
  try {
    return redactSecrets(new URL(url).origin);
  } catch {
    return 'the registry';
  }
}

/** Subresource-integrity check (`sha512-<base64>`, as npm publishes). */
function matchesIntegrity(data: Buffer, integrity: string): boolean {
  return integrity.split(/\s+/).some((entry) => {
    const match = /^(sha512|sha384|sha256|sha1)-(.+)$/.exec(entry);
    return match !== null && createHash(match[1]!).update(data).digest('base64') === match[2];
  });
}

/** One regular file of a (ustar or pax) tar archive, by its full name. */
function readTarEntry(tar: Buffer, name: string): Buffer | undefined {
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) return undefined;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    const prefix = field(345, 155);
    const body = tar.subarray(offset + 512, offset + 512 + size);
    const entryName = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    if (type === 'x') longName = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1];
    else if (type === 'L') longName = body.toString('utf8').replace(/\0.*$/s, '');
    else if ((type === '0' || type === '\0') && entryName === name) return Buffer.from(body);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return undefined;
}
