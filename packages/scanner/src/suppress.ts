import type { Finding } from '@bulwark/core';

const directive = /\/\/\s*bulwark-disable-(next-line|line)\b([^\n]*)/g;

/**
 * Drops findings silenced by `// bulwark-disable-next-line [id, ...]` on the line above or
 * `// bulwark-disable-line [id, ...]` on the same line. No ids silences every detector there.
 */
export function applyInlineSuppressions(
  findings: Finding[],
  sources: Map<string, string>,
): { findings: Finding[]; suppressed: number } {
  const rulesByFile = new Map<string, Map<number, Set<string> | 'all'>>();
  for (const [file, content] of sources) {
    if (!content.includes('bulwark-disable')) continue;
    const lines = new Map<number, Set<string> | 'all'>();
    const lineStarts = [0];
    for (let i = 0; i < content.length; i++) if (content.charCodeAt(i) === 10) lineStarts.push(i + 1);
    for (const match of content.matchAll(directive)) {
      let line = 1;
      while (line < lineStarts.length && lineStarts[line] <= match.index) line++;
      const target = match[1] === 'next-line' ? line + 1 : line;
      const ids = match[2]
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter((s) => /^[a-z0-9-]+$/.test(s));
      const existing = lines.get(target);
      if (ids.length === 0 || existing === 'all') lines.set(target, 'all');
      else lines.set(target, new Set([...(existing ?? []), ...ids]));
    }
    rulesByFile.set(file, lines);
  }
  if (rulesByFile.size === 0) return { findings, suppressed: 0 };
  const kept = findings.filter((finding) => {
    const rule = rulesByFile.get(finding.location.file)?.get(finding.location.startLine);
    return !(rule === 'all' || rule?.has(finding.detector));
  });
  return { findings: kept, suppressed: findings.length - kept.length };
}
