import { BaseError, type BaseErrorParameters } from '@bulwark/core';

/** An audit record that cannot be made: missing report, unknown file, bad finding. */
export class AuditInputError extends BaseError {
  override name = 'AuditInputError' as const;
  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    super(shortMessage, { docsPath: 'governance/audit.md', ...parameters });
  }
}

/** No audit or finding with that id. */
export class AuditNotFoundError extends BaseError {
  override name = 'AuditNotFoundError' as const;
  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    super(shortMessage, { docsPath: 'governance/audit.md', ...parameters });
  }
}
