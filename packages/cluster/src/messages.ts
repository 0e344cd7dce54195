import { createHash } from 'node:crypto';
import type { Block, BlockRef } from '@bulwark/chain';
import type { Alert, CompositeVerdict, PauseCompetitor } from '@bulwark/monitor';

/*
 * What travels on the streams. Ingest → detect: a chain's blocks (normalised, with receipts and
 * traces) and reorgs, in order. Detect → respond: each partition's decision on each block.
 * `tip` is where the block stream stands after the message: a new ingest leader resumes after it.
 */

export type BlockMessage =
  | { kind: 'block'; block: Block; tip: BlockRef }
  | { kind: 'reorg'; commonAncestor: BlockRef; from: bigint; dropped: BlockRef[]; tip: BlockRef };

export type DecisionBlock = { number: bigint; hash: `0x${string}`; parentHash: `0x${string}`; timestamp: bigint };

export type DecisionMessage =
  | {
      kind: 'decision';
      chainId: number;
      partition: number;
      block: DecisionBlock;
      /** One per signal; ids derived from the block and partition, so a re-judged block repeats them. */
      alerts: Alert[];
      verdicts: CompositeVerdict[];
      txHash: string | undefined;
      competitors: PauseCompetitor[];
      /** When ingest learned of the block (epoch ms), for latency across processes. */
      seenAt: number | undefined;
    }
  | {
      kind: 'reorg';
      chainId: number;
      partition: number;
      commonAncestor: BlockRef;
      from: bigint;
      /** The blocks no longer canonical: only their alerts are retracted (other partitions may have judged their replacements already). */
      dropped: BlockRef[];
    };

/** The stream message id of a block: its hash (JetStream drops a second one within the duplicate window). */
export const blockMessageId = (chainId: number, message: BlockMessage) =>
  message.kind === 'block'
    ? `${chainId}:${message.block.hash}`
    : `${chainId}:reorg:${message.commonAncestor.hash}:${message.from}:${message.tip.hash}`;

export const decisionMessageId = (message: DecisionMessage) =>
  message.kind === 'decision'
    ? `${message.chainId}:${message.block.hash}:${message.partition}`
    : `${message.chainId}:reorg:${message.commonAncestor.hash}:${message.from}:${message.partition}`;

/** The partition judging a contract: hash(address) mod `partitions`, the same in every process. */
export function partitionOf(address: string, partitions: number): number {
  return createHash('sha256').update(address.toLowerCase()).digest().readUInt32BE(0) % partitions;
}

/** A stable id (UUID-shaped) for what a block's decision derives: the same block judged again gives the same ids. */
export function stableId(...parts: readonly (string | number | bigint)[]): string {
  const hex = createHash('sha256').update(parts.join('|')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
