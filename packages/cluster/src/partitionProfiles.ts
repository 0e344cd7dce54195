import { jsonText } from '@bulwark/core';
import { type ContractProfile, type Engine, profileMetric } from '@bulwark/monitor';
import { getBaseline, type StoreClient, upsertBaseline } from '@bulwark/store';

/*
 * A detect partition's contract profiles in the store, written only when a block changed what the
 * profile learned. Every judged block moves each profile's block counters (`blocks`, `toBlock`,
 * `toTime`); those of all the partition's contracts go in one row per partition instead, so a block
 * costs one row plus the profiles it taught something, not a row per contract. Loading puts the
 * counters back on the profiles: a worker taking over has them exactly as the last one left them.
 */

const zeroAddress = '0x0000000000000000000000000000000000000000';
type Ticks = Pick<ContractProfile, 'blocks' | 'toBlock' | 'toTime'>;

export type PartitionProfiles = {
  /** Puts the saved profiles of `addresses` into the engine (counters from the partition's row); returns how many were saved. */
  load(store: StoreClient, engine: Engine, addresses: readonly string[]): Promise<number>;
  /** Saves the profiles changed since the last save or load and the partition's counters (inside its transaction); returns the addresses written. */
  save(tx: StoreClient, engine: Engine): Promise<string[]>;
};

export function createPartitionProfiles(
  chainId: number,
  partition: number,
  owned: readonly string[],
): PartitionProfiles {
  const addresses = owned.map((address) => address.toLowerCase());
  const ticksKey = {
    chainId,
    address: zeroAddress,
    metricKey: 'cluster-partition-ticks',
    window: `partition-${partition}`,
  };
  /** Each owned profile as last saved or loaded, without its counters. */
  const written = new Map<string, string>();
  const learned = (profile: ContractProfile) => {
    const { blocks: _blocks, toBlock: _toBlock, toTime: _toTime, ...rest } = profile;
    return jsonText(rest);
  };
  return {
    async load(store, engine, contracts) {
      written.clear();
      const ticks = (await getBaseline<Record<string, Ticks>>(store, ticksKey))?.stats ?? {};
      let stored = 0;
      for (const contract of contracts) {
        const address = contract.toLowerCase();
        const saved = await getBaseline<ContractProfile>(store, { chainId, address, ...profileMetric });
        if (!saved) continue;
        const profile = engine.profile(address);
        Object.assign(profile, structuredClone(saved.stats));
        if (!addresses.includes(address)) continue;
        Object.assign(profile, ticks[address]);
        written.set(address, learned(profile));
        stored++;
      }
      return stored;
    },
    async save(tx, engine) {
      const changed: string[] = [];
      const ticks: Record<string, Ticks> = {};
      for (const address of addresses) {
        const profile = engine.profile(address);
        ticks[address] = { blocks: profile.blocks, toBlock: profile.toBlock, toTime: profile.toTime };
        const now = learned(profile);
        if (written.get(address) === now) continue;
        await upsertBaseline<ContractProfile>(tx, { chainId, address, ...profileMetric, stats: profile });
        written.set(address, now);
        changed.push(address);
      }
      await upsertBaseline(tx, { ...ticksKey, stats: ticks });
      return changed;
    },
  };
}
