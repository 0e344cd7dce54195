import type { Finding, RelatedLocation, RuleMetadata, SourceLocation } from '@bulwark/core';
import type { Diagnostic, FileReport, ScanResult } from '../result.ts';
import { compareText, sortFindings } from './order.ts';

export type JsonOptions = {
  /** Spaces per indent level; 0 prints one line. Default 2. */
  indent?: number | undefined;
};

/**
 * The ScanResult itself (schemaVersion 1, described by `scan-result.schema.json`), made stable:
 * findings by file, line, column and detector; files by path; detectors by id; keys in a fixed
 * order. Each object is rebuilt field by field, so extra properties never leak into the output and
 * a required field added to the types but not here fails to compile.
 */
export function formatJson(result: ScanResult, options: JsonOptions = {}): string {
  const stable: ScanResult = {
    schemaVersion: result.schemaVersion,
    tool: { name: result.tool.name, version: result.tool.version },
    findings: sortFindings(result.findings).map(finding),
    files: [...result.files].sort((a, b) => compareText(a.file, b.file)).map(fileReport),
    detectors: [...result.detectors].sort((a, b) => compareText(a.id, b.id)).map(detector),
    suppressed: {
      inline: result.suppressed.inline,
      config: result.suppressed.config,
      baseline: result.suppressed.baseline,
    },
    durationMs: result.durationMs,
  };
  return `${JSON.stringify(stable, null, options.indent ?? 2)}\n`;
}

function finding(source: Finding): Finding {
  return {
    detector: source.detector,
    title: source.title,
    impact: source.impact,
    confidence: source.confidence,
    swc: [...source.swc],
    owasp: [...source.owasp],
    control: source.control,
    location: location(source.location),
    related: source.related.map(related),
    message: source.message,
    fingerprint: source.fingerprint,
  };
}

function location(source: SourceLocation): SourceLocation {
  return {
    file: source.file,
    startLine: source.startLine,
    endLine: source.endLine,
    startColumn: source.startColumn,
    endColumn: source.endColumn,
  };
}

function related(source: RelatedLocation): RelatedLocation {
  return { ...location(source), message: source.message };
}

function fileReport(source: FileReport): FileReport {
  return {
    file: source.file,
    solcVersion: source.solcVersion,
    status: source.status,
    reason: source.reason,
    diagnostics: source.diagnostics.map(diagnostic),
    findings: source.findings,
  };
}

function diagnostic(source: Diagnostic): Diagnostic {
  return {
    severity: source.severity,
    file: source.file,
    line: source.line,
    column: source.column,
    message: source.message,
  };
}

function detector(source: RuleMetadata): RuleMetadata {
  return {
    id: source.id,
    title: source.title,
    impact: source.impact,
    confidence: source.confidence,
    description: source.description,
    scenario: source.scenario,
    recommendation: source.recommendation,
    swc: [...source.swc],
    owasp: [...source.owasp],
    control: source.control,
  };
}
