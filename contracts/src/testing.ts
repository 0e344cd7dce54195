/**
 * Test support shared by the contract tests: a fresh anvil with viem clients for its dev
 * accounts, and small helpers that send, read, decode events and expect custom-error reverts.
 */
import {
  type Abi,
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  decodeErrorResult,
  type EIP1193RequestFn,
  type Hex,
  http,
  type PublicClient,
  parseEventLogs,
  type TransactionReceipt,
} from 'viem';
import { foundry } from 'viem/chains';
import { type Anvil, type StartAnvilParameters, startAnvil } from './anvil.ts';
import { type Artifacts, loadArtifacts } from './compile.ts';
import { type DeployWalletClient, deployContract } from './deploy.ts';

export type TestChain = {
  anvil: Anvil;
  publicClient: PublicClient;
  /** One wallet per dev account, in anvil's order. */
  wallets: DeployWalletClient[];
  artifacts: Artifacts;
  stop(): Promise<void>;
  /** `evm_increaseTime` followed by `evm_mine`, so the next transaction sees the new time. */
  increaseTime(seconds: bigint | number): Promise<void>;
  timestamp(): Promise<bigint>;
  balance(address: Address): Promise<bigint>;
  deploy(wallet: DeployWalletClient, contractName: string, args?: readonly unknown[]): Promise<Address>;
  /** Sends a contract call and returns the receipt; throws if it reverts. */
  write(wallet: DeployWalletClient, call: ContractCall & { value?: bigint }): Promise<TransactionReceipt>;
  read<T = unknown>(call: ContractCall): Promise<T>;
  /**
   * Like Hardhat's `loadFixture`: the first call runs `setup` and snapshots the chain; later calls
   * revert to that snapshot (much faster than deploying again) and return the same value.
   */
  fixture<T>(setup: () => Promise<T>): () => Promise<T>;
};

export type ContractCall = { address: Address; abi: Abi; functionName: string; args?: readonly unknown[] };

export async function startTestChain(parameters: StartAnvilParameters = {}): Promise<TestChain> {
  const artifacts = await loadArtifacts();
  const anvil = await startAnvil(parameters);
  const transport = http(anvil.rpcUrl);
  const publicClient = createPublicClient({ chain: foundry, transport, pollingInterval: 25 });
  const accounts = await createWalletClient({ chain: foundry, transport }).getAddresses();
  const wallets = accounts.map((account) =>
    createWalletClient({ account, chain: foundry, transport, pollingInterval: 25 }),
  ) as DeployWalletClient[];
  const rpc = publicClient.request as EIP1193RequestFn;

  const chain: TestChain = {
    anvil,
    publicClient,
    wallets,
    artifacts,
    stop: () => anvil.stop(),
    async increaseTime(seconds) {
      await rpc({ method: 'evm_increaseTime', params: [Number(seconds)] });
      await rpc({ method: 'evm_mine' });
    },
    async timestamp() {
      return (await publicClient.getBlock()).timestamp;
    },
    balance: (address) => publicClient.getBalance({ address }),
    deploy: (wallet, contractName, args = []) => {
      const artifact = artifacts.contracts[contractName];
      if (!artifact) throw new Error(`No artifact ${contractName}`);
      return deployContract(wallet, publicClient, { artifact, args });
    },
    async write(wallet, call) {
      const request = {
        address: call.address,
        abi: call.abi,
        functionName: call.functionName,
        args: call.args ?? [],
        value: call.value,
        account: wallet.account,
        chain: foundry,
      };
      // Simulate first: anvil would mine a reverting transaction, and the simulation decodes why.
      await publicClient.simulateContract(request as Parameters<PublicClient['simulateContract']>[0]);
      const hash = await wallet.writeContract(request as Parameters<DeployWalletClient['writeContract']>[0]);
      const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 25 });
      if (receipt.status !== 'success') throw new Error(`${call.functionName} reverted in ${hash}`);
      return receipt;
    },
    read: <T>(call: ContractCall) =>
      publicClient.readContract({
        address: call.address,
        abi: call.abi,
        functionName: call.functionName,
        args: call.args ?? [],
      }) as Promise<T>,
    fixture<T>(setup: () => Promise<T>) {
      let state: { value: T; snapshot: Hex } | undefined;
      return async () => {
        if (state) {
          const reverted = await rpc({ method: 'evm_revert', params: [state.snapshot] });
          if (reverted !== true) throw new Error('evm_revert failed');
        } else {
          state = { value: await setup(), snapshot: '0x' };
        }
        state.snapshot = (await rpc({ method: 'evm_snapshot' })) as Hex;
        return state.value;
      };
    },
  };
  return chain;
}

export type DecodedEvent = { eventName: string; address: Address; args: Record<string, unknown> };

/** The receipt's logs that `abi` knows, decoded; optionally only `eventName`. */
export function eventsOf(receipt: TransactionReceipt, abi: Abi, eventName?: string): DecodedEvent[] {
  const decoded = parseEventLogs({ abi, logs: receipt.logs }) as unknown as DecodedEvent[];
  return eventName ? decoded.filter((event) => event.eventName === eventName) : decoded;
}

/**
 * Resolves with the decoded custom error of a call expected to revert; fails if it does not.
 * `abi` decodes revert data viem could not (plain sends, calls through a fallback).
 */
export async function revertOf(
  promise: Promise<unknown>,
  abi?: Abi,
): Promise<{ errorName: string; args: readonly unknown[] }> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof BaseError)) throw error;
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError && e.data !== undefined);
    if (reverted instanceof ContractFunctionRevertedError && reverted.data) {
      return { errorName: reverted.data.errorName, args: reverted.data.args ?? [] };
    }
    const withData = error.walk((e) => typeof (e as { data?: unknown }).data === 'string') as { data?: Hex } | null;
    if (abi && withData?.data && withData.data.length >= 10) {
      const decoded = decodeErrorResult({ abi, data: withData.data });
      return { errorName: decoded.errorName, args: decoded.args ?? [] };
    }
    throw error;
  }
  throw new Error('Expected a revert, but the call succeeded.');
}

/** Sum of the gas paid by `receipts`, to account for it in ether balances. */
export function gasCost(...receipts: TransactionReceipt[]): bigint {
  return receipts.reduce((sum, r) => sum + r.gasUsed * r.effectiveGasPrice, 0n);
}
