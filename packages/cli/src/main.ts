import { BaseError, UsageError } from '@bulwark/core';
import type { Store } from '@bulwark/store';

export type Io = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdoutIsTty: boolean;
  stderrIsTty: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Tests hand in an open store (not closed by commands); otherwise commands open one (see store.ts). */
  openStore?: (() => Promise<Store>) | undefined;
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
  compilers: {
    summary: 'List the solc versions a scan can use, or fetch releases ahead of time',
    run: async (args, io) => (await import('./commands/compilers.ts')).compilersCommand(args, io),
  },
  detectors: {
    summary: 'List the detectors with impact, confidence and ids',
    run: async (args, io) => (await import('./commands/detectors.ts')).detectorsCommand(args, io),
  },
  'docs-gen': {
    summary: 'Write the reference pages of every detector and monitor rule (docs/)',
    run: async (args, io) => (await import('./commands/docsGen.ts')).docsGenCommand(args, io),
  },
  demo: {
    summary: 'Scan the examples, then attack a demo protocol on anvil and stop it with the monitor',
    run: async (args, io) => (await import('./commands/demo.ts')).demoCommand(args, io),
  },
  monitor: {
    summary: 'Follow chains, learn baselines, alert on attacks and pause contracts (opt-in)',
    run: async (args, io) => (await import('./commands/monitor.ts')).monitorCommand(args, io),
  },
  baseline: {
    summary: 'Show the learned baseline of watched contracts',
    run: async (args, io) => (await import('./commands/baseline.ts')).baselineCommand(args, io),
  },
  docs: {
    summary: 'Check contract documentation against the advisory, or build the documentation site',
    run: async (args, io) => (await import('./commands/docs.ts')).docsCommand(args, io),
  },
  'verify-deployment': {
    summary: 'Compare deployed runtime code with the recorded artifacts',
    run: async (args, io) => (await import('./commands/verifyDeployment.ts')).verifyDeploymentCommand(args, io),
  },
  audit: {
    summary: 'Record audits (auditor, scope, report, findings) and list unaudited code',
    run: async (args, io) => (await import('./commands/audit.ts')).auditCommand(args, io),
  },
  approve: {
    summary: 'Sign a release digest as an approver',
    run: async (args, io) => (await import('./commands/approve.ts')).approveCommand(args, io),
  },
  deps: {
    summary: 'Review open-source dependencies and list new or changed ones',
    run: async (args, io) => (await import('./commands/deps.ts')).depsCommand(args, io),
  },
  gate: {
    summary: 'Decide whether a release may go out, with a signed attestation',
    run: async (args, io) => (await import('./commands/gate.ts')).gateCommand(args, io),
  },
  verify: {
    summary: 'Verify a gate attestation',
    run: async (args, io) => (await import('./commands/verify.ts')).verifyCommand(args, io),
  },
  evidence: {
    summary: 'Record evidence for advisory controls (policies, DR tests, pen tests…)',
    run: async (args, io) => (await import('./commands/evidence.ts')).evidenceCommand(args, io),
  },
  exception: {
    summary: 'Request and approve time-limited exceptions to gate checks and controls',
    run: async (args, io) => (await import('./commands/exception.ts')).exceptionCommand(args, io),
  },
  risk: {
    summary: 'Keep the risk register',
    run: async (args, io) => (await import('./commands/risk.ts')).riskCommand(args, io),
  },
  incident: {
    summary: 'Open, move and export incidents (post-mortem)',
    run: async (args, io) => (await import('./commands/incident.ts')).incidentCommand(args, io),
  },
  report: {
    summary: 'Conformance report against the advisory (HTML, PDF, JSON)',
    run: async (args, io) => (await import('./commands/report.ts')).reportCommand(args, io),
  },
  log: {
    summary: 'Verify the tamper-evident governance log',
    run: async (args, io) => (await import('./commands/log.ts')).logCommand(args, io),
  },
  identity: {
    summary: 'Register the people actions are attributed to, with keys and roles',
    run: async (args, io) => (await import('./commands/identity.ts')).identityCommand(args, io),
  },
  wallet: {
    summary: 'Wallet guard: policies, approvals and signers; signature and approval checks',
    run: async (args, io) => (await import('./commands/wallet.ts')).walletCommand(args, io),
  },
  init: {
    summary: 'Prepare the store and create the first admin API token',
    run: async (args, io) => (await import('./commands/init.ts')).initCommand(args, io),
  },
  serve: {
    summary: 'Run the REST API (tokens, roles, OpenAPI, metrics) on the store',
    run: async (args, io) => (await import('./commands/serve.ts')).serveCommand(args, io),
  },
};

export const usage = `bulwark — security for DLT-enabled services (Singapore CSA advisory)

Usage: bulwark <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(18)} ${c.summary}`)
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
    io.stderr(`${formatError(error, name)}\n`);
    return 2;
  }
}

export function formatError(error: unknown, command?: string): string {
  if (error instanceof UsageError) return `error: ${error.message}`;
  if (error instanceof BaseError) return `error: ${error.message}`;
  const code = error instanceof Error ? (error as { code?: string }).code : undefined;
  if (code?.startsWith('ERR_PARSE_ARGS')) return `error: ${parseArgsMessage(code, (error as Error).message, command)}`;
  return `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

/** node:util parseArgs errors in one form for every command: what was wrong, and where the options are. */
function parseArgsMessage(code: string, message: string, command: string | undefined): string {
  const where = command ? ` for bulwark ${command}` : '';
  const help = `Run \`bulwark ${command ? `${command} ` : ''}--help\` for the options.`;
  const quoted = /'([^']+)'/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted) return `unknown option '${quoted}'${where}. ${help}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && quoted && /argument missing/.test(message))
    return `option '${quoted.replace(/ <value>$/, '')}'${where} needs a value. ${help}`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && quoted)
    return `unexpected argument '${quoted}'${where}. ${help}`;
  return `${message.replace(/\.$/, '')}. ${help}`;
}
