import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { allDetectors, detectorIndex, detectorPage } from '@bulwark/scanner';
import type { Io } from '../main.ts';

export async function docsGenCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.stdout(
      'Usage: bulwark docs-gen [--out docs/detectors]\n\nWrites one page per detector from its metadata, and an index.\n',
    );
    return 0;
  }
  const out = path.resolve(io.cwd, values.out ?? 'docs/detectors');
  mkdirSync(out, { recursive: true });
  for (const detector of allDetectors) writeFileSync(path.join(out, `${detector.id}.md`), detectorPage(detector));
  writeFileSync(path.join(out, 'README.md'), detectorIndex(allDetectors));
  io.stderr(`Wrote ${allDetectors.length} detector pages to ${path.relative(io.cwd, out) || '.'}.\n`);
  return 0;
}
