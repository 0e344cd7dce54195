import { BaseError } from '@bulwark/core';

/** An artifact that cannot be found, read or understood. */
export class ArtifactError extends BaseError {
  override name = 'ArtifactError' as const;
  constructor(shortMessage: string, parameters: ConstructorParameters<typeof BaseError>[1] = {}) {
    super(shortMessage, { docsPath: 'governance/verify-deployment.md#artifacts', ...parameters });
  }
}

/** The chain cannot be asked for the deployed code (no RPC, unreachable, wrong chain). */
export class DeploymentRpcError extends BaseError {
  override name = 'DeploymentRpcError' as const;
  constructor(shortMessage: string, parameters: ConstructorParameters<typeof BaseError>[1] = {}) {
    super(shortMessage, { docsPath: 'governance/verify-deployment.md#rpc', ...parameters });
  }
}
