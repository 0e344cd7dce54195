import type { RpcPool } from './rpcPool.ts';
import { sleep } from './sleep.ts';
import { connectWsRpc } from './wsRpc.ts';

export type KeepSubscribedParameters = {
  /** `eth_subscribe` parameters, e.g. `['newHeads']`. */
  params: readonly unknown[];
  onData(data: unknown): void;
  /** Told when the subscription is up (after each (re)connection) and when it drops. */
  onStatus?(status: { up: boolean; endpoint: string; error?: Error | undefined }): void;
  signal: AbortSignal;
  /** First delay before reconnecting, doubled after each failure up to `maxDelayMs`; default 500 ms. */
  minDelayMs?: number | undefined;
  /** Default 30 s. */
  maxDelayMs?: number | undefined;
  timeoutMs?: number | undefined;
  pingIntervalMs?: number | undefined;
};

/**
 * Keeps an `eth_subscribe` subscription on the pool's WebSocket endpoints until `signal` aborts:
 * on a drop it reconnects with exponential back-off, counting the failure against the endpoint so
 * that the pool offers the next one. Resolves at once when no endpoint has a WebSocket URL.
 */
export async function keepSubscribed(pool: RpcPool, parameters: KeepSubscribedParameters): Promise<void> {
  const { signal } = parameters;
  const minDelayMs = parameters.minDelayMs ?? 500;
  const maxDelayMs = parameters.maxDelayMs ?? 30_000;
  let delay = minDelayMs;
  while (!signal.aborted) {
    const endpoint = pool.webSockets()[0];
    if (!endpoint) return;
    let dropped!: (error: Error | undefined) => void;
    const closed = new Promise<Error | undefined>((resolve) => {
      dropped = resolve;
    });
    let error: Error | undefined;
    try {
      const client = await connectWsRpc(endpoint.url, {
        name: endpoint.name,
        timeoutMs: parameters.timeoutMs,
        pingIntervalMs: parameters.pingIntervalMs,
        onClose: (closeError) => dropped(closeError),
      });
      try {
        await client.subscribe(parameters.params, parameters.onData);
      } catch (subscribeError) {
        await client.close();
        throw subscribeError;
      }
      delay = minDelayMs;
      pool.reportWebSocketSuccess(endpoint.name);
      parameters.onStatus?.({ up: true, endpoint: endpoint.name });
      const onAbort = () => void client.close();
      // Aborted while connecting: the listener would never fire.
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      error = await closed;
      signal.removeEventListener('abort', onAbort);
    } catch (connectError) {
      error = connectError as Error;
    }
    if (signal.aborted) return;
    const reason = error ?? new Error('the connection closed.');
    pool.reportWebSocketFailure(endpoint.name, reason);
    parameters.onStatus?.({ up: false, endpoint: endpoint.name, error: reason });
    try {
      await sleep(delay, signal);
    } catch {
      return;
    }
    delay = Math.min(maxDelayMs, delay * 2);
  }
}
