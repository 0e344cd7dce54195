import { BaseError, redactSecrets } from '@bulwark/core';

const sinkSecretPatterns: [RegExp, string][] = [
  // Slack incoming webhooks: /services/T.../B.../<token>
  [/(\/services\/)[A-Za-z0-9]+\/[A-Za-z0-9]+\/[A-Za-z0-9]+/g, '$1***'],
  // Discord webhooks: /api/webhooks/<id>/<token>
  [/(\/api\/webhooks\/[0-9]+\/)[A-Za-z0-9._-]+/g, '$1***'],
  // Telegram bot tokens: /bot<digits>:<secret> or bare <digits>:<35 chars>
  [/(\/bot)[0-9]+:[A-Za-z0-9_-]+/g, '$1***'],
  [/(?<![0-9])[0-9]{6,}:[A-Za-z0-9_-]{30,}/g, '***'],
  // SMTP AUTH lines
  [/(AUTH\s+(?:PLAIN|LOGIN)\s+)\S+/gi, '$1***'],
];

/** `redactSecrets` plus sink-specific tokens (Slack/Discord/Telegram) and any explicitly known secret strings. */
export function redactSinkSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  for (const [pattern, replacement] of sinkSecretPatterns) out = out.replace(pattern, replacement);
  return redactSecrets(out);
}

export type SinkErrorParameters = {
  sink: string;
  status?: number | undefined;
  retryable?: boolean | undefined;
  cause?: unknown;
  secrets?: readonly (string | undefined)[] | undefined;
};

/** A sink failed to deliver. Message and details are scrubbed of secrets; the raw cause is not kept. */
export class SinkError extends BaseError {
  override name = 'SinkError';
  readonly sink: string;
  readonly status: number | undefined;

  constructor(message: string, parameters: SinkErrorParameters) {
    const secrets = parameters.secrets ?? [];
    const causeMessage =
      parameters.cause instanceof Error
        ? `${parameters.cause.message}${causeCode(parameters.cause)}`
        : parameters.cause === undefined
          ? undefined
          : String(parameters.cause);
    super(redactSinkSecrets(`${parameters.sink}: ${message}`, secrets), {
      details: causeMessage === undefined ? undefined : redactSinkSecrets(causeMessage, secrets),
      retryable: parameters.retryable ?? true,
      docsPath: 'monitor/alerts.md',
    });
    this.sink = parameters.sink;
    this.status = parameters.status;
  }
}

function causeCode(error: Error): string {
  const inner = (error as { cause?: unknown }).cause;
  if (inner instanceof Error) return ` (${inner.message})`;
  return '';
}

/** Rebuilds any error as a SinkError whose text is scrubbed. */
export function toSinkError(error: unknown, sink: string, secrets: readonly (string | undefined)[] = []): SinkError {
  if (error instanceof SinkError) return error;
  return new SinkError('delivery failed', { sink, cause: error, secrets });
}
