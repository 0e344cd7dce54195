import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '@bulwark/core';
import {
  type ContractProfile,
  defaultWarmUp,
  describeWarmUp,
  type MonitorConfigFile,
  profileMetric,
  type WarmUpOptions,
  warmUpState,
  windowIds,
} from '@bulwark/monitor';
import { listBaselines } from '@bulwark/store';
import type { Io } from '../main.ts';
import { withStore } from '../store.ts';

const help = `Usage: bulwark baseline show [--config FILE] [--chain ID] [--address ADDRESS] [--format text|json] [--db DIR]

With --config, the store is the one the monitor config names (store.urlEnv, store.dataDir).

Prints what the monitor learned of each watched contract: whether its baseline is still warming
up (then it alerts but pauses only on unequivocal exploitation; thresholds from the config's
baseline.warmUpTxs and warmUpBlocks with --config), the blocks and time covered, calls per
selector (and the most in any window), callers, failure rate, gas, outflow per asset (per
transaction and the most in any window), balances, mints, admin events and pool price moves.
`;

export async function baselineCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      chain: { type: 'string' },
      address: { type: 'string' },
      format: { type: 'string', short: 'f', default: 'text' },
      db: { type: 'string' },
      config: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(help);
    return 0;
  }
  if (positionals[0] !== 'show')
    throw new UsageError(`Unknown baseline subcommand '${positionals[0] ?? ''}'; use \`bulwark baseline show\`.`);
  if (values.format !== 'text' && values.format !== 'json')
    throw new UsageError(`--format ${values.format}: use text or json.`);
  const chainId = values.chain === undefined ? undefined : Number(values.chain);
  if (chainId !== undefined && !Number.isSafeInteger(chainId))
    throw new UsageError(`--chain ${values.chain} is not a chain id.`);
  if (values.address !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(values.address)) {
    throw new UsageError(`--address ${values.address} is not an address (0x and 40 hex digits).`);
  }
  let storeIo = io;
  let db = values.db;
  let warmUp: WarmUpOptions = defaultWarmUp;
  if (values.config) {
    // Only the store and baseline sections are read: the rest may name variables this shell does not have.
    const config = JSON.parse(readFileSync(path.resolve(io.cwd, values.config), 'utf8')) as MonitorConfigFile;
    warmUp = {
      txs: config.baseline?.warmUpTxs ?? defaultWarmUp.txs,
      blocks: config.baseline?.warmUpBlocks ?? defaultWarmUp.blocks,
    };
    const url = config.store?.urlEnv ? io.env[config.store.urlEnv] : io.env.DATABASE_URL;
    storeIo = { ...io, env: { ...io.env, DATABASE_URL: url } };
    db ??=
      config.store?.dataDir && path.resolve(path.dirname(path.resolve(io.cwd, values.config)), config.store.dataDir);
  }
  const baselines = await withStore(storeIo, { db }, (store) =>
    listBaselines<ContractProfile>(store, { chainId, address: values.address, ...profileMetric }),
  );
  if (values.format === 'json') {
    io.stdout(
      `${JSON.stringify(
        baselines.map((baseline) => ({
          ...baseline.stats,
          warmUp: warmUpState(baseline.stats, warmUp),
          updatedAt: baseline.updatedAt,
        })),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  if (baselines.length === 0) {
    io.stdout('No baseline learned yet: run `bulwark monitor --config FILE` (it learns by backfill on start).\n');
    return 0;
  }
  for (const { stats, updatedAt } of baselines) io.stdout(`${describeProfile(stats, updatedAt, warmUp)}\n`);
  return 0;
}

const round = (value: number) =>
  Math.abs(value) >= 1e6 ? value.toExponential(3) : String(Math.round(value * 100) / 100);

function describeProfile(profile: ContractProfile, updatedAt: Date, warmUp: WarmUpOptions): string {
  const hours = (profile.toTime - profile.fromTime) / 3600;
  const lines = [
    `${profile.address} on chain ${profile.chainId}`,
    `  baseline: ${describeWarmUp(warmUpState(profile, warmUp))}`,
    `  learned: blocks ${profile.fromBlock}–${profile.toBlock} (${round(hours)} h), ${profile.txs} transactions; saved ${updatedAt.toISOString()}`,
    `  calls: ${profile.calls}, failed ${profile.failed} (${profile.calls ? round((100 * profile.failed) / profile.calls) : 0}%); callers known: ${Object.keys(profile.callers).length}; gas mean ${round(profile.gas.mean)}, max ${round(profile.gas.max)}`,
    '  selectors (calls, failed, most per window 1b/5m/1h/24h):',
  ];
  const selectors = Object.entries(profile.selectors).sort((a, b) => b[1].calls - a[1].calls);
  for (const [selector, entry] of selectors.slice(0, 12)) {
    lines.push(
      `    ${selector.padEnd(10)} ${String(entry.calls).padStart(7)} ${String(entry.failed).padStart(5)}   ${windowIds.map((id) => entry.windowMax[id]).join('/')}`,
    );
  }
  if (selectors.length > 12) lines.push(`    … ${selectors.length - 12} more`);
  for (const [asset, entry] of Object.entries(profile.assets)) {
    lines.push(
      `  ${asset}: outflow per tx mean ${round(entry.outflowPerTx.mean)}, max ${round(entry.outflowPerTx.max)} (${entry.outflowPerTx.n} txs); most per window ${windowIds.map((id) => round(entry.outflowWindowMax[id])).join('/')}; balance ${entry.balance ?? 'unknown'}`,
    );
  }
  lines.push(
    `  most outflow txs by one sender per window: ${windowIds.map((id) => profile.senderOutflowTxsWindowMax[id]).join('/')}`,
  );
  if (profile.mintPerTx.n > 0 || profile.supply) {
    lines.push(
      `  mints: ${profile.mintPerTx.n}, max ${round(profile.mintPerTx.max)}; supply ${profile.supply ?? 'unknown'}`,
    );
  }
  const admin = Object.entries(profile.adminEvents);
  if (admin.length > 0) {
    lines.push(
      `  admin events: ${admin.map(([name, count]) => `${name} ${count}`).join(', ')}; by ${Object.keys(profile.adminActors).join(', ')}`,
    );
  }
  if (profile.price)
    lines.push(
      `  price: last ${round(profile.price.last)}, largest move within a tx ${round(profile.price.maxTxMove * 100)}%`,
    );
  return lines.join('\n');
}
