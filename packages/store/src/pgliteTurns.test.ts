import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type OpenStoreReturnType, openStore } from './openStore.ts';
import { MEMORY } from './pglite.ts';
import { Turns } from './pgliteTurns.ts';
import { withTransaction } from './store.ts';

describe('Turns', () => {
  test('default: one at a time, in the order asked', async () => {
    const turns = new Turns();
    const order: number[] = [];
    let running = 0;
    let most = 0;
    await Promise.all(
      [0, 1, 2, 3].map((i) =>
        turns.run(async () => {
          running++;
          most = Math.max(most, running);
          await Promise.resolve();
          order.push(i);
          running--;
        }),
      ),
    );
    expect(order).toEqual([0, 1, 2, 3]);
    expect(most).toBe(1);
  });

  test('behavior: a turn never starts inside its caller’s callback, and a failed turn passes on', async () => {
    const turns = new Turns();
    let started = false;
    const first = turns.run(async () => {
      started = true;
      throw new Error('no');
    });
    expect(started).toBe(false);
    await expect(first).rejects.toThrow('no');
    await expect(turns.run(async () => 'next')).resolves.toBe('next');
    expect(turns.waiting).toBe(0);
  });
});

describe('PGlite store: queries take turns with the event loop', () => {
  let store: OpenStoreReturnType;
  beforeAll(async () => {
    store = await openStore({ dataDir: MEMORY });
  });
  afterAll(async () => {
    await store.close();
  });

  test('behavior: callbacks due (a socket read, a timer) run between queued queries, not after the whole queue', async () => {
    let finished = 0;
    const queries = Array.from({ length: 50 }, () =>
      sql`select 1 as one`.execute(store.db).then(() => {
        finished++;
      }),
    );
    // Due now: without turns PGlite settles all 50 in microtasks before the event loop turns again.
    const seenAt = new Promise<number>((resolve) => setImmediate(() => resolve(finished)));
    await Promise.all(queries);
    expect(await seenAt).toBeLessThan(50);
    expect(finished).toBe(50);
  });

  test('behavior: a transaction keeps its turn to the end; a query asked meanwhile runs after it', async () => {
    const order: string[] = [];
    let outside: Promise<void> | undefined;
    await withTransaction(store, async (tx) => {
      order.push('begin');
      outside = sql`select 1`.execute(store.db).then(() => {
        order.push('outside');
      });
      for (let i = 0; i < 3; i++) await sql`select 1`.execute(tx.db);
      order.push('commit');
    });
    await outside;
    expect(order).toEqual(['begin', 'commit', 'outside']);
  });
});
