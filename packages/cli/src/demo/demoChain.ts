import { type Anvil, startAnvil } from '@bulwark/contracts';
import {
  type Address,
  createPublicClient,
  createWalletClient,
  type EIP1193RequestFn,
  type Hex,
  http,
  keccak256,
  type LocalAccount,
  type PublicClient,
  parseGwei,
  type TransactionReceipt,
  toHex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';

/** Seconds between demo blocks, as on Ethereum: the windows of the baseline (5 min, 1 h) count in chain time. */
export const blockSeconds = 12;

/** anvil's first dev keys (public test keys of the default mnemonic): the deployer-admin and the guardian. */
export const devKeys = {
  admin: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  guardian: '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
} as const satisfies Record<string, Hex>;

export type Call = { to: Address; data: Hex; value?: bigint | undefined };

/**
 * anvil without automining: transactions wait in its pool until `mine()`, as on a real chain
 * between blocks, so a pending attack can be seen (and outrun) before it is included.
 */
export type DemoChain = {
  anvil: Anvil;
  client: PublicClient;
  rpc: EIP1193RequestFn;
  /** A funded account derived from a label (deterministic across runs). */
  account(label: string): Promise<LocalAccount>;
  /** Signs and submits; returns the hash without waiting. Gas is fixed, so a call that will revert is still sent. */
  send(from: LocalAccount, call: Call, options?: { gas?: bigint; priorityFeeGwei?: number }): Promise<Hex>;
  /** Called with each submitted transaction and when the node accepted it (epoch ms). */
  onSent: ((hash: Hex, at: number) => void) | undefined;
  mine(): Promise<bigint>;
  receipt(hash: Hex): Promise<TransactionReceipt>;
  balance(address: Address): Promise<bigint>;
  stop(): Promise<void>;
};

export async function startDemoChain(): Promise<DemoChain> {
  const anvil = await startAnvil({ noMining: true });
  const client = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl), pollingInterval: 50 });
  const rpc = client.request as EIP1193RequestFn;
  await rpc({ method: 'anvil_setBlockTimestampInterval', params: [blockSeconds] });
  const funded = new Set<string>();

  const chain: DemoChain = {
    anvil,
    client,
    rpc,
    async account(label) {
      const account = privateKeyToAccount(
        label.startsWith('0x') ? (label as Hex) : keccak256(toHex(`bulwark-demo:${label}`)),
      );
      if (!funded.has(account.address) && !label.startsWith('0x')) {
        await rpc({ method: 'anvil_setBalance', params: [account.address, toHex(10n ** 22n)] });
        funded.add(account.address);
      }
      return account;
    },
    async send(from, call, options = {}) {
      // anvil counts its pool in the pending nonce, so several sends per block from one account line up.
      const nonce = await client.getTransactionCount({ address: from.address, blockTag: 'pending' });
      const priority = parseGwei(String(options.priorityFeeGwei ?? 1));
      // As wallets set it: twice the base fee plus the tip (anvil orders its pool by max fee).
      const block = await client.getBlock({ blockTag: 'latest' });
      const maxFee = (block.baseFeePerGas ?? 0n) * 2n + priority;
      const signed = await from.signTransaction({
        chainId: foundry.id,
        type: 'eip1559',
        nonce,
        to: call.to,
        data: call.data,
        value: call.value ?? 0n,
        gas: options.gas ?? 600_000n,
        maxPriorityFeePerGas: priority,
        maxFeePerGas: maxFee,
      });
      const hash = (await rpc({ method: 'eth_sendRawTransaction', params: [signed] })) as Hex;
      chain.onSent?.(hash, performance.timeOrigin + performance.now());
      return hash;
    },
    async mine() {
      await rpc({ method: 'evm_mine', params: [] });
      return client.getBlockNumber({ cacheTime: 0 });
    },
    onSent: undefined,
    receipt: (hash) => client.getTransactionReceipt({ hash }),
    balance: (address) => client.getBalance({ address }),
    stop: () => anvil.stop(),
  };
  return chain;
}

/** A wallet client for deployDemoProtocol (it waits on receipts itself, mining after each transaction). */
export function deployWallet(chain: DemoChain, account: LocalAccount) {
  return createWalletClient({ account, chain: foundry, transport: http(chain.anvil.rpcUrl), pollingInterval: 50 });
}
