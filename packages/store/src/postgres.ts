import pg from 'pg';
import { StoreConfigError, StoreOpenError } from './errors.ts';
import { pgTypes } from './types.ts';

export type DatabaseUrlParts = {
  host: string;
  port: number;
  database: string;
  user: string | undefined;
};

/** Where a URL points, for messages: never the password. */
export function describeDatabase(parts: DatabaseUrlParts): string {
  return `${parts.host}:${parts.port}/${parts.database}`;
}

/**
 * Checks a PostgreSQL URL and returns where it points. The URL itself never goes into a
 * message: a password with an unescaped `@` or space would slip past any redaction pattern.
 */
export function parseDatabaseUrl(url: string, source = 'DATABASE_URL'): DatabaseUrlParts {
  // Not written as user:password@host: the redaction of messages would blank it out.
  const expected = `${source} must look like postgres://localhost:5432/bulwark, with the user and password (percent-encoded) before the host.`;
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new StoreConfigError(`${source} is not a valid URL.`, {
      metaMessages: [expected, 'Percent-encode special characters in the user name and password.'],
      docsPath: 'store.md#postgresql',
    });
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    throw new StoreConfigError(`${source} has the scheme "${parsed.protocol}", not postgres: or postgresql:.`, {
      metaMessages: [expected],
      docsPath: 'store.md#postgresql',
    });
  // A socket folder can be given as ?host=/var/run/postgresql with an empty host part.
  const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
  const port = parsed.port ? Number(parsed.port) : 5432;
  let user: string | undefined;
  let database: string;
  try {
    user = parsed.username ? decodeURIComponent(parsed.username) : undefined;
    database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || user || 'postgres';
  } catch {
    throw new StoreConfigError(`${source} has a malformed percent-escape in the user or database name.`, {
      metaMessages: [expected],
      docsPath: 'store.md#postgresql',
    });
  }
  return { host: host.replace(/^\[|\]$/g, ''), port, database, user };
}

export type CreatePoolParameters = {
  url: string;
  connectTimeoutMs?: number | undefined;
  poolSize?: number | undefined;
};

/**
 * A node-postgres pool with the store's type parsers, checked by one round trip so that a bad
 * URL, a refused connection or wrong credentials fail here with a clear error, not at first use.
 */
export async function connectPool(parameters: CreatePoolParameters): Promise<pg.Pool> {
  const parts = parseDatabaseUrl(parameters.url);
  const pool = new pg.Pool({
    connectionString: parameters.url,
    types: pgTypes,
    max: parameters.poolSize ?? 10,
    connectionTimeoutMillis: parameters.connectTimeoutMs ?? 10_000,
    application_name: 'bulwark',
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => {});
  // Nor a client checked out between two queries of a transaction (the pool only listens on idle
  // ones): the transaction's next query fails and is retried by its caller.
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw connectionError(error, parts);
  }
  return pool;
}

const unreachableCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET']);

function connectionError(error: unknown, parts: DatabaseUrlParts): StoreOpenError {
  const where = `PostgreSQL at ${parts.host}:${parts.port}`;
  const code = (error as { code?: string } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === '28P01' || code === '28000')
    return new StoreOpenError(`${where} rejected the credentials of user "${parts.user ?? ''}".`, {
      cause: error,
      metaMessages: ['Check the user name and password in DATABASE_URL.'],
      docsPath: 'store.md#postgresql',
    });
  if (code === '3D000')
    return new StoreOpenError(`${where} has no database "${parts.database}".`, {
      cause: error,
      metaMessages: [`Create it (createdb ${parts.database}) or fix the database name in DATABASE_URL.`],
      docsPath: 'store.md#postgresql',
    });
  if (code === '57P03' || code === '53300')
    return new StoreOpenError(`${where} is not accepting connections right now.`, {
      cause: error,
      retryable: true,
      docsPath: 'store.md#postgresql',
    });
  if ((code && unreachableCodes.has(code)) || /timeout|terminated/i.test(message))
    return new StoreOpenError(`Cannot reach ${where}.`, {
      cause: error,
      retryable: true,
      metaMessages: [
        'Check that the server runs and accepts TCP connections there, or unset DATABASE_URL to use PGlite.',
      ],
      docsPath: 'store.md#postgresql',
    });
  return new StoreOpenError(`Cannot connect to ${where}.`, { cause: error, docsPath: 'store.md#postgresql' });
}
