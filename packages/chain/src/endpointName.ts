import { redactSecrets } from '@bulwark/core';

const tokenLike = /^[A-Za-z0-9_-]{16,}$|^(?:0x)?[0-9a-fA-F]{32,}$/;

/**
 * A name for an RPC endpoint that is safe to log: scheme, host and port, and the path with every
 * segment that looks like a key replaced by `***`. Credentials and query strings are dropped.
 * Providers put keys in paths (`/v3/KEY`, `/v2/KEY`, QuickNode's `/TOKEN/`) and queries (`?apikey=`).
 */
export function endpointName(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<invalid URL>';
  }
  const path = parsed.pathname
    .split('/')
    .map((segment) => (tokenLike.test(segment) ? '***' : segment))
    .join('/');
  const name = `${parsed.protocol}//${parsed.host}${path === '/' ? '' : path}${parsed.search ? '?***' : ''}`;
  return redactSecrets(name);
}

/**
 * The parts of an endpoint URL that may be secret (key-like path segments, query values,
 * credentials), to scrub from text a server sent back (some echo the request path in errors).
 */
export function secretsOf(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const secrets = [
    url,
    ...parsed.pathname.split('/').filter((segment) => tokenLike.test(segment)),
    ...[...parsed.searchParams.values()].filter((value) => value.length >= 8),
    parsed.password,
    parsed.username,
  ];
  return secrets.filter((secret) => secret.length >= 4);
}

/** Replaces every secret in `text` by `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('***');
  return redactSecrets(out);
}
