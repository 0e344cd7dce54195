import { BaseError, redactSecrets } from '@bulwark/core';

/*
 * Errors of the responder. None of them keeps a raw cause: a viem error repeats the RPC URL (with
 * its key) and request bodies, so only a scrubbed text of the cause survives, in `details`.
 */

export type ResponderErrorParameters = {
  details?: string | undefined;
  /** The cause; only its scrubbed message is kept. */
  cause?: unknown;
  /** Strings to blank out of every text (RPC URLs and their key-like parts, passwords, API keys). */
  secrets?: readonly (string | undefined)[] | undefined;
  metaMessages?: string[] | undefined;
  retryable?: boolean | undefined;
  docsPath?: string | undefined;
};

const docs = 'monitor/responder.md';

class ResponderBaseError extends BaseError {
  constructor(message: string, parameters: ResponderErrorParameters = {}, anchor = '') {
    const secrets = parameters.secrets ?? [];
    const causeText = parameters.cause === undefined ? undefined : describeCause(parameters.cause);
    const details = [parameters.details, causeText].filter((part) => part !== undefined).join(' ');
    super(scrub(message, secrets), {
      details: details ? scrub(details, secrets) : undefined,
      metaMessages: parameters.metaMessages?.map((line) => scrub(line, secrets)),
      retryable: parameters.retryable,
      docsPath: parameters.docsPath ?? `${docs}${anchor}`,
    });
  }
}

/** The guardian key cannot be loaded: an env var unset, a keystore missing or malformed, a key that is not one. */
export class GuardianKeyError extends ResponderBaseError {
  override name = 'GuardianKeyError' as const;
  constructor(message: string, parameters: ResponderErrorParameters = {}) {
    super(message, parameters, '#guardian-key');
  }
}

/** A responder was configured with options it cannot work with. */
export class ResponderConfigError extends ResponderBaseError {
  override name = 'ResponderConfigError' as const;
  constructor(message: string, parameters: ResponderErrorParameters = {}) {
    super(message, parameters, '#configuration');
  }
}

/** Calldata other than `pause()` was about to be signed. The responder never sends anything else. */
export class ForbiddenCalldataError extends ResponderBaseError {
  override name = 'ForbiddenCalldataError' as const;
  constructor(message: string, parameters: ResponderErrorParameters = {}) {
    super(message, parameters, '#never-unpause');
  }
}

/** The request names a contract (or chain) this responder is not allowed to act on. */
export class PauseRefusedError extends ResponderBaseError {
  override name = 'PauseRefusedError' as const;
  constructor(message: string, parameters: ResponderErrorParameters = {}) {
    super(message, parameters, '#allowed-contracts');
  }
}

/** `pause()` reverts when simulated from the guardian (not guardian, wrong contract…). */
export class PauseSimulationError extends ResponderBaseError {
  override name = 'PauseSimulationError' as const;
  readonly revertReason: string;
  constructor(message: string, parameters: ResponderErrorParameters & { revertReason: string }) {
    super(message, parameters, '#checks-before-sending');
    this.revertReason = parameters.revertReason;
  }
}

/** The pause transaction reverted, was not mined before the deadline, or `paused()` stayed false. */
export class PauseFailedError extends ResponderBaseError {
  override name = 'PauseFailedError' as const;
  constructor(message: string, parameters: ResponderErrorParameters = {}) {
    super(message, parameters, '#sending-and-re-sending');
  }
}

/** A JSON-RPC request of the responder failed (node down, timeout, bad answer). */
export class ResponderRpcError extends ResponderBaseError {
  override name = 'ResponderRpcError' as const;
  constructor(message: string, parameters: ResponderErrorParameters = {}) {
    super(message, { retryable: true, ...parameters }, '#rpc');
  }
}

/** The Safe could not be read, or the Safe Transaction Service refused or failed the proposal. */
export class SafeProposalError extends ResponderBaseError {
  override name = 'SafeProposalError' as const;
  readonly status: number | undefined;
  constructor(message: string, parameters: ResponderErrorParameters & { status?: number | undefined } = {}) {
    super(message, parameters, '#safe-proposals');
    this.status = parameters.status;
  }
}

const tokenLike = /^[A-Za-z0-9_-]{16,}$|^(?:0x)?[0-9a-fA-F]{32,}$/;

/**
 * The parts of an endpoint URL that may be secret: the URL itself, key-like path segments, query
 * values and credentials. Nodes echo the request path in errors, and viem repeats the URL.
 */
export function secretsOfUrl(url: string | undefined): string[] {
  if (!url) return [];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  return [
    url,
    ...parsed.pathname.split('/').filter((segment) => tokenLike.test(segment)),
    ...[...parsed.searchParams.values()].filter((value) => value.length >= 8),
    decodeURIComponent(parsed.password),
    decodeURIComponent(parsed.username),
    parsed.password,
    parsed.username,
  ].filter((secret) => secret.length >= 4);
}

/** Replaces every secret in `text` by `***`, then applies the generic redaction (URL credentials, raw keys). */
export function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  // Longest first, so that a URL goes before the key inside it.
  const sorted = secrets.filter((s): s is string => !!s && s.length >= 4).sort((a, b) => b.length - a.length);
  for (const secret of sorted) out = out.split(secret).join('***');
  return redactSecrets(out);
}

/** A one-paragraph description of an error: viem's short message and reason when it has them. */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const short = (cause as { shortMessage?: unknown }).shortMessage;
    const reason = (cause as { reason?: unknown }).reason;
    const base = typeof short === 'string' ? short : cause.message.split('\n')[0];
    return typeof reason === 'string' && !base.includes(reason) ? `${base} (${reason})` : base;
  }
  return String(cause);
}
