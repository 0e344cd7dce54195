import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { allRules, ruleIndex, rulePage } from '@bulwark/monitor';
import { allDetectors, detectorIndex, detectorPage } from '@bulwark/scanner';
import type { Io } from '../main.ts';

export async function docsGenCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      'rules-out': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(
      'Usage: bulwark docs-gen [--out docs/detectors] [--rules-out docs/monitor/rules]\n\nWrites one page per detector and per monitor rule from its metadata, and an index of each.\n',
    );
    return 0;
  }
  const out = path.resolve(io.cwd, values.out ?? 'docs/detectors');
  mkdirSync(out, { recursive: true });
  for (const detector of allDetectors) writeFileSync(path.join(out, `${detector.id}.md`), detectorPage(detector));
  writeFileSync(path.join(out, 'README.md'), detectorIndex(allDetectors));
  io.stderr(`Wrote ${allDetectors.length} detector pages to ${path.relative(io.cwd, out) || '.'}.\n`);

  const rulesOut = path.resolve(io.cwd, values['rules-out'] ?? 'docs/monitor/rules');
  mkdirSync(rulesOut, { recursive: true });
  for (const rule of allRules) writeFileSync(path.join(rulesOut, `${rule.id}.md`), rulePage(rule));
  writeFileSync(path.join(rulesOut, 'README.md'), ruleIndex(allRules));
  io.stderr(`Wrote ${allRules.length} monitor rule pages to ${path.relative(io.cwd, rulesOut) || '.'}.\n`);
  return 0;
}
