import { createRpcPool } from '@bulwark/chain';
import {
  loadCustodyConfig,
  type PreviewRequest,
  previewTransaction,
  type TransactionPreview,
  type WalletRequest,
} from '@bulwark/wallet';
import { encodeFunctionData, getAddress, parseAbi } from 'viem';

const erc20 = parseAbi(['function transfer(address to, uint256 amount) returns (bool)']);

/**
 * The transaction a request asks the source wallet to sign, as `bulwark wallet preview` takes it;
 * undefined where there is nothing to simulate (a typed message) or it cannot be simulated from a
 * plain account (a delegatecall, which only a Safe transaction makes).
 */
export function previewRequestOf(request: WalletRequest, from: `0x${string}`): PreviewRequest | undefined {
  const base = { chainId: request.chain, from: getAddress(from), operation: 0 as const, safe: undefined };
  if (request.kind === 'withdrawal' || request.kind === 'transfer') {
    const destination = getAddress(request.destination!);
    if (request.asset === 'native') return { ...base, to: destination, value: request.amount, data: '0x' };
    return {
      ...base,
      to: getAddress(request.asset),
      value: 0n,
      data: encodeFunctionData({ abi: erc20, functionName: 'transfer', args: [destination, request.amount] }),
    };
  }
  if (request.kind === 'contract-call' && request.call && request.call.operation === 'call')
    return {
      ...base,
      to: getAddress(request.call.target),
      value: request.amount,
      data: request.call.data as `0x${string}`,
    };
  return undefined;
}

/**
 * Simulates a submitted request on its chain, when the custody file (`serve --custody`) names its
 * source wallet there: what approvers are shown beside the digest. Undefined without a custody
 * file, a wallet of that name on that chain, or a transaction to simulate; a node that cannot
 * trace gives a preview flagged `simulation-failed`, which is recorded as such.
 */
export async function previewWalletRequest(
  custodyFile: string | undefined,
  request: WalletRequest,
): Promise<TransactionPreview | undefined> {
  if (!custodyFile) return undefined;
  const custody = await loadCustodyConfig(custodyFile);
  const chain = custody.chains.find((candidate) => candidate.chainId === request.chain);
  const wallet = chain?.wallets.find((candidate) => candidate.name === request.source);
  if (!chain || !wallet) return undefined;
  const transaction = previewRequestOf(request, wallet.address);
  if (!transaction) return undefined;
  const pool = createRpcPool({ endpoints: [chain.rpc], timeoutMs: 10_000, retryCount: 0 });
  return previewTransaction({ pool, request: transaction });
}
