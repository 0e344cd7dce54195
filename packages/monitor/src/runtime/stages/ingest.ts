import type { ChainSync } from '@bulwark/chain';
import { getCheckpoint, type StoreClient } from '@bulwark/store';
import { type Address, encodeFunctionData, type Hex, parseAbi } from 'viem';
import type { Engine } from '../../engine/engine.ts';

/*
 * Ingest: where a run starts, what it learns before, and the chain state it reads. Blocks then
 * come from the chain sync, in order, from `firstBlock` on.
 */

export type StartPlan = {
  /** The last block evaluated and recorded by an earlier run (the chain's cursor), if any. */
  cursor: bigint | undefined;
  /** The first block this run evaluates: after the cursor, else the configured start, else after the head. */
  firstBlock: bigint;
  head: bigint;
};

export async function planStart(
  store: StoreClient,
  sync: ChainSync,
  parameters: { chainId: number; startBlock?: bigint | undefined; confirmations?: number | undefined },
): Promise<StartPlan> {
  const checkpoint = await getCheckpoint(store, parameters.chainId);
  const head = BigInt(await sync.pool.request<Hex>('eth_blockNumber', []));
  // Without a start block, the sync would begin at the newest confirmed block: start right after it.
  const confirmed = head - BigInt(parameters.confirmations ?? 0);
  const firstBlock = checkpoint ? checkpoint.blockNumber + 1n : (parameters.startBlock ?? confirmed + 1n);
  return { cursor: checkpoint?.blockNumber, firstBlock, head };
}

/**
 * Learns the contracts that have no profile yet from the `learnBlocks` blocks before the first
 * evaluated one (never from blocks that will be evaluated). Returns the range learned.
 */
export async function learnBaselines(
  sync: ChainSync,
  engine: Engine,
  parameters: {
    plan: StartPlan;
    learnBlocks: bigint;
    signal?: AbortSignal | undefined;
    log: (line: string) => void;
  },
): Promise<{ from: bigint; to: bigint } | undefined> {
  const { plan, learnBlocks, log } = parameters;
  const unlearned = engine.profiles().filter((profile) => profile.blocks === 0);
  const to = plan.firstBlock - 1n < plan.head ? plan.firstBlock - 1n : plan.head;
  if (unlearned.length === 0 || learnBlocks <= 0n || to < 0n) return undefined;
  const from = to - learnBlocks + 1n > 0n ? to - learnBlocks + 1n : 0n;
  log(`Learning baselines from blocks ${from}–${to} (${to - from + 1n} blocks)…`);
  // The engine learns every contract from a block; those with a profile saw these blocks already.
  const kept = engine
    .profiles()
    .filter((profile) => profile.blocks > 0)
    .map((profile) => structuredClone(profile));
  let count = 0;
  for await (const block of sync.backfill(from, to, { signal: parameters.signal })) {
    engine.learn(block);
    if (++count % 500 === 0) log(`  learned ${count} blocks`);
  }
  for (const profile of kept) Object.assign(engine.profile(profile.address), profile);
  return { from, to };
}

/**
 * After a restart, the blocks that bring the engine to where it stood at the cursor: profiles are
 * saved every few blocks, so those between the oldest saved profile and the cursor (evaluated and
 * recorded already) go through the engine again, their results dropped (`replay`).
 */
export function warmUpRange(
  engine: Engine,
  cursor: bigint | undefined,
  maxBlocks: bigint,
): { from: bigint; to: bigint } | undefined {
  const learned = engine.profiles().filter((profile) => profile.blocks > 0);
  if (cursor === undefined || learned.length === 0) return undefined;
  const saved = learned.reduce((lowest, profile) => {
    const at = BigInt(profile.toBlock);
    return at < lowest ? at : lowest;
  }, cursor);
  if (saved >= cursor) return undefined;
  return { from: cursor - saved > maxBlocks ? cursor - maxBlocks + 1n : saved + 1n, to: cursor };
}

/** Passes blocks through the engine without acting on what it finds (see `warmUpRange`). */
export async function replay(
  sync: ChainSync,
  engine: Engine,
  range: { from: bigint; to: bigint },
  signal?: AbortSignal | undefined,
): Promise<void> {
  for await (const block of sync.backfill(range.from, range.to, { signal })) engine.process(block);
}

const erc20 = parseAbi([
  'function balanceOf(address) view returns (uint256)',
  'function totalSupply() view returns (uint256)',
]);

/** Balances of the watched assets (and a token's supply) as of `block`, handed to the engine. */
export async function readBalances(
  sync: ChainSync,
  engine: Engine,
  contracts: readonly { address: string; assets: readonly string[] }[],
  block: bigint,
): Promise<void> {
  const tag = `0x${block.toString(16)}`;
  for (const contract of contracts) {
    for (const asset of contract.assets) {
      const balance =
        asset === 'native'
          ? await sync.pool.request<Hex>('eth_getBalance', [contract.address, tag])
          : await sync.pool.request<Hex>('eth_call', [
              {
                to: asset,
                data: encodeFunctionData({
                  abi: erc20,
                  functionName: 'balanceOf',
                  args: [contract.address as Address],
                }),
              },
              tag,
            ]);
      engine.setBalance(contract.address, asset, BigInt(balance));
    }
    const profile = engine.profile(contract.address);
    if (profile.supply === undefined && contract.assets.length === 0) {
      // A token watched for mints: its supply, when it answers totalSupply().
      try {
        const supply = await sync.pool.request<Hex>('eth_call', [
          { to: contract.address, data: encodeFunctionData({ abi: erc20, functionName: 'totalSupply' }) },
          tag,
        ]);
        if (supply.length === 66) engine.setSupply(contract.address, BigInt(supply));
      } catch {
        // Not a token.
      }
    }
  }
}
