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

Every block is evaluated once, in order: after a restart the monitor resumes after the last block
it recorded (its cursor, kept in the store with the block's alerts), before following the head.
Ctrl-C (SIGINT) or SIGTERM finishes the block in hand, saves the baselines and exits 0; a second
signal exits at once. Docs: docs/monitor/config.md
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
  // The first SIGINT/SIGTERM stops after the block in hand (baselines and cursor saved, exit 0); a second exits at once.
  const learning = new AbortController();
  let stopping: Promise<unknown> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting now; the next start resumes after the last recorded block.`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    log(`${signal}: stopping after the block in hand; saving baselines and the cursor…`);
    learning.abort();
    stopping = Promise.all(monitors.map((monitor) => monitor.stop()));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    monitors = await createMonitorsFromConfig({ config, store, rules: allRules, env: io.env, log });
    try {
      for (const monitor of monitors) {
        if (!learning.signal.aborted) await monitor.learn({ signal: learning.signal });
      }
    } catch (error) {
      if (!learning.signal.aborted) throw error;
    }
    if (learning.signal.aborted) {
      log('Stopped before watching: nothing was evaluated; learning starts again at the next start.');
      return 0;
    }
    log(
      `Watching ${config.contracts.length} contract(s) on ${config.chains.length} chain(s)${config.dryRun ? ' (dry run: no pause is sent)' : ''}.`,
    );
    try {
      await Promise.all(monitors.map((monitor) => monitor.run()));
    } catch (error) {
      // One chain could not record a block: stop the others cleanly too, then fail (a restart resumes).
      await Promise.allSettled(monitors.map((monitor) => monitor.stop()));
      throw error;
    }
    await stopping;
    log('Stopped: baselines and cursor saved.');
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (ownStore) await store.close();
  }
}
