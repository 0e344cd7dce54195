/**
 * The peer the monitor is measured against: the script anyone can write in an afternoon. It
 * watches each contract's holdings of each asset block by block and pauses a contract when more
 * than 5% of what it held of one asset at the previous block left in one block, sending the pause as soon as it sees the block
 * (with the node's suggested fee; it does not race).
 */

export const naiveThresholdBps = 500n;

/** Whether the naive script pauses: the holdings fell by more than the threshold in one block. */
export function naiveWouldPause(before: bigint, after: bigint, thresholdBps = naiveThresholdBps): boolean {
  if (before <= 0n || after >= before) return false;
  return (before - after) * 10_000n > before * thresholdBps;
}

/**
 * Per contract and asset, the last holdings seen; `observe` says which contracts the script pauses
 * now: those where any one asset fell by more than the threshold since the previous block.
 */
export function createNaiveWatch(thresholdBps = naiveThresholdBps) {
  const last = new Map<string, bigint>();
  return {
    /** Feeds one block's holdings (contract → asset → amount); returns the contracts to pause. */
    observe(holdings: ReadonlyMap<string, ReadonlyMap<string, bigint>>): string[] {
      const pause = new Set<string>();
      for (const [contract, assets] of holdings) {
        for (const [asset, now] of assets) {
          const key = `${contract}|${asset}`;
          const before = last.get(key);
          if (before !== undefined && naiveWouldPause(before, now, thresholdBps)) pause.add(contract);
          last.set(key, now);
        }
      }
      return [...pause];
    },
  };
}
