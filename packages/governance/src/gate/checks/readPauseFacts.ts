import { type Address, encodeFunctionData, isAddress, parseAbi } from 'viem';
import type { LoadedManifest } from '../../manifest/types.ts';
import { type DeploymentClientParameters, deploymentClients, rpcFailure, wrongChain } from './deploymentClient.ts';

/** What the chain says about a deployed contract's circuit breaker. */
export type PauseFacts = {
  contract: string;
  chainId: number;
  address: string;
  /** How the RPC was named (`$MAINNET_RPC`, `--rpc`); never the URL, which may carry a key. */
  rpc: string;
  /** `paused()` answered with this; undefined: the contract has no such function (the call reverted). */
  paused?: boolean | undefined;
  /** The manifest's `pausable.guardian`, when it is an address. */
  guardian?: string | undefined;
  /** `pause()` simulated (eth_call) from the guardian succeeded; undefined: not simulated. */
  guardianCanPause?: boolean | undefined;
  /** Why the simulation reverted, from the node. */
  guardianRevert?: string | undefined;
  /** The chain could not be read: why, without the URL. */
  error?: string | undefined;
};

const pausableAbi = parseAbi(['function paused() view returns (bool)', 'function pause()']);

/**
 * Reads, for each contract declared pausable with a live deployment address and an RPC, whether
 * the deployed code answers `paused()` and, when the manifest names the guardian, whether
 * `pause()` called from the guardian would succeed (an eth_call, nothing is sent). A contract
 * already paused is not simulated: pausing again reverts by design.
 */
export async function readPauseFacts(
  loaded: LoadedManifest,
  parameters: DeploymentClientParameters,
): Promise<PauseFacts[]> {
  const clientFor = deploymentClients(parameters);
  const facts: PauseFacts[] = [];
  for (const contract of loaded.manifest.contracts) {
    if (!contract.pausable) continue;
    const reader = clientFor(contract, (d) => Boolean(d.address && isAddress(d.address)));
    if (!reader) continue;
    const { client, deployment, rpc } = reader;
    const address = deployment.address as Address;
    const declared = typeof contract.pausable === 'object' ? contract.pausable.guardian : undefined;
    const guardian = declared && isAddress(declared) ? declared : undefined;
    const base = { contract: contract.name, chainId: deployment.chainId, address, rpc, guardian };
    try {
      const wrong = await wrongChain(reader);
      if (wrong) {
        facts.push({ ...base, error: wrong });
        continue;
      }
      let paused: boolean | undefined;
      try {
        paused = await client.readContract({ address, abi: pausableAbi, functionName: 'paused' });
      } catch {
        paused = undefined;
      }
      if (!guardian || paused === true) {
        facts.push({ ...base, paused });
        continue;
      }
      try {
        await client.call({
          account: guardian,
          to: address,
          data: encodeFunctionData({ abi: pausableAbi, functionName: 'pause' }),
        });
        facts.push({ ...base, paused, guardianCanPause: true });
      } catch (error) {
        const reason = (error as { shortMessage?: string }).shortMessage ?? 'reverted';
        facts.push({ ...base, paused, guardianCanPause: false, guardianRevert: reason });
      }
    } catch (error) {
      facts.push({ ...base, error: rpcFailure(rpc, error) });
    }
  }
  return facts;
}

/** What the chain says against a `pausable` claim, or undefined when it does not contradict it. */
export function pauseContradiction(facts: PauseFacts): string | undefined {
  const at = `${facts.address} on chain ${facts.chainId} (${facts.rpc})`;
  if (facts.error) return undefined;
  if (facts.paused === undefined && facts.guardianCanPause !== true)
    return `the contract at ${at} has no paused() function${facts.guardianCanPause === false ? ` and pause() from the guardian ${facts.guardian} reverts (${facts.guardianRevert})` : ''}`;
  if (facts.guardianCanPause === false)
    return `at ${at}, pause() called from the declared guardian ${facts.guardian} reverts (${facts.guardianRevert})`;
  return undefined;
}
