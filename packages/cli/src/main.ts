import { BaseError, UsageError } from '@bulwark/core';

export type Io = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdoutIsTty: boolean;
  stderrIsTty: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
};

export const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdoutIsTty: Boolean(process.stdout.isTTY),
  stderrIsTty: Boolean(process.stderr.isTTY),
  cwd: process.cwd(),
  env: process.env,
};

// Commands load on first use, so `--help` does not pay for every detector and compiler.
const commands: Record<string, { summary: string; run: (args: string[], io: Io) => Promise<number> }> = {
  scan: {
    summary: 'Analyse Solidity files, folders, Foundry or Hardhat projects',
    run: async (args, io) => (await import('./commands/scan.ts')).scanCommand(args, io),
  },
  detectors: {
    summary: 'List the detectors with impact, confidence and ids',
    run: async (args, io) => (await import('./commands/detectors.ts')).detectorsCommand(args, io),
  },
  docs: {
    summary: 'Write one documentation page per detector (docs/detectors)',
    run: async (args, io) => (await import('./commands/docs.ts')).docsCommand(args, io),
  },
  demo: {
    summary: 'Scan the bundled example contracts and print the report',
    run: async (args, io) => (await import('./commands/demo.ts')).demoCommand(args, io),
  },
};

export const usage = `bulwark — security for DLT-enabled services (Singapore CSA advisory)

Usage: bulwark <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

Run \`bulwark <command> --help\` for a command's options.
`;

/** Runs the CLI; returns the exit code (0 ok, 1 findings at or above --fail-on, 2 usage or tool error). */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage);
    return 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout('0.1.0\n');
    return 0;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`error: unknown command '${name}'.\n\n${usage}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    io.stderr(`${formatError(error)}\n`);
    return 2;
  }
}

export function formatError(error: unknown): string {
  if (error instanceof UsageError) return `error: ${error.message}`;
  if (error instanceof BaseError) return `error: ${error.message}`;
  if (error instanceof Error && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    return `error: ${error.message}. Run with --help for the options.`;
  }
  return `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}
