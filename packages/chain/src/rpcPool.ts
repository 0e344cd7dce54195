import { endpointName, scrub, secretsOf } from './endpointName.ts';
import {
  RpcMalformedResponseError,
  RpcMethodNotSupportedError,
  RpcPoolExhaustedError,
  RpcRequestError,
  RpcResponseError,
  RpcTimeoutError,
} from './errors.ts';
import { sleep } from './sleep.ts';

/*
 * A small JSON-RPC client over fetch with a circuit per endpoint. viem's `fallback` transport ranks
 * endpoints but neither exposes per-endpoint health nor lets us tell "this node lacks the method"
 * from "this node is down", and its errors carry the URL; the sync needs all three.
 */

export type RpcEndpointConfig = {
  /** HTTP(S) JSON-RPC URL; may hold a key (it is never logged). */
  http: string;
  /** WebSocket URL for subscriptions (newHeads, newPendingTransactions). */
  ws?: string | undefined;
  /** Name used in logs and errors; default the URL with keys and credentials removed. */
  name?: string | undefined;
};

export type CreateRpcPoolParameters = {
  /** In order of preference. */
  endpoints: readonly (string | RpcEndpointConfig)[];
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number | undefined;
  /** Consecutive failures after which an endpoint rests (its circuit opens); default 3. */
  failureThreshold?: number | undefined;
  /** First rest of a failing endpoint; doubled at each new failure after it, up to `maxCooldownMs`. Default 1 s. */
  cooldownMs?: number | undefined;
  /** Default 60 s. */
  maxCooldownMs?: number | undefined;
  /** Rounds over every endpoint after the first one fails entirely; default 2. */
  retryCount?: number | undefined;
  /** Back-off before the first retry round, doubled each round; default 100 ms. */
  retryDelayMs?: number | undefined;
  /** Told when an endpoint starts or stops resting. Messages name endpoints, never URLs. */
  logger?: { warn(message: string): void; info?(message: string): void } | undefined;
  /**
   * Told once when an endpoint goes down (its circuit opens) and once when it recovers (its first
   * success after that), not at every retry in between: what an operator's log and metrics need.
   */
  onHealthChange?: ((change: EndpointHealthChange) => void) | undefined;
};

/** An endpoint's HTTP or WebSocket side went down or came back. Names endpoints, never URLs. */
export type EndpointHealthChange = {
  endpoint: string;
  transport: 'http' | 'websocket';
  state: 'down' | 'recovered';
  /** Why it went down (redacted); undefined on recovery. */
  error: string | undefined;
  /** Epoch milliseconds. */
  at: number;
  /** For `recovered`: how long it was down, in ms. */
  downForMs: number | undefined;
};

export type RequestOptions = {
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /**
   * Checks a result before it is accepted; returns what is wrong with it, or undefined. A result
   * that fails counts against the endpoint (a node that lies is as bad as one that is down).
   */
  validate?: ((result: unknown) => string | undefined) | undefined;
};

export type EndpointHealth = {
  name: string;
  hasWebSocket: boolean;
  /** Whether the WebSocket circuit is closed; undefined without a WebSocket URL. */
  webSocketHealthy: boolean | undefined;
  /** False while the endpoint rests after `failureThreshold` consecutive failures. */
  healthy: boolean;
  consecutiveFailures: number;
  /** When a resting endpoint is tried again (ms since the epoch); undefined when healthy. */
  retryAt: number | undefined;
  served: number;
  failures: number;
  /** The last failure, redacted. */
  lastError: string | undefined;
  /** Methods this endpoint answered "method not found" for. */
  unsupportedMethods: string[];
};

export type RpcPool = {
  /** Names of the endpoints, in order of preference. */
  readonly endpointNames: readonly string[];
  request<T = unknown>(method: string, params?: readonly unknown[], options?: RequestOptions): Promise<T>;
  /** Like `request`, and says which endpoint served. */
  requestWithEndpoint<T = unknown>(
    method: string,
    params?: readonly unknown[],
    options?: RequestOptions,
  ): Promise<{ result: T; endpoint: string }>;
  /**
   * Sends one request to every endpoint at once, without retries (a signed transaction: the
   * first node to take it wins the race, and a dead endpoint costs nothing). `first` resolves with
   * the first success and rejects when none succeeds (with a node's own error when one answered
   * with one); `all` resolves with every endpoint's reply once each has answered or failed.
   */
  broadcast<T = unknown>(
    method: string,
    params?: readonly unknown[],
    options?: RequestOptions,
  ): { first: Promise<{ result: T; endpoint: string }>; all: Promise<BroadcastReply<T>[]> };
  /** WebSocket endpoints, healthiest first; URLs are for connecting only, never for logging. */
  webSockets(): { name: string; url: string }[];
  health(): EndpointHealth[];
  /** Counts a dropped or refused WebSocket against its endpoint's WebSocket circuit (HTTP is unaffected). */
  reportWebSocketFailure(name: string, error: Error): void;
  reportWebSocketSuccess(name: string): void;
};

/** One endpoint's answer to a broadcast: its result, or why it failed (redacted, as every pool error). */
export type BroadcastReply<T> = { endpoint: string; result: T; error?: undefined } | { endpoint: string; error: Error };

type Circuit = {
  consecutiveFailures: number;
  /** Times the circuit opened since the last success: sets the length of the next rest. */
  trips: number;
  openUntil: number;
  /** When the circuit first opened since the last success (epoch ms); 0 while healthy. */
  downSince: number;
};

type EndpointState = {
  name: string;
  http: string;
  ws: string | undefined;
  headers: Record<string, string>;
  /** Parts of the URLs to scrub from anything the server sends back. */
  secrets: string[];
  circuit: Circuit;
  wsCircuit: Circuit;
  served: number;
  failures: number;
  lastError: string | undefined;
  unsupported: Set<string>;
};

let nextId = 1;

/** Creates a pool over several JSON-RPC endpoints of one chain, with failover, back-off and a circuit per endpoint. */
export function createRpcPool(parameters: CreateRpcPoolParameters): RpcPool {
  const timeoutMs = parameters.timeoutMs ?? 10_000;
  const failureThreshold = parameters.failureThreshold ?? 3;
  const cooldownMs = parameters.cooldownMs ?? 1_000;
  const maxCooldownMs = parameters.maxCooldownMs ?? 60_000;
  const retryCount = parameters.retryCount ?? 2;
  const retryDelayMs = parameters.retryDelayMs ?? 100;
  const logger = parameters.logger;
  const onHealthChange = parameters.onHealthChange;

  const names = new Set<string>();
  const endpoints: EndpointState[] = parameters.endpoints.map((entry) => {
    const config = typeof entry === 'string' ? { http: entry } : entry;
    const { url, headers } = splitCredentials(config.http);
    let name = config.name ?? endpointName(config.http);
    for (let n = 2; names.has(name); n++) name = `${config.name ?? endpointName(config.http)} (#${n})`;
    names.add(name);
    return {
      name,
      http: url,
      ws: config.ws,
      headers,
      secrets: [...secretsOf(config.http), ...(config.ws ? secretsOf(config.ws) : [])],
      circuit: { consecutiveFailures: 0, trips: 0, openUntil: 0, downSince: 0 },
      wsCircuit: { consecutiveFailures: 0, trips: 0, openUntil: 0, downSince: 0 },
      served: 0,
      failures: 0,
      lastError: undefined,
      unsupported: new Set(),
    };
  });

  type Side = { endpoint: string; transport: EndpointHealthChange['transport'] };
  const trip = (circuit: Circuit, what: string, message: string, side: Side) => {
    circuit.consecutiveFailures++;
    // A failure after a rest (half-open) re-opens the circuit at once; otherwise after `failureThreshold`.
    if (circuit.trips > 0 || circuit.consecutiveFailures >= failureThreshold) {
      const rest = Math.min(maxCooldownMs, cooldownMs * 2 ** circuit.trips);
      circuit.trips++;
      const now = Date.now();
      circuit.openUntil = now + rest;
      logger?.warn(`${what} rests for ${rest} ms: ${message}`);
      if (circuit.downSince === 0) {
        circuit.downSince = now;
        onHealthChange?.({ ...side, state: 'down', error: message, at: now, downForMs: undefined });
      }
    }
  };
  const reset = (circuit: Circuit, what: string, side: Side) => {
    if (circuit.trips > 0) logger?.info?.(`${what} is healthy again.`);
    if (circuit.downSince > 0) {
      const now = Date.now();
      onHealthChange?.({ ...side, state: 'recovered', error: undefined, at: now, downForMs: now - circuit.downSince });
    }
    circuit.consecutiveFailures = 0;
    circuit.trips = 0;
    circuit.openUntil = 0;
    circuit.downSince = 0;
  };
  const fail = (endpoint: EndpointState, error: Error) => {
    endpoint.failures++;
    endpoint.lastError = (error as { shortMessage?: string }).shortMessage ?? error.message;
    trip(endpoint.circuit, `RPC endpoint ${endpoint.name}`, endpoint.lastError, {
      endpoint: endpoint.name,
      transport: 'http',
    });
  };
  const succeed = (endpoint: EndpointState) => {
    endpoint.served++;
    reset(endpoint.circuit, `RPC endpoint ${endpoint.name}`, { endpoint: endpoint.name, transport: 'http' });
  };

  /** Healthy endpoints (in preference order) and those whose rest is over; if none, the ones resting, soonest first. */
  const candidates = (method: string) => {
    const now = Date.now();
    const able = endpoints.filter((endpoint) => !endpoint.unsupported.has(method));
    const ready = able.filter((endpoint) => endpoint.circuit.openUntil <= now);
    return ready.length > 0 ? ready : [...able].sort((a, b) => a.circuit.openUntil - b.circuit.openUntil);
  };

  async function requestWithEndpoint<T>(
    method: string,
    params: readonly unknown[] = [],
    options: RequestOptions = {},
  ): Promise<{ result: T; endpoint: string }> {
    const errors: Error[] = [];
    let attempts = 0;
    for (let round = 0; round <= retryCount; round++) {
      if (round > 0) await sleep(retryDelayMs * 2 ** (round - 1), options.signal);
      const list = candidates(method);
      if (list.length === 0) break;
      for (const endpoint of list) {
        options.signal?.throwIfAborted();
        attempts++;
        try {
          const result = await call(endpoint, method, params, options);
          succeed(endpoint);
          return { result: result as T, endpoint: endpoint.name };
        } catch (error) {
          if (options.signal?.aborted) throw options.signal.reason;
          if (error instanceof RpcResponseError) {
            if (isMethodNotFound(error)) {
              endpoint.unsupported.add(method);
              continue;
            }
            throw error;
          }
          if (!(error instanceof RpcRequestError)) throw error;
          fail(endpoint, error);
          errors.push(error);
        }
      }
    }
    if (errors.length === 0) {
      throw new RpcMethodNotSupportedError({ method, endpoints: endpoints.map((endpoint) => endpoint.name) });
    }
    throw new RpcPoolExhaustedError({ method, errors: errors.slice(-endpoints.length * 2), attempts });
  }

  async function call(
    endpoint: EndpointState,
    method: string,
    params: readonly unknown[],
    options: RequestOptions,
  ): Promise<unknown> {
    const id = nextId++;
    const ms = options.timeoutMs ?? timeoutMs;
    const timeout = AbortSignal.timeout(ms);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const where = { endpoint: endpoint.name, method };
    let response: Response;
    let text: string;
    try {
      response = await fetch(endpoint.http, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...endpoint.headers },
        body: JSON.stringify({ jsonrpc: '2.0', id, method, params }, bigintReplacer),
        signal,
      });
      text = await response.text();
    } catch (cause) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (timeout.aborted) throw new RpcTimeoutError({ ...where, timeoutMs: ms });
      throw new RpcRequestError('cannot reach the endpoint.', { ...where, cause: sanitize(cause) });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      if (!response.ok) {
        throw new RpcRequestError(`HTTP ${response.status} ${response.statusText}.`, {
          ...where,
          status: response.status,
          details: excerpt(scrub(text, endpoint.secrets)),
        });
      }
      throw new RpcMalformedResponseError('the body is not JSON.', {
        ...where,
        details: excerpt(scrub(text, endpoint.secrets)),
      });
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new RpcMalformedResponseError('the body is not a JSON-RPC response object.', {
        ...where,
        details: excerpt(scrub(text, endpoint.secrets)),
      });
    }
    const message = body as {
      id?: unknown;
      result?: unknown;
      error?: { code?: unknown; message?: unknown; data?: unknown };
    };
    if (message.error !== undefined && message.error !== null) {
      const code = typeof message.error.code === 'number' ? message.error.code : Number.NaN;
      const text = scrub(
        typeof message.error.message === 'string' ? message.error.message : JSON.stringify(message.error),
        endpoint.secrets,
      );
      if (isRateLimit(code, text, response.status)) {
        throw new RpcRequestError(`rate-limited: ${text}`, { ...where, status: response.status });
      }
      throw new RpcResponseError({ ...where, code, message: text, data: message.error.data });
    }
    if (!response.ok) {
      throw new RpcRequestError(`HTTP ${response.status} ${response.statusText}.`, {
        ...where,
        status: response.status,
        details: excerpt(scrub(text, endpoint.secrets)),
      });
    }
    if (message.id !== id) {
      throw new RpcMalformedResponseError(
        `the response id ${JSON.stringify(message.id)} is not the request's (${id}).`,
        where,
      );
    }
    if (!('result' in message))
      throw new RpcMalformedResponseError('the response has neither result nor error.', where);
    const problem = options.validate?.(message.result);
    if (problem)
      throw new RpcMalformedResponseError(problem, {
        ...where,
        details: excerpt(scrub(JSON.stringify(message.result), endpoint.secrets)),
      });
    return message.result;
  }

  function broadcast<T>(method: string, params: readonly unknown[] = [], options: RequestOptions = {}) {
    const targets = endpoints.filter((endpoint) => !endpoint.unsupported.has(method));
    const replies = targets.map(async (endpoint): Promise<BroadcastReply<T>> => {
      try {
        const result = (await call(endpoint, method, params, options)) as T;
        succeed(endpoint);
        return { endpoint: endpoint.name, result };
      } catch (error) {
        if (error instanceof RpcResponseError && isMethodNotFound(error)) endpoint.unsupported.add(method);
        // A node's refusal (nonce too low, underpriced) says nothing about its health.
        else if (error instanceof RpcRequestError) fail(endpoint, error);
        return { endpoint: endpoint.name, error: error instanceof Error ? error : new Error(String(error)) };
      }
    });
    const first = new Promise<{ result: T; endpoint: string }>((resolve, reject) => {
      if (targets.length === 0) {
        reject(new RpcMethodNotSupportedError({ method, endpoints: endpoints.map((endpoint) => endpoint.name) }));
        return;
      }
      for (const reply of replies)
        void reply.then((answer) => {
          if (answer.error === undefined) resolve({ result: answer.result, endpoint: answer.endpoint });
        });
      void Promise.all(replies).then((answers) => {
        const errors = answers.flatMap((answer) => (answer.error ? [answer.error] : []));
        if (errors.length < answers.length) return;
        const refusal = errors.find((error) => error instanceof RpcResponseError);
        reject(refusal ?? new RpcPoolExhaustedError({ method, errors, attempts: errors.length }));
      });
    });
    // Callers that only await `all` must not see an unhandled rejection of `first`.
    first.catch(() => {});
    return { first, all: Promise.all(replies) };
  }

  return {
    endpointNames: endpoints.map((endpoint) => endpoint.name),
    broadcast,
    async request<T>(method: string, params?: readonly unknown[], options?: RequestOptions) {
      return (await requestWithEndpoint<T>(method, params, options)).result;
    },
    requestWithEndpoint,
    webSockets() {
      const now = Date.now();
      return endpoints
        .filter((endpoint) => endpoint.ws !== undefined)
        .sort((a, b) => Math.max(a.wsCircuit.openUntil, now) - Math.max(b.wsCircuit.openUntil, now))
        .map((endpoint) => ({ name: endpoint.name, url: endpoint.ws! }));
    },
    health() {
      const now = Date.now();
      return endpoints.map((endpoint) => ({
        name: endpoint.name,
        hasWebSocket: endpoint.ws !== undefined,
        healthy: endpoint.circuit.openUntil <= now,
        consecutiveFailures: endpoint.circuit.consecutiveFailures,
        retryAt: endpoint.circuit.openUntil > now ? endpoint.circuit.openUntil : undefined,
        webSocketHealthy: endpoint.ws === undefined ? undefined : endpoint.wsCircuit.openUntil <= now,
        served: endpoint.served,
        failures: endpoint.failures,
        lastError: endpoint.lastError,
        unsupportedMethods: [...endpoint.unsupported],
      }));
    },
    reportWebSocketFailure(name, error) {
      const endpoint = endpoints.find((candidate) => candidate.name === name);
      const message = (error as { shortMessage?: string }).shortMessage ?? error.message;
      if (endpoint)
        trip(endpoint.wsCircuit, `WebSocket of ${endpoint.name}`, message, {
          endpoint: endpoint.name,
          transport: 'websocket',
        });
    },
    reportWebSocketSuccess(name) {
      const endpoint = endpoints.find((candidate) => candidate.name === name);
      if (endpoint)
        reset(endpoint.wsCircuit, `WebSocket of ${endpoint.name}`, { endpoint: endpoint.name, transport: 'websocket' });
    },
  };
}

/** JSON-RPC "method not found" (EIP-1474: -32601; -32004 "method not supported"), or a provider's wording of it. */
export function isMethodNotFound(error: unknown): boolean {
  if (error instanceof RpcMethodNotSupportedError) return true;
  if (!(error instanceof RpcResponseError)) return false;
  if (error.code === -32601 || error.code === -32004) return true;
  return /method\b.*\b(not found|not supported|does not exist|is not available|unavailable)|unsupported method|not whitelisted/i.test(
    error.shortMessage,
  );
}

function isRateLimit(code: number, message: string, status: number): boolean {
  return status === 429 || code === -32005 || code === 429 || /rate.?limit|too many requests/i.test(message);
}

/** fetch refuses URLs with credentials: move them to a Basic authorization header. */
function splitCredentials(url: string): { url: string; headers: Record<string, string> } {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return { url, headers: {} };
    const user = decodeURIComponent(parsed.username);
    const password = decodeURIComponent(parsed.password);
    parsed.username = '';
    parsed.password = '';
    return {
      url: parsed.toString(),
      headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
    };
  } catch {
    return { url, headers: {} };
  }
}

/** Keeps the kind and code of a network error but none of its text that might hold a URL. */
function sanitize(cause: unknown): Error {
  const root = (cause as { cause?: unknown })?.cause ?? cause;
  const code = (root as { code?: unknown })?.code;
  const error = new Error(typeof code === 'string' ? code : ((root as Error)?.name ?? 'network error'));
  error.name = (root as Error)?.name ?? 'Error';
  return error;
}

function excerpt(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `0x${value.toString(16)}` : value;
}
