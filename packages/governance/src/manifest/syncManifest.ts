import {
  canonicalJson,
  type LogEntry,
  listContracts,
  listDeployments,
  type StoreClient,
  upsertContract,
  upsertDeployment,
  withTransaction,
} from '@bulwark/store';
import { withLogEntry } from '../log/withLogEntry.ts';
import type { Manifest, ManifestContract } from './types.ts';

/**
 * What the registry keeps of a manifest contract, in its `documentation` JSON column: the whole
 * entry but its name (which is the key), plus the project and every deployment, also the
 * planned ones without an address that the deployments table cannot hold.
 */
export type RegistryDocumentation = Omit<ManifestContract, 'name'> & { project: string };

export type SyncChange = 'added' | 'updated' | 'unchanged';

export type SyncManifestParameters = {
  /** Who syncs, for the log. Default `cli`. */
  actor?: string | undefined;
  /** The manifest file and its sha256, for the log entry. */
  source?: { path: string; sha256: string } | undefined;
};

export type SyncManifestReturnType = {
  contracts: { name: string; change: SyncChange }[];
  deployments: { contractName: string; network: string; address: string; change: SyncChange }[];
  /** The `manifest.sync` entry; none when nothing changed. */
  logEntry: LogEntry | undefined;
};

/** The store's network key of a deployment: its chain id, in decimal. */
export const networkKey = (chainId: number): string => String(chainId);

/**
 * Writes the manifest's contracts and their deployments (those with an address) into the store's
 * registry, in one transaction with a `manifest.sync` log entry. Unchanged rows are left alone,
 * and a bytecode hash recorded by `verify-deployment` is kept when the manifest gives none.
 */
export async function syncManifest(
  store: StoreClient,
  manifest: Manifest,
  parameters: SyncManifestParameters = {},
): Promise<SyncManifestReturnType> {
  const plan = async (tx: StoreClient) => {
    const existing = new Map((await listContracts(tx)).map((contract) => [contract.name, contract]));
    const existingDeployments = new Map(
      (await listDeployments(tx)).map((d) => [`${d.contractName}|${d.network}|${d.address}`, d]),
    );
    const contracts: SyncManifestReturnType['contracts'] = [];
    const deployments: SyncManifestReturnType['deployments'] = [];
    for (const contract of manifest.contracts) {
      const { name, ...rest } = contract;
      const documentation: RegistryDocumentation = { ...rest, project: manifest.project.name };
      const repoPath = contract.sources[0] ?? '';
      const before = existing.get(name);
      const change: SyncChange = !before
        ? 'added'
        : before.repoPath === repoPath && canonicalJson(before.documentation) === canonicalJson(documentation)
          ? 'unchanged'
          : 'updated';
      if (change !== 'unchanged') await upsertContract(tx, { name, repoPath, documentation });
      contracts.push({ name, change });
      for (const deployment of contract.deployments ?? []) {
        if (!deployment.address) continue;
        const network = networkKey(deployment.chainId);
        const address = deployment.address.toLowerCase();
        const previous = existingDeployments.get(`${name}|${network}|${address}`);
        const bytecodeHash = deployment.bytecodeHash?.toLowerCase() ?? previous?.bytecodeHash ?? '';
        const deployedAt = deployment.deployedAt ? new Date(`${deployment.deployedAt}T00:00:00Z`) : null;
        const deploymentChange: SyncChange = !previous
          ? 'added'
          : previous.bytecodeHash === bytecodeHash &&
              previous.status === deployment.status &&
              (previous.deployedAt?.getTime() ?? null) === (deployedAt?.getTime() ?? null)
            ? 'unchanged'
            : 'updated';
        if (deploymentChange !== 'unchanged')
          await upsertDeployment(tx, {
            contractName: name,
            network,
            address,
            bytecodeHash,
            status: deployment.status,
            deployedAt,
          });
        deployments.push({ contractName: name, network, address, change: deploymentChange });
      }
    }
    return { contracts, deployments };
  };
  const changed = (result: Awaited<ReturnType<typeof plan>>) =>
    [...result.contracts, ...result.deployments].some((entry) => entry.change !== 'unchanged');

  // One transaction: either the registry changes with its log entry, or nothing changes.
  return withTransaction(store, async (tx) => {
    const result = await plan(tx);
    if (!changed(result)) return { ...result, logEntry: undefined };
    const { entry } = await withLogEntry(
      tx,
      async () => result,
      () => ({
        actor: parameters.actor ?? 'bulwark',
        action: 'manifest.sync',
        payload: {
          project: manifest.project.name,
          ...(parameters.source ? { manifest: parameters.source.path, sha256: parameters.source.sha256 } : {}),
          contracts: result.contracts.filter((c) => c.change !== 'unchanged'),
          deployments: result.deployments.filter((d) => d.change !== 'unchanged'),
        },
      }),
    );
    return { ...result, logEntry: entry };
  });
}
