import { createPublicClient, http, type PublicClient } from 'viem';
import type { ManifestContract, ManifestDeployment } from '../../manifest/types.ts';

export type DeploymentClientParameters = {
  /** For the deployments' `rpc` variables. */
  env: NodeJS.ProcessEnv;
  /** One RPC for every deployment (instead of each deployment's `rpc` variable). */
  rpcUrl?: string | undefined;
};

/** A live deployment of a contract, with a client on its RPC. */
export type DeploymentClient = {
  deployment: ManifestDeployment;
  client: PublicClient;
  /** How the RPC was named (`$MAINNET_RPC`, `--rpc`); never the URL, which may carry a key. */
  rpc: string;
};

/**
 * The gate's readers of chain facts share one client per RPC URL and pick a contract's first live
 * deployment (not planned or deprecated) that can be read: an RPC is set and `usable` agrees.
 */
export function deploymentClients(parameters: DeploymentClientParameters) {
  const clients = new Map<string, PublicClient>();
  return (
    contract: ManifestContract,
    usable: (deployment: ManifestDeployment) => boolean = () => true,
  ): DeploymentClient | undefined => {
    const deployment = (contract.deployments ?? []).find(
      (d) =>
        d.status !== 'deprecated' &&
        d.status !== 'planned' &&
        usable(d) &&
        (parameters.rpcUrl || (d.rpc && parameters.env[d.rpc])),
    );
    if (!deployment) return undefined;
    const url = parameters.rpcUrl ?? parameters.env[deployment.rpc!]!;
    let client = clients.get(url);
    if (!client) {
      client = createPublicClient({ transport: http(url, { retryCount: 1, timeout: 20_000 }) }) as PublicClient;
      clients.set(url, client);
    }
    return { deployment, client, rpc: parameters.rpcUrl ? '--rpc' : `$${deployment.rpc}` };
  };
}

/**
 * Why the chain could not be read, or undefined when the RPC serves the deployment's chain.
 * viem's full message holds the URL (and any key in it): only its short message is kept.
 */
export async function wrongChain({ client, deployment, rpc }: DeploymentClient): Promise<string | undefined> {
  const served = await client.getChainId();
  return served === deployment.chainId ? undefined : `${rpc} serves chain ${served}, not chain ${deployment.chainId}`;
}

/** An RPC failure as the gate shows it: the variable's name and viem's short message, never the URL. */
export const rpcFailure = (rpc: string, error: unknown) =>
  `${rpc} did not answer: ${(error as { shortMessage?: string }).shortMessage ?? 'the request failed'}`;
