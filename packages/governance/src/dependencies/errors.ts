import { BaseError } from '@bulwark/core';

/** A dependency that cannot be inventoried or reviewed as asked. */
export class DependencyError extends BaseError {
  override name = 'DependencyError' as const;
}
