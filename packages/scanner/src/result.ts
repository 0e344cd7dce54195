import type { Diagnostic, Finding, RuleMetadata } from '@bulwark/core';

export type { Diagnostic, DiagnosticSeverity } from '@bulwark/core';

/** What happened to one analysed file. */
export type FileReport = {
  /** Path as shown to the user (relative to the working directory when inside it). */
  file: string;
  /** solc version that compiled it; undefined when it was not compiled. */
  solcVersion?: string | undefined;
  /** 'full': compiled and analysed; 'degraded': parse tree only (reason says why); 'failed': not analysed. */
  status: 'full' | 'degraded' | 'failed';
  reason?: string | undefined;
  diagnostics: Diagnostic[];
  findings: number;
};

/** The whole result of a scan; the JSON reporter prints exactly this (schemaVersion 1). */
export type ScanResult = {
  schemaVersion: 1;
  tool: { name: 'bulwark'; version: string };
  findings: Finding[];
  files: FileReport[];
  /** Metadata of every detector that ran (SARIF rules come from here). */
  detectors: RuleMetadata[];
  /** Findings dropped by inline comments, config or a baseline. */
  suppressed: { inline: number; config: number; baseline: number };
  durationMs: number;
};
