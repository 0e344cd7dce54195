export type { Diagnostic, DiagnosticSeverity } from '@bulwark/core';
