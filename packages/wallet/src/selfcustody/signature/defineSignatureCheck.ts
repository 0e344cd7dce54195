import { BaseError, validateMetadata } from '@bulwark/core';
import type { SignatureCheck } from './types.ts';

export class SignatureCheckDefinitionError extends BaseError {
  override name = 'SignatureCheckDefinitionError';
}

/** Validates a signature check's metadata when its module loads, so a check missing a field never ships. */
export function defineSignatureCheck(check: SignatureCheck): SignatureCheck {
  validateMetadata(check);
  if (typeof check.check !== 'function') {
    throw new SignatureCheckDefinitionError(`Signature check '${check.id}': a check function is required.`, {
      docsPath: 'wallet/self-custody.md#checks',
    });
  }
  return check;
}
