import { type Address, isAddress, parseAbi } from 'viem';
import type { LoadedManifest } from '../../manifest/types.ts';
import { type DeploymentClientParameters, deploymentClients, rpcFailure, wrongChain } from './deploymentClient.ts';

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

export type ReadAdminFactsParameters = DeploymentClientParameters;

/**
 * Reads, for each contract with a deployed admin address and an RPC, what the admin is on chain:
 * a Safe with its threshold and owners, a TimelockController with its minimum delay, another
 * contract, or no code at all (a single key). Contracts without an RPC are left out.
 */
export async function readAdminFacts(
  loaded: LoadedManifest,
  parameters: ReadAdminFactsParameters,
): Promise<AdminFacts[]> {
  const clientFor = deploymentClients(parameters);
  const facts: AdminFacts[] = [];
  for (const contract of loaded.manifest.contracts) {
    const address = contract.admin?.address;
    if (!address || !isAddress(address)) continue;
    const reader = clientFor(contract);
    if (!reader) continue;
    const { client, deployment, rpc } = reader;
    const base = { contract: contract.name, chainId: deployment.chainId, address, rpc };
    try {
      const wrong = await wrongChain(reader);
      if (wrong) {
        facts.push({ ...base, error: wrong });
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
      facts.push({ ...base, error: rpcFailure(rpc, error) });
    }
  }
  return facts;
}
