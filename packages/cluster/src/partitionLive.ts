import { BaseError, jsonText } from '@bulwark/core';
import type { ContractLiveState, Engine } from '@bulwark/monitor';
import { deleteBaselines, getBaseline, listBaselines, type StoreClient, upsertBaseline } from '@bulwark/store';

/*
 * A contract's live state (`Engine.liveState`) in the store, written in parts so that a block costs
 * what it changed, not the whole day: the transactions of its windows (a busy contract has
 * thousands in its day window) go in rows of `chunkSize` by their number, and a transaction keeps
 * its number while it stays, so a block writes only the row its new transactions fall in; a row
 * all of whose transactions left the day window is deleted. One more row holds the rest (where
 * each window starts, the totals, the transactions waiting to be learned, paused flag and price),
 * written when it changed.
 */

/** The row of a contract's live state, without the windows' transactions. */
export const liveStateMetric = { metricKey: 'engine-live', window: 'recent' } as const;
/** The rows of the windows' transactions: window `<tracker>-<chunk number>`. */
export const liveEntriesMetric = 'engine-live-entries';
const chunkSize = 64;
const trackers = ['live', 'clean'] as const;
type Tracker = (typeof trackers)[number];

type Windows = ContractLiveState['live'];
type Entries = Windows['entries'];
/** The live state as the head row keeps it: each tracker's transactions replaced by their count. */
type Head = Omit<ContractLiveState, Tracker> & Record<Tracker, Omit<Windows, 'entries'> & { count: number }>;
/** A row of transactions: from number `from` on. */
type Chunk = { from: number; entries: Entries };

export class PartitionStateError extends BaseError {
  override name = 'PartitionStateError';
}

export type LiveStateRows = {
  /** Puts the contract's saved live state into the engine; false when it was never saved (the engine is left as it is). */
  load(store: StoreClient, engine: Engine, address: string): Promise<boolean>;
  /** Writes what changed of the contract's live state since the last save or load (inside the partition's transaction). */
  save(tx: StoreClient, engine: Engine, address: string): Promise<void>;
};

export function createLiveStateRows(chainId: number): LiveStateRows {
  /** Per contract: the head row as last written, and each chunk row written with the number after its last transaction. */
  const written = new Map<string, { head: string | undefined; chunks: Map<string, number> }>();
  const writtenOf = (address: string) => {
    let entry = written.get(address);
    if (!entry) {
      entry = { head: undefined, chunks: new Map() };
      written.set(address, entry);
    }
    return entry;
  };
  const chunkWindow = (tracker: Tracker, chunk: number) => `${tracker}-${chunk}`;

  return {
    async load(store, engine, address) {
      const saved = writtenOf(address);
      saved.chunks.clear();
      const head = (await getBaseline<Head>(store, { chainId, address, ...liveStateMetric }))?.stats;
      saved.head = head && jsonText(head);
      if (!head) return false;
      const rows = await listBaselines<Chunk>(store, { chainId, address, metricKey: liveEntriesMetric });
      const chunks = new Map(rows.map((row) => [row.window, row.stats]));
      for (const row of rows) saved.chunks.set(row.window, row.stats.from + row.stats.entries.length);
      const windows = {} as Record<Tracker, Windows>;
      for (const tracker of trackers) {
        const { count, ...rest } = head[tracker];
        const entries: Entries = [];
        for (let number = rest.first; number < rest.first + count; ) {
          const chunk = chunks.get(chunkWindow(tracker, Math.floor(number / chunkSize)));
          const entry = chunk?.entries[number - chunk.from];
          if (!entry)
            throw new PartitionStateError(
              `The saved live state of ${address} on chain ${chainId} lacks its ${tracker} window's transaction ${number}.`,
              {
                metaMessages: [
                  'Rows of the baselines table were removed by hand; stop detect, delete the contract’s engine-live rows, and start it again (its windows start empty).',
                ],
              },
            );
          entries.push(entry);
          number++;
        }
        windows[tracker] = { ...rest, entries };
      }
      engine.restoreLiveState(address, { ...head, ...windows });
      return true;
    },

    async save(tx, engine, address) {
      const state = engine.liveState(address);
      const saved = writtenOf(address);
      const head = { ...state } as unknown as Head;
      for (const tracker of trackers) {
        const { entries, ...rest } = state[tracker];
        head[tracker] = { ...rest, count: entries.length };
        const end = rest.first + entries.length;
        // Rows whose transactions all left the day window.
        const dead = [...saved.chunks]
          .filter(([window, after]) => window.startsWith(`${tracker}-`) && after <= rest.first)
          .map(([window]) => window);
        await deleteBaselines(tx, { chainId, address, metricKey: liveEntriesMetric, windows: dead });
        for (const window of dead) saved.chunks.delete(window);
        for (let chunk = Math.floor(rest.first / chunkSize); chunk * chunkSize < end; chunk++) {
          const window = chunkWindow(tracker, chunk);
          const from = Math.max(chunk * chunkSize, rest.first);
          const to = Math.min((chunk + 1) * chunkSize, end);
          // A transaction never changes once in a window: a row holding up to `to` already is current.
          if ((saved.chunks.get(window) ?? 0) >= to) continue;
          const stats: Chunk = { from, entries: entries.slice(from - rest.first, to - rest.first) };
          await upsertBaseline<Chunk>(tx, { chainId, address, metricKey: liveEntriesMetric, window, stats });
          saved.chunks.set(window, to);
        }
      }
      const row = jsonText(head);
      if (saved.head === row) return;
      await upsertBaseline<Head>(tx, { chainId, address, ...liveStateMetric, stats: head });
      saved.head = row;
    },
  };
}
