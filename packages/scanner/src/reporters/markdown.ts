import { type Finding, type Impact, impacts, type RuleMetadata } from '@bulwark/core';
import type { ScanResult } from '../result.ts';
import { sortFindings } from './order.ts';
import { type ReadSource, sourceLines } from './source.ts';
import { countByImpact, fileProblem, filesNotFullyAnalysed, plural } from './summary.ts';

export type MarkdownOptions = {
  /** Source text for the code excerpts; without it, findings show their location only. */
  readSource?: ReadSource | undefined;
  /** Lines shown before and after the lines at fault. Default 0. */
  contextLines?: number | undefined;
};

const impactHeading: Record<Impact, string> = {
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  informational: 'Informational',
  optimization: 'Optimization',
};

/** Excerpts longer than this are cut, with a comment saying how much was left out. */
const maxExcerptLines = 15;

/**
 * A report for pull-request comments and audit files: summary table, files not fully analysed,
 * then findings grouped by impact (high first) in report order. Untrusted text is escaped.
 */
export function formatMarkdown(result: ScanResult, options: MarkdownOptions = {}): string {
  const readLines = sourceLines(options.readSource);
  const contextLines = Math.max(0, Math.floor(options.contextLines ?? 0));
  const detectors = new Map(result.detectors.map((detector) => [detector.id, detector]));
  const findings = sortFindings(result.findings);
  const counts = countByImpact(findings);
  const notFull = filesNotFullyAnalysed(result.files);

  const out: string[] = ['# Bulwark scan report', ''];
  out.push(
    `bulwark ${escapeInline(result.tool.version)} scanned ${plural(result.files.length, 'file')} in ${Math.round(result.durationMs)} ms: ${plural(findings.length, 'finding')}, ${plural(notFull.length, 'file')} not fully analysed.`,
    '',
  );

  out.push('## Summary', '', '| Impact | Findings |', '| --- | ---: |');
  for (const impact of impacts) {
    if (impact !== 'optimization' || counts.optimization > 0)
      out.push(`| ${impactHeading[impact]} | ${counts[impact]} |`);
  }
  out.push(`| **Total** | **${findings.length}** |`, '');
  const { inline, config, baseline } = result.suppressed;
  if (inline + config + baseline > 0) {
    out.push(
      `${plural(inline + config + baseline, 'finding')} suppressed: ${inline} inline, ${config} by config, ${baseline} by baseline.`,
      '',
    );
  }

  out.push('## Files not fully analysed', '');
  if (notFull.length === 0) {
    out.push(`All ${plural(result.files.length, 'file')} compiled and fully analysed.`, '');
  } else {
    out.push('| File | Status | Reason |', '| --- | --- | --- |');
    for (const file of notFull)
      out.push(`| ${code(file.file).replace(/\|/g, '\\|')} | ${file.status} | ${escapeInline(fileProblem(file))} |`);
    out.push('');
  }

  out.push('## Findings', '');
  if (findings.length === 0) out.push('No findings.', '');
  for (const impact of impacts) {
    const group = findings.filter((finding) => finding.impact === impact);
    if (group.length === 0) continue;
    out.push(`### ${impactHeading[impact]} (${group.length})`, '');
    for (const finding of group) {
      out.push(
        ...findingSection(finding, detectors.get(finding.detector), readLines(finding.location.file), contextLines),
      );
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function findingSection(
  finding: Finding,
  detector: RuleMetadata | undefined,
  lines: string[] | undefined,
  contextLines: number,
): string[] {
  const { location } = finding;
  const facts = [
    code(`${location.file}:${location.startLine}`),
    `confidence ${finding.confidence}`,
    ...finding.swc,
    ...finding.owasp,
    `control ${escapeInline(finding.control)}`,
  ];
  const out = [
    `#### ${code(finding.detector)} ${escapeInline(finding.title)}`,
    '',
    facts.join(' · '),
    '',
    paragraph(finding.message),
    '',
  ];
  const snippet = lines ? excerpt(lines, location.startLine, location.endLine, contextLines) : undefined;
  if (snippet) out.push(...fence(snippet, 'solidity'), '');
  if (finding.related.length > 0) {
    out.push('Related:', '');
    for (const related of finding.related) {
      out.push(`- ${code(`${related.file}:${related.startLine}`)}: ${escapeInline(related.message)}`);
    }
    out.push('');
  }
  if (detector) out.push(`**Recommendation:** ${escapeInline(detector.recommendation)}`, '');
  return out;
}

/** The lines at fault (plus context), common indentation removed; undefined when out of range. */
function excerpt(lines: readonly string[], startLine: number, endLine: number, contextLines: number) {
  if (startLine < 1 || startLine > lines.length) return undefined;
  const first = Math.max(1, startLine - contextLines);
  const last = Math.min(lines.length, Math.max(endLine, startLine) + contextLines);
  let shown = lines.slice(first - 1, last);
  const cut = shown.length - maxExcerptLines;
  if (cut > 0) shown = [...shown.slice(0, maxExcerptLines), `// … ${plural(cut, 'more line')}`];
  const indent = Math.min(
    ...shown.filter((line) => line.trim() !== '').map((line) => line.length - line.trimStart().length),
  );
  return shown.map((line) => line.slice(Number.isFinite(indent) ? indent : 0).trimEnd());
}

/** A fenced block whose fence is longer than any backtick run inside it. */
function fence(lines: readonly string[], language: string): string[] {
  const longest = Math.max(
    0,
    ...lines.map((line) => Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length))),
  );
  const marker = '`'.repeat(Math.max(3, longest + 1));
  return [`${marker}${language}`, ...lines, marker];
}

/** An inline code span that survives backticks in the text. */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const marker = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${marker}${pad}${text.replace(/\r?\n/g, ' ')}${pad}${marker}`;
}

/** Prose inside a line: markup characters escaped, so `a[i]` or `<b>` show as written. */
function escapeInline(text: string): string {
  return text.replace(/[\\`*_[\]<>|~&]/g, '\\$&').replace(/\r?\n/g, ' ');
}

/** Prose that starts a paragraph: also no heading, list or rule from its first characters. */
function paragraph(text: string): string {
  return escapeInline(text.trim())
    .replace(/^([#+\-=])/, '\\$1')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}
