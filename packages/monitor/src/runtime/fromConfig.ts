import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createChainSync, type RpcEndpointConfig } from '@bulwark/chain';
import type { Logger } from '@bulwark/core';
import { getBaseline, type StoreClient } from '@bulwark/store';
import { type Abi, type Address, createClient, http, parseGwei, toFunctionSelector, toFunctionSignature } from 'viem';
import type { ContractProfile } from '../baseline/types.ts';
import { loadThreatIntel, type MonitorConfig, MonitorConfigError } from '../config/loadConfig.ts';
import { createEngine } from '../engine/engine.ts';
import { loadGuardianKey } from '../responder/guardianKey.ts';
import { createPauseResponder, type PauseStep } from '../responder/pauseSender.ts';
import { createSafeProposer, type SafeProposalNotice } from '../responder/safeProposal.ts';
import type { Rule } from '../rules/types.ts';
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
import { type Breaker, type CreateMonitorParameters, createMonitor, type Monitor, profileMetric } from './monitor.ts';
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
  onBlock?: CreateMonitorParameters['onBlock'];
  onPending?: CreateMonitorParameters['onPending'];
};

/** One monitor per configured chain, with its sync, engine, breakers and the shared sinks. */
export async function createMonitorsFromConfig(parameters: MonitorsFromConfigParameters): Promise<Monitor[]> {
  const { config, store } = parameters;
  const env = parameters.env ?? process.env;
  const log = parameters.log ?? (() => {});
  const rules = parameters.rules.filter((rule) => config.rules?.[rule.id]?.enabled !== false);
  const threatIntel = loadThreatIntel(config.threatIntel ?? []);
  const dispatcher = createDispatcher({
    sinks: [...buildSinks(config, env), ...(parameters.sinks ?? [])],
    cooldownMs: config.alerts?.cooldownMs ?? 600_000,
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
      checkpointStore: createStoreCheckpoints(store),
      confirmations: chain.confirmations,
      pollingIntervalMs: chain.pollingIntervalMs,
      traces: chain.traces,
      watch: chain.mempool ? contracts.map((contract) => contract.address as Address) : undefined,
      startBlock: chain.startBlock === undefined ? undefined : BigInt(chain.startBlock),
    });
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
    const breakers = await breakersOf(config, chain.id, store, env, log, async (notice) => {
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
      })),
      onRuleError: (ruleId, error) => log(`Rule ${ruleId} failed on a transaction: ${(error as Error).message}`),
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
          autoPause: contract.breaker?.autoPause ?? false,
        })),
        learnBlocks: config.baseline?.learnBlocks,
        persistEveryBlocks: config.baseline?.persistEveryBlocks,
        cooldownMs: config.alerts?.cooldownMs,
        minSeverity: config.alerts?.minSeverity,
        dryRun: config.dryRun,
        log,
        status,
        onBlock: parameters.onBlock,
        onPending: parameters.onPending,
        functionNames: new Map(
          contracts.flatMap((contract) =>
            contract.abi ? [[contract.address, functionNames(contract.abi)] as const] : [],
          ),
        ),
      }),
    );
  }
  return monitors;
}

/**
 * A breaker per protected contract: a guardian key, or a Safe the pause is proposed to (its
 * signers notified through the sinks). The responder sends, re-sends until mined and
 * verifies; the breaker resolves as soon as the pause is broadcast (or planned, or refused), so
 * the monitor goes on watching while the pause is mined.
 */
async function breakersOf(
  config: MonitorConfig,
  chainId: number,
  store: StoreClient,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
  notify?: (notice: SafeProposalNotice) => void | Promise<void>,
): Promise<Map<string, { breaker: Breaker; guardian: string[] }>> {
  const breakers = new Map<string, { breaker: Breaker; guardian: string[] }>();
  const chain = config.chains.find((candidate) => candidate.id === chainId)!;
  const first = chain.rpc[0]!;
  const transport = http(typeof first === 'string' ? first : first.http);
  const client = createClient({ transport });
  const waiting = new Map<string, (step: PauseStep) => void>();
  for (const contract of config.contracts) {
    const breaker = contract.breaker;
    if (contract.chain !== chainId || breaker?.kind !== 'guardian' || !breaker.guardian) continue;
    const key = breaker.guardian;
    const account = await loadGuardianKey(
      key.keystore
        ? { keystorePath: key.keystore, passwordEnv: key.passwordEnv ?? '' }
        : { privateKeyEnv: key.privateKeyEnv ?? '' },
      { env },
    );
    const responder = createPauseResponder({
      client,
      account,
      store,
      chainId,
      allowed: [contract.address as Address],
      dryRun: config.dryRun,
      fees: {
        priorityFeeMultiplier: breaker.priorityFeeMultiplier,
        minPriorityFeePerGas:
          breaker.minPriorityFeeGwei === undefined ? undefined : parseGwei(String(breaker.minPriorityFeeGwei)),
      },
      onStep: (step) => waiting.get(step.incidentId)?.(step),
    });
    const breakerOf: Breaker = (request) => {
      const requestedAt = performance.timeOrigin + performance.now();
      return new Promise((resolve) => {
        waiting.set(request.incidentId, (step) => {
          if (step.status === 'sent') {
            resolve({ status: 'sent', txHash: step.txHash, broadcastAt: performance.timeOrigin + performance.now() });
          } else if (step.status === 'failed' || step.status === 'refused' || step.status === 'already-paused') {
            resolve({ status: step.status, txHash: step.txHash });
          } else if (step.status === 'planned' && (request.dryRun || config.dryRun)) {
            resolve({ status: 'planned' });
          }
        });
        responder
          .pause({ ...request, contract: request.contract as Address })
          .then((outcome) => {
            const mined = outcome.blockNumber === undefined ? '' : ` in block ${outcome.blockNumber}`;
            log(
              `${contract.name}: pause ${outcome.status}${mined}${outcome.error ? ` (${outcome.error.message})` : ''} after ${Math.round(performance.timeOrigin + performance.now() - requestedAt)} ms.`,
            );
            resolve({ status: outcome.status, txHash: outcome.txHash });
          })
          .catch((error: Error) => {
            log(`${contract.name}: pause failed: ${error.message}`);
            resolve({ status: 'failed' });
          })
          .finally(() => waiting.delete(request.incidentId));
      });
    };
    breakers.set(contract.address, { breaker: breakerOf, guardian: [account.address.toLowerCase()] });
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
        const outcome = await proposerOf.propose({ ...request, contract: request.contract as Address });
        log(
          `${contract.name}: pause ${outcome.status} to Safe ${safe.address}${outcome.safeTxHash ? ` (safeTxHash ${outcome.safeTxHash})` : ''}.`,
        );
        return { status: outcome.status, txHash: undefined };
      },
      guardian: [safe.address.toLowerCase()],
    });
  }
  return breakers;
}

function buildSinks(config: MonitorConfig, env: NodeJS.ProcessEnv): Sink[] {
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

/** Function signatures by selector from an ABI file or an artifact with an `abi` field. */
function functionNames(file: string): Map<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new MonitorConfigError(`Cannot read the ABI ${file}: ${(error as Error).message}`, {
      details: 'Give an ABI JSON array or an artifact with an `abi` field.',
      docsPath: 'monitor/config.md',
    });
  }
  const abi = (Array.isArray(parsed) ? parsed : ((parsed as { abi?: unknown }).abi ?? [])) as Abi;
  return new Map(
    abi.flatMap((item) =>
      item.type === 'function' ? [[toFunctionSelector(item), toFunctionSignature(item)] as const] : [],
    ),
  );
}
