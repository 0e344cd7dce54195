import { closest, UsageError } from '@bulwark/core';
import type { Io } from './main.ts';

export type SubcommandHandler = (argv: string[], io: Io) => Promise<number>;

/**
 * Runs `bulwark <command> <sub> …`: no sub prints the help to stderr (exit 2), `--help` to stdout,
 * an unknown sub is a usage error that suggests the nearest one.
 */
export function runSubcommand(
  argv: string[],
  io: Io,
  parameters: { command: string; help: string; docsPath: string; handlers: Record<string, SubcommandHandler> },
): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub) {
    io.stderr(parameters.help);
    return Promise.resolve(2);
  }
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout(parameters.help);
    return Promise.resolve(0);
  }
  const handler = Object.hasOwn(parameters.handlers, sub) ? parameters.handlers[sub] : undefined;
  if (handler) return handler(rest, io);
  const names = Object.keys(parameters.handlers);
  const suggestion = closest(sub, names);
  const article = /^[aeiou]/.test(parameters.command) ? 'an' : 'a';
  throw new UsageError(`'${sub}' is not ${article} ${parameters.command} subcommand.`, {
    metaMessages: [
      suggestion ? `Did you mean \`bulwark ${parameters.command} ${suggestion}\`?` : `Use one of: ${names.join(', ')}.`,
    ],
    docsPath: parameters.docsPath,
  });
}

/** `--format` of a command that prints text or JSON. */
export function textOrJson(value: string | undefined): 'text' | 'json' {
  const f = value ?? 'text';
  if (f !== 'text' && f !== 'json')
    throw new UsageError(`--format ${f} is not a format here.`, { metaMessages: ['Use text or json.'] });
  return f;
}

/** Rows as aligned columns (the first row is the header); the last column is not padded. */
export function formatColumns(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return `${rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
