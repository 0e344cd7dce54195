import { BaseError } from '@bulwark/core';

/** An exception that cannot be requested or approved as asked: no target, a past expiry, a self-approval. */
export class ExceptionInputError extends BaseError {
  override name = 'ExceptionInputError' as const;
}
