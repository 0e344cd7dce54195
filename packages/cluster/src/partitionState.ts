import { jsonText } from '@bulwark/core';
import type { CompositeMemory, Engine } from '@bulwark/monitor';
import { getBaseline, listDoneClaims, type StoreClient, upsertBaseline } from '@bulwark/store';

/*
 * What a detect partition keeps beside its contracts' profiles, saved in the same transaction so a
 * worker taking the partition over continues where the last one stopped: each contract's
 * composite signals of the last `windowBlocks`, and the pauses respond sent that the engine has
 * heard of (the single process resets a contract's score when it pauses it; here respond is
 * another process, so detect reads its finished pause claims after judging each block).
 */

/** The baseline row a contract's short-term composite signals are kept in. */
export const compositeMetric = { metricKey: 'composite-memory', window: 'recent' } as const;

type Saved = { signals: CompositeMemory; pausesHeard: string[] };

/**
 * Pauses are looked for among those finished in the last day (a pause is heard at the partition's
 * next block, seconds later; older ones no longer matter to a window of blocks), and the keys
 * heard are kept per contract, the newest 64 (more pauses of one contract in a day are not real).
 */
const pausesHeardForMs = 24 * 60 * 60_000;
const pausesKept = 64;

export type PartitionMemory = {
  /** Puts each contract's saved signals back into the engine, and the pauses it had heard of. */
  load(store: StoreClient, engine: Engine): Promise<void>;
  /**
   * Resets the score of each contract respond paused since (a finished pause claim not heard of
   * before); returns the contracts reset.
   */
  hearPauses(store: StoreClient, engine: Engine): Promise<string[]>;
  /** Saves each contract's signals and the pauses heard of where they changed (call inside the partition's transaction; a failed one is followed by `load`). */
  save(tx: StoreClient, engine: Engine): Promise<void>;
};

export function createPartitionMemory(chainId: number, contracts: readonly string[]): PartitionMemory {
  const addresses = contracts.map((address) => address.toLowerCase());
  const heard = new Map<string, string[]>(addresses.map((address) => [address, []]));
  /** Each contract's row as last saved or loaded: a row the block did not change is not written again. */
  const written = new Map<string, string>();
  return {
    async load(store, engine) {
      for (const address of addresses) {
        const saved = await getBaseline<Saved>(store, { chainId, address, ...compositeMetric });
        engine.restoreCompositeMemory(address, saved?.stats.signals ?? []);
        heard.set(address, saved?.stats.pausesHeard ?? []);
        if (saved) written.set(address, jsonText(saved.stats));
        else written.delete(address);
      }
    },
    async hearPauses(store, engine) {
      const reset: string[] = [];
      const since = new Date(Date.now() - pausesHeardForMs);
      for (const claim of await listDoneClaims(store, { prefix: `pause:${chainId}:`, since })) {
        // `pause:<chain>:<contract>:<first block>`; a suggestion paused nothing.
        const address = claim.key.split(':')[2]?.toLowerCase();
        const keys = address === undefined ? undefined : heard.get(address);
        if (!keys || keys.includes(claim.key) || claim.outcome === 'suggested') continue;
        keys.push(claim.key);
        if (keys.length > pausesKept) keys.splice(0, keys.length - pausesKept);
        engine.reset(address!);
        reset.push(address!);
      }
      return reset;
    },
    async save(tx, engine) {
      for (const address of addresses) {
        const stats: Saved = { signals: engine.compositeMemory(address), pausesHeard: heard.get(address) ?? [] };
        const row = jsonText(stats);
        if (written.get(address) === row) continue;
        await upsertBaseline<Saved>(tx, { chainId, address, ...compositeMetric, stats });
        written.set(address, row);
      }
    },
  };
}
