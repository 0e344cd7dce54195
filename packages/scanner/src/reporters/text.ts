import type { Finding, Impact, SourceLocation } from '@bulwark/core';
import type { ScanResult } from '../result.ts';
import { sortFindings } from './order.ts';
import { type ReadSource, sourceLines, stripControlCharacters } from './source.ts';
import { countByImpact, fileProblem, filesNotFullyAnalysed, plural } from './summary.ts';

export type TextOptions = {
  /** Raw ANSI colours; when false the output holds no escape codes at all. */
  color: boolean;
  /** Source text for the excerpts; without it, findings show their location only. */
  readSource?: ReadSource | undefined;
  /** Lines shown before and after the lines at fault. Default 0. */
  contextLines?: number | undefined;
};

const reset = '\u001b[0m';
const bold = '\u001b[1m';
const gutterStyle = '\u001b[1;34m';
const impactStyle: Record<Impact, string> = {
  high: '\u001b[1;31m',
  medium: '\u001b[1;33m',
  low: '\u001b[1;36m',
  informational: '\u001b[1;34m',
  optimization: '\u001b[1;32m',
};
const impactLabel: Record<Impact, string> = {
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  informational: 'INFO',
  optimization: 'OPTIMIZATION',
};

/** Regions longer than this show their first 3 and last 2 lines. */
const maxRegionLines = 6;

type Paint = (style: string, text: string) => string;

/**
 * Compiler-style output: per finding a header, the location, an excerpt with the columns at fault
 * underlined, the message and related places as notes; then a summary and the files that were not
 * fully analysed. Untrusted text (source, messages) is stripped of control characters.
 */
export function formatText(result: ScanResult, options: TextOptions): string {
  const paint: Paint = options.color ? (style, text) => `${style}${text}${reset}` : (_style, text) => text;
  const readLines = sourceLines(options.readSource);
  const contextLines = Math.max(0, Math.floor(options.contextLines ?? 0));
  const blocks = sortFindings(result.findings).map((finding) =>
    findingBlock(finding, readLines(finding.location.file), contextLines, paint),
  );
  return `${[...blocks, summary(result, paint)].join('\n\n')}\n`;
}

function findingBlock(finding: Finding, lines: string[] | undefined, contextLines: number, paint: Paint): string {
  const { location } = finding;
  const accent = impactStyle[finding.impact];
  const out = [
    `${paint(accent, impactLabel[finding.impact])}  ${paint(bold, finding.detector)}  ${paint(bold, clean(finding.title))}`,
    `  ${paint(gutterStyle, '-->')} ${clean(location.file)}:${location.startLine}:${location.startColumn}`,
  ];
  if (lines) out.push(...excerpt(lines, location, contextLines, paint, accent));
  for (const line of clean(finding.message).split('\n')) out.push(`  ${line}`);
  for (const related of finding.related) {
    const where = `${clean(related.file)}:${related.startLine}:${related.startColumn}`;
    out.push(
      `  ${paint(gutterStyle, '=')} ${paint(bold, 'note')}: ${where}: ${clean(related.message).replace(/\n/g, ' ')}`,
    );
  }
  return out.join('\n');
}

/**
 * The lines at fault with a line-number gutter. One line: carets under the columns at fault.
 * Several lines: a `>` marks each of them.
 */
function excerpt(
  lines: readonly string[],
  location: SourceLocation,
  contextLines: number,
  paint: Paint,
  accent: string,
): string[] {
  const start = location.startLine;
  if (start < 1 || start > lines.length) return [];
  const end = Math.min(Math.max(location.endLine, start), lines.length);
  const multiline = end > start;
  const first = Math.max(1, start - contextLines);
  const last = Math.min(lines.length, end + contextLines);
  const long = end - start + 1 > maxRegionLines;
  const width = String(last).length;
  const bar = paint(gutterStyle, `${' '.repeat(width)} |`);

  const out = [bar];
  let elided = false;
  for (let number = first; number <= last; number++) {
    if (long && number > start + 2 && number < end - 1) {
      if (!elided) out.push(paint(gutterStyle, '...'));
      elided = true;
      continue;
    }
    const text = clean(lines[number - 1] ?? '');
    const marker = multiline ? `${number >= start && number <= end ? paint(accent, '>') : ' '} ` : '';
    out.push(`${paint(gutterStyle, `${String(number).padStart(width)} |`)} ${marker}${text}`.trimEnd());
    if (!multiline && number === start) {
      out.push(`${bar} ${paint(accent, underline(text, location.startColumn, location.endColumn))}`);
    }
  }
  out.push(bar);
  return out;
}

/** Spaces (tabs kept, so the carets line up) then a caret per column in [startColumn, endColumn). */
function underline(text: string, startColumn: number, endColumn: number): string {
  const start = Math.min(Math.max(startColumn, 1), text.length + 1);
  const end = Math.max(Math.min(endColumn, text.length + 1), start + 1);
  return text.slice(0, start - 1).replace(/[^\t]/g, ' ') + '^'.repeat(end - start);
}

function summary(result: ScanResult, paint: Paint): string {
  const counts = countByImpact(result.findings);
  const byImpact = [
    `${counts.high} high`,
    `${counts.medium} medium`,
    `${counts.low} low`,
    `${counts.informational} informational`,
  ];
  if (counts.optimization > 0) byImpact.push(`${counts.optimization} optimization`);
  const notFull = filesNotFullyAnalysed(result.files);
  const degraded = notFull.filter((file) => file.status === 'degraded').length;
  const failed = notFull.length - degraded;

  let headline = `${plural(result.findings.length, 'finding')} (${byImpact.join(', ')}) in ${plural(result.files.length, 'file')}; ${plural(degraded, 'file')} ran degraded`;
  if (failed > 0) headline += `; ${plural(failed, 'file')} failed`;
  const out = [paint(bold, headline)];
  for (const file of notFull) {
    const style = file.status === 'failed' ? impactStyle.high : impactStyle.medium;
    out.push(`  ${paint(style, file.status.padEnd(8))}  ${clean(file.file)}: ${clean(fileProblem(file))}`);
  }
  const { inline, config, baseline } = result.suppressed;
  if (inline + config + baseline > 0) {
    out.push(
      `${plural(inline + config + baseline, 'finding')} suppressed (${inline} inline, ${config} by config, ${baseline} by baseline)`,
    );
  }
  return out.join('\n');
}

/** Untrusted text without control characters; line breaks kept as `\n`. */
function clean(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map(stripControlCharacters)
    .join('\n');
}
