import {
  addIncidentEvent,
  listDeployments,
  listIncidents,
  openIncident,
  type StoreClient,
  upsertDeployment,
} from '@bulwark/store';
import { type Address, createPublicClient, type Hex, http, type PublicClient } from 'viem';
import { withLogEntry } from '../log/withLogEntry.ts';
import { displayPath } from '../manifest/displayPath.ts';
import { networkKey, syncManifest } from '../manifest/syncManifest.ts';
import type { LoadedManifest, ManifestContract, ManifestDeployment } from '../manifest/types.ts';
import { DeploymentRpcError } from './errors.ts';
import { normalizeRuntimeCode } from './normalizeRuntimeCode.ts';
import { type CodeRange, type ResolvedArtifact, readArtifact } from './readArtifact.ts';

export type DeploymentCheckResult =
  /** The runtime code matches the artifact (metadata and immutables aside). */
  | 'match'
  /** Code is there, but not the artifact's. */
  | 'mismatch'
  /** No code at the address of a deployment recorded as deployed or paused. */
  | 'no-code'
  /** A planned deployment whose address has no code yet. */
  | 'pending'
  /** It could not be checked (no artifact, no RPC, RPC down): nothing is recorded. */
  | 'error';

export type DeploymentCheck = {
  contract: string;
  chainId: number;
  network: string | undefined;
  address: string;
  result: DeploymentCheckResult;
  /** keccak256 of the artifact's normalized runtime code. */
  expectedHash: Hex | undefined;
  /** keccak256 of the deployed code, normalized the same way. */
  actualHash: Hex | undefined;
  message: string | undefined;
  incidentId: string | undefined;
};

export type VerifyDeploymentsParameters = {
  /** Only deployments on this chain. */
  chainId?: number | undefined;
  /** Only this contract. */
  contract?: string | undefined;
  /** An RPC URL for every selected deployment (instead of each deployment's `rpc` variable). */
  rpcUrl?: string | undefined;
  env: NodeJS.ProcessEnv;
  actor: string;
};

export type VerifyDeploymentsReturnType = {
  checks: DeploymentCheck[];
  /** No mismatch, no missing code and no error. */
  ok: boolean;
};

/**
 * Compares the runtime code at each recorded deployment (eth_getCode) with the contract's
 * artifact, metadata and immutables aside. A match records the code hash and status; a mismatch
 * or missing code opens a high-severity incident (or adds to the open one) with both hashes.
 * Each check is logged (`deployment.verify`). RPC URLs never appear in results or errors.
 */
export async function verifyDeployments(
  store: StoreClient,
  loaded: LoadedManifest,
  parameters: VerifyDeploymentsParameters,
): Promise<VerifyDeploymentsReturnType> {
  await syncManifest(store, loaded.manifest, {
    actor: parameters.actor,
    source: { path: loaded.path, sha256: loaded.sha256 },
  });
  const clients = new Map<string, { client: PublicClient; chainId: Promise<number> }>();
  const clientFor = (url: string) => {
    let entry = clients.get(url);
    if (!entry) {
      const client = createPublicClient({ transport: http(url, { retryCount: 1, timeout: 20_000 }) });
      entry = { client, chainId: client.getChainId() };
      entry.chainId.catch(() => {});
      clients.set(url, entry);
    }
    return entry;
  };

  let onlyChain = parameters.chainId;
  if (parameters.rpcUrl) {
    const served = await rpcCall(() => clientFor(parameters.rpcUrl!).chainId, '--rpc');
    if (onlyChain !== undefined && served !== onlyChain)
      throw new DeploymentRpcError(`The RPC given with --rpc serves chain ${served}, not chain ${onlyChain}.`, {
        metaMessages: ['Fix: pass the RPC of the chain given with --network, or drop --network.'],
      });
    onlyChain = served;
  }

  const selected: { contract: ManifestContract; deployment: ManifestDeployment & { address: string } }[] = [];
  for (const contract of loaded.manifest.contracts) {
    if (parameters.contract && contract.name !== parameters.contract) continue;
    for (const deployment of contract.deployments ?? []) {
      if (!deployment.address || deployment.status === 'deprecated') continue;
      if (onlyChain !== undefined && deployment.chainId !== onlyChain) continue;
      selected.push({ contract, deployment: deployment as ManifestDeployment & { address: string } });
    }
  }

  const artifacts = new Map<string, ResolvedArtifact | Error>();
  const checks: DeploymentCheck[] = [];
  for (const { contract, deployment } of selected) {
    const base = {
      contract: contract.name,
      chainId: deployment.chainId,
      network: deployment.network,
      address: deployment.address.toLowerCase(),
      expectedHash: undefined,
      actualHash: undefined,
      message: undefined,
      incidentId: undefined,
    };
    const failed = (message: string): DeploymentCheck => ({ ...base, result: 'error', message });

    if (!artifacts.has(contract.name)) {
      try {
        artifacts.set(contract.name, readArtifact(contract, loaded.dir));
      } catch (error) {
        artifacts.set(contract.name, error as Error);
      }
    }
    const artifact = artifacts.get(contract.name)!;
    if (artifact instanceof Error) {
      checks.push(failed((artifact as { shortMessage?: string }).shortMessage ?? artifact.message));
      continue;
    }
    const url = parameters.rpcUrl ?? (deployment.rpc ? parameters.env[deployment.rpc] : undefined);
    const rpcLabel = parameters.rpcUrl ? '--rpc' : `$${deployment.rpc}`;
    if (!url) {
      checks.push(
        failed(
          deployment.rpc
            ? `No RPC for chain ${deployment.chainId}: the variable ${deployment.rpc} is not set (set it, or pass --rpc URL).`
            : `No RPC for chain ${deployment.chainId}: set rpc: to the name of a variable holding the URL, or pass --rpc URL.`,
        ),
      );
      continue;
    }
    let code: Hex | undefined;
    try {
      const { client, chainId } = clientFor(url);
      const served = await rpcCall(() => chainId, rpcLabel);
      if (served !== deployment.chainId) {
        checks.push(failed(`The RPC ${rpcLabel} serves chain ${served}, not chain ${deployment.chainId}.`));
        continue;
      }
      code = await rpcCall(() => client.getCode({ address: deployment.address as Address }), rpcLabel);
    } catch (error) {
      checks.push(failed((error as DeploymentRpcError).shortMessage));
      continue;
    }

    const expected = normalizeRuntimeCode(artifact.deployedBytecode, artifact.immutableRanges);
    const artifactName = displayPath(loaded.dir, artifact.file);
    const check = await record(store, {
      base,
      deployment,
      expected,
      code,
      artifactName,
      ranges: artifact.immutableRanges,
      actor: parameters.actor,
    });
    checks.push(check);
  }
  return { checks, ok: checks.every((check) => check.result === 'match' || check.result === 'pending') };
}

async function rpcCall<T>(call: () => Promise<T>, label: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const short = (error as { shortMessage?: string }).shortMessage ?? 'the request failed';
    // viem's full message holds the URL (and any key in it): only its short message is kept.
    throw new DeploymentRpcError(`The RPC ${label} did not answer: ${short}`, {
      details: short,
      retryable: true,
      metaMessages: ['Fix: check that the node is up and the URL is right.'],
    });
  }
}

async function record(
  store: StoreClient,
  parameters: {
    base: Omit<DeploymentCheck, 'result'>;
    deployment: ManifestDeployment & { address: string };
    expected: ReturnType<typeof normalizeRuntimeCode>;
    code: Hex | undefined;
    artifactName: string;
    /** The artifact's immutable ranges: the deployed code has the same layout. */
    ranges: CodeRange[];
    actor: string;
  },
): Promise<DeploymentCheck> {
  const { base, deployment, expected, code, actor } = parameters;
  const network = networkKey(deployment.chainId);
  const hasCode = code !== undefined && code !== '0x';
  if (!hasCode && deployment.status === 'planned')
    return {
      ...base,
      result: 'pending',
      expectedHash: expected.hash,
      message: 'planned, no code at the address yet',
    };
  const actual = hasCode ? normalizeRuntimeCode(code, parameters.ranges) : undefined;
  const result: DeploymentCheckResult = !actual ? 'no-code' : actual.hash === expected.hash ? 'match' : 'mismatch';
  const check: DeploymentCheck = { ...base, result, expectedHash: expected.hash, actualHash: actual?.hash };

  const { result: incidentId } = await withLogEntry(
    store,
    async (tx) => {
      const previous = (await listDeployments(tx, { contractName: base.contract, network })).find(
        (d) => d.address === base.address,
      );
      if (result === 'match') {
        await upsertDeployment(tx, {
          contractName: base.contract,
          network,
          address: base.address,
          bytecodeHash: expected.hash,
          status: deployment.status === 'planned' ? 'deployed' : deployment.status,
          deployedAt: previous?.deployedAt ?? null,
        });
        return undefined;
      }
      await upsertDeployment(tx, {
        contractName: base.contract,
        network,
        address: base.address,
        bytecodeHash: previous?.bytecodeHash ?? '',
        status: 'mismatch',
        deployedAt: previous?.deployedAt ?? null,
      });
      const title =
        result === 'no-code'
          ? `No code at the recorded address of ${base.contract} on chain ${base.chainId}`
          : `Deployed code of ${base.contract} on chain ${base.chainId} does not match its artifact`;
      const data = {
        kind: 'deployment-mismatch',
        contract: base.contract,
        network,
        address: base.address,
        artifact: parameters.artifactName,
        expectedHash: expected.hash,
        actualHash: actual?.hash ?? null,
      };
      const open = (
        await listIncidents(tx, {
          state: ['detected', 'triaged', 'contained'],
          chainId: base.chainId,
          address: base.address,
        })
      ).find((incident) => incident.title === title);
      if (open) {
        await addIncidentEvent(tx, { incidentId: open.id, kind: 'deployment-mismatch', actor, data });
        return open.id;
      }
      const incident = await openIncident(tx, {
        title,
        severity: 'high',
        chainId: base.chainId,
        address: base.address,
        actor,
        data,
      });
      return incident.id;
    },
    (incident) => ({
      actor,
      action: 'deployment.verify',
      payload: {
        contract: base.contract,
        network,
        address: base.address,
        result,
        artifact: parameters.artifactName,
        expectedHash: expected.hash,
        actualHash: actual?.hash ?? null,
        ...(incident ? { incidentId: incident } : {}),
      },
    }),
  );
  if (result === 'match') return check;
  return {
    ...check,
    incidentId,
    message:
      result === 'no-code'
        ? `no code at ${base.address}: the contract is not there (wrong address, chain or self-destructed)`
        : `the code at ${base.address} differs from ${parameters.artifactName}.`,
  };
}
