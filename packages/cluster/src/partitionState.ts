import type { Block } from '@bulwark/chain';
import { jsonText } from '@bulwark/core';
import { type CompositeMemory, type Engine, type EngineSharedState, unpausedIn } from '@bulwark/monitor';
import { type BaselineKey, getBaseline, listDoneClaims, type StoreClient, upsertBaseline } from '@bulwark/store';
import { createLiveStateRows } from './partitionLive.ts';

/*
 * What a detect partition keeps beside its contracts' profiles, saved in the same transaction so a
 * worker taking the partition over continues where the last one stopped, with the same verdicts
 * block by block: each contract's composite signals of the last `windowBlocks`, the pauses respond
 * sent that the engine has heard of (the single process resets a contract's score when it pauses
 * it; here respond is another process, so detect reads its finished pause claims after judging
 * each block), and what else the engine holds only in memory (`Engine.liveState`, see
 * `partitionLive.ts`): each
 * contract's live windows, the windows of what it learned, its transactions waiting to be learned
 * (`learningDelayBlocks`), its paused flag and last price; and, once per partition, the accounts
 * flagged lately (they hold back waiting transactions) and the contracts created lately.
 */

/** The baseline row a contract's short-term composite signals are kept in. */
export const compositeMetric = { metricKey: 'composite-memory', window: 'recent' } as const;
const zeroAddress = '0x0000000000000000000000000000000000000000';

/** `holding`: a pause was heard and no `Unpaused` log of the contract came since. */
type Saved = { signals: CompositeMemory; pausesHeard: string[]; holding?: boolean | undefined };

/**
 * Pauses are looked for among those finished in the last day (a pause is heard at the partition's
 * next block, seconds later; older ones no longer matter to a window of blocks), and the keys
 * heard are kept per contract, the newest 64 (more pauses of one contract in a day are not real).
 */
const pausesHeardForMs = 24 * 60 * 60_000;
const pausesKept = 64;

export type PartitionMemory = {
  /** Puts each contract's saved signals and live state back into the engine, the partition's shared state, and the pauses it had heard of. */
  load(store: StoreClient, engine: Engine): Promise<void>;
  /**
   * Resets the score of each contract respond paused since (a finished pause claim not heard of
   * before); returns the contracts reset.
   */
  hearPauses(store: StoreClient, engine: Engine): Promise<string[]>;
  /**
   * Before judging `block`: each contract a pause was heard of that emitted `Unpaused` in it (its
   * admin lifted the pause) starts its score again, as the single process does; returns them.
   */
  hearUnpauses(block: Pick<Block, 'logs'>, engine: Engine): string[];
  /** Saves each contract's signals, live state and the pauses heard of, and the partition's shared state, where they changed (call inside the partition's transaction; a failed one is followed by `load`). */
  save(tx: StoreClient, engine: Engine): Promise<void>;
};

export function createPartitionMemory(
  chainId: number,
  partition: number,
  contracts: readonly string[],
): PartitionMemory {
  const addresses = contracts.map((address) => address.toLowerCase());
  const heard = new Map<string, string[]>(addresses.map((address) => [address, []]));
  const live = createLiveStateRows(chainId);
  /** Contracts whose pause was heard and not yet lifted (`hearUnpauses`). */
  const holding = new Set<string>();
  const sharedKey = { chainId, address: zeroAddress, metricKey: 'engine-shared', window: `partition-${partition}` };
  /** Each row as last saved or loaded (by metric and address): a row the block did not change is not written again. */
  const written = new Map<string, string>();
  /** Writes a row unless it is as last saved or loaded. */
  const saveRow = async <T>(tx: StoreClient, key: BaselineKey, stats: T) => {
    const row = jsonText(stats);
    const id = `${key.metricKey}:${key.address}`;
    if (written.get(id) === row) return;
    await upsertBaseline<T>(tx, { ...key, stats });
    written.set(id, row);
  };
  /** Reads a row and notes it as written; `undefined` when never saved. */
  const loadRow = async <T>(store: StoreClient, key: BaselineKey): Promise<T | undefined> => {
    const saved = await getBaseline<T>(store, key);
    const id = `${key.metricKey}:${key.address}`;
    if (saved) written.set(id, jsonText(saved.stats));
    else written.delete(id);
    return saved?.stats;
  };
  return {
    async load(store, engine) {
      for (const address of addresses) {
        const saved = await loadRow<Saved>(store, { chainId, address, ...compositeMetric });
        engine.restoreCompositeMemory(address, saved?.signals ?? []);
        heard.set(address, saved?.pausesHeard ?? []);
        if (saved?.holding) holding.add(address);
        else holding.delete(address);
        // Never saved: the partition was never judged, and the engine holds what backfill taught it.
        await live.load(store, engine, address);
      }
      const shared = await loadRow<EngineSharedState>(store, sharedKey);
      if (shared) engine.restoreSharedState(shared);
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
        holding.add(address!);
        reset.push(address!);
      }
      return reset;
    },
    hearUnpauses(block, engine) {
      const lifted = unpausedIn(block).filter((address) => holding.delete(address));
      for (const address of lifted) engine.reset(address);
      return lifted;
    },
    async save(tx, engine) {
      for (const address of addresses) {
        const stats: Saved = {
          signals: engine.compositeMemory(address),
          pausesHeard: heard.get(address) ?? [],
          ...(holding.has(address) ? { holding: true } : {}),
        };
        await saveRow(tx, { chainId, address, ...compositeMetric }, stats);
        await live.save(tx, engine, address);
      }
      await saveRow(tx, sharedKey, engine.sharedState());
    },
  };
}
