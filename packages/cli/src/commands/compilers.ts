import { parseArgs } from 'node:util';
import { UsageError } from '@bulwark/core';
import {
  bundledSolcVersions,
  cachedSolcVersions,
  fetchSolc,
  npmRegistryUrl,
  parseVersion,
  publishedSolcVersions,
  satisfiesRange,
  solcCacheDir,
} from '@bulwark/solidity';
import type { Io } from '../main.ts';

export const compilersHelp = `Usage: bulwark compilers [list] [--json]
       bulwark compilers fetch <version|range>... [--registry <url>]

List the solc versions a scan can use (bundled, and fetched into the cache), or fetch releases
from the npm registry ahead of time, e.g. for a machine or CI job without registry access.
A scan fetches what a pragma or the project's config asks for by itself; see docs/scan/compilers.md.

  fetch 0.4.18         the release 0.4.18
  fetch "^0.6.0"       the newest release a range allows (0.4.11 and newer)

Options:
      --registry <url>   npm registry (default: npm's own setting, else https://registry.npmjs.org/)
      --json             list as JSON
  -h, --help             Show this help

Cache: $BULWARK_CACHE_DIR/solc, else $XDG_CACHE_HOME/bulwark/solc, else ~/.cache/bulwark/solc.
Exit codes: 0 ok, 2 usage error or a version that could not be fetched.
`;

export async function compilersCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      registry: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(compilersHelp);
    return 0;
  }
  const [action = 'list', ...wanted] = positionals;
  const cacheDir = solcCacheDir(io.env);
  if (action === 'list') {
    if (wanted.length > 0) throw new UsageError(`bulwark compilers list takes no arguments (got ${wanted.join(' ')}).`);
    const fetched = cachedSolcVersions(cacheDir);
    if (values.json) {
      io.stdout(`${JSON.stringify({ bundled: bundledSolcVersions, fetched, cacheDir }, null, 2)}\n`);
    } else {
      io.stdout(`bundled: ${bundledSolcVersions.join(', ')}\n`);
      io.stdout(`fetched: ${fetched.length > 0 ? fetched.join(', ') : '(none)'} in ${cacheDir}\n`);
    }
    return 0;
  }
  if (action !== 'fetch') {
    throw new UsageError(`bulwark compilers has no '${action}'.`, { metaMessages: ['Use list or fetch.'] });
  }
  if (wanted.length === 0) {
    throw new UsageError('bulwark compilers fetch needs a version or a range.', {
      metaMessages: ['For example: bulwark compilers fetch 0.4.18'],
    });
  }
  const registry = values.registry ?? npmRegistryUrl(io.env, io.cwd);
  const options = { registry: registry.endsWith('/') ? registry : `${registry}/`, cacheDir };
  for (const text of wanted) {
    let version = text.trim();
    if (!/^\d+\.\d+\.\d+$/.test(version)) {
      try {
        satisfiesRange([0, 0, 0], version);
      } catch {
        throw new UsageError(`'${text}' is neither a version nor a version range.`, {
          metaMessages: ['Give a release such as 0.4.18 or a range such as "^0.6.0".'],
        });
      }
      const published = await publishedSolcVersions(options);
      const newest = published.filter((v) => satisfiesRange(parseVersion(v)!, version)).at(-1);
      if (!newest) {
        throw new UsageError(`No solc release from 0.4.11 on satisfies ${text}.`, {
          metaMessages: [`Published: ${published[0]} to ${published.at(-1)}.`],
        });
      }
      version = newest;
    }
    const path = bundledSolcVersions.includes(version) ? undefined : await fetchSolc(version, options);
    io.stdout(path ? `solc ${version}: ${path}\n` : `solc ${version}: bundled, nothing to fetch\n`);
  }
  return 0;
}
