/** Waits `ms`, or less when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs `work` until it succeeds: NATS or PostgreSQL restarting is waited out (back-off up to 2 s),
 * never skipped. Throws only when `signal` aborts.
 */
export async function retrying<T>(work: () => Promise<T>, signal: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (signal.aborted) throw error;
      await sleep(Math.min(2_000, 100 * 2 ** attempt), signal);
      if (signal.aborted) throw error;
    }
  }
}
