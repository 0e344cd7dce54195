import { ensureChain } from './chains.ts';
import { ConflictError, NotFoundError } from './errors.ts';
import { chainKey, checkBlockNumber, normalizeHex } from './normalize.ts';
import { isUniqueViolation } from './sqlErrors.ts';
import { type StoreClient, withTransaction } from './store.ts';

export type Checkpoint = {
  chainId: number;
  blockNumber: bigint;
  blockHash: string;
  updatedAt: Date;
};

export type SeenBlock = {
  number: bigint;
  hash: string;
  parentHash: string;
};

/** How many blocks below the checkpoint `blocks_seen` keeps by default: deeper than any reorg we expect. */
export const defaultKeepBlocks = 256;

/** The last block fully processed on a chain, or undefined before the first. */
export async function getCheckpoint(store: StoreClient, chainId: number): Promise<Checkpoint | undefined> {
  const row = await store.db
    .selectFrom('sync_checkpoints')
    .selectAll()
    .where('chain_id', '=', chainKey(chainId))
    .executeTakeFirst();
  return row && { chainId, blockNumber: row.block_number, blockHash: row.block_hash, updatedAt: row.updated_at };
}

export type SetCheckpointParameters = {
  chainId: number;
  blockNumber: bigint;
  blockHash: string;
  /**
   * Blocks processed since the last checkpoint, recorded in the same transaction for reorg
   * detection; a block at a height already seen replaces it (the chain reorganised).
   */
  blocks?: readonly SeenBlock[] | undefined;
  /**
   * Move only if the stored checkpoint is still this one (`null`: none yet), else ConflictError.
   * Two syncers on one chain then cannot overwrite each other's progress.
   */
  expected?: { blockNumber: bigint; blockHash: string } | null | undefined;
  /** Blocks below the checkpoint to keep in `blocks_seen`; older ones are pruned. */
  keepBlocks?: number | undefined;
};

/**
 * Moves a chain's checkpoint, records the blocks seen and prunes old ones, all in one transaction:
 * after a crash the checkpoint and the reorg window agree.
 */
export async function setCheckpoint(store: StoreClient, parameters: SetCheckpointParameters): Promise<Checkpoint> {
  const chainId = chainKey(parameters.chainId);
  const id = parameters.chainId;
  const blockNumber = checkBlockNumber(parameters.blockNumber);
  const blockHash = normalizeHex(parameters.blockHash, 'block hash');
  const keep = BigInt(parameters.keepBlocks ?? defaultKeepBlocks);
  try {
    return await withTransaction(store, async (tx) => {
      await ensureChain(tx, id);
      if (parameters.expected !== undefined) {
        const current = await tx.db
          .selectFrom('sync_checkpoints')
          .select(['block_number', 'block_hash'])
          .where('chain_id', '=', chainId)
          .forUpdate()
          .executeTakeFirst();
        const expected = parameters.expected;
        const matches =
          expected === null
            ? current === undefined
            : current !== undefined &&
              current.block_number === expected.blockNumber &&
              current.block_hash === expected.blockHash.toLowerCase();
        if (!matches) throw checkpointConflict(id, current);
      }
      for (const block of parameters.blocks ?? []) {
        await tx.db
          .insertInto('blocks_seen')
          .values({
            chain_id: chainId,
            block_number: checkBlockNumber(block.number),
            block_hash: normalizeHex(block.hash, 'block hash'),
            parent_hash: normalizeHex(block.parentHash, 'parent hash'),
          })
          .onConflict((oc) =>
            oc.columns(['chain_id', 'block_number']).doUpdateSet((eb) => ({
              block_hash: eb.ref('excluded.block_hash'),
              parent_hash: eb.ref('excluded.parent_hash'),
              seen_at: eb.ref('excluded.seen_at'),
            })),
          )
          .execute();
      }
      const values = { chain_id: chainId, block_number: blockNumber, block_hash: blockHash, updated_at: new Date() };
      const insert = tx.db.insertInto('sync_checkpoints').values(values);
      // With `expected: null` a plain insert: of two racing first checkpoints, the second fails.
      const row = await (parameters.expected === null
        ? insert
        : insert.onConflict((oc) =>
            oc.column('chain_id').doUpdateSet((eb) => ({
              block_number: eb.ref('excluded.block_number'),
              block_hash: eb.ref('excluded.block_hash'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
      )
        .returningAll()
        .executeTakeFirstOrThrow();
      await tx.db
        .deleteFrom('blocks_seen')
        .where('chain_id', '=', chainId)
        .where('block_number', '<', blockNumber - keep)
        .execute();
      return { chainId: id, blockNumber: row.block_number, blockHash: row.block_hash, updatedAt: row.updated_at };
    });
  } catch (error) {
    // Two first checkpoints racing: the loser's insert hits the primary key.
    if (parameters.expected === null && isUniqueViolation(error)) throw checkpointConflict(id, 'written');
    throw error;
  }
}

function checkpointConflict(chainId: number, current: { block_number: bigint } | undefined | 'written'): ConflictError {
  const now =
    current === 'written'
      ? 'another writer set it first'
      : current
        ? `it is now at block ${current.block_number}`
        : 'it is not set';
  return new ConflictError(`The checkpoint of chain ${chainId} is not the one expected (${now}).`, {
    metaMessages: ['Another syncer is writing this chain; run one syncer per chain, or re-read and retry.'],
    retryable: true,
    docsPath: 'store.md#checkpoints',
  });
}

/** Blocks recorded for a chain, lowest first, optionally within [from, to]. */
export async function getSeenBlocks(
  store: StoreClient,
  parameters: { chainId: number; from?: bigint | undefined; to?: bigint | undefined },
): Promise<SeenBlock[]> {
  let query = store.db
    .selectFrom('blocks_seen')
    .select(['block_number', 'block_hash', 'parent_hash'])
    .where('chain_id', '=', chainKey(parameters.chainId));
  if (parameters.from !== undefined) query = query.where('block_number', '>=', parameters.from);
  if (parameters.to !== undefined) query = query.where('block_number', '<=', parameters.to);
  const rows = await query.orderBy('block_number').execute();
  return rows.map((row) => ({ number: row.block_number, hash: row.block_hash, parentHash: row.parent_hash }));
}

/**
 * After a reorg: moves the checkpoint back to a block still on the canonical chain (one in
 * `blocks_seen`) and forgets the blocks above it, in one transaction.
 */
export async function rewindCheckpoint(
  store: StoreClient,
  parameters: { chainId: number; toBlockNumber: bigint },
): Promise<Checkpoint> {
  const chainId = chainKey(parameters.chainId);
  return withTransaction(store, async (tx) => {
    const target = await tx.db
      .selectFrom('blocks_seen')
      .select(['block_number', 'block_hash'])
      .where('chain_id', '=', chainId)
      .where('block_number', '=', parameters.toBlockNumber)
      .executeTakeFirst();
    if (!target)
      throw new NotFoundError(`Block ${parameters.toBlockNumber} of chain ${chainId} is not in the reorg window.`, {
        metaMessages: ['The reorg is deeper than the blocks kept; resync from an older block with setCheckpoint.'],
        docsPath: 'store.md#checkpoints',
      });
    await tx.db
      .deleteFrom('blocks_seen')
      .where('chain_id', '=', chainId)
      .where('block_number', '>', parameters.toBlockNumber)
      .execute();
    const row = await tx.db
      .updateTable('sync_checkpoints')
      .set({ block_number: target.block_number, block_hash: target.block_hash, updated_at: new Date() })
      .where('chain_id', '=', chainId)
      .returningAll()
      .executeTakeFirst();
    if (!row)
      throw new NotFoundError(`Chain ${chainId} has no checkpoint to rewind.`, { docsPath: 'store.md#checkpoints' });
    return {
      chainId: parameters.chainId,
      blockNumber: row.block_number,
      blockHash: row.block_hash,
      updatedAt: row.updated_at,
    };
  });
}
