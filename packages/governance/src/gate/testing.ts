import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileSources, solcVersion } from '@bulwark/contracts';
import { loadSolc } from '@bulwark/solidity';
import { insertAudit, type StoreClient } from '@bulwark/store';
import { bytesToHex } from '@noble/hashes/utils';
import { parseDocument } from 'yaml';
import { computeRelease } from '../approvals/computeRelease.ts';
import { generatePrivateKey, parsePrivateKey, publicKeyHex, type SigningKey } from '../approvals/keys.ts';
import { recordApproval } from '../approvals/recordApproval.ts';
import { sha256File } from '../approvals/sha256.ts';
import { readDependencyInventory } from '../dependencies/readDependencyInventory.ts';
import { reviewDependencies } from '../dependencies/reviewDependencies.ts';
import { loadManifest } from '../manifest/loadManifest.ts';
import { readGateConfig } from './gateConfig.ts';

/**
 * Test helpers: a copy of the release fixture in a temporary folder, its artifact built with solc,
 * and keys made with @noble for the approvers and the gate.
 */

export const releaseFixture = fileURLToPath(new URL('./fixtures/release/', import.meta.url));

export type ReleaseKeys = {
  /** Registered, ed25519. */
  alice: SigningKey;
  /** Registered by address, secp256k1. */
  bob: SigningKey;
  /** Registered, ed25519, and the release author. */
  carol: SigningKey;
  /** Not registered. */
  mallory: SigningKey;
  /** Signs attestations. */
  gate: SigningKey;
  gateSecp: SigningKey;
};

export type ReleaseProject = {
  dir: string;
  keys: ReleaseKeys;
  /** Writes a key's hex to a file in the project (mode 600) and returns its relative path. */
  keyFile(name: keyof ReleaseKeys): string;
  /** Edits the manifest (YAML) in place. */
  editManifest(edit: (manifest: Record<string, unknown>) => void): void;
  write(file: string, content: string): void;
  read(file: string): string;
};

export function newKey(algorithm: 'ed25519' | 'secp256k1'): SigningKey {
  return parsePrivateKey(bytesToHex(generatePrivateKey(algorithm)), algorithm, 'a test key');
}

let artifact: string | undefined;

/** The fixture's Vault artifact, compiled once per process with the solc the sources pin. */
async function vaultArtifact(): Promise<string> {
  if (!artifact) {
    const read = (file: string) => readFileSync(path.join(releaseFixture, file), 'utf8');
    const sources = new Map([
      ['src/Pausable.sol', read('src/Pausable.sol')],
      ['src/Vault.sol', read('src/Vault.sol')],
      ['safe-math/SafeMathLite.sol', read('lib/safe-math/src/SafeMathLite.sol')],
    ]);
    const built = await compileSources(sources);
    // solc's metadata (its source hashes), as Foundry and Hardhat artifacts carry it.
    const output = JSON.parse(
      loadSolc(solcVersion).compileStandard(
        JSON.stringify({
          language: 'Solidity',
          sources: Object.fromEntries([...sources].map(([name, content]) => [name, { content }])),
          settings: { outputSelection: { 'src/Vault.sol': { Vault: ['metadata'] } } },
        }),
        () => ({ error: 'not found' }),
      ),
    ) as { contracts: Record<string, Record<string, { metadata: string }>> };
    const metadata = output.contracts['src/Vault.sol']!.Vault!.metadata;
    artifact = `${JSON.stringify({ ...built.contracts.Vault, metadata }, null, 2)}\n`;
  }
  return artifact;
}

/**
 * A fresh copy of the release fixture: artifacts/Vault.json built, and a `gate` section with
 * alice, bob and carol as approvers (2 required, carol the author).
 */
export async function createReleaseProject(): Promise<ReleaseProject> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-release-'));
  cpSync(releaseFixture, dir, { recursive: true });
  mkdirSync(path.join(dir, 'artifacts'), { recursive: true });
  writeFileSync(path.join(dir, 'artifacts/Vault.json'), await vaultArtifact());
  const keys: ReleaseKeys = {
    alice: newKey('ed25519'),
    bob: newKey('secp256k1'),
    carol: newKey('ed25519'),
    mallory: newKey('ed25519'),
    gate: newKey('ed25519'),
    gateSecp: newKey('secp256k1'),
  };
  const project: ReleaseProject = {
    dir,
    keys,
    keyFile(name) {
      const file = `keys/${name}.key`;
      mkdirSync(path.join(dir, 'keys'), { recursive: true });
      writeFileSync(path.join(dir, file), `0x${bytesToHex(keys[name].privateKey)}\n`, { mode: 0o600 });
      return file;
    },
    editManifest(edit) {
      const file = path.join(dir, 'bulwark.config.yaml');
      const doc = parseDocument(readFileSync(file, 'utf8'));
      const value = doc.toJS() as Record<string, unknown>;
      edit(value);
      doc.contents = doc.createNode(value) as typeof doc.contents;
      writeFileSync(file, doc.toString());
    },
    write(file, content) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), content);
    },
    read(file) {
      return readFileSync(path.join(dir, file), 'utf8');
    },
  };
  project.editManifest((m) => {
    m.gate = {
      requiredApprovals: 2,
      author: 'carol',
      approvers: [
        { name: 'alice', algorithm: 'ed25519', publicKey: publicKeyHex(keys.alice) },
        { name: 'bob', algorithm: 'secp256k1', address: keys.bob.keyId },
        { name: 'carol', algorithm: 'ed25519', publicKey: publicKeyHex(keys.carol) },
      ],
    };
  });
  return project;
}

export type PrepareReleaseParameters = {
  /** Who approves the release as it is now (default alice and bob). */
  approvers?: ('alice' | 'bob' | 'carol')[] | undefined;
  /** Review every dependency as it is now (default true). */
  reviewDependencies?: boolean | undefined;
  /** Record an audit of the sources as they are now, without open findings (default true). */
  audit?: boolean | undefined;
  target?: string | undefined;
};

/**
 * Brings a release project to where the gate passes (given a passing test report): approvals of
 * its current digest, dependencies reviewed, sources audited. Returns the digest.
 */
export async function prepareRelease(
  store: StoreClient,
  project: ReleaseProject,
  parameters: PrepareReleaseParameters = {},
): Promise<string> {
  const target = parameters.target ?? 'production';
  const loaded = await loadManifest({ cwd: project.dir });
  const sources = loaded.manifest.contracts.flatMap((c) => c.sources);
  if (parameters.reviewDependencies ?? true)
    await reviewDependencies(store, {
      inventory: readDependencyInventory({ root: project.dir, sources }),
      select: 'pending',
      reviewer: 'dana',
      notes: 'test review',
    });
  if (parameters.audit ?? true)
    await insertAudit(store, {
      auditor: 'Example Audits',
      auditDate: '2025-01-01',
      scope: {
        files: [...new Set(sources)].map((source) => ({
          path: source,
          hash: sha256File(path.join(project.dir, source)),
        })),
      },
    });
  const { digest } = computeRelease({ loaded, target });
  const config = readGateConfig(loaded);
  for (const name of parameters.approvers ?? ['alice', 'bob'])
    await recordApproval(store, { digest, target, approvers: config.approvers, key: project.keys[name] });
  return digest;
}
