import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '@bulwark/core';
import { type CustodyReport, checkCustody, loadCustodyConfig, sendCustodyAlerts } from '@bulwark/wallet';
import { formatUnits } from 'viem';
import type { Io } from '../../main.ts';

export const walletCustodyHelp = `Usage: bulwark wallet custody --config FILE [options]

Reads every listed wallet's balance of every listed asset from the chain, sums them by tier (hot,
warm, cold), and compares the hot share of each asset with its ceiling (10% by default). Above a
ceiling it proposes a sweep (unsigned hot→cold transfers back to the target share) and sends an
alert through the sinks the file lists (the monitor's sinks: stdout, jsonl, webhook, Slack, …).

Options:
      --config <file>             The custody file (required; see docs/wallet/custody.md)
      --no-alert                  Report only; send no alert
  -f, --format <text|json>        Output format (default: text)
  -h, --help                      Show this help

Exit codes: 0 every asset under its ceiling, 1 a ceiling is passed, 2 usage error, a bad custody
file, or a chain that could not be read.
`;

export async function walletCustodyCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      'no-alert': { type: 'boolean' },
      format: { type: 'string', short: 'f' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(walletCustodyHelp);
    return 0;
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`--format ${format} is not a format.`, { metaMessages: ['Use text or json.'] });
  if (positionals.length > 0)
    throw new UsageError(`Unexpected argument '${positionals[0]}'; give the file with --config FILE.`);
  if (!values.config) throw new UsageError('--config FILE is required: the custody file listing wallets by tier.');
  const config = await loadCustodyConfig(path.resolve(io.cwd, values.config), io.env);
  const report = await checkCustody({ config });
  if (!values['no-alert']) {
    for (const summary of await sendCustodyAlerts(report, config, io.env))
      for (const outcome of summary.outcomes.filter((o) => !o.ok))
        io.stderr(`warning: the custody alert was not delivered to ${outcome.sink}: ${outcome.error}\n`);
  }
  io.stdout(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderCustody(report));
  return report.breaches > 0 ? 1 : 0;
}

function renderCustody(report: CustodyReport): string {
  const lines: string[] = [];
  const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
  for (const chain of report.chains) {
    lines.push(`${chain.name} (chain ${chain.chainId}) at block ${chain.blockNumber}`);
    for (const asset of chain.assets) {
      const amount = (value: string) => `${formatUnits(BigInt(value), asset.decimals)} ${asset.symbol}`;
      lines.push(
        `  ${asset.overCeiling ? 'OVER ' : 'ok   '} ${asset.symbol.padEnd(8)} hot ${percent(asset.hotShare)} (ceiling ${percent(asset.ceiling)}): hot ${amount(asset.byTier.hot)}, warm ${amount(asset.byTier.warm)}, cold ${amount(asset.byTier.cold)}`,
      );
      if (asset.sweep) {
        lines.push(
          `        sweep ${amount(asset.sweep.amount)} to ${asset.sweep.to?.name ?? '(no cold wallet)'} (target ${percent(asset.target)})`,
        );
        for (const transfer of asset.sweep.transfers)
          lines.push(`          from ${transfer.fromName} ${transfer.from}: ${amount(transfer.amount)}`);
        if (asset.sweep.note) lines.push(`          note: ${asset.sweep.note}`);
      }
    }
  }
  lines.push(
    report.breaches === 0
      ? 'Every asset is under its hot ceiling.'
      : `${report.breaches} asset(s) above the hot ceiling.`,
  );
  return `${lines.join('\n')}\n`;
}
