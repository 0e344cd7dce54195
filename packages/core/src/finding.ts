import type { Confidence, Impact } from './severity.ts';

/** A place in a source file. Lines and columns are 1-based; endColumn is exclusive. */
export type SourceLocation = {
  file: string;
  startLine: number;
  endLine: number;
  startColumn: number;
  endColumn: number;
};

export type RelatedLocation = SourceLocation & { message: string };

export type Finding = {
  detector: string;
  title: string;
  impact: Impact;
  confidence: Confidence;
  swc: string[];
  owasp: string[];
  control: string;
  /** The statement or expression at fault. */
  location: SourceLocation;
  /** The enclosing function and other places that explain the finding. */
  related: RelatedLocation[];
  message: string;
  /** Stable across line shifts: detector, file, contract, function and the normalised snippet. */
  fingerprint: string;
};

export type DiagnosticSeverity = 'error' | 'warning' | 'info';

/** A compiler or tool message about one file; lines and columns are 1-based (UTF-16 columns, as SARIF). */
export type Diagnostic = {
  severity: DiagnosticSeverity;
  file: string;
  line?: number | undefined;
  column?: number | undefined;
  message: string;
};
