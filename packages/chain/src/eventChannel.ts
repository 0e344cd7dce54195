import { ChainSyncError } from './errors.ts';

/*
 * Hands events from the sync's producers (realtime, mempool) to one consumer, one at a time. An
 * event counts as processed when the consumer asks for the next one; only then is `onProcessed`
 * called (the checkpoint written) and the producer that pushed it released, so a slow consumer
 * slows the sync instead of piling events up in memory.
 */

export type EventChannel<T> = {
  /** Resolves once the consumer has processed the event, or the channel closed before it took it. */
  push(event: T): Promise<void>;
  /** Ends the stream: events not yet taken are dropped; the consumer's next request returns done. */
  close(): void;
  readonly closed: boolean;
  iterable: AsyncIterable<T>;
};

type Entry<T> = { event: T; release(): void };

/**
 * `overtakes(event, queued)`: whether a new event goes ahead of one still queued (not yet taken)
 * rather than behind it; default never (first in, first out).
 */
export function createEventChannel<T>(
  onProcessed: (event: T) => Promise<void>,
  overtakes?: (event: T, queued: T) => boolean,
): EventChannel<T> {
  const queue: Entry<T>[] = [];
  let waiting: ((entry: Entry<T> | undefined) => void) | undefined;
  let taken: Entry<T> | undefined;
  let closed = false;
  let iterating = false;

  const iterator: AsyncIterator<T> = {
    async next() {
      if (taken) {
        const processed = taken;
        taken = undefined;
        try {
          await onProcessed(processed.event);
        } finally {
          processed.release();
        }
      }
      const entry =
        queue.shift() ??
        (closed
          ? undefined
          : await new Promise<Entry<T> | undefined>((resolve) => {
              waiting = resolve;
            }));
      if (!entry) return { done: true, value: undefined };
      taken = entry;
      return { done: false, value: entry.event };
    },
    async return() {
      // Leaving the loop early (a break or a throw in its body): the event in hand is not counted
      // as processed, so after a restart it comes again (at least once, never lost).
      taken?.release();
      taken = undefined;
      // The consumer may start a new loop later (after handling its error, say).
      iterating = false;
      return { done: true, value: undefined };
    },
  };

  return {
    push(event) {
      if (closed) return Promise.resolve();
      return new Promise<void>((release) => {
        const entry = { event, release };
        if (waiting) {
          const resolve = waiting;
          waiting = undefined;
          resolve(entry);
        } else {
          let at = queue.length;
          while (overtakes && at > 0 && overtakes(event, queue[at - 1]!.event)) at--;
          queue.splice(at, 0, entry);
        }
      });
    },
    close() {
      closed = true;
      // Release every producer, also the one whose event the consumer holds (it may be the
      // consumer itself that closes); that event still counts as processed on the next request.
      taken?.release();
      for (const entry of queue.splice(0)) entry.release();
      waiting?.(undefined);
      waiting = undefined;
    },
    get closed() {
      return closed;
    },
    iterable: {
      [Symbol.asyncIterator]() {
        if (iterating) throw new ChainSyncError('The events of a chain sync can be iterated only once at a time.');
        iterating = true;
        return iterator;
      },
    },
  };
}
