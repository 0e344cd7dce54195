import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../', import.meta.url));

const tableHeader = '| date | commit | data | figure | peer or limit (same run) | ratio |\n|---|---|---|---|---|---|';

/**
 * Adds rows to one section's table in BENCHMARKS.md, just above the section's
 * `<!-- bench:NAME rows -->` marker, so each bench's rows stay under its own heading. A section not
 * there yet is added at the end, with `intro` under its heading.
 */
export function recordBenchmarkRows(section: { name: string; title: string; intro?: string }, rows: readonly string[]) {
  const file = path.join(repoRoot, 'BENCHMARKS.md');
  const marker = `<!-- bench:${section.name} rows -->`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  if (!text.includes(marker)) {
    const intro = section.intro ? `${section.intro.trim()}\n\n` : '';
    text = `${text.trimEnd()}\n\n## ${section.title}\n\n${intro}${tableHeader}\n${marker}\n`;
  }
  writeFileSync(file, text.replace(marker, `${rows.join('\n')}\n${marker}`));
  console.log(`Recorded ${rows.length} rows in BENCHMARKS.md (${section.title})`);
}

/** A bench run's rows (`| date | commit | data | figure | peer | ratio |`), each printed as it is added. */
export function benchmarkRowCollector(): {
  rows: string[];
  row(data: string, figure: string, peer: string, ratio: string): void;
} {
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  const date = new Date().toISOString().slice(0, 10);
  const rows: string[] = [];
  return {
    rows,
    row(data, figure, peer, ratio) {
      const line = `| ${date} | ${commit} | ${data} | ${figure} | ${peer} | ${ratio} |`;
      rows.push(line);
      console.log(line);
    },
  };
}
