import { parseArgs } from 'node:util';
import { allDetectors, metadataOf } from '@bulwark/scanner';
import type { Io } from '../main.ts';

export async function detectorsCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.stdout(
      'Usage: bulwark detectors [--json]\n\nLists every detector: id, impact, confidence, SWC and OWASP ids.\n',
    );
    return 0;
  }
  if (values.json) {
    io.stdout(`${JSON.stringify(allDetectors.map(metadataOf), null, 2)}\n`);
    return 0;
  }
  const rows = allDetectors.map((d) => [
    d.id,
    d.category,
    d.impact,
    d.confidence,
    [...d.swc, ...d.owasp].join(' '),
    d.title,
  ]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length), 8));
  for (const row of rows)
    io.stdout(
      `${row
        .slice(0, 4)
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')}  ${row[5]}  [${row[4]}]\n`,
    );
  io.stdout(`\n${allDetectors.length} detectors.\n`);
  return 0;
}
