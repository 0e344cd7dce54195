import type { Checkpoint, CheckpointStore } from '@bulwark/chain';
import { getCheckpoint, getSeenBlocks, type SeenBlock, type StoreClient, setCheckpoint } from '@bulwark/store';
import type { Hex } from 'viem';

/**
 * The chain sync's checkpoints kept in the store: the checkpoint row, and the blocks below it in
 * `blocks_seen`, which give back the ancestors that locate a reorg during downtime. With
 * `readOnly` the sync only reads it: the monitor moves it (its cursor) itself, in the transaction
 * that records a block's alerts, so the two cannot disagree after a crash.
 */
export function createStoreCheckpoints(
  store: StoreClient,
  options: { depth?: number; readOnly?: boolean } = {},
): CheckpointStore {
  const depth = BigInt(options.depth ?? 32);
  return {
    async get(chainId) {
      const checkpoint = await getCheckpoint(store, chainId);
      if (!checkpoint) return undefined;
      const seen = await getSeenBlocks(store, {
        chainId,
        from: checkpoint.blockNumber - depth,
        to: checkpoint.blockNumber - 1n,
      });
      // Ancestors must be consecutive down from the checkpoint; stop at the first hole.
      const ancestors: Hex[] = [];
      for (let number = checkpoint.blockNumber - 1n; ; number--) {
        const block = seen.find((candidate) => candidate.number === number);
        if (!block) break;
        ancestors.push(block.hash as Hex);
      }
      return { number: checkpoint.blockNumber, hash: checkpoint.blockHash as Hex, ancestors };
    },
    async set(chainId, checkpoint: Checkpoint) {
      if (options.readOnly) return;
      // Blocks below were recorded when they were the checkpoint; the new tip is enough.
      const parent = checkpoint.ancestors?.[0];
      const blocks: SeenBlock[] = parent
        ? [{ number: checkpoint.number, hash: checkpoint.hash, parentHash: parent }]
        : [];
      await setCheckpoint(store, { chainId, blockNumber: checkpoint.number, blockHash: checkpoint.hash, blocks });
    },
  };
}
