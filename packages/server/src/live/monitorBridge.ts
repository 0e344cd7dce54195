import { createRpcPool, type RpcPool } from '@bulwark/chain';
import type {
  BlockReport,
  ContractProfile,
  Monitor,
  MonitorConfig,
  MonitorsFromConfigParameters,
  PauseTaken,
  Rule,
} from '@bulwark/monitor';
import { defaultWarmUp, profileMetric, warmUpState } from '@bulwark/monitor';
import { getBaseline, listResponderActions, type StoreClient } from '@bulwark/store';
import { ApiError } from '../errors.ts';
import { emptyLatency, type Latency, label, latencyLines, observeLatency } from '../metrics.ts';
import type { IncidentResponder } from '../routes/route.ts';
import type { EventHub } from './eventHub.ts';

/** One chain as `/monitor/status` shows it. */
export type MonitorChainView = {
  chainId: number;
  state: string;
  head: string | null;
  lastBlock: string | null;
  lag: number | null;
  endpoints: { url: string; up: boolean }[];
};

export type MonitorContractView = {
  chainId: number;
  address: string;
  name: string;
  warmingUp: boolean;
  paused: boolean;
  /** `chain`: `paused()` read now; `responder`: it could not be read, so the last pause the monitor verified. */
  pausedFrom: 'chain' | 'responder';
};
export type SeriesPoint = { t: string; baseline: number; recent: number };
export type BaselineSeries = { calls: SeriesPoint[]; outflow: SeriesPoint[]; valueLocked: SeriesPoint[] };
export type MonitorRulesView = {
  chainId: number;
  address: string;
  name: string;
  rules: { id: string; enabled: boolean; parameters: Record<string, number> }[];
};

/** What the server reads of a monitor running in its process (`bulwark serve --config`). */
export type ServedMonitor = {
  /** Ready once every chain is followed; what is not, otherwise. */
  readiness(): { ready: boolean; waiting: string[] };
  status(): MonitorChainView[];
  contracts(): Promise<MonitorContractView[]>;
  /** Undefined for a contract the monitor does not watch. */
  baseline(chainId: number, address: string): Promise<BaselineSeries | undefined>;
  rules(): MonitorRulesView[];
  /** Prometheus text lines (`bulwark_monitor_…`). */
  metrics(): string[];
  /** Calls `listener` after a block or pending transaction recorded alerts, incidents or pauses. */
  onRecorded(listener: () => void): void;
};

type Sample = { t: number; calls: number; outflow: number; balance: number };
/** Samples kept per contract for the charts: one a block. */
const samplesKept = 120;

type ChainCounters = {
  blocks: number;
  ruleEvaluations: number;
  alerts: number;
  pauses: Map<string, number>;
  pauseLatency: Latency;
};

/** The first asset a contract names (else native): the one its outflow and value locked are charted in. */
const chartedAsset = (config: MonitorConfig, chainId: number, address: string) =>
  config.contracts.find((c) => c.chain === chainId && c.address === address)?.assets?.[0] ?? 'native';

const outflowOf = (profile: ContractProfile, asset: string) => {
  const stats = profile.assets[asset]?.outflowPerTx;
  return stats ? stats.mean * stats.n : 0;
};
const balanceOf = (profile: ContractProfile, asset: string) => Number(profile.assets[asset]?.balance ?? 0);

/** `paused()`: the view the responder verifies a pause with. */
const pausedSelector = '0x5c975abb';

/** `paused()` on the chain now; undefined when it cannot be read (no such view, a revert, the RPC down). */
async function readPaused(pool: RpcPool, address: string): Promise<boolean | undefined> {
  try {
    const word = await pool.request<string>('eth_call', [{ to: address, data: pausedSelector }, 'latest']);
    if (!/^0x[0-9a-fA-F]{64}$/.test(word)) return undefined;
    const value = BigInt(word);
    return value === 1n ? true : value === 0n ? false : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Joins the monitor running in `bulwark serve` to the server: its hooks (given to
 * `createMonitorsFromConfig`) count what `/metrics` reports, sample the profiles the charts show and
 * publish chain health to the hub; `attach` hands it the monitors once created.
 */
export function createMonitorBridge(parameters: {
  config: MonitorConfig;
  store: StoreClient;
  rules: readonly Rule[];
  hub: EventHub;
  /** How often chain health is compared for `monitor-health` events; default 2000 ms. */
  healthEveryMs?: number | undefined;
}) {
  const { config, store, hub } = parameters;
  let monitors: readonly Monitor[] = [];
  let failed: string | undefined;
  const counters = new Map<number, ChainCounters>();
  const samples = new Map<string, Sample[]>();
  const listeners: (() => void)[] = [];
  // Reads for /monitor/contracts only: short, no retries, so a dead endpoint costs one timeout.
  const pools = new Map<number, RpcPool>();
  const poolOf = (chainId: number) => {
    const chain = config.chains.find((candidate) => candidate.id === chainId);
    if (!chain) return undefined;
    let pool = pools.get(chainId);
    if (!pool) {
      pool = createRpcPool({ endpoints: chain.rpc, timeoutMs: 3_000, retryCount: 0 });
      pools.set(chainId, pool);
    }
    return pool;
  };
  const countersOf = (chainId: number) => {
    let found = counters.get(chainId);
    if (!found) {
      found = { blocks: 0, ruleEvaluations: 0, alerts: 0, pauses: new Map(), pauseLatency: emptyLatency() };
      counters.set(chainId, found);
    }
    return found;
  };
  const countPauses = (chainId: number, pauses: readonly PauseTaken[], latencyMs: number | undefined) => {
    const chain = countersOf(chainId);
    for (const pause of pauses) {
      const status = pause.outcome?.status ?? 'suggested';
      chain.pauses.set(status, (chain.pauses.get(status) ?? 0) + 1);
    }
    if (latencyMs !== undefined) observeLatency(chain.pauseLatency, latencyMs / 1000);
  };
  const recorded = () => {
    for (const listener of listeners) listener();
  };

  function sample(chainId: number): void {
    const monitor = monitors.find((candidate) => candidate.status().chainId === chainId);
    for (const profile of monitor?.profiles() ?? []) {
      const asset = chartedAsset(config, chainId, profile.address);
      const key = `${chainId}:${profile.address}`;
      const series = samples.get(key) ?? [];
      samples.set(key, series);
      series.push({
        t: Date.now(),
        calls: profile.calls,
        outflow: outflowOf(profile, asset),
        balance: balanceOf(profile, asset),
      });
      if (series.length > samplesKept + 1) series.shift();
    }
  }

  const hooks: Pick<MonitorsFromConfigParameters, 'onBlock' | 'onPending' | 'onRulesEvaluated'> = {
    onBlock: (report: BlockReport, chainId: number) => {
      const chain = countersOf(chainId);
      chain.blocks++;
      chain.alerts += report.alerts ?? 0;
      countPauses(chainId, report.pauses, report.pauseMs);
      sample(chainId);
      if ((report.alerts ?? 0) > 0 || report.pauses.length > 0) recorded();
      publishHealth();
    },
    onPending: (_result, pauses, phases, chainId) => {
      countPauses(chainId, pauses, phases?.broadcastMs);
      if (pauses.length > 0) recorded();
    },
    onRulesEvaluated: (chainId, rules) => {
      countersOf(chainId).ruleEvaluations += rules;
    },
  };

  const status = (): MonitorChainView[] =>
    monitors.map((monitor) => {
      const chain = monitor.status();
      return {
        chainId: chain.chainId,
        state: chain.state,
        head: chain.head?.toString() ?? null,
        lastBlock: chain.lastBlock?.toString() ?? null,
        lag: chain.lagBlocks ?? null,
        // Endpoint names: the host, never a key (see @bulwark/chain endpointName).
        endpoints: monitor.endpoints().map((endpoint) => ({ url: endpoint.name, up: endpoint.healthy })),
      };
    });

  let lastHealth = '';
  function publishHealth(): void {
    const chains = status();
    // Only a change of state or of an endpoint is news; the lag moves with every block.
    const shape = JSON.stringify(chains.map((chain) => [chain.chainId, chain.state, chain.endpoints]));
    if (shape === lastHealth) return;
    lastHealth = shape;
    hub.publish('monitor-health', { chains });
  }
  const healthTimer = setInterval(publishHealth, parameters.healthEveryMs ?? 2000);
  healthTimer.unref();

  const served: ServedMonitor = {
    readiness() {
      if (failed) return { ready: false, waiting: [`the monitor stopped: ${failed}`] };
      if (monitors.length === 0) return { ready: false, waiting: ['the monitor: checks and baseline learning'] };
      const waiting = monitors.flatMap((monitor) => {
        const chain = monitor.status();
        if (chain.followingSince !== undefined && chain.state !== 'stopped') return [];
        return [`chain ${chain.chainId}: ${chain.state}`];
      });
      return { ready: waiting.length === 0, waiting };
    },
    status,
    async contracts() {
      const views: MonitorContractView[] = [];
      const warmUp = {
        txs: config.baseline?.warmUpTxs ?? defaultWarmUp.txs,
        blocks: config.baseline?.warmUpBlocks ?? defaultWarmUp.blocks,
      };
      // The contract's own `paused()` is the truth (an admin's unpause included); only when it
      // cannot be read does the last pause the monitor saw take effect stand in for it.
      const pauses = (await listResponderActions(store, { kind: 'pause' })).filter(
        (action) => !action.dryRun && ['verified', 'already-paused'].includes(action.status),
      );
      const pausedState = async (chainId: number, address: string) => {
        const pool = poolOf(chainId);
        const onChain = pool && (await readPaused(pool, address));
        if (onChain !== undefined) return { paused: onChain, pausedFrom: 'chain' as const };
        const verified = pauses.some((action) => action.chainId === chainId && action.address === address);
        return { paused: verified, pausedFrom: 'responder' as const };
      };
      // One eth_call per contract, all at once: a slow endpoint costs one timeout, not one per contract.
      const paused = await Promise.all(
        config.contracts.map((contract) => pausedState(contract.chain, contract.address)),
      );
      for (const [index, contract] of config.contracts.entries()) {
        const live = monitors
          .find((monitor) => monitor.status().chainId === contract.chain)
          ?.profiles()
          .find((profile) => profile.address === contract.address);
        const profile =
          live ??
          (
            await getBaseline<ContractProfile>(store, {
              chainId: contract.chain,
              address: contract.address,
              ...profileMetric,
            })
          )?.stats;
        views.push({
          chainId: contract.chain,
          address: contract.address,
          name: contract.name,
          warmingUp: profile ? warmUpState(profile, warmUp).warmingUp : true,
          ...paused[index]!,
        });
      }
      return views;
    },
    async baseline(chainId, address) {
      const contract = config.contracts.find((c) => c.chain === chainId && c.address === address.toLowerCase());
      if (!contract) return undefined;
      const learned = (
        await getBaseline<ContractProfile>(store, { chainId, address: contract.address, ...profileMetric })
      )?.stats;
      const asset = chartedAsset(config, chainId, contract.address);
      const blocks = Math.max(learned?.blocks ?? 0, 1);
      const callsPerBlock = learned ? learned.calls / blocks : 0;
      const outflowPerBlock = learned ? outflowOf(learned, asset) / blocks : 0;
      const learnedBalance = learned ? balanceOf(learned, asset) : 0;
      const series = samples.get(`${chainId}:${contract.address}`) ?? [];
      const points = (pick: (now: Sample, before: Sample) => number, baseline: number) =>
        series
          .slice(1)
          .map((now, i) => ({ t: new Date(now.t).toISOString(), baseline, recent: pick(now, series[i]!) }));
      return {
        calls: points((now, before) => Math.max(0, now.calls - before.calls), callsPerBlock),
        outflow: points((now, before) => Math.max(0, now.outflow - before.outflow), outflowPerBlock),
        valueLocked: points((now) => now.balance, learnedBalance),
      };
    },
    rules() {
      return config.contracts.map((contract) => ({
        chainId: contract.chain,
        address: contract.address,
        name: contract.name,
        rules: parameters.rules.map((rule) => {
          const global = config.rules?.[rule.id] ?? {};
          const own = contract.rules?.[rule.id] ?? {};
          const values: Record<string, number> = {};
          for (const [name, parameter] of Object.entries(rule.parameters)) {
            const value = own[name] ?? global[name] ?? parameter.default;
            if (typeof value === 'number') values[name] = value;
          }
          return { id: rule.id, enabled: global.enabled !== false && own.enabled !== false, parameters: values };
        }),
      }));
    },
    metrics() {
      const lines: string[] = [];
      const add = (name: string, type: string, help: string, rows: string[]) =>
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...rows);
      const chains = monitors.map((monitor) => ({ status: monitor.status(), endpoints: monitor.endpoints() }));
      add(
        'bulwark_monitor_blocks_behind_head',
        'gauge',
        'Blocks between the chain head (when last asked) and the last block evaluated.',
        chains.flatMap(({ status }) =>
          status.lagBlocks === undefined
            ? []
            : [`bulwark_monitor_blocks_behind_head{chain="${status.chainId}"} ${status.lagBlocks}`],
        ),
      );
      add(
        'bulwark_monitor_following',
        'gauge',
        '1 while the chain is followed (following or catching up), else 0.',
        chains.map(
          ({ status }) =>
            `bulwark_monitor_following{chain="${status.chainId}"} ${status.state === 'following' || status.state === 'catching-up' ? 1 : 0}`,
        ),
      );
      const counted = (pick: (chain: ChainCounters) => number) =>
        [...counters].map(([chainId, chain]) => `{chain="${chainId}"} ${pick(chain)}`);
      add(
        'bulwark_monitor_blocks_evaluated_total',
        'counter',
        'Blocks evaluated since start.',
        counted((c) => c.blocks).map((row) => `bulwark_monitor_blocks_evaluated_total${row}`),
      );
      add(
        'bulwark_monitor_rule_evaluations_total',
        'counter',
        'Rules run on transactions (one per rule and transaction evaluated).',
        counted((c) => c.ruleEvaluations).map((row) => `bulwark_monitor_rule_evaluations_total${row}`),
      );
      add(
        'bulwark_monitor_alerts_total',
        'counter',
        "Alerts recorded for evaluated blocks (after the store's cooldown) since start.",
        counted((c) => c.alerts).map((row) => `bulwark_monitor_alerts_total${row}`),
      );
      add(
        'bulwark_monitor_pause_actions_total',
        'counter',
        'Pauses decided since start, by outcome (sent, planned, proposed, failed, refused, suggested, …).',
        [...counters].flatMap(([chainId, chain]) =>
          [...chain.pauses].map(
            ([status, n]) => `bulwark_monitor_pause_actions_total{chain="${chainId}",status="${label(status)}"} ${n}`,
          ),
        ),
      );
      add(
        'bulwark_monitor_pause_latency_seconds',
        'histogram',
        "From the block's (or pending transaction's) arrival to the pause's broadcast.",
        [...counters].flatMap(([chainId, chain]) =>
          latencyLines('bulwark_monitor_pause_latency_seconds', `chain="${chainId}"`, chain.pauseLatency),
        ),
      );
      add(
        'bulwark_monitor_rpc_errors_total',
        'counter',
        'Failed RPC requests, by chain and endpoint (its host; never a key).',
        chains.flatMap(({ status, endpoints }) =>
          endpoints.map(
            (endpoint) =>
              `bulwark_monitor_rpc_errors_total{chain="${status.chainId}",endpoint="${label(endpoint.name)}"} ${endpoint.failures}`,
          ),
        ),
      );
      add(
        'bulwark_monitor_rpc_endpoint_up',
        'gauge',
        '1 while the endpoint is in use, 0 while it rests after failures.',
        chains.flatMap(({ status, endpoints }) =>
          endpoints.map(
            (endpoint) =>
              `bulwark_monitor_rpc_endpoint_up{chain="${status.chainId}",endpoint="${label(endpoint.name)}"} ${endpoint.healthy ? 1 : 0}`,
          ),
        ),
      );
      return lines;
    },
    onRecorded(listener) {
      listeners.push(listener);
    },
  };

  /** The pause route's responder: the watched contract's own breaker (guardian key or Safe proposal). */
  const responder: IncidentResponder = {
    async respond(request) {
      const monitor = monitors.find((candidate) => candidate.status().chainId === request.chainId);
      const contract = monitor?.parts.contracts.find(
        (candidate) => candidate.address.toLowerCase() === request.contract.toLowerCase(),
      );
      if (!contract?.breaker)
        throw new ApiError(
          409,
          'no-responder',
          `The monitor has no breaker for ${request.contract} on chain ${request.chainId}; give the contract a breaker in the monitor's config.`,
        );
      const outcome = await contract.breaker({ ...request, txHashes: [] });
      return { kind: 'pause', status: outcome.status, txHash: outcome.txHash };
    },
  };

  return {
    served,
    hooks,
    responder,
    /** The monitors, once created: status, profiles and readiness come from them. */
    attach(created: readonly Monitor[]) {
      monitors = created;
      for (const monitor of created) void monitor.whenFollowing.then(publishHealth);
    },
    /** The monitor ended with an error: `/healthz` says so. */
    fail(reason: string) {
      failed = reason;
      publishHealth();
    },
    close() {
      clearInterval(healthTimer);
    },
  };
}

export type MonitorBridge = ReturnType<typeof createMonitorBridge>;
