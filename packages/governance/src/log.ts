/**
 * `@bulwark/governance/log`: the log's verify, export and checkpoint functions without the rest of
 * the package. The main entry loads the scanner, compilers and PDF renderer with it; commands that
 * only read the log would pay seconds and a hundred MB for them on every start.
 */
export { isSignatureAlgorithm, readPublicKey, readSigningKey } from './approvals/keys.ts';
export { formatAnchor, type LogAnchor, parseAnchor } from './log/anchor.ts';
export { type LogCheckpoint, readCheckpoint, signCheckpoint } from './log/checkpoint.ts';
export { LogAnchorError, LogCheckpointError, LogFileError } from './log/errors.ts';
export { exportLog, type LogLine, parseLogJsonl, toLogLine } from './log/logJsonl.ts';
export { verifyLogEntries } from './log/verifyLogEntries.ts';
