import type { ClusterConnection } from './jetstream.ts';
import { sleep } from './retry.ts';

/*
 * Which detect worker judges which partition. A worker holds a lease per partition (a key in the
 * lease bucket, renewed while it lives) and pulls only the partitions it holds, so a partition's
 * baselines stay in one worker's memory and are read from PostgreSQL only when the partition
 * moves. Workers register themselves too; each takes free partitions up to its fair share
 * (partitions ÷ live workers, rounded up) and hands back what is over it, so a new worker gets
 * work and a dead worker's partitions are taken over once its leases lapse.
 */

export const partitionLeaseKey = (chainId: number, partition: number) => `detect.${chainId}.${partition}`;
/** KV keys allow letters, digits and `-/_=.` only. */
const workerKey = (owner: string) => `workers.${owner.replace(/[^-/_=.a-zA-Z0-9]/g, '_')}`;

export type PartitionRef = { chainId: number; partition: number };

export type PartitionLeases = {
  /** Whether this worker holds the partition now. */
  holds(ref: PartitionRef): boolean;
  /** Marks a partition idle between messages: a lease over the fair share is handed back only then. */
  idle(ref: PartitionRef): Promise<void>;
  /** Runs until `signal` aborts, then hands every lease back. */
  run(): Promise<void>;
};

export function createPartitionLeases(parameters: {
  connection: ClusterConnection;
  owner: string;
  partitions: readonly PartitionRef[];
  signal: AbortSignal;
  log: (line: string) => void;
}): PartitionLeases {
  const { connection, owner, signal, log } = parameters;
  const { leases } = connection;
  const interval = Math.max(100, Math.floor(connection.settings.leaseMs / 3));
  /** Held leases: their KV revision. */
  const held = new Map<string, number>();
  let fairShare = parameters.partitions.length;
  // Each worker tries the partitions in its own order, so that starting workers spread out.
  const offset = [...owner].reduce((sum, char) => sum + char.charCodeAt(0), 0);
  const order = parameters.partitions.map(
    (_, i) => parameters.partitions[(i + offset) % parameters.partitions.length]!,
  );
  const key = (ref: PartitionRef) => partitionLeaseKey(ref.chainId, ref.partition);

  async function release(name: string): Promise<void> {
    const revision = held.get(name);
    held.delete(name);
    if (revision !== undefined) await leases.delete(name, { previousSeq: revision }).catch(() => {});
  }

  async function tick(): Promise<void> {
    await leases.put(workerKey(owner), owner);
    let live = 0;
    for await (const _ of await leases.keys('workers.>')) live++;
    fairShare = Math.ceil(parameters.partitions.length / Math.max(1, live));
    for (const [name, revision] of held) {
      try {
        held.set(name, await leases.update(name, owner, revision));
      } catch {
        held.delete(name);
        log(`Detect: lease ${name} lost; another worker judges it now.`);
      }
    }
    for (const ref of order) {
      if (held.size >= fairShare) break;
      if (held.has(key(ref))) continue;
      const revision = await leases.create(key(ref), owner).catch(() => undefined);
      if (revision !== undefined) held.set(key(ref), revision);
    }
  }

  return {
    holds: (ref) => held.has(key(ref)),
    async idle(ref) {
      if (held.size > fairShare && held.has(key(ref))) await release(key(ref));
    },
    async run() {
      let failing = false;
      while (!signal.aborted) {
        try {
          await tick();
          failing = false;
        } catch (error) {
          if (!failing) log(`Detect: partition leases not renewed (${(error as Error).message}); retrying.`);
          failing = true;
        }
        await sleep(interval, signal);
      }
      for (const name of [...held.keys()]) await release(name);
      await leases.delete(workerKey(owner)).catch(() => {});
    },
  };
}
