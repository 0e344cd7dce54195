import { type Finding, type Impact, impacts } from '@bulwark/core';
import type { FileReport } from '../result.ts';
import { compareText } from './order.ts';

export function countByImpact(findings: readonly Finding[]): Record<Impact, number> {
  const counts = Object.fromEntries(impacts.map((impact) => [impact, 0])) as Record<Impact, number>;
  for (const finding of findings) counts[finding.impact] += 1;
  return counts;
}

/** Files that ran degraded or failed, in path order. */
export function filesNotFullyAnalysed(files: readonly FileReport[]): FileReport[] {
  return files.filter((file) => file.status !== 'full').sort((a, b) => compareText(a.file, b.file));
}

/** Why a file was not fully analysed: its reason, else its first error, else a plain statement. */
export function fileProblem(report: FileReport): string {
  if (report.reason) return report.reason;
  const error = report.diagnostics.find((diagnostic) => diagnostic.severity === 'error');
  if (error) return error.message;
  return report.status === 'failed' ? 'not analysed (no reason recorded)' : 'parse tree only (no reason recorded)';
}

/** `1 finding`, `2 findings`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
