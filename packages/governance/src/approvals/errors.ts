import { BaseError } from '@bulwark/core';

/** A key that cannot be read or does not fit its algorithm. */
export class KeyError extends BaseError {
  override name = 'KeyError' as const;
}

/** An approval that cannot be recorded: bad signature, unknown approver, self-approval, duplicate. */
export class ApprovalError extends BaseError {
  override name = 'ApprovalError' as const;
}

/** The manifest's `gate` section is missing something or has a typo. */
export class GateConfigError extends BaseError {
  override name = 'GateConfigError' as const;
}

/** A release whose files cannot be read (a missing source or artifact). */
export class ReleaseError extends BaseError {
  override name = 'ReleaseError' as const;
}
