import { BaseError } from '@bulwark/core';

/** An exported log file that cannot be read: not JSON lines, or a line that is not a log entry. */
export class LogFileError extends BaseError {
  override name = 'LogFileError' as const;
}

/** An anchor that is not `SEQ:HASH`. */
export class LogAnchorError extends BaseError {
  override name = 'LogAnchorError' as const;
}

/** The log or a governance row does not verify, so the gate will not decide on it. */
export class UnverifiedStateError extends BaseError {
  override name = 'UnverifiedStateError' as const;
}

/** A checkpoint that cannot be made (the log or state does not verify) or trusted (bad signature). */
export class LogCheckpointError extends BaseError {
  override name = 'LogCheckpointError' as const;
}
