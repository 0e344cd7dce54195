/**
 * The peer the monitor is measured against: the script anyone can write in an afternoon. It
 * watches each contract's holdings block by block and pauses a contract when more than 5% of what
 * it held at the previous block left in one block, sending the pause as soon as it sees the block
 * (with the node's suggested fee; it does not race).
 */

export const naiveThresholdBps = 500n;

/** Whether the naive script pauses: the holdings fell by more than the threshold in one block. */
export function naiveWouldPause(before: bigint, after: bigint, thresholdBps = naiveThresholdBps): boolean {
  if (before <= 0n || after >= before) return false;
  return (before - after) * 10_000n > before * thresholdBps;
}

/** Per contract, the last holdings seen; `observe` says which contracts the script pauses now. */
export function createNaiveWatch(thresholdBps = naiveThresholdBps) {
  const last = new Map<string, bigint>();
  return {
    /** Feeds one block's holdings (by contract, summed over its assets); returns the contracts to pause. */
    observe(holdings: ReadonlyMap<string, bigint>): string[] {
      const pause: string[] = [];
      for (const [contract, now] of holdings) {
        const before = last.get(contract);
        if (before !== undefined && naiveWouldPause(before, now, thresholdBps)) pause.push(contract);
        last.set(contract, now);
      }
      return pause;
    },
  };
}
