import type { PolicyException } from '@bulwark/store';

/**
 * - `requested`: waiting for approvals; it does not count yet;
 * - `accepted`: its quorum approved it and it has not expired;
 * - `expired`: past its expiry day (whether or not it was accepted): what it covered fails again.
 */
export type ExceptionState = 'requested' | 'accepted' | 'expired';

export type ExceptionStatus = PolicyException & { state: ExceptionState; approvalsMissing: number };

export function exceptionStatus(exception: PolicyException, on: string): ExceptionStatus {
  const state: ExceptionState =
    exception.expiresOn < on ? 'expired' : exception.acceptedAt !== null ? 'accepted' : 'requested';
  return {
    ...exception,
    state,
    approvalsMissing: Math.max(0, exception.requiredApprovals - exception.approvals.length),
  };
}
