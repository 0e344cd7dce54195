import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatResult, scan } from '@bulwark/scanner';
import type { Io } from '../main.ts';
import { readSourceFrom } from '../readSource.ts';

const examples = fileURLToPath(new URL('../../../../examples/contracts', import.meta.url));

/** The README's main job: scan the bundled example contracts and print the report. */
export async function demoCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    io.stdout(
      'Usage: bulwark demo\n\nScans examples/contracts (a vulnerable vault, a token, a lottery, a fixed vault) and prints the report.\n',
    );
    return 0;
  }
  io.stderr(`Scanning ${examples} ...\n`);
  const result = await scan({ paths: [examples], cwd: io.cwd });
  io.stdout(
    formatResult(result, 'text', { color: io.stdoutIsTty && !io.env.NO_COLOR, readSource: readSourceFrom(io.cwd) }),
  );
  const full = result.files.filter((f) => f.status === 'full').length;
  io.stdout(
    `\nDemo done: ${result.files.length} files (${full} compiled with solc), ${result.findings.length} findings, ${result.durationMs} ms.\n`,
  );
  return 0;
}
