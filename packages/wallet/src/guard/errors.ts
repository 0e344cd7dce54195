import { BaseError, type BaseErrorParameters } from '@bulwark/core';

/** Why the guard refused an approval, a rejection or a policy change; each refusal is logged before it is thrown. */
export type RefusalReason =
  | 'not-found'
  | 'not-pending'
  | 'expired'
  | 'digest-mismatch'
  | 'tampered'
  | 'self-approval'
  | 'not-an-approver'
  | 'already-voted'
  | 'already-approved'
  | 'already-signed'
  | 'nonce-taken'
  | 'not-signable';

export class WalletRefusedError extends BaseError {
  override name = 'WalletRefusedError' as const;
  readonly reason: RefusalReason;
  constructor(reason: RefusalReason, message: string, parameters: BaseErrorParameters = {}) {
    super(message, { docsPath: 'wallet/policy.md#approvals', ...parameters });
    this.reason = reason;
  }
}
