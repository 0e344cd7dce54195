import { sql } from 'kysely';
import { chainKey, checkBlockNumber, normalizeHex } from './normalize.ts';
import type { StoreClient } from './store.ts';

/*
 * Shared state of the monitor's cluster roles (`@bulwark/cluster`): where each detect partition
 * stands in the block stream, and the respond role's idempotency claims.
 */

export type ClusterPartition = {
  chainId: number;
  partition: number;
  /** The JetStream sequence of the last block message this partition judged and published. */
  streamSeq: bigint;
  blockNumber: bigint;
  blockHash: string;
  updatedAt: Date;
};

export async function getClusterPartition(
  store: StoreClient,
  parameters: { chainId: number; partition: number },
): Promise<ClusterPartition | undefined> {
  const row = await store.db
    .selectFrom('cluster_partitions')
    .selectAll()
    .where('chain_id', '=', chainKey(parameters.chainId))
    .where('partition', '=', parameters.partition)
    .executeTakeFirst();
  return (
    row && {
      chainId: parameters.chainId,
      partition: row.partition,
      streamSeq: row.stream_seq,
      blockNumber: row.block_number,
      blockHash: row.block_hash,
      updatedAt: row.updated_at,
    }
  );
}

export async function listClusterPartitions(store: StoreClient, chainId?: number): Promise<ClusterPartition[]> {
  let query = store.db.selectFrom('cluster_partitions').selectAll();
  if (chainId !== undefined) query = query.where('chain_id', '=', chainKey(chainId));
  const rows = await query.orderBy('chain_id').orderBy('partition').execute();
  return rows.map((row) => ({
    chainId: Number(row.chain_id),
    partition: row.partition,
    streamSeq: row.stream_seq,
    blockNumber: row.block_number,
    blockHash: row.block_hash,
    updatedAt: row.updated_at,
  }));
}

/** Moves a partition to a block message (call it in the transaction that saves the partition's baselines). */
export async function setClusterPartition(
  store: StoreClient,
  parameters: { chainId: number; partition: number; streamSeq: bigint; blockNumber: bigint; blockHash: string },
): Promise<void> {
  const values = {
    chain_id: chainKey(parameters.chainId),
    partition: parameters.partition,
    stream_seq: parameters.streamSeq,
    block_number: checkBlockNumber(parameters.blockNumber),
    block_hash: normalizeHex(parameters.blockHash, 'block hash'),
    updated_at: new Date(),
  };
  await store.db
    .insertInto('cluster_partitions')
    .values(values)
    .onConflict((conflict) =>
      conflict.columns(['chain_id', 'partition']).doUpdateSet({
        stream_seq: values.stream_seq,
        block_number: values.block_number,
        block_hash: values.block_hash,
        updated_at: values.updated_at,
      }),
    )
    .execute();
}

export type ClaimResult =
  /** Ours now: do the work, then `finishClaim`. */
  | { claimed: true }
  /** Done already (`outcome` says how), or held by another owner that is still within `staleAfterMs`. */
  | { claimed: false; owner: string; done: boolean; outcome: string | null };

/**
 * Claims an idempotency key: a new key is ours; a key whose owner did not finish within
 * `staleAfterMs` (it died mid-work) is taken over; a finished one is never claimed again.
 */
export async function claimKey(
  store: StoreClient,
  parameters: { key: string; owner: string; staleAfterMs: number },
): Promise<ClaimResult> {
  const inserted = await store.db
    .insertInto('cluster_claims')
    .values({ key: parameters.key, owner: parameters.owner })
    .onConflict((conflict) => conflict.column('key').doNothing())
    .returning('key')
    .executeTakeFirst();
  if (inserted) return { claimed: true };
  const staleBefore = new Date(Date.now() - parameters.staleAfterMs);
  const taken = await store.db
    .updateTable('cluster_claims')
    .set({ owner: parameters.owner, claimed_at: sql`now()` })
    .where('key', '=', parameters.key)
    .where('done_at', 'is', null)
    .where((eb) => eb.or([eb('owner', '=', parameters.owner), eb('claimed_at', '<', staleBefore)]))
    .returning('key')
    .executeTakeFirst();
  if (taken) return { claimed: true };
  const row = await store.db
    .selectFrom('cluster_claims')
    .selectAll()
    .where('key', '=', parameters.key)
    .executeTakeFirstOrThrow();
  return { claimed: false, owner: row.owner, done: row.done_at !== null, outcome: row.outcome };
}

/** Marks a claimed key done: it is never claimed again. */
export async function finishClaim(
  store: StoreClient,
  parameters: { key: string; owner: string; outcome: string },
): Promise<void> {
  await store.db
    .updateTable('cluster_claims')
    .set({ done_at: new Date(), outcome: parameters.outcome })
    .where('key', '=', parameters.key)
    .where('owner', '=', parameters.owner)
    .execute();
}

/** Claims whose key starts with `prefix` and that were not finished: the owner is at work, failed or died. */
export async function listUnfinishedClaims(
  store: StoreClient,
  parameters: { prefix: string },
): Promise<{ key: string; owner: string; claimedAt: Date }[]> {
  const rows = await store.db
    .selectFrom('cluster_claims')
    .select(['key', 'owner', 'claimed_at'])
    .where('key', 'like', `${parameters.prefix.replace(/[\\%_]/g, '\\$&')}%`)
    .where('done_at', 'is', null)
    .orderBy('claimed_at')
    .execute();
  return rows.map((row) => ({ key: row.key, owner: row.owner, claimedAt: row.claimed_at }));
}

/** Whether a key was claimed and finished. */
export async function isClaimDone(store: StoreClient, key: string): Promise<boolean> {
  const row = await store.db.selectFrom('cluster_claims').select('done_at').where('key', '=', key).executeTakeFirst();
  return row?.done_at != null;
}

/** Claims finished since `since` whose key starts with `prefix` (every pause of a chain: `pause:<chain>:`), oldest first. */
export async function listDoneClaims(
  store: StoreClient,
  parameters: { prefix: string; since: Date },
): Promise<{ key: string; outcome: string | null; doneAt: Date }[]> {
  const rows = await store.db
    .selectFrom('cluster_claims')
    .select(['key', 'outcome', 'done_at'])
    .where('key', 'like', `${parameters.prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
    .where('done_at', '>=', parameters.since)
    .orderBy('done_at')
    .execute();
  return rows.map((row) => ({ key: row.key, outcome: row.outcome, doneAt: row.done_at! }));
}
