import { randomUUID } from 'node:crypto';
import type { Block, ChainEvent, ChainSync } from '@bulwark/chain';
import {
  addIncidentEvent,
  insertAlert,
  linkAlertsToIncident,
  listIncidents,
  openIncident,
  retractAlertsFromBlock,
  type StoreClient,
  upsertBaseline,
} from '@bulwark/store';
import { type Address, encodeFunctionData, type Hex, parseAbi } from 'viem';
import type { ContractProfile } from '../baseline/types.ts';
import type { CompositeVerdict } from '../engine/composite.ts';
import type { Engine, TxResult } from '../engine/engine.ts';
import { eventTopics } from '../events/normalize.ts';
import type { Signal } from '../rules/types.ts';
import { ALERT_SEVERITIES, type Alert, type AlertSeverity } from '../sinks/alert.ts';
import type { Dispatcher } from '../sinks/dispatcher.ts';
import { type ChainStatus, type ChainStatusTracker, createChainStatus } from './chainStatus.ts';

/** The key under which a contract's profile is kept in the store's baselines. */
export const profileMetric = { metricKey: 'profile', window: 'all' } as const;

export type PauseRequest = {
  incidentId: string;
  chainId: number;
  contract: string;
  reason: string;
  dryRun: boolean;
  /** Transactions the decision rests on. */
  txHashes: string[];
};

/** What a breaker did: `sent`/`verified` when a pause went out, `planned` in dry-run, `proposed` for a Safe. */
export type BreakerOutcome = { status: string; txHash?: string | undefined; broadcastAt?: number | undefined };

/** Sends (or proposes, or plans) a contract's pause; records its own steps on the incident. */
export type Breaker = (request: PauseRequest) => Promise<BreakerOutcome>;

export type MonitoredContract = {
  address: string;
  name: string;
  /** Assets whose balance is read at start (`native` or ERC-20 addresses). */
  assets: readonly string[];
  /** The contract's breaker, when it has one; `autoPause` is the opt-in. */
  breaker?: Breaker | undefined;
  autoPause: boolean;
};

/** Timings of one block, for the demo and the benchmark. Milliseconds from the block's arrival (`seenAt`). */
export type BlockReport = {
  number: bigint;
  txs: number;
  /** Arrival to the end of rule evaluation (fetching the block, receipts and traces included). */
  evaluatedMs: number | undefined;
  /** The monitor's own share: from the block's delivery by the sync to the end of rule evaluation. */
  processMs: number;
  /** Arrival to the first alert handed to the sinks, when one was raised. */
  alertMs: number | undefined;
  /** Arrival to the pause transaction's broadcast, when one was sent. */
  pauseMs: number | undefined;
  flagged: TxResult[];
  pauses: { verdict: CompositeVerdict; incidentId: string; outcome: BreakerOutcome | undefined }[];
};

export type CreateMonitorParameters = {
  chainId: number;
  sync: ChainSync;
  engine: Engine;
  store: StoreClient;
  dispatcher: Dispatcher;
  contracts: readonly MonitoredContract[];
  /** Blocks learned before following the chain, for contracts without a stored profile. Default 5000. */
  learnBlocks?: number | undefined;
  /** Profiles are saved every this many blocks (and at stop). Default 100. */
  persistEveryBlocks?: number | undefined;
  cooldownMs?: number | undefined;
  /** Signals below this severity are kept out of alerts (they still count in the composite). */
  minSeverity?: AlertSeverity | undefined;
  dryRun?: boolean | undefined;
  /** Progress and problems, one line each (to stderr in the CLI). */
  log?: ((line: string) => void) | undefined;
  onBlock?: ((report: BlockReport) => void) | undefined;
  onPending?: ((result: TxResult, pauses: BlockReport['pauses']) => void) | undefined;
  /** Function signatures by contract and selector (from the configured ABIs), to name selectors in alerts. */
  functionNames?: ReadonlyMap<string, ReadonlyMap<string, string>> | undefined;
  /** Faults as events (logged once each) and the chain's status; default one that logs through `log`. */
  status?: ChainStatusTracker | undefined;
};

export type Monitor = {
  /** Learns profiles by backfill where none is stored, reads balances, saves the profiles. Returns the head. */
  learn(options?: { signal?: AbortSignal | undefined }): Promise<bigint>;
  /** Starts the sync and handles its events until `stop()`. */
  run(): Promise<void>;
  stop(): Promise<void>;
  /** Saves every profile now. */
  persist(): Promise<void>;
  /** The chain's state, endpoints and counts (for logs and `/metrics`). */
  status(): ChainStatus;
  /** Resolves once the sync follows the chain (the ready signal). */
  readonly whenFollowing: Promise<void>;
};

const erc20 = parseAbi([
  'function balanceOf(address) view returns (uint256)',
  'function totalSupply() view returns (uint256)',
]);
const now = () => performance.timeOrigin + performance.now();

/** Wires one chain: sync → engine → alerts, incidents and breakers in the store and the sinks. */
export function createMonitor(parameters: CreateMonitorParameters): Monitor {
  const { chainId, sync, engine, store, dispatcher } = parameters;
  const log = parameters.log ?? (() => {});
  const tracker =
    parameters.status ??
    createChainStatus({
      chainId,
      log: (_level, message) => log(message),
      head: async () => BigInt(await sync.pool.request<Hex>('eth_blockNumber', [])),
    });
  const byAddress = new Map(parameters.contracts.map((contract) => [contract.address.toLowerCase(), contract]));
  const minRank = ALERT_SEVERITIES.indexOf(parameters.minSeverity ?? 'low');
  const persistEvery = parameters.persistEveryBlocks ?? 100;
  /** The open incident of each contract this run, and the contracts already paused. */
  const incidents = new Map<string, string>();
  const paused = new Set<string>();
  /** Incidents whose pause the admin lifted: a later attack opens a new one (they stay open for people to resolve). */
  const released = new Set<string>();
  /** Incidents on contracts without an automatic pause, where a pause was already suggested. */
  const suggested = new Set<string>();
  let sinceSaved = 0;
  let stopping = false;
  /** The last block learned by backfill: the live sync may hand it over again; it is not evaluated twice. */
  let learnedThrough = -1n;

  async function persist(): Promise<void> {
    for (const profile of engine.profiles()) {
      await upsertBaseline<ContractProfile>(store, {
        chainId,
        address: profile.address,
        ...profileMetric,
        stats: profile,
      });
    }
    sinceSaved = 0;
  }

  async function readBalances(head: bigint): Promise<void> {
    const tag = `0x${head.toString(16)}`;
    for (const contract of parameters.contracts) {
      for (const asset of contract.assets) {
        const balance =
          asset === 'native'
            ? await sync.pool.request<Hex>('eth_getBalance', [contract.address, tag])
            : await sync.pool.request<Hex>('eth_call', [
                {
                  to: asset,
                  data: encodeFunctionData({
                    abi: erc20,
                    functionName: 'balanceOf',
                    args: [contract.address as Address],
                  }),
                },
                tag,
              ]);
        engine.setBalance(contract.address, asset, BigInt(balance));
      }
      const profile = engine.profile(contract.address);
      if (profile.supply === undefined && contract.assets.length === 0) {
        // A token watched for mints: its supply, when it answers totalSupply().
        try {
          const supply = await sync.pool.request<Hex>('eth_call', [
            { to: contract.address, data: encodeFunctionData({ abi: erc20, functionName: 'totalSupply' }) },
            tag,
          ]);
          if (supply.length === 66) engine.setSupply(contract.address, BigInt(supply));
        } catch {
          // Not a token.
        }
      }
    }
  }

  /** `0x4641257d` becomes `harvest() (0x4641257d)` where the contract's ABI names it. */
  function named(contract: string, text: string): string {
    const names = parameters.functionNames?.get(contract);
    if (!names) return text;
    return text.replace(/0x[0-9a-f]{8}(?![0-9a-fA-F])/g, (selector) => {
      const name = names.get(selector);
      return name ? `${name} (${selector})` : selector;
    });
  }

  function alertOf(signal: Signal, result: TxResult, block: { number: bigint }): Alert {
    return {
      id: randomUUID(),
      ruleId: signal.ruleId,
      title: named(signal.contract, signal.title),
      severity: signal.severity,
      chainId,
      contract: signal.contract,
      blockNumber: block.number.toString(),
      txHash: result.tx.hash,
      at: new Date().toISOString(),
      summary: named(signal.contract, signal.summary),
      details: { ...signal.details, stage: signal.stage, score: signal.score, actor: signal.actor },
      dedupeKey: `${chainId}:${signal.ruleId}:${signal.contract}:${signal.actor ?? result.tx.from}`,
    };
  }

  function verdictAlert(
    verdict: CompositeVerdict,
    block: { number: bigint },
    txHash: string | undefined,
    incidentId: string,
  ): Alert {
    const name = byAddress.get(verdict.contract)?.name ?? verdict.contract;
    const rules = verdict.signals.map((signal) => `${signal.ruleId} ${signal.score}`).join(', ');
    return {
      id: randomUUID(),
      ruleId: 'composite-score',
      title: `Attack on ${name}: composite score ${verdict.score}`,
      severity: 'critical',
      chainId,
      contract: verdict.contract,
      blockNumber: block.number.toString(),
      txHash,
      at: new Date().toISOString(),
      summary: `Signals across stages ${verdict.stages.join(', ')} (${rules}) crossed the pause line since block ${verdict.firstBlock}.`,
      details: {
        score: verdict.score,
        stages: verdict.stages,
        signals: verdict.signals,
        firstBlock: verdict.firstBlock,
      },
      // One per incident: a new attack after the admin lifted a pause is a new incident and alerts again.
      dedupeKey: `${chainId}:composite-score:${verdict.contract}:${incidentId}`,
    };
  }

  /** The contract's open incident: this run's, else one still open in the store (from before a restart). */
  async function openIncidentOf(contract: string): Promise<string | undefined> {
    const known = incidents.get(contract);
    if (known) return known;
    const open = await listIncidents(store, {
      chainId,
      address: contract,
      state: ['detected', 'triaged', 'contained'],
    });
    const id = open.find((incident) => !released.has(incident.id))?.id;
    if (id) incidents.set(contract, id);
    return id;
  }

  /** The contract's open incident, opened by this alert when there is none. */
  async function incidentFor(contract: string, alert: Alert, startedAt: Date | undefined): Promise<string> {
    let id = await openIncidentOf(contract);
    if (id) {
      await linkAlertsToIncident(store, { incidentId: id, alertIds: [alert.id], actor: alert.ruleId });
    } else {
      const name = byAddress.get(contract)?.name ?? contract;
      const incident = await openIncident(store, {
        title: `${alert.title} (${name})`,
        severity: alert.severity,
        chainId,
        address: contract,
        startedAt,
        actor: alert.ruleId,
        alertIds: [alert.id],
        data: { summary: alert.summary },
      });
      id = incident.id;
    }
    incidents.set(contract, id);
    return id;
  }

  /** Stores an alert (skipped when a duplicate within the cooldown), files it under an incident, sends it. */
  async function raise(alert: Alert, block: Block | { number: bigint; hash?: Hex; timestamp: bigint }) {
    const { alert: stored, duplicate } = await insertAlert(store, {
      id: alert.id,
      ruleId: alert.ruleId,
      severity: alert.severity,
      chainId,
      address: alert.contract,
      blockNumber: block.number,
      blockHash: 'hash' in block && block.hash !== `0x${'00'.repeat(32)}` ? block.hash : undefined,
      txHash: alert.txHash,
      dedupeKey: alert.dedupeKey,
      payload: alert as unknown as Record<string, unknown>,
      cooldownMs: parameters.cooldownMs,
    });
    if (duplicate) return { incidentId: stored.incidentId ?? incidents.get(alert.contract), sent: false };
    // Low and informational alerts join an open incident but never open one.
    const opens = ALERT_SEVERITIES.indexOf(alert.severity) <= ALERT_SEVERITIES.indexOf('medium');
    const incidentId =
      opens || incidents.has(alert.contract)
        ? await incidentFor(alert.contract, alert, new Date(Number(block.timestamp) * 1000))
        : undefined;
    await dispatcher.dispatch({ ...alert, incidentId });
    return { incidentId, sent: true };
  }

  /** Acts on a verdict that crossed the pause line: the opted-in breaker, else a recorded suggestion. */
  async function respond(verdict: CompositeVerdict, incidentId: string, txHashes: string[]) {
    const contract = byAddress.get(verdict.contract);
    if (!contract || paused.has(verdict.contract)) return undefined;
    const reason = `composite score ${verdict.score} from ${verdict.signals.map((s) => s.ruleId).join(', ')}`;
    if (!contract.breaker || !contract.autoPause) {
      // Suggested once per incident, not again for every signal that keeps the score up.
      if (suggested.has(incidentId)) return undefined;
      suggested.add(incidentId);
      await addIncidentEvent(store, {
        incidentId,
        kind: 'pause-suggested',
        actor: 'monitor',
        data: { contract: verdict.contract, reason, autoPause: false },
      });
      log(`${contract.name}: pause suggested (${reason}); automatic pause is not enabled for it.`);
      return undefined;
    }
    paused.add(verdict.contract);
    const outcome = await contract.breaker({
      incidentId,
      chainId,
      contract: verdict.contract,
      reason,
      dryRun: parameters.dryRun ?? false,
      txHashes,
    });
    engine.reset(verdict.contract);
    log(`${contract.name}: pause ${outcome.status}${outcome.txHash ? ` (${outcome.txHash})` : ''}.`);
    return outcome;
  }

  async function handleVerdicts(
    verdicts: readonly CompositeVerdict[],
    block: { number: bigint; timestamp: bigint },
    txHash: string | undefined,
  ): Promise<BlockReport['pauses']> {
    const pauses: BlockReport['pauses'] = [];
    for (const verdict of verdicts) {
      if (paused.has(verdict.contract)) continue;
      // The incident first (the breaker records its actions on it), the pause straight after.
      const existing = await openIncidentOf(verdict.contract);
      const incidentId = existing ?? randomUUID();
      const alert = verdictAlert(verdict, block, txHash, incidentId);
      if (!existing) {
        await openIncident(store, {
          id: incidentId,
          title: alert.title,
          severity: 'critical',
          chainId,
          address: verdict.contract,
          actor: 'composite-score',
          data: { summary: alert.summary },
        });
        incidents.set(verdict.contract, incidentId);
      }
      const outcome = await respond(verdict, incidentId, txHash ? [txHash] : []);
      pauses.push({ verdict, incidentId, outcome });
      await raise(alert, block);
    }
    return pauses;
  }

  async function onBlock(block: Block): Promise<void> {
    if (block.number <= learnedThrough) return;
    const arrival = block.seenAt;
    const deliveredAt = now();
    // The admin lifted a pause: the contract is watched afresh, and a new attack opens a new incident.
    for (const entry of block.logs) {
      if (entry.topics[0] === eventTopics.Unpaused && paused.delete(entry.address)) {
        const incident = incidents.get(entry.address);
        if (incident) released.add(incident);
        incidents.delete(entry.address);
        engine.reset(entry.address);
        log(`${byAddress.get(entry.address)?.name ?? entry.address}: unpaused by its admin in block ${block.number}.`);
      }
    }
    const result = engine.process(block);
    const evaluatedAt = now();
    let alertAt: number | undefined;
    const pauses = await handleVerdicts(result.pauses, block, result.flagged.at(-1)?.tx.hash);
    for (const flagged of result.flagged) {
      for (const signal of flagged.signals) {
        if (ALERT_SEVERITIES.indexOf(signal.severity) > minRank) continue;
        const { sent } = await raise(alertOf(signal, flagged, block), block);
        if (sent) alertAt ??= now();
      }
    }
    if (pauses.length > 0) alertAt ??= now();
    const pauseAt = pauses.find((pause) => pause.outcome?.broadcastAt !== undefined)?.outcome?.broadcastAt;
    parameters.onBlock?.({
      number: block.number,
      txs: block.transactions.length,
      evaluatedMs: arrival === undefined ? undefined : evaluatedAt - arrival,
      processMs: evaluatedAt - deliveredAt,
      alertMs: arrival === undefined || alertAt === undefined ? undefined : alertAt - arrival,
      pauseMs: arrival === undefined || pauseAt === undefined ? undefined : pauseAt - arrival,
      flagged: result.flagged,
      pauses,
    });
    if (++sinceSaved >= persistEvery) await persist();
  }

  async function onEvent(event: ChainEvent): Promise<void> {
    switch (event.type) {
      case 'block':
        await onBlock(event.block);
        tracker.block(event.block.number);
        break;
      case 'reorg': {
        const from = event.dropped[0]?.number ?? event.commonAncestor.number + 1n;
        const retracted = await retractAlertsFromBlock(store, {
          chainId,
          fromBlock: from,
          reason: `reorg: blocks from ${from} replaced (common ancestor ${event.commonAncestor.number})`,
        });
        log(
          `Reorg below block ${from}: ${retracted.length} alert(s) retracted; the new blocks are evaluated as they come.`,
        );
        break;
      }
      case 'pending': {
        const head = await sync.pool.request<{ number: Hex; timestamp: Hex }>('eth_getBlockByNumber', [
          'latest',
          false,
        ]);
        const result = engine.processPending(event.tx, event.trace, {
          number: BigInt(head.number),
          timestamp: BigInt(head.timestamp),
        });
        const pauses = await handleVerdicts(
          result.verdicts.filter((verdict) => verdict.pause),
          { number: BigInt(head.number) + 1n, timestamp: BigInt(head.timestamp) },
          event.tx.hash,
        );
        if (result.signals.length > 0) parameters.onPending?.(result, pauses);
        break;
      }
      case 'capabilities':
        for (const lost of event.capabilities.lostCoverage)
          log(`Coverage lost: ${lost.id}: ${lost.description} (${lost.because}).`);
        break;
      case 'error':
        // Logged when it starts an outage, not at every retry of it.
        tracker.syncError(event.error);
        break;
      case 'gap-filled':
        // A catch-up after an outage or at start is logged by the tracker, with its range.
        break;
    }
  }

  return {
    async learn(options = {}) {
      const head = BigInt(await sync.pool.request<Hex>('eth_blockNumber', []));
      const learnBlocks = BigInt(parameters.learnBlocks ?? 5000);
      const unlearned = engine.profiles().filter((profile) => profile.blocks === 0);
      if (unlearned.length > 0 && learnBlocks > 0n) {
        const from = head - learnBlocks + 1n > 0n ? head - learnBlocks + 1n : 0n;
        log(`Learning baselines from blocks ${from}–${head} (${head - from + 1n} blocks)…`);
        let count = 0;
        for await (const block of sync.backfill(from, head, options)) {
          engine.learn(block);
          if (++count % 500 === 0) log(`  learned ${count} blocks`);
        }
      }
      await readBalances(head);
      await persist();
      learnedThrough = head;
      return head;
    },
    async run() {
      await sync.start();
      tracker.following(sync.status().checkpoint?.number);
      for await (const event of sync.events()) {
        if (stopping) break;
        try {
          await onEvent(event);
        } catch (error) {
          // One bad event (a store hiccup, a sink bug) never stops the watch.
          log(`Chain ${chainId}: handling a ${event.type} event failed: ${(error as Error).message}`);
        }
      }
    },
    async stop() {
      stopping = true;
      await sync.stop();
      tracker.stopped();
      await persist();
    },
    persist,
    status: () => tracker.snapshot(),
    whenFollowing: tracker.whenFollowing,
  };
}
