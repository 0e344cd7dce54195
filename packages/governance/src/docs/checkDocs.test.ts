import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { hashSources } from '../manifest/hashSources.ts';
import type { Manifest, ManifestContract } from '../manifest/types.ts';
import { checkDocs, checkDocsAsync, documentationItems } from './checkDocs.ts';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, content: string, mtime?: Date) => {
  mkdirSync(join(dir, name, '..'), { recursive: true });
  writeFileSync(join(dir, name), content);
  if (mtime) utimesSync(join(dir, name), mtime, mtime);
};
const old = new Date('2024-01-01T00:00:00Z');
const recent = new Date('2024-06-01T00:00:00Z');
write('src/Vault.sol', 'contract Vault {}', recent);
write('docs/spec.md', '# Vault', recent);
write('docs/behaviour.md', 'NatSpec', recent);
write('docs/old-access.md', 'roles', old);
write('reports/tests.txt', 'ok', recent);
const now = new Date('2025-01-15T12:00:00Z');

const complete: ManifestContract = {
  name: 'Vault',
  sources: ['src/Vault.sol'],
  holdsValue: true,
  pausable: { breaker: 'GuardianPausable' },
  admin: { kind: 'multisig', address: '0x1111111111111111111111111111111111111111' },
  documentation: {
    specification: 'docs/spec.md',
    behaviour: { path: 'docs/behaviour.md', nextReview: '2025-06-01' },
    accessControl: { text: 'admin pauses' },
    upgradeability: { kind: 'immutable' },
    externalDependencies: [],
    procedures: { recourse: 'https://example.org/recourse', openSourceUse: { text: 'none' } },
    knownIssues: [],
    history: { testReports: ['reports/tests.txt'] },
  },
  deployments: [{ chainId: 1, status: 'deployed', address: '0x2222222222222222222222222222222222222222' }],
};
const manifest = (
  contracts: ManifestContract[],
  project: Manifest['project'] = {
    name: 'P',
    securityContact: 'security@example.org',
    disclosurePolicy: 'https://example.org/disclosure',
  },
): Manifest => ({ project, contracts });

/** Documentation whose only dated document is docs/access.md (the git tests' subject). */
const accessDocumented: ManifestContract['documentation'] = {
  ...complete.documentation,
  accessControl: 'docs/access.md',
  specification: undefined,
  behaviour: undefined,
  history: undefined,
};

/** Runs git in `repo` as a committer whose clock says `date`. */
const gitIn = (repo: string) => (args: string[], date: string) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], {
    cwd: repo,
    env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
    stdio: 'ignore',
  });

describe('checkDocs', () => {
  test('default: a fully documented contract is complete', () => {
    expect(checkDocs(manifest([complete]), { cwd: dir, now })).toEqual({
      contracts: [{ name: 'Vault', missing: [], stale: [], complete: true }],
      complete: true,
    });
  });

  test('behavior: an undocumented contract misses every item of the advisory, EthTrust and design lists', () => {
    const report = checkDocs(manifest([{ name: 'Bare', sources: ['src/Vault.sol'] }], { name: 'P' }), {
      cwd: dir,
      now,
    });
    expect(report.complete).toBe(false);
    expect(report.contracts[0].missing).toEqual(documentationItems.map((item) => item.id));
    expect(report.contracts[0].missing).toEqual([
      'specification',
      'deploymentStatus',
      'procedures.disclosurePolicy',
      'procedures.recourse',
      'procedures.openSourceUse',
      'knownIssues',
      'history.testReports',
      'contacts',
      'behaviour',
      'accessControl',
      'upgradeability',
      'externalDependencies',
      'admin',
      'pausable',
      'holdsValue',
    ]);
  });

  test('behavior: the disclosure policy and contacts come from the project when the contract has none', () => {
    // `complete` has neither of its own: the project's count (see the default case).
    const report = checkDocs(manifest([complete], { name: 'P' }), { cwd: dir, now });
    expect(report.contracts[0].missing).toEqual(['procedures.disclosurePolicy', 'contacts']);
    const own = checkDocs(
      manifest(
        [
          {
            ...complete,
            documentation: {
              ...complete.documentation,
              procedures: { ...complete.documentation?.procedures, disclosurePolicy: { text: 'mail us' } },
              contacts: ['Alice'],
            },
          },
        ],
        { name: 'P' },
      ),
      { cwd: dir, now },
    );
    expect(own.contracts[0].missing).toEqual([]);
  });

  test('behavior: stale — a missing file, a document older than the source, a past review, deployed without address', () => {
    const report = checkDocs(
      manifest([
        {
          ...complete,
          sources: ['src/Vault.sol', 'src/Gone.sol'],
          artifact: 'out/Vault.json',
          documentation: {
            ...complete.documentation,
            specification: 'docs/missing.md',
            accessControl: 'docs/old-access.md',
            behaviour: { path: 'docs/behaviour.md', nextReview: '2025-01-01' },
            nextReview: '2024-12-31',
          },
          deployments: [
            { chainId: 1, status: 'deployed', address: '0x2222222222222222222222222222222222222222' },
            { chainId: 10, status: 'deployed' },
            { chainId: 8453, status: 'planned' },
          ],
        },
      ]),
      { cwd: dir, now },
    );
    expect(report.contracts[0].missing).toEqual([]);
    expect(report.contracts[0].stale).toEqual([
      'sources: src/Gone.sol does not exist',
      'artifact: out/Vault.json does not exist',
      'specification: docs/missing.md does not exist',
      'behaviour: its review was due on 2025-01-01',
      'accessControl: docs/old-access.md is older than src/Vault.sol, changed after it (update it)',
      'documentation: its review was due on 2024-12-31',
      'deployments[chain 10]: status deployed without an address (add the address)',
    ]);
    expect(report.complete).toBe(false);
  });

  test('behavior: a recorded sourcesHash decides staleness instead of the modification time', () => {
    const current = hashSources(complete, dir)!;
    const withHash = (sourcesHash: string) =>
      checkDocs(
        manifest([
          {
            ...complete,
            documentation: { ...complete.documentation, accessControl: { path: 'docs/old-access.md', sourcesHash } },
          },
        ]),
        { cwd: dir, now },
      ).contracts[0].stale;
    // Without a recorded hash, the modification time decides, and the hash to record is given.
    const byTime = checkDocs(
      manifest([{ ...complete, documentation: { ...complete.documentation, accessControl: 'docs/old-access.md' } }]),
      { cwd: dir, now },
    ).contracts[0].stale;
    expect(byTime).toEqual([
      `accessControl: docs/old-access.md is older than src/Vault.sol, changed after it (update it, then record sourcesHash: ${current})`,
    ]);
    // Older by mtime, but written for the current sources: not stale.
    expect(withHash(current)).toEqual([]);
    const other = 'a'.repeat(64);
    expect(withHash(other)).toEqual([
      `accessControl: written for sources aaaaaaaaaaaa…, they are now ${current} (update it, then record that sourcesHash)`,
    ]);
  });

  test('behavior: in a git checkout, commits decide staleness, not the order files were written', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'bulwark-docs-git-'));
    try {
      const git = gitIn(repo);
      const put = (name: string, content: string) => {
        mkdirSync(join(repo, name, '..'), { recursive: true });
        writeFileSync(join(repo, name), content);
      };
      execFileSync('git', ['init', '-q'], { cwd: repo });
      put('src/Vault.sol', 'contract Vault {}');
      git(['add', '.'], '2024-01-01T00:00:00Z');
      git(['commit', '-qm', 'source'], '2024-01-01T00:00:00Z');
      put('docs/access.md', 'roles');
      git(['add', '.'], '2024-02-01T00:00:00Z');
      git(['commit', '-qm', 'docs'], '2024-02-01T00:00:00Z');
      // A fresh checkout writes the source after the document: same content, newer mtime.
      utimesSync(join(repo, 'docs/access.md'), old, old);
      const documented = manifest([{ ...complete, documentation: accessDocumented }]);
      const check = () => checkDocs(documented, { cwd: repo, now }).contracts[0].stale;
      // The server's check answers the same, its history read again after a new commit.
      const checkAsync = async () => (await checkDocsAsync(documented, { cwd: repo, now })).contracts[0].stale;
      expect(check()).toEqual([]);
      expect(await checkAsync()).toEqual([]);
      // The source changed in a later commit: the document is stale.
      put('src/Vault.sol', 'contract Vault { uint x; }');
      git(['commit', '-qam', 'change'], '2024-03-01T00:00:00Z');
      expect(check()).toEqual([
        expect.stringMatching(/^accessControl: docs\/access\.md is older than src\/Vault\.sol, changed after it/),
      ]);
      expect(await checkAsync()).toEqual(check());
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
  test('behavior: in a git checkout with many contracts, each source is timed by its own commit, an uncommitted edit by its mtime', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'bulwark-docs-git-many-'));
    try {
      const git = gitIn(repo);
      const put = (name: string, content: string, mtime: Date) => {
        mkdirSync(join(repo, name, '..'), { recursive: true });
        writeFileSync(join(repo, name), content);
        utimesSync(join(repo, name), mtime, mtime);
      };
      execFileSync('git', ['init', '-q'], { cwd: repo });
      const names = ['A', 'B', 'C'];
      for (const name of names) put(`src/${name}.sol`, `contract ${name} {}`, recent);
      git(['add', '.'], '2024-01-01T00:00:00Z');
      git(['commit', '-qm', 'sources'], '2024-01-01T00:00:00Z');
      put('docs/access.md', 'roles', old);
      git(['add', '.'], '2024-02-01T00:00:00Z');
      git(['commit', '-qm', 'docs'], '2024-02-01T00:00:00Z');
      put('src/C.sol', 'contract C { uint y; }', old);
      git(['commit', '-qam', 'C later'], '2024-03-01T00:00:00Z');
      // B is edited and not committed: its mtime counts. A's and C's mtimes say the opposite of their commits.
      put('src/B.sol', 'contract B { uint x; }', recent);
      const contract = (name: string): ManifestContract => ({
        ...complete,
        name,
        sources: [`src/${name}.sol`],
        deployments: [],
        documentation: accessDocumented,
      });
      const stale = checkDocs(manifest(names.map(contract)), { cwd: repo, now }).contracts.map((c) => c.stale);
      const staleAsync = (await checkDocsAsync(manifest(names.map(contract)), { cwd: repo, now })).contracts.map(
        (c) => c.stale,
      );
      expect(staleAsync).toEqual(stale);
      expect(stale[0]).toEqual([]);
      expect(stale[1]).toEqual([expect.stringMatching(/^accessControl: docs\/access\.md is older than src\/B\.sol/)]);
      expect(stale[2]).toEqual([expect.stringMatching(/^accessControl: docs\/access\.md is older than src\/C\.sol/)]);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
