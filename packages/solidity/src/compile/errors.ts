import { BaseError } from '@bulwark/core';

/**
 * A failure of the compile tooling itself (a bundled solc that cannot be loaded, output that is
 * not JSON). A source file that does not compile is not an error: it is reported per file.
 */
export class CompileError extends BaseError {
  override name = 'CompileError' as const;
}
