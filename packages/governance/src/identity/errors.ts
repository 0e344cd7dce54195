import { BaseError } from '@bulwark/core';

/** The actor is not a registered identity, or lacks the role an action needs. */
export class IdentityError extends BaseError {
  override name = 'IdentityError' as const;
}
