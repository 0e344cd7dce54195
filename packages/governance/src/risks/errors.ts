import { BaseError } from '@bulwark/core';

/** A risk field that cannot be stored: a likelihood of 7, a treatment that is not one of the four. */
export class RiskInputError extends BaseError {
  override name = 'RiskInputError' as const;
}

/** A control id that is not in the advisory catalogue (`controls` in @bulwark/core). */
export class UnknownControlError extends BaseError {
  override name = 'UnknownControlError' as const;
}

/** No risk with that id in the register. */
export class RiskNotFoundError extends BaseError {
  override name = 'RiskNotFoundError' as const;
}
