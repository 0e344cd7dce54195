import { BaseError, type BaseErrorParameters } from '@bulwark/core';
import {
  ChromiumNotFoundError,
  IdentityError,
  IncidentInputError,
  IncidentNotFoundError,
  ManifestError,
  PdfRenderError,
} from '@bulwark/governance';
import { ConflictError, InvalidTransitionError, NotFoundError } from '@bulwark/store';
import { type RefusalReason, WalletRefusedError, WalletRequestError } from '@bulwark/wallet';

/** An error the API answers with its status and code, as `{ error: { code, message } }`. */
export class ApiError extends BaseError {
  override name = 'ApiError' as const;
  readonly statusCode: number;
  readonly code: string;
  constructor(statusCode: number, code: string, message: string, parameters: BaseErrorParameters = {}) {
    super(message, { docsPath: 'server.md#errors', ...parameters });
    this.statusCode = statusCode;
    this.code = code;
  }
}

export type ErrorBody = { error: { code: string; message: string } };
/** An answer; `type` only for a body that is not JSON (the HTML or PDF report). */
export type ApiResponse = { status: number; body: unknown; type?: string | undefined };

// A refusal is a conflict with the request's state (409) or a request that cannot be honoured as
// asked (422); an approver outside the quorum lacks the right (403).
const refusalStatus: Record<RefusalReason, number> = {
  'not-found': 404,
  'not-pending': 409,
  expired: 409,
  'already-voted': 409,
  'already-approved': 409,
  'already-signed': 409,
  'nonce-taken': 409,
  'digest-mismatch': 422,
  tampered: 422,
  'self-approval': 422,
  'not-signable': 422,
  'not-an-approver': 403,
};

// Fastify's own client errors, by code, named for API users.
const fastifyCodes: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad-request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid-json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid-json',
};

const body = (code: string, message: string): ErrorBody => ({ error: { code, message } });

/**
 * The one place an error becomes an answer. Client errors keep their (already scrubbed) short
 * message; anything unexpected is a 500 whose message says nothing of the cause (it is logged).
 */
export function errorResponse(error: unknown): ApiResponse & { unexpected: boolean } {
  const known = (status: number, code: string, message: string) => ({
    status,
    body: body(code, message),
    unexpected: false,
  });
  if (error instanceof ApiError) return known(error.statusCode, error.code, error.shortMessage);
  if (error instanceof WalletRefusedError) return known(refusalStatus[error.reason], error.reason, error.shortMessage);
  if (error instanceof WalletRequestError) return known(400, 'invalid-request', error.shortMessage);
  if (error instanceof NotFoundError) return known(404, 'not-found', error.shortMessage);
  if (error instanceof ConflictError) return known(409, 'conflict', error.shortMessage);
  if (error instanceof InvalidTransitionError) return known(409, 'invalid-transition', error.shortMessage);
  if (error instanceof IncidentNotFoundError) return known(404, 'not-found', error.shortMessage);
  if (error instanceof IncidentInputError) return known(422, 'invalid-incident-input', error.shortMessage);
  // The token's owner is not a registered identity while identities are in use: not allowed to act.
  if (error instanceof IdentityError) return known(403, 'unknown-identity', error.shortMessage);
  if (error instanceof ManifestError) return known(422, 'invalid-manifest', error.shortMessage);
  if (error instanceof ChromiumNotFoundError || error instanceof PdfRenderError)
    return known(503, 'pdf-unavailable', error.shortMessage);
  const fastifyError = error as { statusCode?: number; code?: string; message?: string; validation?: unknown };
  if (fastifyError.validation) return known(400, 'invalid-request', String(fastifyError.message));
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500)
    return known(
      status,
      fastifyCodes[fastifyError.code ?? ''] ?? (status === 413 ? 'payload-too-large' : 'bad-request'),
      String(fastifyError.message),
    );
  return {
    status: 500,
    body: body('internal', 'The server failed on this request; the cause is in its log.'),
    unexpected: true,
  };
}
