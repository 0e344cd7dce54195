import type { Address, Hex } from 'viem';
import type { CompetitorFees } from './fees.ts';

/**
 * The pending transactions a pause must be mined before, kept warm in the background so the hot
 * path only reads memory. Source: the node's `txpool_content` (geth, anvil, reth, Erigon); where
 * that method is missing, the latest block's highest-paying transaction stands in for the market.
 */
export type CompetitorWatch = {
  /** One read of the txpool (or, without it, of the latest block). A failure keeps the last set. */
  refresh(): Promise<void>;
  /**
   * The competitors of a pause of `contract`: pending transactions to it, every pending one of
   * their senders (an attacker's next steps often go to its own contract), and those to or from
   * the trigger's sender and target; plus the trigger's own fees.
   */
  competitors(contract: Address, trigger?: readonly Competitor[]): Competitor[];
  /**
   * A pending transaction seen in the monitor's stream (the sync's pending events) that reaches
   * `touches` (directly or through other contracts): a competitor of their pauses at once, without
   * waiting for the next txpool read. Kept until `newBlock`.
   */
  add(tx: Competitor, touches: readonly string[]): void;
  /** A new block: the streamed competitors were mined or are in the txpool now. */
  newBlock(): void;
  /** Where the last refresh read from; `none` before the first or when both sources failed. */
  readonly source: 'txpool' | 'latest-block' | 'none';
};

/** A competitor with what it is known by: its addresses tie an attacker's other transactions to it. */
export type Competitor = CompetitorFees & { from?: string | undefined; to?: string | null | undefined };

type RpcTransaction = {
  hash?: Hex;
  from?: Address;
  to?: Address | null;
  gasPrice?: Hex;
  maxFeePerGas?: Hex;
  maxPriorityFeePerGas?: Hex;
  type?: Hex;
};

export type CreateCompetitorWatchParameters = {
  request: (method: string, params: unknown[]) => Promise<unknown>;
  /** Our own senders (the guardian): a pause never competes with itself. */
  exclude: readonly Address[];
  /** Tells whether a failed request means the node lacks the method, as opposed to being down. */
  isMethodMissing: (error: unknown) => boolean;
};

/** Streamed competitors kept at most between two blocks. */
const maxStreamed = 10_000;

export function createCompetitorWatch(parameters: CreateCompetitorWatchParameters): CompetitorWatch {
  const exclude = new Set(parameters.exclude.map((address) => address.toLowerCase()));
  let pending: Competitor[] = [];
  /** Competitors from the stream, with the watched contracts each reaches. */
  const streamed = new Map<string, { tx: Competitor; touches: Set<string> }>();
  let source: CompetitorWatch['source'] = 'none';
  let txpoolMissing = false;

  async function readTxpool(): Promise<Competitor[]> {
    const content = (await parameters.request('txpool_content', [])) as {
      pending?: Record<string, Record<string, RpcTransaction>>;
    } | null;
    return Object.values(content?.pending ?? {}).flatMap((byNonce) => Object.values(byNonce).map(competitorOf));
  }

  async function readLatestBlock(): Promise<Competitor[]> {
    const block = (await parameters.request('eth_getBlockByNumber', ['latest', true])) as {
      baseFeePerGas?: Hex;
      transactions?: RpcTransaction[];
    } | null;
    const baseFee = BigInt(block?.baseFeePerGas ?? '0x0');
    let top: Competitor | undefined;
    let topTip = -1n;
    for (const tx of block?.transactions ?? []) {
      const competitor = competitorOf(tx);
      const maxFee = competitor.maxFeePerGas ?? competitor.gasPrice ?? 0n;
      const tip = competitor.maxPriorityFeePerGas ?? competitor.gasPrice ?? 0n;
      const effective = maxFee - baseFee < tip ? maxFee - baseFee : tip;
      if (effective > topTip && !exclude.has(competitor.from ?? '')) {
        topTip = effective;
        top = competitor;
      }
    }
    // Stands in for every pending transaction: addresses dropped so it applies to any contract.
    return top
      ? [
          {
            hash: top.hash,
            maxFeePerGas: top.maxFeePerGas,
            maxPriorityFeePerGas: top.maxPriorityFeePerGas,
            gasPrice: top.gasPrice,
            to: '*',
          },
        ]
      : [];
  }

  return {
    get source() {
      return source;
    },
    async refresh() {
      if (!txpoolMissing) {
        try {
          pending = (await readTxpool()).filter((tx) => !exclude.has(tx.from ?? ''));
          source = 'txpool';
          return;
        } catch (error) {
          if (!parameters.isMethodMissing(error)) return;
          txpoolMissing = true;
        }
      }
      try {
        pending = await readLatestBlock();
        source = 'latest-block';
      } catch {
        // The node failed: the last set stays until the next refresh.
      }
    },
    add(tx, touches) {
      if (exclude.has(tx.from?.toLowerCase() ?? '')) return;
      const key = tx.hash ?? `${tx.from}:${streamed.size}`;
      streamed.delete(key);
      streamed.set(key, { tx, touches: new Set(touches.map((address) => address.toLowerCase())) });
      // Without blocks to clear it (no warm loop), the oldest go first.
      if (streamed.size > maxStreamed) streamed.delete(streamed.keys().next().value as string);
    },
    newBlock() {
      streamed.clear();
    },
    competitors(contract, trigger = []) {
      const target = contract.toLowerCase();
      // What the stream saw reach the contract counts as sent to it.
      trigger = [
        ...trigger,
        ...[...streamed.values()].filter((entry) => entry.touches.has(target)).map((entry) => entry.tx),
      ];
      const senders = new Set<string>();
      const suspects = new Set<string>([target]);
      for (const tx of trigger) {
        if (tx.from) senders.add(tx.from.toLowerCase());
        if (tx.to) suspects.add(tx.to.toLowerCase());
      }
      for (const tx of pending) if (tx.to?.toLowerCase() === target && tx.from) senders.add(tx.from.toLowerCase());
      const chosen = pending.filter(
        (tx) =>
          tx.to === '*' ||
          (tx.to != null && suspects.has(tx.to.toLowerCase())) ||
          (tx.from !== undefined && senders.has(tx.from.toLowerCase())),
      );
      const hashes = new Set(chosen.map((tx) => tx.hash));
      return [...chosen, ...trigger.filter((tx) => tx.hash === undefined || !hashes.has(tx.hash))];
    },
  };
}

function competitorOf(tx: RpcTransaction): Competitor {
  const big = (value: Hex | undefined) => (value === undefined || value === null ? undefined : BigInt(value));
  const legacy = tx.maxFeePerGas === undefined || tx.maxFeePerGas === null;
  return {
    hash: tx.hash,
    from: tx.from?.toLowerCase(),
    to: tx.to?.toLowerCase() ?? null,
    gasPrice: legacy ? big(tx.gasPrice) : undefined,
    maxFeePerGas: legacy ? undefined : big(tx.maxFeePerGas),
    maxPriorityFeePerGas: legacy ? undefined : big(tx.maxPriorityFeePerGas),
  };
}
