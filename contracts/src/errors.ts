import { BaseError } from '@bulwark/core';

/** The circuit-breaker Solidity did not compile, or its artifacts could not be written or read. */
export class ContractsBuildError extends BaseError {
  override name = 'ContractsBuildError' as const;
}

/** The anvil binary could not be found, did not start, or did not answer in time. */
export class AnvilError extends BaseError {
  override name = 'AnvilError' as const;
}

/** A deployment or set-up transaction of the demo protocol failed. */
export class DeployError extends BaseError {
  override name = 'DeployError' as const;
}
