import { countRateLimitHit, deleteEndedRateLimitWindows, type StoreClient } from '@bulwark/store';
import rateLimit, { type FastifyRateLimitStore } from '@fastify/rate-limit';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
  preHandlerHookHandler,
} from 'fastify';
import { ApiError } from './errors.ts';

export type RateLimits = {
  /** Requests per window from one IP address (IPv6: per /64), authenticated or not. Default 1200. */
  perIp?: number | undefined;
  /** Requests per window with one token. Default 600. */
  perToken?: number | undefined;
  /** Default one minute. */
  windowMs?: number | undefined;
  /**
   * Count in the store, so every server on one database shares the counts (one upsert per count);
   * false counts in this process's memory. Default: shared on PostgreSQL, in memory on PGlite
   * (one process per embedded store, so memory is already the whole count).
   */
  shared?: boolean | undefined;
};

export const defaultRateLimits = { perIp: 1200, perToken: 600, windowMs: 60_000 } as const;

const tooMany = (_request: FastifyRequest, context: { after: string; max: number }) =>
  new ApiError(
    429,
    'rate-limited',
    `More than ${context.max} requests in the window; retry in ${context.after} (see the Retry-After header).`,
  );

/**
 * @fastify/rate-limit's store, counting in the database's `rate_limit_counters`: replicas on one
 * PostgreSQL share every count. Ended windows are swept at most once a window per process.
 */
function sharedCounters(store: StoreClient, windowMs: number) {
  let sweptAt = Date.now();
  return class SharedCounters implements FastifyRateLimitStore {
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ) {
      if (Date.now() - sweptAt >= windowMs) {
        sweptAt = Date.now();
        void deleteEndedRateLimitWindows(store).catch(() => {});
      }
      countRateLimitHit(store, { key, windowMs: timeWindow }).then(
        (hit) => callback(null, { current: hit.hits, ttl: hit.resetInMs }),
        (error: Error) => callback(error),
      );
    }
    child(): FastifyRateLimitStore {
      return this;
    }
  };
}

/**
 * Rate limits: every request per IP, first of all; the returned hook adds the per-token limit to a
 * route, run after the token is known. Counted in the store on PostgreSQL (shared by replicas), in
 * memory otherwise (see `RateLimits.shared`). `false` turns both off (a benchmark from one host).
 */
export async function registerRateLimits(
  server: FastifyInstance,
  limits: RateLimits | false | undefined,
  tokenOf: (request: FastifyRequest) => string | undefined,
  store?: StoreClient & { engine?: string | undefined },
): Promise<((request: FastifyRequest, reply: FastifyReply) => Promise<void>) | undefined> {
  if (limits === false) return undefined;
  const windowMs = limits?.windowMs ?? defaultRateLimits.windowMs;
  const shared = store !== undefined && (limits?.shared ?? store.engine === 'postgres');
  await server.register(rateLimit, {
    global: false,
    max: limits?.perIp ?? defaultRateLimits.perIp,
    timeWindow: windowMs,
    errorResponseBuilder: tooMany,
    // A database that does not answer lets requests through uncounted: /healthz still answers,
    // and every route that needs the store fails on its own with a 500.
    ...(shared ? { store: sharedCounters(store, windowMs), skipOnError: true } : {}),
  });
  // Per IP on every request, unknown routes too, before a token is looked up.
  server.addHook('onRequest', server.rateLimit());
  // A limiter that only counts: the plugin's own hook runs once per request, and that is the IP's.
  const countPerToken = server.createRateLimit({
    max: limits?.perToken ?? defaultRateLimits.perToken,
    timeWindow: windowMs,
    keyGenerator: (request) => `token:${tokenOf(request) ?? ''}`,
  });
  return async (request, reply) => {
    const count = await countPerToken(request);
    if (count.isAllowed || !count.isExceeded) return;
    reply.header('retry-after', String(count.ttlInSeconds));
    throw tooMany(request, { max: count.max, after: `${count.ttlInSeconds} s` });
  };
}

/**
 * CSRF: the API reads credentials from the Authorization header only (never a cookie), and a browser
 * sends that header cross-site only after a CORS preflight, which this server never grants (it
 * sends no Access-Control-Allow-* header). As a second wall, a request that carries credentials
 * and comes from a page of another origin is refused before its token is even looked up.
 */
export function refuseCrossOrigin(allowedOrigins: readonly string[] = []): onRequestHookHandler {
  return async (request) => {
    const origin = request.headers.origin;
    const fetchSite = request.headers['sec-fetch-site'];
    const credentials = request.headers.authorization !== undefined || request.headers.cookie !== undefined;
    if (!credentials) return;
    const own = `${request.protocol}://${request.headers.host}`;
    const crossOrigin =
      (typeof origin === 'string' && origin !== own && !allowedOrigins.includes(origin)) ||
      (fetchSite === 'cross-site' && !(typeof origin === 'string' && allowedOrigins.includes(origin)));
    if (crossOrigin)
      throw new ApiError(
        403,
        'cross-origin',
        `A request with credentials from ${typeof origin === 'string' ? origin : 'another site'} is refused; the API answers its own origin only.`,
      );
  };
}

/**
 * Query values the store cannot take although the schemas' type coercion lets them through
 * (`limit=1e309` becomes Infinity; a NUL character is refused by PostgreSQL): a 400 here, after
 * validation and before the handler.
 */
export const refuseUnstorableQuery: preHandlerHookHandler = async (request) => {
  for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>))
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item === 'number' && !Number.isFinite(item))
        throw new ApiError(400, 'invalid-request', `querystring/${name} must be a finite number.`);
      if (typeof item === 'string' && item.includes('\u0000'))
        throw new ApiError(400, 'invalid-request', `querystring/${name} contains a NUL character (\\u0000).`);
    }
};
