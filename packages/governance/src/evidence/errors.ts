import { BaseError } from '@bulwark/core';

/** Evidence that cannot be recorded: a file that cannot be read, an unknown kind, a bad date. */
export class EvidenceInputError extends BaseError {
  override name = 'EvidenceInputError' as const;
}
