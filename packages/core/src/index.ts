export { type Control, type ControlArea, controlIds, controls } from './controls.ts';
export { BaseError, type BaseErrorParameters, InputError, redactSecrets, UsageError } from './errors.ts';
export type { Diagnostic, DiagnosticSeverity, Finding, RelatedLocation, SourceLocation } from './finding.ts';
export { fingerprint } from './fingerprint.ts';
export { jsonText } from './json.ts';
export {
  type CreateLoggerParameters,
  createLogger,
  type LogFields,
  type LogFormat,
  type Logger,
  type LogLevel,
  logLevels,
} from './logger.ts';
export { MetadataError, type OwaspId, owaspSc2025, type RuleMetadata, validateMetadata } from './metadata.ts';
export { createRandom, type Random } from './random.ts';
export {
  type Confidence,
  compareImpact,
  confidences,
  type Impact,
  impactAtLeast,
  impacts,
  isImpact,
} from './severity.ts';
export { closest, editDistance } from './suggest.ts';
