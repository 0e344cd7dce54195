import { execFile, execFileSync } from 'node:child_process';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { hashSources } from '../manifest/hashSources.ts';
import type { DocumentRef, Manifest, ManifestContract } from '../manifest/types.ts';

export type DocsReport = {
  contracts: { name: string; missing: string[]; stale: string[]; complete: boolean }[];
  complete: boolean;
};

export type CheckDocsParameters = {
  /** The folder the manifest's paths are relative to (the manifest's folder). */
  cwd: string;
  /** Today, for review dates; default: now. */
  now?: Date | undefined;
};

export type DocumentationItem = {
  /** The id reported in `missing`, also the manifest field (under `documentation` unless noted). */
  id: string;
  label: string;
  /** Where the requirement comes from. */
  source: 'advisory' | 'ethtrust' | 'design';
};

/**
 * What each contract's documentation must hold: the advisory's list (p17, control SBD-04),
 * EthTrust's documentation requirements, and the design facts a reviewer needs first.
 */
export const documentationItems: readonly DocumentationItem[] = [
  { id: 'specification', label: 'technical specification', source: 'advisory' },
  { id: 'deploymentStatus', label: 'deployment status (deployments[])', source: 'advisory' },
  { id: 'procedures.disclosurePolicy', label: 'responsible disclosure policy', source: 'advisory' },
  { id: 'procedures.recourse', label: 'recourse in case of failure', source: 'advisory' },
  { id: 'procedures.openSourceUse', label: 'use of open-source code', source: 'advisory' },
  {
    id: 'knownIssues',
    label: 'known issues (known vulnerabilities, potential attacks; [] if none)',
    source: 'advisory',
  },
  { id: 'history.testReports', label: 'history: test reports', source: 'advisory' },
  { id: 'contacts', label: 'contacts (parties to engage for issues)', source: 'advisory' },
  { id: 'behaviour', label: 'intended behaviour (NatSpec or logic specification)', source: 'ethtrust' },
  { id: 'accessControl', label: 'access control: roles and admin powers', source: 'ethtrust' },
  { id: 'upgradeability', label: 'upgradeability', source: 'ethtrust' },
  { id: 'externalDependencies', label: 'external dependencies and oracles ([] if none)', source: 'ethtrust' },
  { id: 'admin', label: 'admin (kind and address)', source: 'design' },
  { id: 'pausable', label: 'pausable / circuit breaker', source: 'design' },
  { id: 'holdsValue', label: 'whether it holds value', source: 'design' },
];

/**
 * Checks each contract's documentation: what is missing (see `documentationItems`) and what is
 * stale (a referenced file that does not exist, a document older than the sources it documents by
 * its recorded `sourcesHash`, else by when each last changed (see `changedAt`), a review date in the past, a `deployed` deployment
 * without an address).
 */
export function checkDocs(manifest: Manifest, parameters: CheckDocsParameters): DocsReport {
  return judgeDocs(manifest, parameters, fileClock(parameters.cwd, sourcePaths(manifest, parameters.cwd)));
}

/**
 * `checkDocs` without blocking the process: its git calls run asynchronously (a server answers
 * other requests meanwhile) and every file it times (sources and documents) is timed by the same
 * three calls, the commit history's answer kept per HEAD commit (see `fileClockAsync`).
 */
export async function checkDocsAsync(manifest: Manifest, parameters: CheckDocsParameters): Promise<DocsReport> {
  // A first pass with a clock that only notes what it is asked: the files to time.
  const asked = new Set(sourcePaths(manifest, parameters.cwd));
  judgeDocs(manifest, parameters, (path) => {
    asked.add(path);
    return 0;
  });
  return judgeDocs(manifest, parameters, await fileClockAsync(parameters.cwd, [...asked]));
}

const sourcePaths = (manifest: Manifest, cwd: string) =>
  manifest.contracts.flatMap((contract) => contract.sources.map((source) => resolve(cwd, source)));

function judgeDocs(manifest: Manifest, parameters: CheckDocsParameters, clock: (path: string) => number): DocsReport {
  const today = (parameters.now ?? new Date()).toISOString().slice(0, 10);
  const contracts = manifest.contracts.map((contract) => {
    const missing = missingItems(manifest, contract);
    const stale = staleItems(manifest, contract, parameters.cwd, today, clock);
    return { name: contract.name, missing, stale, complete: missing.length === 0 && stale.length === 0 };
  });
  return { contracts, complete: contracts.every((contract) => contract.complete) };
}

function missingItems(manifest: Manifest, contract: ManifestContract): string[] {
  const docs = contract.documentation ?? {};
  const present: Record<string, boolean> = {
    specification: docs.specification !== undefined,
    deploymentStatus: (contract.deployments?.length ?? 0) > 0,
    'procedures.disclosurePolicy':
      docs.procedures?.disclosurePolicy !== undefined || manifest.project.disclosurePolicy !== undefined,
    'procedures.recourse': docs.procedures?.recourse !== undefined,
    'procedures.openSourceUse': docs.procedures?.openSourceUse !== undefined,
    knownIssues: docs.knownIssues !== undefined,
    'history.testReports': (docs.history?.testReports?.length ?? 0) > 0,
    contacts:
      (docs.contacts?.length ?? 0) > 0 ||
      (manifest.contacts?.length ?? 0) > 0 ||
      manifest.project.securityContact !== undefined,
    behaviour: docs.behaviour !== undefined,
    accessControl: docs.accessControl !== undefined,
    upgradeability: docs.upgradeability !== undefined,
    externalDependencies: docs.externalDependencies !== undefined,
    admin: contract.admin !== undefined,
    pausable: contract.pausable !== undefined,
    holdsValue: contract.holdsValue !== undefined,
  };
  return documentationItems.filter((item) => !present[item.id]).map((item) => item.id);
}

const isUrl = (value: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(value);

function staleItems(
  manifest: Manifest,
  contract: ManifestContract,
  cwd: string,
  today: string,
  clock: (path: string) => number,
): string[] {
  const stale: string[] = [];
  const sourceTimes: { source: string; mtimeMs: number }[] = [];
  for (const source of contract.sources) {
    const path = resolve(cwd, source);
    if (!existsSync(path)) stale.push(`sources: ${source} does not exist`);
    else sourceTimes.push({ source, mtimeMs: clock(path) });
  }
  if (contract.artifact && !existsSync(resolve(cwd, contract.artifact)))
    stale.push(`artifact: ${contract.artifact} does not exist`);
  const newest = sourceTimes.reduce<{ source: string; mtimeMs: number } | undefined>(
    (best, entry) => (best && best.mtimeMs >= entry.mtimeMs ? best : entry),
    undefined,
  );
  const currentSourcesHash = sourceTimes.length === contract.sources.length ? hashSources(contract, cwd) : undefined;

  const checkDocument = (id: string, doc: DocumentRef | undefined, documentsSource: boolean) => {
    if (doc === undefined) return;
    const ref = typeof doc === 'string' ? (isUrl(doc) ? { url: doc } : { path: doc }) : doc;
    let mtimeMs: number | undefined;
    if (ref.path !== undefined) {
      const path = resolve(cwd, ref.path);
      if (!existsSync(path)) {
        stale.push(`${id}: ${ref.path} does not exist`);
        return;
      }
      mtimeMs = clock(path);
    }
    if (typeof doc !== 'string' && doc.nextReview !== undefined && doc.nextReview < today)
      stale.push(`${id}: its review was due on ${doc.nextReview}`);
    if (!documentsSource) return;
    const recorded = typeof doc === 'string' ? undefined : doc.sourcesHash;
    if (recorded !== undefined) {
      if (currentSourcesHash !== undefined && recorded !== currentSourcesHash)
        stale.push(
          `${id}: written for sources ${recorded.slice(0, 12)}…, they are now ${currentSourcesHash} (update it, then record that sourcesHash)`,
        );
    } else if (mtimeMs !== undefined && newest && newest.mtimeMs > mtimeMs) {
      stale.push(
        `${id}: ${ref.path} is older than ${newest.source}, changed after it (update it${currentSourcesHash ? `, then record sourcesHash: ${currentSourcesHash}` : ''})`,
      );
    }
  };

  const docs = contract.documentation ?? {};
  checkDocument('specification', docs.specification, true);
  checkDocument('behaviour', docs.behaviour, true);
  checkDocument('accessControl', docs.accessControl, true);
  checkDocument('upgradeability', docs.upgradeability?.document, true);
  checkDocument(
    'procedures.disclosurePolicy',
    docs.procedures?.disclosurePolicy ?? manifest.project.disclosurePolicy,
    false,
  );
  checkDocument('procedures.recourse', docs.procedures?.recourse, false);
  checkDocument('procedures.openSourceUse', docs.procedures?.openSourceUse, false);
  docs.history?.testReports?.forEach((doc, i) => {
    checkDocument(`history.testReports[${i}]`, doc, true);
  });
  checkDocument('history.changelog', docs.history?.changelog, false);
  docs.history?.incidents?.forEach((doc, i) => {
    checkDocument(`history.incidents[${i}]`, doc, false);
  });
  if (docs.nextReview !== undefined && docs.nextReview < today)
    stale.push(`documentation: its review was due on ${docs.nextReview}`);
  for (const deployment of contract.deployments ?? []) {
    if ((deployment.status === 'deployed' || deployment.status === 'paused') && !deployment.address)
      stale.push(
        `deployments[chain ${deployment.chainId}]: status ${deployment.status} without an address (add the address)`,
      );
  }
  return stale;
}

const gitOptions = { encoding: 'utf8', timeout: 10_000, maxBuffer: 64 * 1024 * 1024 } as const;
const git = (args: string[], cwd: string) =>
  execFileSync('git', ['-c', 'core.quotePath=false', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'ignore'],
    ...gitOptions,
  });

/** The path with symlinks resolved, as git names files (a path that cannot be resolved stays as it is). */
const realPath = (path: string) => {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
};

/**
 * `changedAt` for many files at once: three git calls for all of `paths` (the work tree's root, which
 * of them are modified, each one's last commit) instead of two per file. Each git call blocks the
 * process (a server's every request waits), so a manifest of many contracts must not cost one each.
 * Files not in `paths` are asked one by one.
 */
function fileClock(cwd: string, paths: readonly string[]): (path: string) => number {
  const committed = new Map<string, number>();
  const asked = askedPaths(paths);
  try {
    const root = realPath(git(['rev-parse', '--show-toplevel'], cwd).trim());
    const inTree = inTreeOf(root, asked);
    if (inTree.length > 0) {
      const status = git(['status', '--porcelain', '--untracked-files=all', '--', ...inTree], cwd);
      const log = git(['log', '--format=%x01%ct', '--name-only', '--', ...inTree], cwd);
      readCommitTimes(root, status, log, committed);
    }
  } catch {
    // Not a git work tree, or no git: modification times, as changedAt finds.
  }
  return (path) => {
    const real = realPath(path);
    return asked.has(real) ? (committed.get(real) ?? statSync(path).mtimeMs) : changedAt(path, cwd);
  };
}

const askedPaths = (paths: readonly string[]) => new Set(paths.filter((path) => existsSync(path)).map(realPath));
const inTreeOf = (root: string, asked: Set<string>) =>
  [...asked].filter((path) => !relative(root, path).startsWith('..'));

/** Fills `committed` with each file's last commit time from `git log`, unless `git status` lists it modified. */
function readCommitTimes(root: string, status: string, log: string, committed: Map<string, number>): void {
  const modified = new Set(
    status
      .split('\n')
      .filter((line) => line.length > 3)
      .map((line) => resolve(root, line.slice(3).split(' -> ').at(-1)!)),
  );
  // Newest commit first: a file's first appearance is its last change.
  let time: number | undefined;
  for (const line of log.split('\n')) {
    if (line.startsWith('\u0001')) time = Number(line.slice(1)) * 1000;
    else if (line !== '' && time !== undefined) {
      const path = resolve(root, line);
      if (!committed.has(path) && !modified.has(path)) committed.set(path, time);
    }
  }
}

const execFileAsync = promisify(execFile);
const gitAsync = async (args: string[], cwd: string) =>
  (await execFileAsync('git', ['-c', 'core.quotePath=false', ...args], { cwd, ...gitOptions })).stdout;

/** `git log` answers per work tree, HEAD commit and files: the history changes only with a new commit. */
const logCache = new Map<string, string>();
const logCacheLimit = 32;

/**
 * `fileClock` without blocking: every file of `paths` timed by two git calls and the history
 * (`git log`, the slow one on a long history) read again only when HEAD moved. A file not in
 * `paths` is timed by its modification time.
 */
async function fileClockAsync(cwd: string, paths: readonly string[]): Promise<(path: string) => number> {
  const committed = new Map<string, number>();
  const asked = askedPaths(paths);
  try {
    const [top, head] = (await gitAsync(['rev-parse', '--show-toplevel', 'HEAD'], cwd)).trim().split('\n');
    const root = realPath(top!);
    const inTree = inTreeOf(root, asked);
    if (inTree.length > 0) {
      const status = await gitAsync(['status', '--porcelain', '--untracked-files=all', '--', ...inTree], cwd);
      const key = JSON.stringify([root, head, inTree]);
      let log = logCache.get(key);
      if (log === undefined) {
        log = await gitAsync(['log', '--format=%x01%ct', '--name-only', '--', ...inTree], cwd);
        if (logCache.size >= logCacheLimit) logCache.delete(logCache.keys().next().value!);
        logCache.set(key, log);
      }
      readCommitTimes(root, status, log, committed);
    }
  } catch {
    // Not a git work tree (or one without commits), or no git: modification times.
  }
  return (path) => committed.get(realPath(path)) ?? statSync(path).mtimeMs;
}

/**
 * When a file's content last changed: its last commit's time when git tracks it unmodified (a
 * fresh checkout gives every file a new mtime, in no meaningful order), else its mtime (an edit
 * not yet committed is newer than any commit).
 */
function changedAt(path: string, cwd: string): number {
  try {
    if (git(['status', '--porcelain', '--', path], cwd).trim() === '') {
      const seconds = git(['log', '-1', '--format=%ct', '--', path], cwd).trim();
      if (/^\d+$/.test(seconds)) return Number(seconds) * 1000;
    }
  } catch {
    // Not a git work tree, or no git: the modification time is all there is.
  }
  return statSync(path).mtimeMs;
}
