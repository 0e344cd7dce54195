import { expect, test } from 'vitest';
import { batchedRead, sharedAnswer, sharedRead, sharedReads } from './sharedReads.ts';

/** A computation the test finishes by hand: each call reads `state` when it starts. */
function controlled() {
  const state = { value: 0 };
  const runs: { read: number; finish(): void; fail(error: Error): void }[] = [];
  const compute = () =>
    new Promise<number>((resolve, reject) => {
      const read = state.value;
      runs.push({ read, finish: () => resolve(read), fail: reject });
    });
  return { state, runs, compute };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('default: callers during a run share the next run, which starts when the running one ends', async () => {
  const { state, runs, compute } = controlled();
  const read = sharedRead(compute);
  const first = read();
  expect(runs).toHaveLength(1);
  state.value = 1;
  const waiting = [read(), read(), read()];
  await settle();
  expect(runs).toHaveLength(1);
  runs[0]!.finish();
  expect(await first).toBe(0);
  await settle();
  expect(runs).toHaveLength(2);
  runs[1]!.finish();
  // Each caller sees the state as it was when it asked, never older.
  expect(await Promise.all(waiting)).toEqual([1, 1, 1]);
});

test('behavior: with nothing running, a caller starts a run at once', async () => {
  const { runs, compute } = controlled();
  const read = sharedRead(compute);
  const first = read();
  runs[0]!.finish();
  await first;
  const second = read();
  expect(runs).toHaveLength(2);
  runs[1]!.finish();
  expect(await second).toBe(0);
});

test('error: a failed run rejects its own callers only; the callers waiting for the next one get it', async () => {
  const { runs, compute } = controlled();
  const read = sharedRead(compute);
  const first = read();
  const next = read();
  runs[0]!.fail(new Error('store down'));
  await expect(first).rejects.toThrow('store down');
  await settle();
  runs[1]!.finish();
  expect(await next).toBe(0);
});

test('behavior: sharedReads keeps one shared read per key and detail', async () => {
  const calls: string[] = [];
  const read = sharedReads(async (key: { name: string }, detail: string) => {
    calls.push(`${key.name}:${detail}`);
    return detail;
  });
  const a = { name: 'a' };
  const b = { name: 'b' };
  expect(await Promise.all([read(a, 'x'), read(a, 'y'), read(b, 'x')])).toEqual(['x', 'y', 'x']);
  expect(calls.sort()).toEqual(['a:x', 'a:y', 'b:x']);
});

test('behavior: sharedAnswer shares identical requests in flight, by store, query and parameters', async () => {
  const { runs, compute } = controlled();
  const seen: unknown[] = [];
  const handler = sharedAnswer(async (context: { store: object; query: unknown; params: unknown }) => {
    seen.push(context.query);
    return compute();
  });
  const store = {};
  const ask = (query: unknown, on = store) => handler({ store: on, query, params: {} });
  const first = ask({ limit: 100 });
  const same = [ask({ limit: 100 }), ask({ limit: 100 }), ask({ limit: 100 })];
  const other = [ask({ limit: 5 }), ask({ limit: 100 }, {})];
  await settle();
  // The other query and the other store read apart; the three identical requests wait for one read.
  expect(seen).toEqual([{ limit: 100 }, { limit: 5 }, { limit: 100 }]);
  for (const run of runs) run.finish();
  await settle();
  expect(seen).toHaveLength(4);
  runs[3]!.finish();
  expect(await Promise.all([first, ...same, ...other])).toEqual([0, 0, 0, 0, 0, 0]);
  // Nothing in flight: the next request reads again.
  const later = ask({ limit: 100 });
  await settle();
  expect(seen).toHaveLength(5);
  runs[4]!.finish();
  await later;
});

test('behavior: batchedRead answers the keys asked in one turn of the event loop with one read, each its own value', async () => {
  const reads: string[][] = [];
  const read = batchedRead(async (keys: string[]) => {
    reads.push(keys);
    return new Map(keys.filter((key) => key !== 'unknown').map((key) => [key, key.toUpperCase()]));
  });
  const answers = Promise.all([read('a'), read('b'), read('a'), read('unknown')]);
  // Nothing is read before the turn ends: a key asked now still joins.
  expect(reads).toEqual([]);
  expect(await answers).toEqual(['A', 'B', 'A', undefined]);
  expect(reads).toEqual([['a', 'b', 'unknown']]);
  // Asked after that read began: the next read.
  expect(await read('c')).toBe('C');
  expect(reads).toEqual([['a', 'b', 'unknown'], ['c']]);
});

test('error: a failed batchedRead rejects every key of its batch; the next batch reads again', async () => {
  let fail = true;
  const read = batchedRead(async (keys: string[]) => {
    if (fail) throw new Error('store down');
    return new Map(keys.map((key) => [key, 1]));
  });
  const results = await Promise.allSettled([read('a'), read('b')]);
  expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
  fail = false;
  expect(await read('a')).toBe(1);
});
