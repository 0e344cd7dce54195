import type { BlockResult, MonitorConfig } from '@bulwark/monitor';
import { partitionOf } from './messages.ts';

type Contract = MonitorConfig['contracts'][number];

/**
 * What one detect partition judges: its own contracts (hash(address) mod N), and the chain's
 * contracts its engine watches. The engine watches every contract of the chain but runs the rules
 * only on transactions in which its own contracts appear (`EngineOptions.judged`): rules and the
 * composite read across contracts (a lender's `oracle-jump` comes from its pool's prices; the
 * accounts behind a transaction join signals of different blocks into one attack), and those
 * inputs come from the transaction itself and the other contracts' windows and baselines, which
 * every partition keeps (bookkeeping, no rules). What the other partitions' rules flagged on
 * transactions this one skipped arrives as their facts (`partitionFacts.ts`). Only the own
 * contracts' signals, verdicts and state leave the partition (`ownResult`).
 */
export type PartitionWork = { chainId: number; partition: number; owned: Contract[]; watched: Contract[] };

export function partitionWork(
  config: Pick<MonitorConfig, 'chains' | 'contracts'>,
  partitions: number,
): PartitionWork[] {
  const work: PartitionWork[] = [];
  for (const chain of config.chains) {
    const watched = config.contracts.filter((contract) => contract.chain === chain.id);
    const byPartition = new Map<number, Contract[]>();
    for (const contract of watched) {
      const partition = partitionOf(contract.address, partitions);
      byPartition.set(partition, [...(byPartition.get(partition) ?? []), contract]);
    }
    for (const [partition, owned] of byPartition) work.push({ chainId: chain.id, partition, owned, watched });
  }
  return work;
}

/** The part of a block's result about the partition's own contracts (lower-case addresses); the other partitions report theirs. */
export function ownResult(result: BlockResult, owned: ReadonlySet<string>): BlockResult {
  const mine = (contract: string) => owned.has(contract.toLowerCase());
  const flagged = result.flagged.flatMap((entry) => {
    const signals = entry.signals.filter((signal) => mine(signal.contract));
    if (signals.length === 0) return [];
    return [{ ...entry, signals, verdicts: entry.verdicts.filter((verdict) => mine(verdict.contract)) }];
  });
  return { ...result, flagged, pauses: result.pauses.filter((verdict) => mine(verdict.contract)) };
}
