import type { PGlite } from '@electric-sql/pglite';
import type { PGliteDialectConfig } from 'kysely';

type KyselyPGlite = Exclude<PGliteDialectConfig['pglite'], (...args: never[]) => unknown>;

/**
 * One at a time, in the order asked, each started from `setImmediate`: never inside the caller's
 * own callback, so between two turns the event loop polls sockets and runs timers.
 */
export class Turns {
  #busy = false;
  readonly #waiting: (() => void)[] = [];

  /** Runs `work` in its turn; the next turn starts once it has settled. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await new Promise<void>((resolve) => {
      this.#waiting.push(resolve);
      if (!this.#busy) this.#startNext();
    });
    try {
      return await work();
    } finally {
      this.#startNext();
    }
  }

  #startNext(): void {
    const next = this.#waiting.shift();
    this.#busy = next !== undefined;
    if (next) setImmediate(next);
  }

  /** Turns asked for and not yet started. */
  get waiting(): number {
    return this.#waiting.length;
  }
}

/**
 * PGlite as Kysely's dialect sees it, with queries and transactions taking turns (see `Turns`).
 * PGlite runs on this thread and a query settles in microtasks, so queries queued behind each other
 * ran back to back without the event loop turning: under 200 API clients no socket was read and no
 * timer fired for seconds while the queue drained (the p99 of `bulwark serve` on PGlite). A query
 * inside a transaction goes through the transaction, so it never waits for a turn.
 */
export function pgliteTakingTurns(pglite: PGlite, turns = new Turns()): KyselyPGlite {
  return {
    get closed() {
      return pglite.closed;
    },
    get ready() {
      return pglite.ready;
    },
    get waitReady() {
      return pglite.waitReady;
    },
    close: () => pglite.close(),
    query: (sql, params, options) => turns.run(() => pglite.query(sql, params, options)),
    transaction: (callback) => turns.run(() => pglite.transaction(callback)),
  };
}
