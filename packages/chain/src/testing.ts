/**
 * Test support: an anvil with a JSON-RPC helper, fake endpoints (a local HTTP server that lies,
 * stalls or errors, or forwards to anvil minus some methods) and a TCP proxy whose connections
 * the test can cut. Not exported from the package.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createConnection, createServer as createTcpServer, type Socket } from 'node:net';
import { type Anvil, type StartAnvilParameters, startAnvil } from '@bulwark/contracts';
import type { Address, Hex } from 'viem';
import type { ChainEvent } from './types.ts';

export type TestNode = {
  anvil: Anvil;
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  accounts: Address[];
  blockNumber(): Promise<bigint>;
  mine(blocks?: number): Promise<void>;
  snapshot(): Promise<Hex>;
  revert(id: Hex): Promise<void>;
  stop(): Promise<void>;
};

export async function startTestNode(parameters: StartAnvilParameters = {}): Promise<TestNode> {
  const anvil = await startAnvil(parameters);
  const rpc = async <T>(method: string, params: unknown[] = []): Promise<T> => {
    const response = await fetch(anvil.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    const body = (await response.json()) as { result?: T; error?: { message: string } };
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result as T;
  };
  return {
    anvil,
    rpc,
    accounts: await rpc<Address[]>('eth_accounts'),
    blockNumber: async () => BigInt(await rpc<Hex>('eth_blockNumber')),
    mine: async (blocks = 1) => {
      await rpc('anvil_mine', [`0x${blocks.toString(16)}`]);
    },
    snapshot: () => rpc<Hex>('evm_snapshot'),
    async revert(id) {
      if ((await rpc<boolean>('evm_revert', [id])) !== true) throw new Error('evm_revert failed');
    },
    stop: () => anvil.stop(),
  };
}

export type FakeRequest = { method: string; params: unknown[]; id: unknown; path: string };
export type FakeHandler = (
  request: FakeRequest,
  response: ServerResponse,
  incoming: IncomingMessage,
) => void | Promise<void> | unknown;

export type FakeNode = {
  url: string;
  port: number;
  requests: FakeRequest[];
  /** Replaces the handler (e.g. a dead endpoint comes back). */
  setHandler(handler: FakeHandler): void;
  close(): Promise<void>;
};

/** A JSON-RPC endpoint on 127.0.0.1 whose answers the test decides: a handler returning a value answers with it as `result`. */
export async function startFakeNode(handler: FakeHandler, path = ''): Promise<FakeNode> {
  const requests: FakeRequest[] = [];
  let current = handler;
  const server = createHttpServer(async (incoming, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    let body: { method?: string; params?: unknown[]; id?: unknown } = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {}
    const request = { method: body.method ?? '', params: body.params ?? [], id: body.id, path: incoming.url ?? '' };
    requests.push(request);
    try {
      const result = await current(request, response, incoming);
      if (!response.headersSent && !response.writableEnded) {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ jsonrpc: '2.0', id: body.id, result }));
      }
    } catch {
      if (!response.writableEnded) response.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    port,
    requests,
    setHandler(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A handler that forwards to `target` (anvil) and answers "method not found" for `missing` methods. */
export function forwardTo(target: string, missing: readonly string[] = []): FakeHandler {
  return async (request, response) => {
    if (missing.includes(request.method)) {
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          jsonrpc: '2.0',
          id: request.id,
          error: { code: -32601, message: `the method ${request.method} does not exist/is not available` },
        }),
      );
      return;
    }
    const upstream = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: request.id, method: request.method, params: request.params }),
    });
    response.setHeader('content-type', 'application/json');
    response.end(await upstream.text());
  };
}

/** The methods a block's call traces are fetched with (`fetchBlock`): hold both to hold the traces. */
export const blockTraceMethods = ['trace_block', 'debug_traceBlockByNumber'] as const;

/** A node slow at some methods: their requests wait while held (`hold` … `release`), the rest pass straight through. */
export type HeldMethod = {
  handler: FakeHandler;
  hold(): void;
  release(): void;
  /** The requests of those methods that were held, in arrival order. */
  held: FakeRequest[];
  /** How many held requests have been answered since. */
  answered(): number;
};

/** Forwards to `target`, holding `methods` on demand (see `HeldMethod`). */
export function forwardHolding(target: string, methods: string | readonly string[]): HeldMethod {
  const slow = new Set(typeof methods === 'string' ? [methods] : methods);
  const forward = forwardTo(target);
  const held: FakeRequest[] = [];
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  let answered = 0;
  return {
    async handler(request, response, incoming) {
      const waitFor = slow.has(request.method) ? gate : undefined;
      if (waitFor) {
        held.push(request);
        await waitFor;
      }
      await forward(request, response, incoming);
      if (waitFor) answered++;
    },
    hold() {
      gate ??= new Promise((resolve) => {
        open = resolve;
      });
    },
    release() {
      gate = undefined;
      open?.();
    },
    held,
    answered: () => answered,
  };
}

export type TcpProxy = {
  port: number;
  /** Cuts every open connection (as a network failure would), but keeps accepting new ones. */
  cut(): void;
  /** Refuses new connections (until `accept`) and cuts open ones. */
  refuse(): void;
  accept(): void;
  close(): Promise<void>;
};

/** Forwards TCP connections to `targetPort`; the test can cut them to simulate a dropped WebSocket. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let refusing = false;
  const server = createTcpServer((client) => {
    if (refusing) return client.destroy();
    const upstream = createConnection(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cut = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  return {
    port: (server.address() as { port: number }).port,
    cut,
    refuse() {
      refusing = true;
      cut();
    },
    accept() {
      refusing = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        cut();
        server.close(() => resolve());
      }),
  };
}

export type EventCollector = {
  events: ChainEvent[];
  /** Resolves with the events so far once `predicate` holds for them; rejects after `timeoutMs`. */
  until(predicate: (events: ChainEvent[]) => boolean, timeoutMs?: number): Promise<ChainEvent[]>;
  /** Resolves when the stream ends. */
  done: Promise<void>;
};

/** Consumes an event stream in the background, keeping every event. */
export function collect(stream: AsyncIterable<ChainEvent>): EventCollector {
  const events: ChainEvent[] = [];
  const waiters = new Set<() => void>();
  const done = (async () => {
    for await (const event of stream) {
      events.push(event);
      for (const waiter of waiters) waiter();
    }
  })();
  return {
    events,
    done,
    until(predicate, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(events)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve([...events]);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`Timed out; events so far: ${events.map(describeEvent).join(', ')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/** One line per event, for assertions and failure messages. */
export function describeEvent(event: ChainEvent): string {
  switch (event.type) {
    case 'block':
      return `block ${event.block.number}`;
    case 'block-receipts':
      return `block-receipts ${event.block.number}`;
    case 'reorg':
      return `reorg ${event.commonAncestor.number}${event.deep ? ' deep' : ''} -[${event.dropped.map((b) => b.number).join(',')}]`;
    case 'gap-filled':
      return `gap-filled ${event.from}..${event.to}`;
    case 'pending':
      return `pending ${event.tx.hash}`;
    case 'capabilities':
      return `capabilities -${event.capabilities.missing.join(',')}`;
    case 'error':
      return `error ${event.error.message.split('\n')[0]}`;
  }
}

export const blocksOf = (events: ChainEvent[]) =>
  events.flatMap((event) => (event.type === 'block' ? [event.block] : []));
