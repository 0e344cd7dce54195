import { type Address, createPublicClient, http, isAddress, type PublicClient, parseAbi } from 'viem';
import type { LoadedManifest } from '../../manifest/types.ts';

/** What the chain says about a contract's admin address. */
export type AdminFacts = {
  contract: string;
  chainId: number;
  address: string;
  /** How the RPC was named (`$MAINNET_RPC`, `--rpc`); never the URL, which may carry a key. */
  rpc: string;
  /** `eoa`: no code at the address (one key); `safe`: answers getThreshold/getOwners; `timelock`: answers getMinDelay. */
  kind?: 'eoa' | 'safe' | 'timelock' | 'contract' | undefined;
  threshold?: number | undefined;
  owners?: string[] | undefined;
  /** Seconds. */
  minDelay?: number | undefined;
  /** The chain could not be read: why, without the URL. */
  error?: string | undefined;
};

const safeAbi = parseAbi([
  'function getThreshold() view returns (uint256)',
  'function getOwners() view returns (address[])',
]);
const timelockAbi = parseAbi(['function getMinDelay() view returns (uint256)']);

export type ReadAdminFactsParameters = {
  /** For the deployments' `rpc` variables. */
  env: NodeJS.ProcessEnv;
  /** One RPC for every deployment (instead of each deployment's `rpc` variable). */
  rpcUrl?: string | undefined;
};

/**
 * Reads, for each contract with a deployed admin address and an RPC, what the admin is on chain:
 * a Safe with its threshold and owners, a TimelockController with its minimum delay, another
 * contract, or no code at all (a single key). Contracts without an RPC are left out.
 */
export async function readAdminFacts(
  loaded: LoadedManifest,
  parameters: ReadAdminFactsParameters,
): Promise<AdminFacts[]> {
  const clients = new Map<string, PublicClient>();
  const facts: AdminFacts[] = [];
  for (const contract of loaded.manifest.contracts) {
    const address = contract.admin?.address;
    if (!address || !isAddress(address)) continue;
    const deployment = (contract.deployments ?? []).find(
      (d) =>
        d.status !== 'deprecated' && d.status !== 'planned' && (parameters.rpcUrl || (d.rpc && parameters.env[d.rpc])),
    );
    if (!deployment) continue;
    const url = parameters.rpcUrl ?? parameters.env[deployment.rpc!]!;
    const rpc = parameters.rpcUrl ? '--rpc' : `$${deployment.rpc}`;
    let client = clients.get(url);
    if (!client) {
      client = createPublicClient({ transport: http(url, { retryCount: 1, timeout: 20_000 }) }) as PublicClient;
      clients.set(url, client);
    }
    const base = { contract: contract.name, chainId: deployment.chainId, address, rpc };
    try {
      const served = await client.getChainId();
      if (served !== deployment.chainId) {
        facts.push({ ...base, error: `${rpc} serves chain ${served}, not chain ${deployment.chainId}` });
        continue;
      }
      const code = await client.getCode({ address: address as Address });
      if (!code || code === '0x') {
        facts.push({ ...base, kind: 'eoa' });
        continue;
      }
      const read = async <T>(call: () => Promise<T>) => {
        try {
          return await call();
        } catch {
          return undefined;
        }
      };
      const threshold = await read(() =>
        client!.readContract({ address: address as Address, abi: safeAbi, functionName: 'getThreshold' }),
      );
      const owners = await read(() =>
        client!.readContract({ address: address as Address, abi: safeAbi, functionName: 'getOwners' }),
      );
      if (threshold !== undefined && owners !== undefined) {
        facts.push({ ...base, kind: 'safe', threshold: Number(threshold), owners: [...owners] });
        continue;
      }
      const minDelay = await read(() =>
        client!.readContract({ address: address as Address, abi: timelockAbi, functionName: 'getMinDelay' }),
      );
      facts.push(
        minDelay !== undefined
          ? { ...base, kind: 'timelock', minDelay: Number(minDelay) }
          : { ...base, kind: 'contract' },
      );
    } catch (error) {
      // viem's full message holds the URL (and any key in it): only its short message is kept.
      const short = (error as { shortMessage?: string }).shortMessage ?? 'the request failed';
      facts.push({ ...base, error: `${rpc} did not answer: ${short}` });
    }
  }
  return facts;
}
