import { BaseError, redactSecrets } from '@bulwark/core';

/*
 * Errors of the signers. A signer's failure may come from a cloud API or a remote signer whose
 * message echoes a URL, a header or a key: only a scrubbed one-line text of a cause is kept, never
 * the cause itself, and every text is passed through the core scrubber and the signer's secrets.
 */

export type SignerErrorParameters = {
  cause?: unknown;
  /** Strings to blank out (credentials, URLs with tokens, key material). */
  secrets?: readonly (string | undefined)[] | undefined;
  metaMessages?: string[] | undefined;
  retryable?: boolean | undefined;
  anchor?: string | undefined;
};

function scrubText(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  const sorted = secrets.filter((s): s is string => !!s && s.length >= 4).sort((a, b) => b.length - a.length);
  for (const secret of sorted) out = out.split(secret).join('***');
  return redactSecrets(out);
}

function causeText(cause: unknown): string {
  if (cause instanceof BaseError) return cause.shortMessage;
  if (cause instanceof Error) return cause.message.split('\n')[0] ?? cause.name;
  return String(cause);
}

class WalletSignerBaseError extends BaseError {
  constructor(message: string, parameters: SignerErrorParameters = {}) {
    const secrets = parameters.secrets ?? [];
    super(scrubText(message, secrets), {
      details: parameters.cause === undefined ? undefined : scrubText(causeText(parameters.cause), secrets),
      metaMessages: parameters.metaMessages?.map((line) => scrubText(line, secrets)),
      retryable: parameters.retryable,
      docsPath: `wallet/signers.md${parameters.anchor ?? ''}`,
    });
  }
}

/** A signer could not be created or could not sign (bad config, remote signer down, wrong key). */
export class SignerError extends WalletSignerBaseError {
  override name = 'SignerError' as const;
}

/** The gate refused: no `allow`, or the authorization was for another payload. Nothing was signed. */
export class SignRefusedError extends WalletSignerBaseError {
  override name = 'SignRefusedError' as const;
  constructor(message: string, parameters: SignerErrorParameters = {}) {
    super(message, { anchor: '#the-gate', ...parameters });
  }
}

export { scrubText };
