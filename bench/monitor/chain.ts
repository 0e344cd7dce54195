/**
 * The bench's chain: the demo's anvil (no mining until told, 12-second timestamps, accounts
 * funded by label), plus a sender that bids like real wallets do: a tip sampled per transaction,
 * EIP-1559 or legacy, nonces tracked locally so thousands of transactions go out quickly.
 */

import type { Artifact } from '@bulwark/contracts';
import { type Abi, type Address, encodeDeployData, getContractAddress, type Hex, type LocalAccount } from 'viem';
import { foundry } from 'viem/chains';
import type { Call, DemoChain } from '../../packages/cli/src/demo/demoChain.ts';
import type { FeeBid } from './fees.ts';

export type Sent = { hash: Hex; from: Address; fee: FeeBid };

export function createSender(chain: DemoChain) {
  /** Per account, the next nonce to hand out: a promise chain, so concurrent sends get distinct nonces. */
  const nonces = new Map<string, Promise<number>>();
  let baseFee = 0n;

  function reserveNonce(address: Address): Promise<number> {
    const next = nonces.get(address) ?? chain.client.getTransactionCount({ address, blockTag: 'pending' });
    nonces.set(
      address,
      next.then((nonce) => nonce + 1),
    );
    return next;
  }

  async function send(
    from: LocalAccount,
    call: Partial<Call> & { data: Hex },
    fee: FeeBid,
    gas = 400_000n,
    nonceGiven?: number,
  ) {
    const nonce = nonceGiven ?? (await reserveNonce(from.address));
    const common = { chainId: foundry.id, nonce, to: call.to ?? null, data: call.data, value: call.value ?? 0n, gas };
    const signed =
      fee.type === 'legacy'
        ? await from.signTransaction({ ...common, type: 'legacy', gasPrice: baseFee * 2n + fee.priorityFee })
        : await from.signTransaction({
            ...common,
            type: 'eip1559',
            maxPriorityFeePerGas: fee.priorityFee,
            maxFeePerGas: baseFee * 2n + fee.priorityFee,
          });
    let hash: Hex;
    try {
      hash = (await chain.rpc({ method: 'eth_sendRawTransaction', params: [signed] })) as Hex;
    } catch (error) {
      // The node refused it: its view of the account's nonce is the truth from here.
      nonces.delete(from.address);
      throw error;
    }
    chain.onSent?.(hash, performance.timeOrigin + performance.now());
    return { hash, from: from.address, fee } satisfies Sent;
  }

  return {
    send,
    /** Sends a deployment; the address follows from the sender's nonce. */
    async deploy(from: LocalAccount, artifact: Artifact, args: readonly unknown[], fee: FeeBid) {
      const nonce = await reserveNonce(from.address);
      const data = encodeDeployData({ abi: artifact.abi as Abi, bytecode: artifact.bytecode, args });
      const sent = await send(from, { data }, fee, 5_000_000n, nonce);
      return { ...sent, address: getContractAddress({ from: from.address, nonce: BigInt(nonce) }) };
    },
    /** Reads the latest base fee (after each block): legacy prices and fee caps follow it. */
    async refreshBaseFee() {
      const block = await chain.client.getBlock({ blockTag: 'latest' });
      baseFee = block.baseFeePerGas ?? 0n;
      return baseFee;
    },
  };
}

export type Sender = ReturnType<typeof createSender>;
