import type { Logger } from '@bulwark/core';
import { createMonitorsFromConfig, type Monitor, type MonitorConfig, type Rule, type Sink } from '@bulwark/monitor';
import type { StoreClient } from '@bulwark/store';
import type { ClusterMetrics } from './metrics.ts';

/** What every role builds its stages from: the monitor's config, the shared PostgreSQL store, the rules. */
export type RoleBase = {
  config: MonitorConfig;
  store: StoreClient;
  rules: readonly Rule[];
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  logger?: Pick<Logger, 'log'> | undefined;
  /** Extra sinks (tests). */
  sinks?: readonly Sink[] | undefined;
  /** Counts what the role does for `/metrics`. */
  metrics?: ClusterMetrics | undefined;
};

/**
 * The single-process monitor's stages for one chain and a set of its contracts, built exactly as
 * `bulwark monitor` builds them (engine, rules, baselines from the store, breakers, sinks); the
 * roles use its parts, never its own sync.
 */
export async function monitorFor(
  base: RoleBase,
  chainId: number,
  contracts: readonly MonitorConfig['contracts'][number][],
  /** The contracts the rules judge (a detect partition's own); default all. */
  judged?: readonly string[],
): Promise<Monitor> {
  const chain = base.config.chains.find((candidate) => candidate.id === chainId);
  if (!chain) throw new Error(`Chain ${chainId} is not in the config.`);
  const [monitor] = await createMonitorsFromConfig({
    config: { ...base.config, chains: [chain], contracts: [...contracts] },
    store: base.store,
    rules: base.rules,
    env: base.env,
    log: base.log,
    logger: base.logger,
    sinks: base.sinks,
    judged,
  });
  return monitor!;
}

/** A problem the role waits out or retries (NATS or PostgreSQL away, a block to judge again): a warning. */
export function warn(base: Pick<RoleBase, 'log' | 'logger'>, line: string): void {
  if (base.logger) base.logger.log('warn', line);
  else base.log(line);
}
