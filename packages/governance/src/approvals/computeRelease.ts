import { existsSync } from 'node:fs';
import path from 'node:path';
import { canonicalJson } from '@bulwark/store';
import { type DependencyInventory, readDependencyInventory } from '../dependencies/readDependencyInventory.ts';
import type { LoadedManifest } from '../manifest/types.ts';
import { isTarget } from './approvalSignature.ts';
import { ReleaseError } from './errors.ts';
import { readArtifactBytecode } from './readArtifactBytecode.ts';
import { sha256File, sha256Hex } from './sha256.ts';

/** What a release digest is computed over. Paths are relative to the manifest's folder, with `/`. */
export type Release = {
  v: 'bulwark-release/v1';
  /** Where it is going: `production`, `staging`… */
  target: string;
  manifest: { path: string; sha256: string };
  /** The contracts' sources and every project file they import. */
  sources: { path: string; sha256: string }[];
  artifacts: {
    contract: string;
    path: string;
    sha256: string;
    bytecodeSha256?: string | undefined;
    deployedBytecodeSha256?: string | undefined;
  }[];
  dependencies: { lockDigest: string; count: number };
};

export type ComputeReleaseParameters = {
  loaded: LoadedManifest;
  target: string;
  /** Reuse an inventory already read; default: read it. */
  inventory?: DependencyInventory | undefined;
};

export type ComputeReleaseReturnType = {
  /** sha256 (hex) of the release's canonical JSON: what approvers sign. */
  digest: string;
  release: Release;
  inventory: DependencyInventory;
};

const docsPath = 'governance/approve.md#release-digest';

/**
 * The release digest: sha256 over the canonical JSON of the manifest's hash, each source file
 * with its hash, each artifact with the hashes of its file and bytecode, the target, and the
 * dependency lock digest. Changing any of them changes the digest, so earlier approvals stop counting.
 */
export function computeRelease(parameters: ComputeReleaseParameters): ComputeReleaseReturnType {
  const { loaded, target } = parameters;
  if (!isTarget(target))
    throw new ReleaseError(`The target "${target}" is not a valid name.`, {
      metaMessages: ['Fix: use letters, digits, dot, dash and underscore, e.g. --target production.'],
      docsPath,
    });
  const root = loaded.dir;
  const rel = (file: string) => path.relative(root, file).split(path.sep).join('/');
  const declared: string[] = [];
  for (const contract of loaded.manifest.contracts) {
    for (const source of contract.sources) {
      const file = path.resolve(root, source);
      if (!existsSync(file))
        throw new ReleaseError(`The source ${source} of ${contract.name} does not exist.`, {
          metaMessages: [`Fix: correct contracts[name=${contract.name}].sources in ${loaded.path}.`],
          docsPath,
        });
      declared.push(file);
    }
  }
  const inventory = parameters.inventory ?? readDependencyInventory({ root, sources: declared });
  const sources = inventory.localSources.map((source) => ({
    path: source,
    sha256: sha256File(path.join(root, source)),
  }));

  const artifacts: Release['artifacts'] = [];
  for (const contract of loaded.manifest.contracts) {
    if (!contract.artifact) continue;
    const file = path.resolve(root, contract.artifact);
    if (!existsSync(file))
      throw new ReleaseError(`The artifact ${contract.artifact} of ${contract.name} does not exist.`, {
        metaMessages: ['Fix: build the contracts first (forge build, npx hardhat compile), or correct the path.'],
        docsPath,
      });
    artifacts.push({
      contract: contract.name,
      path: rel(file),
      sha256: sha256File(file),
      ...readArtifactBytecode(file, contract.contract ?? contract.name, contract.artifact),
    });
  }

  const release: Release = {
    v: 'bulwark-release/v1',
    target,
    manifest: { path: rel(loaded.path), sha256: loaded.sha256 },
    sources,
    artifacts: artifacts.sort((a, b) => (a.contract < b.contract ? -1 : a.contract > b.contract ? 1 : 0)),
    dependencies: { lockDigest: inventory.lockDigest, count: inventory.dependencies.length },
  };
  return { digest: releaseDigest(release), release, inventory };
}

/** sha256 (hex) of a release's canonical JSON. */
export function releaseDigest(release: Release): string {
  return sha256Hex(canonicalJson(release));
}
