/**
 * One computation for many callers of an expensive read (the conformance report, the contracts'
 * facts), fresh for each: a caller that arrives while a computation runs waits for the next one,
 * which starts when the running one ends and answers everyone who arrived in the meantime. So at
 * most one runs at a time and none answers with state read before its caller asked. Without this,
 * 200 dashboards opening the posture page start 200 evaluations that share two cores.
 */
export function sharedRead<T>(compute: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  let next: Promise<T> | undefined;
  const start = (): Promise<T> => {
    const run = compute().finally(() => {
      if (running === run) running = undefined;
    });
    running = run;
    return run;
  };
  return () => {
    if (!running) return start();
    // The running computation may have read the state already: join (or open) the one after it.
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return start();
      });
    return next;
  };
}

/** `sharedRead` per key (a store and a folder): requests about one project share, others do not. */
export function sharedReads<K extends object, T>(compute: (key: K, detail: string) => Promise<T>) {
  const byKey = new WeakMap<K, Map<string, () => Promise<T>>>();
  return (key: K, detail: string): Promise<T> => {
    let inner = byKey.get(key);
    if (!inner) {
      inner = new Map();
      byKey.set(key, inner);
    }
    let read = inner.get(detail);
    if (!read) {
      read = sharedRead(() => compute(key, detail));
      inner.set(detail, read);
    }
    return read();
  };
}

/**
 * A read route's handler whose answer depends on the store, the query and the path's parameters
 * alone (never on the caller): identical requests in flight share their reads (`sharedRead`), so
 * 200 dashboards polling one list cost the store one read per round, not 200. A key is dropped
 * once nobody waits on it, so the many queries a client may send leave nothing behind.
 */
export function sharedAnswer<C extends { store: object; query: unknown; params: unknown }, T>(
  handler: (context: C) => Promise<T>,
): (context: C) => Promise<T> {
  const byStore = new WeakMap<object, Map<string, { read: () => Promise<T>; waiting: number }>>();
  return async (context) => {
    let inner = byStore.get(context.store);
    if (!inner) {
      inner = new Map();
      byStore.set(context.store, inner);
    }
    const detail = JSON.stringify([context.params, context.query]);
    let entry = inner.get(detail);
    if (!entry) {
      entry = { read: sharedRead(() => handler(context)), waiting: 0 };
      inner.set(detail, entry);
    }
    entry.waiting++;
    try {
      return await entry.read();
    } finally {
      entry.waiting--;
      if (entry.waiting === 0 && inner.get(detail) === entry) inner.delete(detail);
    }
  };
}

/**
 * One read for many keys asked at about the same time (each request's token): keys asked before
 * the next turn of the event loop go into one `readMany`, which starts after every one of them was
 * asked, so no answer is older than its question. Under load the sockets read in one poll ask
 * together, and the store runs one query for them instead of one each.
 */
export function batchedRead<K, V>(readMany: (keys: K[]) => Promise<Map<K, V>>): (key: K) => Promise<V | undefined> {
  let batch: Map<K, { resolve(value: V | undefined): void; reject(error: unknown): void }[]> | undefined;
  const flush = () => {
    const asked = batch!;
    batch = undefined;
    readMany([...asked.keys()]).then(
      (found) => {
        for (const [key, waiting] of asked) for (const { resolve } of waiting) resolve(found.get(key));
      },
      (error: unknown) => {
        for (const waiting of asked.values()) for (const { reject } of waiting) reject(error);
      },
    );
  };
  return (key) =>
    new Promise((resolve, reject) => {
      if (!batch) {
        batch = new Map();
        setImmediate(flush);
      }
      const waiting = batch.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else batch.set(key, [{ resolve, reject }]);
    });
}
