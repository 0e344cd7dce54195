import { randomUUID } from 'node:crypto';
import { createChainSync, type RpcEndpointConfig, type RpcPool } from '@bulwark/chain';
import type { Logger } from '@bulwark/core';
import { getBaseline, type StoreClient } from '@bulwark/store';
import { type Abi, type Address, parseEther, parseGwei, toFunctionSelector, toFunctionSignature } from 'viem';
import type { ContractProfile } from '../baseline/types.ts';
import { loadThreatIntel, type MonitorConfig, readAbi } from '../config/loadConfig.ts';
import { createEngine } from '../engine/engine.ts';
import { buildPrivilegeMap } from '../privilege/classify.ts';
import { loadGuardianKey } from '../responder/guardianKey.ts';
import { createPauseResponder, type PauseResponder } from '../responder/pauseSender.ts';
import { poolClient } from '../responder/poolClient.ts';
import { createSafeProposer, type SafeProposalNotice } from '../responder/safeProposal.ts';
import type { Rule } from '../rules/types.ts';
import { createCreationSimulator } from '../simulate/simulateCreations.ts';
import type { Sink } from '../sinks/alert.ts';
import { createDiscordSink } from '../sinks/discord.ts';
import { createDispatcher } from '../sinks/dispatcher.ts';
import { createEmailSink } from '../sinks/email.ts';
import { createJsonlSink } from '../sinks/jsonl.ts';
import { createSlackSink } from '../sinks/slack.ts';
import { createStdoutSink } from '../sinks/stdout.ts';
import { createTelegramSink } from '../sinks/telegram.ts';
import { createWebhookSink } from '../sinks/webhook.ts';
import { createChainStatus } from './chainStatus.ts';
import {
  type BlockReport,
  type Breaker,
  type CreateMonitorParameters,
  createMonitor,
  type Monitor,
  type MonitoredContract,
  profileMetric,
} from './monitor.ts';
import { createStoreCheckpoints } from './storeCheckpoints.ts';

export type MonitorsFromConfigParameters = {
  config: MonitorConfig;
  store: StoreClient;
  rules: readonly Rule[];
  env?: NodeJS.ProcessEnv | undefined;
  log?: ((line: string) => void) | undefined;
  /** Leveled logging for faults (endpoint down and recovered, outages, catch-up); default `log` at every level. */
  logger?: Pick<Logger, 'log'> | undefined;
  /** Extra sinks (the demo's in-memory one). */
  sinks?: readonly Sink[] | undefined;
  /** Each block's report, with the chain it is from. */
  onBlock?: ((report: BlockReport, chainId: number) => void) | undefined;
  onPending?:
    | ((...args: [...Parameters<NonNullable<CreateMonitorParameters['onPending']>>, chainId: number]) => void)
    | undefined;
  /** Told how many rules ran on each transaction evaluated, by chain (for `/metrics`). */
  onRulesEvaluated?: ((chainId: number, rules: number) => void) | undefined;
  /** The contracts whose transactions the rules judge (a cluster partition's own, `EngineOptions.judged`); default all. */
  judged?: readonly string[] | undefined;
};

/** One monitor per configured chain, with its sync, engine, breakers and the shared sinks. */
export async function createMonitorsFromConfig(parameters: MonitorsFromConfigParameters): Promise<Monitor[]> {
  const { config, store } = parameters;
  const env = parameters.env ?? process.env;
  const log = parameters.log ?? (() => {});
  const rules = parameters.rules.filter((rule) => config.rules?.[rule.id]?.enabled !== false);
  const threatIntel = loadThreatIntel(config.threatIntel ?? []);
  const dispatcher = createDispatcher({
    sinks: uniquelyNamed([...buildSinks(config, env), ...(parameters.sinks ?? [])]),
    onSinkError: (sink, message) => log(`Sink ${sink} failed: ${message}`),
  });
  const monitors: Monitor[] = [];
  for (const chain of config.chains) {
    const contracts = config.contracts.filter((contract) => contract.chain === chain.id);
    const endpoints = chain.rpc.map((entry): string | RpcEndpointConfig => entry);
    const status = createChainStatus({
      chainId: chain.id,
      log: parameters.logger?.log ?? ((_level, message) => log(message)),
      head: async () => BigInt(await sync.pool.request<string>('eth_blockNumber', [])),
    });
    const sync = createChainSync({
      rpc: { onHealthChange: status.endpointChanged },
      chainId: chain.id,
      endpoints,
      // The monitor moves the cursor itself, in the transaction that records each block.
      checkpointStore: createStoreCheckpoints(store, { readOnly: true }),
      confirmations: chain.confirmations,
      pollingIntervalMs: chain.pollingIntervalMs,
      traces: chain.traces,
      // A pause the receipts already justify goes out before the traces are in (docs/monitor/operations.md).
      receiptsFirst: true,
      watch: chain.mempool ? contracts.map((contract) => contract.address as Address) : undefined,
      startBlock: chain.startBlock === undefined ? undefined : BigInt(chain.startBlock),
    });
    // Each ABI is read once: names for alerts, privilege for the rules.
    const abis = new Map(
      contracts.flatMap((contract) => (contract.abi ? [[contract.address, readAbi(contract.abi)]] : [])),
    );
    const profiles: ContractProfile[] = [];
    for (const contract of contracts) {
      const stored = await getBaseline<ContractProfile>(store, {
        chainId: chain.id,
        address: contract.address,
        ...profileMetric,
      });
      if (stored) profiles.push(stored.stats);
    }
    const parametersOf = (settings: Record<string, Record<string, number | boolean>> | undefined) =>
      Object.fromEntries(
        Object.entries(settings ?? {}).map(([id, values]) => [
          id,
          Object.fromEntries(Object.entries(values).filter(([name]) => name !== 'enabled')) as Record<string, number>,
        ]),
      );
    const { breakers, responders } = await breakersOf(config, chain.id, sync.pool, store, env, log, async (notice) => {
      await dispatcher.dispatch({
        id: randomUUID(),
        ruleId: 'safe-proposal',
        title: notice.title,
        severity: 'critical',
        chainId: notice.chainId,
        contract: notice.contract,
        blockNumber: '0',
        at: new Date().toISOString(),
        summary: notice.summary,
        details: { ...notice },
        dedupeKey: `safe-proposal:${notice.safeTxHash}`,
        incidentId: notice.incidentId,
      });
    });
    const engine = createEngine({
      chainId: chain.id,
      rules,
      parameters: parametersOf(config.rules),
      composite: config.composite,
      creationWindowBlocks: config.creationWindowBlocks,
      decayHalfLifeSeconds:
        config.baseline?.decayHalfLifeDays === undefined ? undefined : config.baseline.decayHalfLifeDays * 86_400,
      warmUp: { txs: config.baseline?.warmUpTxs, blocks: config.baseline?.warmUpBlocks },
      threatIntel,
      profiles,
      contracts: contracts.map((contract) => ({
        address: contract.address,
        name: contract.name,
        kind: contract.kind ?? 'other',
        // The monitor's own guardian pausing is expected, not an admin change to alert on.
        trustedAdmins: [...(contract.trustedAdmins ?? []), ...(breakers.get(contract.address)?.guardian ?? [])],
        parameters: parametersOf(contract.rules),
        disabledRules: Object.entries(contract.rules ?? {}).flatMap(([id, values]) =>
          values.enabled === false ? [id] : [],
        ),
        privilege: buildPrivilegeMap({
          abi: abis.get(contract.address),
          privileged: contract.privileged,
          notPrivileged: contract.notPrivileged,
          contract: contract.name,
        }),
      })),
      onRuleError: (ruleId, error) => log(`Rule ${ruleId} failed on a transaction: ${(error as Error).message}`),
      onRulesEvaluated: parameters.onRulesEvaluated && ((count) => parameters.onRulesEvaluated?.(chain.id, count)),
      judged: parameters.judged,
    });
    monitors.push(
      createMonitor({
        chainId: chain.id,
        sync,
        engine,
        store,
        dispatcher,
        contracts: contracts.map((contract) => ({
          address: contract.address,
          name: contract.name,
          assets: contract.assets ?? [],
          breaker: breakers.get(contract.address)?.breaker,
          compete: breakers.get(contract.address)?.compete,
          autoPause: contract.breaker?.autoPause ?? false,
          kind: contract.kind,
        })),
        startBlock: chain.startBlock === undefined ? undefined : BigInt(chain.startBlock),
        confirmations: chain.confirmations,
        learnBlocks: config.baseline?.learnBlocks,
        persistEveryBlocks: config.baseline?.persistEveryBlocks,
        cooldownMs: config.alerts?.cooldownMs,
        minSeverity: config.alerts?.minSeverity,
        dryRun: config.dryRun,
        log,
        status,
        onBlock: (report) => {
          // The pauses are prepared on each block once it is evaluated, never while it is fetched.
          for (const responder of responders) void responder.evaluated(report.number, report.touched);
          parameters.onBlock?.(report, chain.id);
        },
        onPending:
          parameters.onPending &&
          ((result, pauses, phases) => parameters.onPending?.(result, pauses, phases, chain.id)),
        functionNames: new Map([...abis].map(([address, abi]) => [address, functionNames(abi)] as const)),
        simulateCreations:
          config.simulation?.enabled === false
            ? undefined
            : createCreationSimulator({
                pool: sync.pool,
                chainId: chain.id,
                contracts: contracts.map((contract) => contract.address),
                pools: contracts.filter((contract) => contract.kind === 'pool').map((contract) => contract.address),
                // The functions each protected contract is called with, as learned from its traffic.
                selectorsOf: (contract) => Object.keys(engine.profile(contract).selectors),
                maxFunctions: config.simulation?.maxFunctions,
                gasPerCall:
                  config.simulation?.gasPerCall === undefined ? undefined : BigInt(config.simulation.gasPerCall),
                log,
              }),
      }),
    );
    // Pauses are prepared (nonce, gas, simulation, competitors) on every block while the monitor runs.
    monitors.push(warmWhileRunning(monitors.pop()!, responders));
  }
  return monitors;
}

/** A contract's breaker, who may pause it, and (for a guardian key) how its pause hears of competitors. */
type BreakerOf = { breaker: Breaker; guardian: string[]; compete?: MonitoredContract['compete'] };

/**
 * A breaker per protected contract: a guardian key, or a Safe the pause is proposed to (its
 * signers notified through the sinks). One pause responder per guardian key (one nonce
 * sequence), on the chain's RPC pool: reads fail over, each pause goes to every endpoint and
 * relay at once. The breaker resolves at the first broadcast (or when the pause ends without
 * one: planned, refused, already paused, failed), so the monitor goes on watching while the
 * pause is mined; the rest is logged when it settles.
 */
async function breakersOf(
  config: MonitorConfig,
  chainId: number,
  pool: RpcPool,
  store: StoreClient,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
  notify?: (notice: SafeProposalNotice) => void | Promise<void>,
): Promise<{ breakers: Map<string, BreakerOf>; responders: PauseResponder[] }> {
  const breakers = new Map<string, BreakerOf>();
  const chain = config.chains.find((candidate) => candidate.id === chainId)!;
  const client = poolClient(pool);
  const policy = chain.pause ?? {};
  const guarded = config.contracts.filter(
    (contract) => contract.chain === chainId && contract.breaker?.kind === 'guardian' && contract.breaker.guardian,
  );
  // Contracts sharing a key share a responder: two responders on one key would race for its nonces.
  const byKey = new Map<string, typeof guarded>();
  for (const contract of guarded) {
    const key = contract.breaker!.guardian!;
    const id = key.keystore ? `keystore:${key.keystore}` : `env:${key.privateKeyEnv ?? ''}`;
    byKey.set(id, [...(byKey.get(id) ?? []), contract]);
  }
  const responders: PauseResponder[] = [];
  for (const contracts of byKey.values()) {
    const key = contracts[0]!.breaker!.guardian!;
    const account = await loadGuardianKey(
      key.keystore
        ? { keystorePath: key.keystore, passwordEnv: key.passwordEnv ?? '' }
        : { privateKeyEnv: key.privateKeyEnv ?? '' },
      { env },
    );
    // Per-contract tip settings predate the per-chain policy; the highest of the group applies.
    const multipliers = contracts.flatMap((c) =>
      c.breaker?.priorityFeeMultiplier === undefined ? [] : [c.breaker.priorityFeeMultiplier],
    );
    const floors = contracts.flatMap((c) =>
      c.breaker?.minPriorityFeeGwei === undefined ? [] : [c.breaker.minPriorityFeeGwei],
    );
    const responder = createPauseResponder({
      pool,
      relays: policy.relays,
      relaysOnly: policy.relaysOnly,
      account,
      store,
      chainId,
      allowed: contracts.map((contract) => contract.address as Address),
      dryRun: config.dryRun,
      fees: {
        priorityFeeMultiplier: multipliers.length > 0 ? Math.max(...multipliers) : undefined,
        minPriorityFeePerGas: floors.length > 0 ? parseGwei(String(Math.max(...floors))) : undefined,
        outbidMarginPercent: policy.outbidMarginPercent,
        maxFeePerGasCap: policy.maxFeeGwei === undefined ? undefined : parseGwei(String(policy.maxFeeGwei)),
        maxPauseCostWei: policy.maxCostEth === undefined ? undefined : parseEther(String(policy.maxCostEth)),
      },
      log,
    });
    responders.push(responder);
    for (const contract of contracts) {
      const breaker: Breaker = async (request) => {
        const requestedAt = performance.timeOrigin + performance.now();
        const handle = responder.start({ ...request, contract: request.contract as Address });
        const settled = handle.settled.then(
          (outcome) => {
            const mined = outcome.blockNumber === undefined ? '' : ` in block ${outcome.blockNumber}`;
            const pricing =
              outcome.pricing && !outcome.pricing.outbid
                ? ` (capped by ${outcome.pricing.limitedBy}: did not outbid)`
                : '';
            const unrecorded =
              outcome.recordErrors.length > 0 ? ` Not recorded: ${outcome.recordErrors.join('; ')}.` : '';
            log(
              `${contract.name}: pause ${outcome.status}${mined}${pricing}${outcome.error ? ` (${outcome.error.message})` : ''} after ${Math.round(performance.timeOrigin + performance.now() - requestedAt)} ms.${unrecorded}`,
            );
            return { status: outcome.status, txHash: outcome.txHash };
          },
          (error: Error) => {
            log(`${contract.name}: pause failed: ${error.message}`);
            return { status: 'failed' };
          },
        );
        const broadcast = await handle.broadcast;
        if (broadcast) return { status: 'sent', txHash: broadcast.txHash, broadcastAt: broadcast.atMs };
        return settled;
      };
      breakers.set(contract.address, {
        breaker,
        guardian: [account.address.toLowerCase()],
        compete: (tx) => responder.compete(tx, [contract.address as Address]),
      });
    }
  }
  for (const contract of config.contracts) {
    const safe = contract.breaker?.kind === 'safe' ? contract.breaker.safe : undefined;
    if (contract.chain !== chainId || !safe) continue;
    const proposer = safe.proposerKeyEnv
      ? await loadGuardianKey({ privateKeyEnv: safe.proposerKeyEnv }, { env })
      : undefined;
    const proposerOf = createSafeProposer({
      client,
      store,
      chainId,
      allowed: [{ contract: contract.address as Address, safe: safe.address as Address }],
      proposer,
      serviceUrl: safe.serviceUrl,
      serviceApiKey: safe.serviceApiKeyEnv ? env[safe.serviceApiKeyEnv] : undefined,
      dryRun: config.dryRun,
      notify: (notice) => notify?.(notice),
    });
    breakers.set(contract.address, {
      breaker: async (request) => {
        // A proposal is for people to sign, not a race: it follows its incident's record.
        await Promise.resolve(request.recordAfter).catch(() => {});
        const outcome = await proposerOf.propose({ ...request, contract: request.contract as Address });
        log(
          `${contract.name}: pause ${outcome.status} to Safe ${safe.address}${outcome.safeTxHash ? ` (safeTxHash ${outcome.safeTxHash})` : ''}.`,
        );
        return { status: outcome.status, txHash: undefined };
      },
      guardian: [safe.address.toLowerCase()],
    });
  }
  return { breakers, responders };
}

function warmWhileRunning(monitor: Monitor, responders: readonly PauseResponder[]): Monitor {
  return {
    ...monitor,
    parts: {
      ...monitor.parts,
      async warmPauseSenders(options) {
        await Promise.all(responders.map((responder) => responder.prepare()));
        for (const responder of responders) responder.warm(options);
        return responders.reduce((count, responder) => count + responder.allowed.length, 0);
      },
      pauseSendersEvaluated(blockNumber, touched) {
        for (const responder of responders) responder.evaluated(blockNumber, touched);
      },
    },
    run: () => {
      for (const responder of responders) responder.warm({ heads: 'told' });
      return monitor.run();
    },
    stop: () => {
      for (const responder of responders) responder.close();
      return monitor.stop();
    },
  };
}

/** The outbox records deliveries by sink name: a second `jsonl` sink becomes `jsonl#2`. */
function uniquelyNamed(sinks: readonly Sink[]): Sink[] {
  const seen = new Map<string, number>();
  return sinks.map((sink) => {
    const count = (seen.get(sink.name) ?? 0) + 1;
    seen.set(sink.name, count);
    if (count === 1) return sink;
    const { retract } = sink;
    return {
      name: `${sink.name}#${count}`,
      send: (alert) => sink.send(alert),
      retract: retract && ((alert) => retract.call(sink, alert)),
    };
  });
}

/** The sinks a config's `sinks` entries describe (shared with the wallet guard's custody alerts). */
export function buildSinks(config: Pick<MonitorConfig, 'sinks'>, env: NodeJS.ProcessEnv): Sink[] {
  const need = (name: unknown) => {
    const value = env[String(name)];
    if (!value) throw new Error(`The sink needs environment variable ${String(name)}, which is not set.`);
    return value;
  };
  return (config.sinks ?? []).map((sink): Sink => {
    switch (sink.type) {
      case 'stdout':
        return createStdoutSink();
      case 'jsonl':
        return createJsonlSink({ path: String(sink.path) });
      case 'webhook':
        return createWebhookSink({ url: need(sink.urlEnv), secret: need(sink.secretEnv) });
      case 'slack':
        return createSlackSink({ webhookUrl: need(sink.webhookUrlEnv) });
      case 'discord':
        return createDiscordSink({ webhookUrl: need(sink.webhookUrlEnv) });
      case 'telegram':
        return createTelegramSink({
          botToken: need(sink.botTokenEnv),
          chatId: String(sink.chatId),
          baseUrl: sink.baseUrl as string | undefined,
        });
      case 'email':
        return createEmailSink({
          host: String(sink.host),
          port: sink.port as number | undefined,
          secure: sink.secure as boolean | undefined,
          from: String(sink.from),
          to: sink.to as string[],
          auth: sink.userEnv ? { user: need(sink.userEnv), pass: need(sink.passwordEnv) } : undefined,
        });
      default:
        throw new Error(`Unknown sink type ${sink.type}.`);
    }
  });
}

/** Function signatures by selector. */
function functionNames(abi: Abi): Map<string, string> {
  return new Map(
    abi.flatMap((item) =>
      item.type === 'function' ? [[toFunctionSelector(item), toFunctionSignature(item)] as const] : [],
    ),
  );
}
