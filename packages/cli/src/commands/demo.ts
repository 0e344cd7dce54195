import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UsageError } from '@bulwark/core';
import { scan } from '@bulwark/scanner';
import { createApiToken, createServer } from '@bulwark/server';
import { openStore, type Store } from '@bulwark/store';
import {
  type AttackResult,
  attackNames,
  formatUnits18,
  runDemoScenario,
  type ScenarioResult,
} from '../demo/scenario.ts';
import { formatWalletDemo, runWalletDemo } from '../demo/wallet.ts';
import type { Io } from '../main.ts';
import { interrupted, parsePort } from './serve.ts';

const examples = fileURLToPath(new URL('../../../../examples/contracts', import.meta.url));

const help = `Usage: bulwark demo [--skip-scan] [--attacks a,b] [--format text|json] [--serve [--port N]]

The main job, end to end on a local chain:
  1. scans examples/contracts and summarises the findings;
  2. starts anvil (from npm), deploys the demo protocol (vault, lending market, pool, oracle,
     flash lender) with Bulwark's circuit breakers, drives benign traffic from many accounts,
     learns each contract's baseline, and follows the chain with the monitor (mempool included);
  3. runs four attacks (${attackNames.join(', ')}) and prints for each whether it was
     detected, blocks and milliseconds to the alert and to the pause, funds lost and saved;
  4. runs the wallet guard on examples/wallet: a payout allowed and signed, a withdrawal held for
     approval, a delegatecall blocked, and a drainer's Permit2 signature request flagged.

With --serve, the server (API, live events, dashboard) then stays up on the demo's data (alerts,
incidents and their pauses, wallet requests) at 127.0.0.1 (--port N, default 8080; 0 picks a
free one) and prints its URL and an admin token, until Ctrl-C. The data is in memory: it goes
with the process.
`;

/** `until` ends `--serve` when it resolves (tests); otherwise Ctrl-C (or SIGTERM) does. */
export async function demoCommand(argv: string[], io: Io, until: () => Promise<void> = interrupted): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h' },
      'skip-scan': { type: 'boolean' },
      attacks: { type: 'string' },
      format: { type: 'string', default: 'text' },
      serve: { type: 'boolean' },
      port: { type: 'string' },
    },
  });
  if (values.help) {
    io.stdout(help);
    return 0;
  }
  if (values.format !== 'text' && values.format !== 'json') {
    throw new UsageError(`--format ${values.format} is not a format of the demo; use text or json.`);
  }
  const attacks = values.attacks?.split(',').map((name) => name.trim());
  for (const name of attacks ?? []) {
    if (!attackNames.includes(name as never)) {
      throw new UsageError(`--attacks: '${name}' is not a demo attack; choose from ${attackNames.join(', ')}.`);
    }
  }
  if (values.port !== undefined && !values.serve) throw new UsageError('--port is for --serve: add --serve.');
  const port = values.serve ? parsePort(values.port) : undefined;
  const progress = (line: string) => io.stderr(`${line}\n`);

  if (!values['skip-scan']) {
    progress(`1/2 Scanning ${examples} …`);
    const result = await scan({ paths: [examples], cwd: io.cwd });
    const bySeverity = new Map<string, number>();
    for (const finding of result.findings) bySeverity.set(finding.impact, (bySeverity.get(finding.impact) ?? 0) + 1);
    progress(
      `    ${result.files.length} files, ${result.findings.length} findings (${[...bySeverity].map(([k, v]) => `${v} ${k}`).join(', ')}) in ${result.durationMs} ms; \`bulwark scan examples/contracts\` prints them.`,
    );
  }
  progress('2/2 Monitor: anvil, demo protocol, benign traffic, four attacks …');
  const started = Date.now();
  // With --serve, one store holds the whole demo, and outlives it for the server.
  const kept: Store | undefined = values.serve ? await openStore({ dataDir: 'memory://' }) : undefined;
  try {
    const result = await runDemoScenario({
      attacks: attacks as never,
      log: (line) => progress(`    ${line}`),
      store: kept,
    });
    progress('Wallet guard: example policy, three requests, a drainer signature …');
    const walletStore = kept ?? (await openStore({ dataDir: 'memory://' }));
    const wallet = await runWalletDemo(walletStore).finally(() => (kept ? undefined : walletStore.close()));
    if (!kept || port === undefined) return report(io, values.format, result, wallet, started);
    const stop = until();
    const serving = await serveDemo(io, kept, port);
    try {
      const code = report(io, values.format, result, wallet, started, serving);
      await stop;
      return code;
    } finally {
      await serving.server.close();
    }
  } finally {
    await kept?.close();
  }
}

/** The server on the demo's store, listening, with a fresh admin token (shown once, on stdout). */
async function serveDemo(io: Io, store: Store, port: number) {
  const { token } = await createApiToken(store, { name: 'demo', role: 'admin', actor: 'bulwark demo' });
  const server = await createServer({ store, cwd: io.cwd, logError: (line) => io.stderr(`error: ${line}\n`) });
  const url = await server.listen({ host: '127.0.0.1', port });
  return { server, url, token };
}

function report(
  io: Io,
  format: string | undefined,
  result: ScenarioResult,
  wallet: Awaited<ReturnType<typeof runWalletDemo>>,
  started: number,
  serving?: { url: string; token: string },
): number {
  const serve = serving && { url: serving.url, token: serving.token };
  if (format === 'json') {
    io.stdout(`${JSON.stringify({ ...toJson(result), wallet, serve }, null, 2)}\n`);
  } else {
    io.stdout(formatScenario(result));
    io.stdout(formatWalletDemo(wallet));
    io.stdout(`\nDemo done in ${Math.round((Date.now() - started) / 1000)} s.\n`);
    if (serve) io.stdout(`\nServing the demo's data at ${serve.url} until Ctrl-C.\nAdmin token: ${serve.token}\n`);
  }
  const missed = result.attacks.filter((attack) => !attack.detected).length;
  return missed > 0 || result.falsePauses > 0 ? 1 : 0;
}

const ms = (value: number | undefined) => (value === undefined ? '—' : `${value.toFixed(1)} ms`);
const blocks = (value: number | undefined) => (value === undefined ? '—' : String(value));
const share = (attack: AttackResult) =>
  attack.atRisk === 0n ? '—' : `${((Number(attack.saved) / Number(attack.atRisk)) * 100).toFixed(1)}%`;

export function formatScenario(result: ScenarioResult): string {
  const lines = [
    '',
    `Baseline: ${result.learnedTxs} benign transactions over ${result.learnedBlocks} blocks.`,
    `Benign traffic with the monitor live: ${result.benignTxs} transactions over ${result.benignBlocks} blocks, ${result.benignAlerts} alerts, ${result.falsePauses} pauses.`,
    '',
  ];
  const header = [
    'attack',
    'mode',
    'detected',
    'blocks→alert',
    'ms→alert',
    'blocks→pause',
    'ms→pause',
    'lost',
    'saved',
    'saved %',
  ];
  const rows = result.attacks.map((attack) => [
    attack.name,
    attack.mode,
    attack.detected ? (attack.paused ? 'yes, paused' : 'yes') : 'NO',
    blocks(attack.blocksToAlert),
    ms(attack.msToAlert),
    blocks(attack.blocksToPause),
    ms(attack.msToPause),
    `${formatUnits18(attack.lost)} ${attack.asset}`,
    `${formatUnits18(attack.saved)} ${attack.asset}`,
    share(attack),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  lines.push(line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '');
  for (const attack of result.attacks) {
    lines.push(`${attack.name}: ${attack.description}`);
    lines.push(`  rules: ${attack.rules.join(', ') || 'none'}`);
    if (attack.alert) lines.push(`  alert: ${attack.alert}`);
  }
  lines.push(
    '',
    'ms are measured from the moment the monitor learned of the block (or of the pending transaction) to the alert handed to the sinks and to the pause transaction accepted by the node.',
  );
  return `${lines.join('\n')}\n`;
}

function toJson(result: ScenarioResult) {
  return {
    ...result,
    reports: undefined,
    attacks: result.attacks.map((attack) => ({
      ...attack,
      atRisk: attack.atRisk.toString(),
      lost: attack.lost.toString(),
      saved: attack.saved.toString(),
    })),
  };
}
