/**
 * The one error class every Bulwark error extends. Like viem's BaseError: a short message,
 * optional details, a docs path, a cause chain, and whether retrying can help.
 */
export type BaseErrorParameters = {
  details?: string | undefined;
  docsPath?: string | undefined;
  cause?: unknown;
  retryable?: boolean | undefined;
  metaMessages?: string[] | undefined;
};

export class BaseError extends Error {
  override name = 'BaseError';
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly docsPath: string | undefined;
  readonly retryable: boolean;
  readonly metaMessages: string[] | undefined;

  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    const details =
      parameters.details ?? (parameters.cause instanceof Error ? redactSecrets(parameters.cause.message) : undefined);
    const lines = [
      redactSecrets(shortMessage),
      ...(parameters.metaMessages ?? []).map(redactSecrets),
      details ? `Details: ${redactSecrets(details)}` : undefined,
      parameters.docsPath ? `Docs: docs/${parameters.docsPath}` : undefined,
    ].filter((line): line is string => line !== undefined);
    super(lines.join('\n'), parameters.cause === undefined ? undefined : { cause: parameters.cause });
    this.shortMessage = redactSecrets(shortMessage);
    this.details = details;
    this.docsPath = parameters.docsPath;
    this.retryable = parameters.retryable ?? false;
    this.metaMessages = parameters.metaMessages;
  }

  /** Walks the cause chain; returns the first error `matches` accepts. */
  walk(matches?: (error: unknown) => boolean): unknown {
    let current: unknown = this;
    while (current) {
      if (matches?.(current)) return current;
      const next = (current as { cause?: unknown }).cause;
      if (!next) return matches ? undefined : current;
      current = next;
    }
    return undefined;
  }
}

/** Usage errors: bad flags, bad config. The CLI exits 2 on these. */
export class UsageError extends BaseError {
  override name = 'UsageError';
}

/** Input that cannot be read or understood (a missing file, a malformed manifest). */
export class InputError extends BaseError {
  override name = 'InputError';
}

const urlCredentials = /(\b[a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+(?::[^/\s@]*)?@)/gi;
const keyInPath =
  /(\/v[0-9]+\/|\/api[-_]?key[=/]|[?&](?:api[-_]?key|key|token|apikey|access[-_]?token)=)([A-Za-z0-9_-]{16,})/gi;
const privateKeyHex = /\b0x[0-9a-fA-F]{64}\b/g;

/** Strips credentials from URLs, API keys from paths and query strings, and raw private keys. */
export function redactSecrets(text: string): string {
  return text.replace(urlCredentials, '$1***@').replace(keyInPath, '$1***').replace(privateKeyHex, '0x***');
}
