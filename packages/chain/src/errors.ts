import { BaseError, type BaseErrorParameters } from '@bulwark/core';

/*
 * Errors of the chain package, by subject. Every message names the endpoint by its redacted name
 * (never its URL) and the JSON-RPC method, so that an operator can tell which node misbehaved.
 */

type RpcErrorParameters = BaseErrorParameters & { endpoint: string; method: string };

/** The endpoint could not be reached or answered with an HTTP error: another endpoint may do. */
export class RpcRequestError extends BaseError {
  override name: string = 'RpcRequestError';
  readonly endpoint: string;
  readonly method: string;
  readonly status: number | undefined;
  constructor(message: string, parameters: RpcErrorParameters & { status?: number | undefined }) {
    super(`${parameters.method} on ${parameters.endpoint}: ${message}`, { retryable: true, ...parameters });
    this.endpoint = parameters.endpoint;
    this.method = parameters.method;
    this.status = parameters.status;
  }
}

/** The endpoint did not answer within the per-request timeout. */
export class RpcTimeoutError extends RpcRequestError {
  override name = 'RpcTimeoutError';
  constructor(parameters: RpcErrorParameters & { timeoutMs: number }) {
    super(`no answer within ${parameters.timeoutMs} ms.`, {
      metaMessages: ['Raise `timeoutMs`, or check the node: it is slow or overloaded.'],
      ...parameters,
    });
  }
}

/** The endpoint answered with something that is not a valid answer: a lie, garbage, a wrong id. */
export class RpcMalformedResponseError extends RpcRequestError {
  override name = 'RpcMalformedResponseError';
  constructor(message: string, parameters: RpcErrorParameters) {
    super(`malformed response: ${message}`, {
      metaMessages: ['The node (or a proxy in front of it) returned an invalid answer; it is skipped for a while.'],
      ...parameters,
    });
  }
}

/** The node answered with a JSON-RPC error (a revert, bad parameters): retrying elsewhere will not help. */
export class RpcResponseError extends BaseError {
  override name = 'RpcResponseError';
  readonly endpoint: string;
  readonly method: string;
  readonly code: number;
  readonly data: unknown;
  constructor(parameters: RpcErrorParameters & { code: number; message: string; data?: unknown }) {
    super(`${parameters.method} on ${parameters.endpoint} failed: ${parameters.message} (code ${parameters.code}).`, {
      retryable: false,
      ...parameters,
    });
    this.endpoint = parameters.endpoint;
    this.method = parameters.method;
    this.code = parameters.code;
    this.data = parameters.data;
  }
}

/** No endpoint of the pool supports the method (`debug_traceBlockByNumber` on a plain node). */
export class RpcMethodNotSupportedError extends BaseError {
  override name = 'RpcMethodNotSupportedError';
  readonly method: string;
  readonly endpoints: readonly string[];
  constructor(parameters: BaseErrorParameters & { method: string; endpoints: readonly string[] }) {
    super(`${parameters.method} is not supported by ${parameters.endpoints.join(', ')}.`, {
      retryable: false,
      ...parameters,
    });
    this.method = parameters.method;
    this.endpoints = parameters.endpoints;
  }
}

/** Every endpoint failed (or is resting after failures) for a request, after the retries. */
export class RpcPoolExhaustedError extends BaseError {
  override name = 'RpcPoolExhaustedError';
  readonly method: string;
  readonly errors: readonly Error[];
  constructor(parameters: BaseErrorParameters & { method: string; errors: readonly Error[]; attempts: number }) {
    super(`${parameters.method}: every RPC endpoint failed (${parameters.attempts} attempts).`, {
      retryable: true,
      metaMessages: [
        ...parameters.errors.map((error) => `- ${(error as { shortMessage?: string }).shortMessage ?? error.message}`),
        'Check the endpoints in the config; the pool retries them with back-off.',
      ],
      cause: parameters.errors.at(-1),
      ...parameters,
    });
    this.method = parameters.method;
    this.errors = parameters.errors;
  }
}

/** A WebSocket connection failed, was refused, or broke the protocol. */
export class WebSocketError extends BaseError {
  override name = 'WebSocketError';
  readonly endpoint: string;
  constructor(message: string, parameters: BaseErrorParameters & { endpoint: string }) {
    super(`WebSocket ${parameters.endpoint}: ${message}`, { retryable: true, ...parameters });
    this.endpoint = parameters.endpoint;
  }
}

/** The chain changed under a fetch (a reorg in progress): the parent of a block is not the block before it. */
export class ChainReorgedError extends BaseError {
  override name = 'ChainReorgedError';
  readonly number: bigint;
  constructor(message: string, parameters: BaseErrorParameters & { number: bigint }) {
    super(message, { retryable: true, ...parameters });
    this.number = parameters.number;
  }
}

/** Wrong use of the sync: a bad range, no endpoint, starting twice. */
export class ChainSyncError extends BaseError {
  override name = 'ChainSyncError';
}

/** A keystore file or private key is malformed (not v3, bad hex, hostile KDF parameters, not a key). Messages never carry the secret. */
export class KeystoreError extends BaseError {
  override name = 'KeystoreError';
  constructor(message: string, parameters: BaseErrorParameters = {}) {
    super(message, { ...parameters, docsPath: parameters.docsPath ?? 'wallet/signers.md#keystore' });
  }
}

/** The keystore's MAC does not match: the password is wrong (or the file was altered). */
export class KeystorePasswordError extends BaseError {
  override name = 'KeystorePasswordError';
  constructor(message: string, parameters: BaseErrorParameters = {}) {
    super(message, { ...parameters, docsPath: parameters.docsPath ?? 'wallet/signers.md#keystore' });
  }
}
