import path from 'node:path';
import { parseArgs } from 'node:util';
import { allRules, createMonitorsFromConfig, loadMonitorConfig, type Monitor } from '@bulwark/monitor';
import { openStore, type Store } from '@bulwark/store';
import type { Io } from '../main.ts';

const help = `Usage: bulwark monitor --config FILE [--dry-run] [--check] [--db DIR]

Follows the configured chains (WebSocket heads, polling fallback, mempool when enabled), learns
each watched contract's baseline by backfill when the store has none, evaluates every transaction
against the rules, sends alerts to the configured sinks, groups them into incidents, and pauses
contracts that opted in (breaker.autoPause) when the composite score crosses the line.

  -c, --config FILE   Monitor config (JSON; schema: packages/monitor/monitor.config.schema.json)
      --dry-run       Decide and record pauses, send nothing (overrides the config)
      --check         Validate the config (and the keys and variables it names), then exit
      --db DIR        PGlite data folder (default: the config's store.dataDir, else .bulwark/db;
                      DATABASE_URL, or the variable named by store.urlEnv, selects PostgreSQL)
  -h, --help

Stops on Ctrl-C (SIGINT) or SIGTERM after saving the baselines. Docs: docs/monitor/config.md
`;

export async function monitorCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c' },
      'dry-run': { type: 'boolean' },
      check: { type: 'boolean' },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(help);
    return 0;
  }
  if (!values.config) {
    io.stderr(`error: --config FILE is required.\n\n${help}`);
    return 2;
  }
  const config = loadMonitorConfig(path.resolve(io.cwd, values.config), { rules: allRules, env: io.env });
  if (values['dry-run']) config.dryRun = true;
  const log = (line: string) => io.stderr(`${line}\n`);
  if (values.check) {
    io.stdout(
      `${values.config}: valid: ${config.chains.length} chain(s), ${config.contracts.length} contract(s), ${config.contracts.filter((c) => c.breaker?.autoPause).length} with automatic pause${config.dryRun ? ' (dry run)' : ''}.\n`,
    );
    return 0;
  }
  let store: Store;
  let ownStore = false;
  if (io.openStore) store = await io.openStore();
  else {
    store = await openStore({
      url: io.env[config.store?.urlEnv ?? 'DATABASE_URL'],
      dataDir: values.db ?? config.store?.dataDir,
      cwd: io.cwd,
    });
    ownStore = true;
  }
  let monitors: Monitor[] = [];
  const stop = async () => {
    log('Stopping: saving baselines…');
    await Promise.all(monitors.map((monitor) => monitor.stop()));
  };
  const onSignal = () => void stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    monitors = await createMonitorsFromConfig({ config, store, rules: allRules, env: io.env, log });
    for (const monitor of monitors) await monitor.learn();
    log(
      `Watching ${config.contracts.length} contract(s) on ${config.chains.length} chain(s)${config.dryRun ? ' (dry run: no pause is sent)' : ''}.`,
    );
    await Promise.all(monitors.map((monitor) => monitor.run()));
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (ownStore) await store.close();
  }
}
