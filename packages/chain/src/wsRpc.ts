import { RpcMalformedResponseError, RpcResponseError, RpcTimeoutError, WebSocketError } from './errors.ts';
import { connectWebSocket } from './wsClient.ts';

/** JSON-RPC over one WebSocket: requests and `eth_subscribe` subscriptions. */
export type WsRpcClient = {
  readonly name: string;
  readonly isOpen: boolean;
  request<T = unknown>(method: string, params?: readonly unknown[]): Promise<T>;
  /** `eth_subscribe(params)`; resolves with the subscription id once the node accepted it. */
  subscribe(params: readonly unknown[], onData: (data: unknown) => void): Promise<string>;
  close(): Promise<void>;
};

export type ConnectWsRpcParameters = {
  name?: string | undefined;
  timeoutMs?: number | undefined;
  pingIntervalMs?: number | undefined;
  /** Called once when the connection ends; `error` unless `close()` ended it. */
  onClose?: ((error: Error | undefined) => void) | undefined;
};

type Pending = { method: string; resolve(value: unknown): void; reject(error: Error): void; timer: NodeJS.Timeout };

/** Connects to a node's WebSocket endpoint for JSON-RPC. */
export async function connectWsRpc(url: string, parameters: ConnectWsRpcParameters = {}): Promise<WsRpcClient> {
  const timeoutMs = parameters.timeoutMs ?? 10_000;
  const pending = new Map<number, Pending>();
  const subscriptions = new Map<string, (data: unknown) => void>();
  // Notifications can arrive before the subscribe answer that names their id.
  const early = new Map<string, unknown[]>();
  let nextId = 1;
  let name = parameters.name ?? '';

  const onMessage = (text: string) => {
    let message: {
      id?: unknown;
      method?: unknown;
      params?: { subscription?: unknown; result?: unknown };
      result?: unknown;
      error?: { code?: unknown; message?: unknown; data?: unknown };
    };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message.method === 'eth_subscription' && typeof message.params?.subscription === 'string') {
      const id = message.params.subscription;
      const listener = subscriptions.get(id);
      if (listener) listener(message.params.result);
      else if (early.size < 64) early.set(id, [...(early.get(id) ?? []), message.params.result]);
      return;
    }
    if (typeof message.id !== 'number') return;
    const request = pending.get(message.id);
    if (!request) return;
    pending.delete(message.id);
    clearTimeout(request.timer);
    if (message.error) {
      request.reject(
        new RpcResponseError({
          endpoint: name,
          method: request.method,
          code: typeof message.error.code === 'number' ? message.error.code : Number.NaN,
          message: typeof message.error.message === 'string' ? message.error.message : JSON.stringify(message.error),
          data: message.error.data,
        }),
      );
    } else if (!('result' in message)) {
      request.reject(
        new RpcMalformedResponseError('the response has neither result nor error.', {
          endpoint: name,
          method: request.method,
        }),
      );
    } else {
      request.resolve(message.result);
    }
  };

  const connection = await connectWebSocket(url, {
    name: parameters.name,
    timeoutMs,
    pingIntervalMs: parameters.pingIntervalMs,
    onMessage,
    onClose: ({ error }) => {
      for (const request of pending.values()) {
        clearTimeout(request.timer);
        request.reject(error ?? new WebSocketError('the connection closed.', { endpoint: name }));
      }
      pending.clear();
      subscriptions.clear();
      parameters.onClose?.(error);
    },
  });
  name = connection.name;

  const request = <T>(method: string, params: readonly unknown[] = []) =>
    new Promise<T>((resolve, reject) => {
      if (!connection.isOpen) return reject(new WebSocketError('the connection is closed.', { endpoint: name }));
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new RpcTimeoutError({ endpoint: name, method, timeoutMs }));
      }, timeoutMs);
      pending.set(id, { method, resolve: resolve as (value: unknown) => void, reject, timer });
      connection.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });

  return {
    name,
    get isOpen() {
      return connection.isOpen;
    },
    request,
    async subscribe(params, onData) {
      const id = await request<unknown>('eth_subscribe', params);
      if (typeof id !== 'string') {
        throw new RpcMalformedResponseError('eth_subscribe did not return a subscription id.', {
          endpoint: name,
          method: 'eth_subscribe',
        });
      }
      subscriptions.set(id, onData);
      for (const data of early.get(id) ?? []) onData(data);
      early.delete(id);
      return id;
    },
    close: () => connection.close(),
  };
}
