import { BaseError, type BaseErrorParameters } from '@bulwark/core';

/** One problem in a manifest: where (JSON path, and line:column when the format has them) and the fix. */
export type ManifestIssue = {
  /** JSON path such as `contracts[0].admin.kind`; empty for the whole file. */
  path: string;
  line?: number | undefined;
  column?: number | undefined;
  message: string;
  fix?: string | undefined;
};

/** The manifest cannot be found, read, parsed or validated. */
export class ManifestError extends BaseError {
  override name = 'ManifestError' as const;
  readonly file: string | undefined;
  readonly issues: ManifestIssue[];

  constructor(
    shortMessage: string,
    parameters: BaseErrorParameters & { file?: string | undefined; issues?: ManifestIssue[] | undefined } = {},
  ) {
    super(shortMessage, { docsPath: 'governance/manifest.md', ...parameters });
    this.file = parameters.file;
    this.issues = parameters.issues ?? [];
  }
}
