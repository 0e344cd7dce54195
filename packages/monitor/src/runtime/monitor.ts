import type { Block, CallFrame, ChainEvent, ChainSync, EndpointHealth } from '@bulwark/chain';
import type { StoreClient } from '@bulwark/store';
import type { Hex } from 'viem';
import type { ContractProfile } from '../baseline/types.ts';
import type { CompositeVerdict } from '../engine/composite.ts';
import type { Engine, TxResult } from '../engine/engine.ts';
import { eventTopics } from '../events/normalize.ts';
import type { WarmOptions } from '../responder/pauseSender.ts';
import type { CreationSimulator } from '../simulate/simulateCreations.ts';
import type { AlertSeverity } from '../sinks/alert.ts';
import type { Dispatcher } from '../sinks/dispatcher.ts';
import { type ChainStatus, type ChainStatusTracker, createChainStatus } from './chainStatus.ts';
import { type DecideOptions, decide, withExposed } from './stages/decide.ts';
import { learnBaselines, planStart, readBalances, replay, type StartPlan, warmUpRange } from './stages/ingest.ts';
import { type Acted, createResponder, profileMetric, type Responder } from './stages/respond.ts';

export { profileMetric };

export type PauseRequest = {
  incidentId: string;
  chainId: number;
  contract: string;
  reason: string;
  dryRun: boolean;
  /** Transactions the decision rests on. */
  txHashes: string[];
  /** The pending transaction that triggered the decision, with its fees: the pause is priced above it. */
  competitors?: readonly PauseCompetitor[] | undefined;
  /**
   * Resolves once the incident the breaker records its steps on is written (it is written while
   * the pause goes out): the pause does not wait for it, the breaker's records do.
   */
  recordAfter?: Promise<unknown> | undefined;
};

/** A pending transaction a pause must be mined before (a `PendingTx` is one). */
export type PauseCompetitor = {
  hash: string;
  from: string;
  to: string | null;
  gasPrice: bigint | undefined;
  maxFeePerGas: bigint | undefined;
  maxPriorityFeePerGas: bigint | undefined;
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
  /** What it is (the config's `kind`): an attack on a `pool` or `oracle` puts the contracts reading it at risk. */
  kind?: string | undefined;
  /**
   * Told of every pending transaction that reaches the contract (the sync's pending events), as
   * soon as it arrives: a competitor its pause must outbid, even one already sent (see
   * `PauseResponder.compete`).
   */
  compete?: ((tx: PauseCompetitor) => void) | undefined;
};

/** A verdict acted on: the breaker's outcome (none when only suggested) and when the breaker was called. */
export type PauseTaken = {
  verdict: CompositeVerdict;
  incidentId: string;
  outcome: BreakerOutcome | undefined;
  /** `performance.timeOrigin + performance.now()` when the breaker was called. */
  requestedAt?: number | undefined;
  /** Decided in the block's early pass, from its receipts, before its traces were in. */
  early?: boolean | undefined;
};

/**
 * Milliseconds from the block's arrival (or the pending transaction's delivery by the sync) to
 * each step before a pause: the block and its receipts and traces fetched, the new contracts
 * simulated, the rules evaluated, the breaker called, the signed pause broadcast.
 */
export type PausePhases = {
  /** The sync fetched the block (its receipts and traces); from there to `deliveredMs` it queued behind other events. */
  fetchedMs: number | undefined;
  deliveredMs: number | undefined;
  simulatedMs: number;
  evaluatedMs: number;
  requestedMs: number | undefined;
  broadcastMs: number | undefined;
};

/** Timings of one block, for the demo and the benchmark. Milliseconds from the block's arrival (`seenAt`). */
export type BlockReport = {
  number: bigint;
  txs: number;
  /** Arrival to the end of rule evaluation (fetching the block, receipts and traces included). */
  evaluatedMs: number | undefined;
  /** The monitor's own share: from the block's delivery by the sync to the end of rule evaluation. */
  processMs: number;
  /**
   * Where the time to evaluation went (milliseconds from arrival): the sync fetched the block, then
   * it waited for the events before it (`deliveredMs`), then new contracts were simulated.
   */
  fetchedMs?: number | undefined;
  deliveredMs?: number | undefined;
  simulatedMs?: number | undefined;
  /** After evaluation: pauses, the block's record (with the cursor) and the sinks, in milliseconds. */
  respondMs?: number | undefined;
  /** Arrival to the first alert handed to the sinks, when one was raised. */
  alertMs: number | undefined;
  /** Arrival to the pause transaction's broadcast, when one was sent. */
  pauseMs: number | undefined;
  flagged: TxResult[];
  pauses: PauseTaken[];
  /** Where the time to a pause went, when one was sent (see `PausePhases`). */
  phases?: PausePhases | undefined;
  /** Alerts recorded for this block (after the store's cooldown). */
  alerts?: number | undefined;
  /**
   * The accounts (lowercase, watched or not) the block's transactions reached: senders, called,
   * called inside, created, or emitting a log. Undefined when a transaction has no trace (its inner
   * calls unknown).
   */
  touched?: ReadonlySet<string> | undefined;
};

export type CreateMonitorParameters = {
  chainId: number;
  sync: ChainSync;
  engine: Engine;
  store: StoreClient;
  dispatcher: Dispatcher;
  contracts: readonly MonitoredContract[];
  /** Without a cursor in the store, the first block to evaluate; default the block after the head. */
  startBlock?: bigint | undefined;
  /** The sync's confirmations: without a start block, evaluation starts after the newest confirmed block. */
  confirmations?: number | undefined;
  /** Blocks learned before the first evaluated one, for contracts without a stored profile. Default 5000. */
  learnBlocks?: number | undefined;
  /** Profiles are saved every this many blocks (with the cursor), and at stop. Default 100. */
  persistEveryBlocks?: number | undefined;
  cooldownMs?: number | undefined;
  /** Signals below this severity are kept out of alerts (they still count in the composite). */
  minSeverity?: AlertSeverity | undefined;
  dryRun?: boolean | undefined;
  /** Progress and problems, one line each (to stderr in the CLI). */
  log?: ((line: string) => void) | undefined;
  onBlock?: ((report: BlockReport) => void) | undefined;
  /** A pending transaction that raised signals; `phases` (from its delivery by the sync) when a pause was sent. */
  onPending?: ((result: TxResult, pauses: BlockReport['pauses'], phases?: PausePhases) => void) | undefined;
  /** Function signatures by contract and selector (from the configured ABIs), to name selectors in alerts. */
  functionNames?: ReadonlyMap<string, ReadonlyMap<string, string>> | undefined;
  /** Simulates a block's new contracts that reference protected ones, for the rules (docs/monitor/simulation.md). */
  simulateCreations?: CreationSimulator | undefined;
  /** Faults as events (logged once each) and the chain's status; default one that logs through `log`. */
  status?: ChainStatusTracker | undefined;
};

export type Monitor = {
  /**
   * Plans the run (the cursor, else the start block, else after the head), learns profiles by
   * backfill where none is stored (only from blocks before the first evaluated one), brings the
   * stored profiles up to the cursor, reads balances and saves the profiles. Returns the last
   * block before the first one evaluated.
   */
  learn(options?: { signal?: AbortSignal | undefined }): Promise<bigint>;
  /**
   * Sends what the outbox still holds, starts the sync and evaluates every block from the first
   * one planned, in order, until `stop()`; resolves once the block in hand is recorded and the
   * profiles saved. Rejects when a block cannot be recorded (after retries): the cursor stays
   * before it, so a restart evaluates it again.
   */
  run(): Promise<void>;
  /** Finishes the block in hand, saves the profiles; resolves when `run()` has ended. */
  stop(): Promise<void>;
  /** Saves every profile now. */
  persist(): Promise<void>;
  /** The chain's state, endpoints and counts (for logs and `/metrics`). */
  status(): ChainStatus;
  /** Each RPC endpoint's health and counts (names, never URLs), for `/metrics` and `bulwark serve`. */
  endpoints(): EndpointHealth[];
  /** The watched contracts' profiles as learned so far (live, not only as last saved). */
  profiles(): ContractProfile[];
  /** Resolves once the sync follows the chain (the ready signal). */
  readonly whenFollowing: Promise<void>;
  /** The stages' parts, for the cluster roles (`@bulwark/cluster`) that run them as separate processes. */
  readonly parts: MonitorParts;
};

export type MonitorParts = {
  engine: Engine;
  responder: Responder;
  decideOptions: DecideOptions;
  simulateCreations: CreationSimulator | undefined;
  contracts: readonly MonitoredContract[];
  /**
   * Prepares every pause sender now (nonce, gas, a simulated `pause()`, fees) and keeps them fresh
   * on each new head, polled: what `run` does in one process, for a cluster respond role that never
   * runs the monitor. Returns how many contracts have a sender. Set by `createMonitorsFromConfig`.
   */
  warmPauseSenders?: ((options?: WarmOptions) => Promise<number>) | undefined;
  /**
   * With `warmPauseSenders({ heads: 'told' })`: a block was judged, `touched` the contracts it
   * reached (`touchedBy`); the senders read again only those, as in one process.
   */
  pauseSendersEvaluated?: ((blockNumber: bigint, touched: ReadonlySet<string> | undefined) => void) | undefined;
};

const now = () => performance.timeOrigin + performance.now();
/** Blocks whose transactions are remembered as mined (see `wasMined`). */
const minedBlocksKept = 16n;
/** Tries to record a block before giving up (and stopping, so that no block is skipped). */
const recordAttempts = 3;

/**
 * Wires one chain through the stages: ingest (the sync, from the cursor) → detect (the engine) →
 * decide (alerts, verdicts) → respond (pauses; alerts, incidents and the cursor in one
 * transaction; the sinks through the outbox).
 */
export function createMonitor(parameters: CreateMonitorParameters): Monitor {
  const { chainId, sync, engine, store } = parameters;
  const log = parameters.log ?? (() => {});
  const persistEvery = parameters.persistEveryBlocks ?? 100;
  const names = new Map(parameters.contracts.map((contract) => [contract.address.toLowerCase(), contract.name]));
  const byAddress = new Map(parameters.contracts.map((contract) => [contract.address.toLowerCase(), contract]));
  const tracker =
    parameters.status ??
    createChainStatus({
      chainId,
      log: (_level, message) => log(message),
      head: async () => BigInt(await sync.pool.request<Hex>('eth_blockNumber', [])),
    });
  /**
   * The contracts with an automatic pause that read `source` when it is a price source (a pool or
   * oracle): its learned callers (a lending market reading a pool's reserves calls it), and the
   * readers of a watched oracle that reads it in turn.
   */
  const readersOf = (source: string): string[] => {
    const readers = new Set<string>();
    const visit = (address: string) => {
      const kind = byAddress.get(address)?.kind;
      if (kind !== 'pool' && kind !== 'oracle') return;
      for (const caller of Object.keys(engine.profile(address).callers)) {
        if (caller === source || readers.has(caller) || !byAddress.has(caller)) continue;
        readers.add(caller);
        visit(caller);
      }
    };
    visit(source);
    return [...readers].filter((address) => {
      const reader = byAddress.get(address);
      return reader?.autoPause === true && reader.breaker !== undefined;
    });
  };
  const decideOptions: DecideOptions = {
    chainId,
    minSeverity: parameters.minSeverity,
    names,
    functionNames: parameters.functionNames,
    exposedTo: readersOf,
  };
  const responder = createResponder({
    chainId,
    store,
    dispatcher: parameters.dispatcher,
    contracts: parameters.contracts,
    decide: decideOptions,
    cooldownMs: parameters.cooldownMs,
    dryRun: parameters.dryRun,
    onPaused: (contract) => engine.reset(contract),
    log,
  });
  let plan: StartPlan | undefined;
  let sinceSaved = 0;
  let stopping = false;
  let running: Promise<void> | undefined;
  /** The newest block evaluated: the state pending transactions are judged on. */
  let latest: { number: bigint; timestamp: bigint } | undefined;
  const headBlock = async () => {
    const head = await sync.pool.request<{ number: Hex; timestamp: Hex }>('eth_getBlockByNumber', ['latest', false]);
    return { number: BigInt(head.number), timestamp: BigInt(head.timestamp) };
  };
  /**
   * Transactions of the last blocks evaluated: a pending event for one of them (the sync hands a
   * block over before the pending transactions queued behind it) is no longer pending.
   */
  const mined = new Map<bigint, ReadonlySet<string>>();
  const wasMined = (hash: string) => [...mined.values()].some((hashes) => hashes.has(hash));
  /** What the early pass of the block in flight did (pauses sent before its traces), until the block is recorded. */
  let early: { number: bigint; acted: Acted; phases: PausePhases | undefined } | undefined;
  /** Alerts recorded per block (blocks with any) since the last catch-up report, for "evaluated blocks A–B (n alerts)". */
  const alertsByBlock = new Map<bigint, number>();

  async function persist(): Promise<void> {
    await responder.saveProfiles(engine.profiles());
    sinceSaved = 0;
  }

  /**
   * The block's early pass (`block-receipts`: receipts and logs in, traces on their way): the rules
   * that need no traces, and the pauses they already justify sent at once. Nothing is recorded
   * here: the verdict alerts wait for the block's own record (`onBlock`), so each is recorded once.
   */
  async function onReceipts(block: Block): Promise<void> {
    const deliveredAt = now();
    // Judged on the state of the block before it: only the next block, and not one that lifts a pause (the full pass handles that).
    const next = latest ? latest.number + 1n : plan?.firstBlock;
    if (block.number !== next || early) return;
    if (unpausedIn(block).some((contract) => responder.holdsPause(contract))) return;
    const result = engine.processEarly(block);
    const evaluatedAt = now();
    const verdicts = withExposed(result.pauses, readersOf).filter((verdict) => {
      const contract = byAddress.get(verdict.contract);
      return contract?.autoPause === true && contract.breaker !== undefined && !responder.holdsPause(verdict.contract);
    });
    if (verdicts.length === 0) return;
    const acted = await responder.act(
      verdicts,
      block,
      result.flagged.at(-1)?.tx.hash,
      result.flagged.map((flagged) => flagged.tx),
    );
    for (const pause of acted.pauses) pause.early = true;
    const sent = acted.pauses.find((pause) => pause.outcome?.broadcastAt !== undefined);
    const arrival = block.seenAt ?? deliveredAt;
    early = {
      number: block.number,
      acted,
      phases: sent && {
        fetchedMs: block.seenAt === undefined || block.fetchedAt === undefined ? undefined : block.fetchedAt - arrival,
        deliveredMs: deliveredAt - arrival,
        simulatedMs: deliveredAt - arrival,
        evaluatedMs: evaluatedAt - arrival,
        requestedMs: sent.requestedAt === undefined ? undefined : sent.requestedAt - arrival,
        broadcastMs: sent.outcome!.broadcastAt! - arrival,
      },
    };
    log(
      `Chain ${chainId}: block ${block.number}: paused ${verdicts.map((verdict) => names.get(verdict.contract) ?? verdict.contract).join(', ')} from its receipts, before its traces.`,
    );
  }

  async function onBlock(block: Block): Promise<void> {
    const arrival = block.seenAt;
    const deliveredAt = now();
    // What the early pass did is recorded with the next block evaluated (this one, unless the chain moved).
    const before = early;
    early = undefined;
    if (before && before.number !== block.number)
      log(
        `Chain ${chainId}: block ${before.number} was replaced after its early pause; the pause is recorded with block ${block.number}.`,
      );
    for (const contract of unpausedIn(block)) {
      if (responder.released(contract)) {
        engine.reset(contract);
        log(`${names.get(contract) ?? contract}: unpaused by its admin in block ${block.number}.`);
      }
    }
    // Detect, then decide. Only new contracts that reference a protected one cost RPC calls.
    const simulations = await parameters.simulateCreations?.(block);
    const simulatedAt = now();
    const result = engine.process(block, { simulations });
    const evaluatedAt = now();
    latest = { number: block.number, timestamp: block.timestamp };
    mined.set(block.number, new Set(block.transactions.map((tx) => tx.hash)));
    for (const number of mined.keys()) if (number + minedBlocksKept <= block.number) mined.delete(number);
    const decision = decide(result, decideOptions);
    // Respond: pauses first, then the block's record with the cursor, then the sinks.
    // The flagged transactions' fees: what the attacker's next steps are likely to pay.
    const competitors = result.flagged.map((flagged) => flagged.tx);
    const acted = await responder.act(decision.verdicts, block, decision.txHash, competitors);
    if (before) {
      for (const pause of before.acted.pauses) {
        // The full pass added this block's signals after the early pause had cleared them: clear them again.
        engine.reset(pause.verdict.contract);
        if (!result.pauses.some((verdict) => verdict.contract === pause.verdict.contract))
          log(
            `Chain ${chainId}: block ${block.number}: the full evaluation does not reach the pause of ${names.get(pause.verdict.contract) ?? pause.verdict.contract} made from its receipts (a rule without traces raised more than with them: a bug to report).`,
          );
      }
      acted.pauses.unshift(...before.acted.pauses);
      acted.alerts.unshift(...before.acted.alerts);
    }
    const saveProfiles = sinceSaved + 1 >= persistEvery;
    let toSend: Awaited<ReturnType<typeof responder.record>> | undefined;
    for (let attempt = 1; toSend === undefined; attempt++) {
      try {
        toSend = await responder.record({
          alerts: [...acted.alerts, ...decision.alerts.map((alert) => ({ alert }))],
          suggestions: acted.suggestions,
          block,
          cursor: true,
          profiles: saveProfiles ? engine.profiles() : undefined,
        });
      } catch (error) {
        if (attempt >= recordAttempts) throw error;
        log(`Chain ${chainId}: recording block ${block.number} failed (${(error as Error).message}); trying again.`);
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
      }
    }
    sinceSaved = saveProfiles ? 0 : sinceSaved + 1;
    if (toSend.length > 0) alertsByBlock.set(block.number, toSend.length);
    let alertAt: number | undefined;
    await responder.deliver(toSend, () => {
      alertAt ??= now();
    });
    // Now and then, what a sink that was down still owes.
    if (saveProfiles) await responder.drainOutbox();
    if (acted.pauses.length > 0) alertAt ??= now();
    const sent = acted.pauses.find((pause) => pause.outcome?.broadcastAt !== undefined);
    const pauseAt = sent?.outcome?.broadcastAt;
    const from = arrival ?? deliveredAt;
    const sentEarly = before?.phases !== undefined && before.acted.pauses.includes(sent!);
    parameters.onBlock?.({
      number: block.number,
      txs: block.transactions.length,
      evaluatedMs: arrival === undefined ? undefined : evaluatedAt - arrival,
      processMs: evaluatedAt - deliveredAt,
      fetchedMs: arrival === undefined || block.fetchedAt === undefined ? undefined : block.fetchedAt - arrival,
      deliveredMs: arrival === undefined ? undefined : deliveredAt - arrival,
      simulatedMs: arrival === undefined ? undefined : simulatedAt - arrival,
      respondMs: now() - evaluatedAt,
      alertMs: arrival === undefined || alertAt === undefined ? undefined : alertAt - arrival,
      pauseMs: arrival === undefined || pauseAt === undefined ? undefined : pauseAt - arrival,
      flagged: result.flagged,
      pauses: acted.pauses,
      phases: sentEarly
        ? before.phases
        : sent && {
            fetchedMs: arrival === undefined || block.fetchedAt === undefined ? undefined : block.fetchedAt - arrival,
            deliveredMs: arrival === undefined ? undefined : deliveredAt - arrival,
            simulatedMs: simulatedAt - from,
            evaluatedMs: evaluatedAt - from,
            requestedMs: sent.requestedAt === undefined ? undefined : sent.requestedAt - from,
            broadcastMs: pauseAt === undefined ? undefined : pauseAt - from,
          },
      alerts: toSend.length,
      touched: touchedBy(block),
    });
  }

  /** "evaluated blocks A–B (n alerts)" for a run of blocks evaluated at once (a catch-up). */
  function reportEvaluated(from: bigint, to: bigint): void {
    let alerts = 0;
    for (const [number, count] of alertsByBlock) if (number >= from && number <= to) alerts += count;
    alertsByBlock.clear();
    log(`Chain ${chainId}: evaluated blocks ${from}–${to} (${alerts} alert${alerts === 1 ? '' : 's'}).`);
  }

  async function onEvent(event: ChainEvent): Promise<void> {
    switch (event.type) {
      case 'block-receipts':
        await onReceipts(event.block);
        break;
      case 'block':
        await onBlock(event.block);
        tracker.block(event.block.number);
        // Live blocks are not reported one by one: forget their counts now and then.
        if (alertsByBlock.size > 100_000) alertsByBlock.clear();
        break;
      case 'reorg': {
        const from = event.dropped[0]?.number ?? event.commonAncestor.number + 1n;
        const retracted = await responder.reorg(event.commonAncestor, from);
        log(
          `Reorg below block ${from}: ${retracted} alert(s) retracted and the retractions sent; the new blocks are evaluated as they come.`,
        );
        break;
      }
      case 'pending': {
        if (wasMined(event.tx.hash)) break;
        const deliveredAt = now();
        // First, before judging it: a pause in flight may have to outbid it.
        for (const address of event.touched) byAddress.get(address.toLowerCase())?.compete?.(event.tx);
        // The newest block evaluated is the state the transaction was traced on: no round trip for it.
        latest ??= await headBlock();
        const at = latest;
        // A pending deployment of a contract built against a protected one is judged before it exists.
        const simulations = await parameters.simulateCreations?.pending(event.tx, event.trace, at);
        const simulatedAt = now();
        const result = engine.processPending(event.tx, event.trace, at, { simulations });
        const evaluatedAt = now();
        const next = { number: at.number + 1n, timestamp: at.timestamp };
        const acted = await responder.act(
          withExposed(
            result.verdicts.filter((verdict) => verdict.pause),
            readersOf,
          ),
          next,
          event.tx.hash,
          [event.tx],
        );
        if (acted.alerts.length > 0 || acted.suggestions.length > 0) {
          const toSend = await responder.record({ alerts: acted.alerts, suggestions: acted.suggestions, block: next });
          await responder.deliver(toSend);
        }
        const sent = acted.pauses.find((pause) => pause.outcome?.broadcastAt !== undefined);
        const phases = sent && {
          fetchedMs: undefined,
          deliveredMs: undefined,
          simulatedMs: simulatedAt - deliveredAt,
          evaluatedMs: evaluatedAt - deliveredAt,
          requestedMs: sent.requestedAt === undefined ? undefined : sent.requestedAt - deliveredAt,
          broadcastMs: sent.outcome!.broadcastAt! - deliveredAt,
        };
        if (result.signals.length > 0) parameters.onPending?.(result, acted.pauses, phases);
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
        reportEvaluated(event.from, event.to);
        break;
    }
  }

  async function follow(): Promise<void> {
    const outbox = await responder.drainOutbox();
    if (outbox.alerts + outbox.retractions > 0)
      log(
        `Chain ${chainId}: sent ${outbox.alerts} alert(s) and ${outbox.retractions} retraction(s) left in the outbox.`,
      );
    // Open incidents in memory: a verdict then needs no store read before its pause.
    await responder.loadIncidents();
    if (stopping) return;
    await sync.start({ startBlock: plan?.firstBlock });
    // Stopped while the sync was starting: its stop came before there was anything to stop.
    if (stopping) await sync.stop();
    tracker.following(sync.status().checkpoint?.number);
    if (plan) {
      log(
        plan.cursor === undefined
          ? `Chain ${chainId}: evaluating from block ${plan.firstBlock}.`
          : `Chain ${chainId}: evaluated through block ${plan.cursor} before; evaluating from block ${plan.firstBlock} (head ${plan.head}).`,
      );
    }
    for await (const event of sync.events()) {
      try {
        await onEvent(event);
      } catch (error) {
        // A block or a reorg not recorded must not be skipped: stop, and a restart resumes before it.
        if (event.type === 'block' || event.type === 'reorg') {
          await sync.stop();
          throw error;
        }
        // Anything else (a pending transaction, a sink bug) never stops the watch.
        log(`Chain ${chainId}: handling a ${event.type} event failed: ${(error as Error).message}`);
      }
      if (stopping) break;
    }
    await persist();
  }

  return {
    async learn(options = {}) {
      plan = await planStart(store, sync, {
        chainId,
        startBlock: parameters.startBlock,
        confirmations: parameters.confirmations,
      });
      await learnBaselines(sync, engine, {
        plan,
        learnBlocks: BigInt(parameters.learnBlocks ?? 5000),
        signal: options.signal,
        log,
      });
      const warmUp = warmUpRange(engine, plan.cursor, BigInt(Math.max(persistEvery, 1) * 2));
      const before = (warmUp ? warmUp.from : plan.firstBlock) - 1n;
      try {
        await readBalances(sync, engine, parameters.contracts, before < plan.head ? before : plan.head);
      } catch (error) {
        // A node without the old state (not an archive node): the balances now are the best there is.
        log(`Balances at block ${before} unavailable (${(error as Error).message}); read at the head instead.`);
        await readBalances(sync, engine, parameters.contracts, plan.head);
      }
      if (warmUp) {
        await replay(sync, engine, warmUp, options.signal);
        log(`Baselines brought up to the cursor: blocks ${warmUp.from}–${warmUp.to} replayed (no alerts).`);
      }
      await persist();
      return plan.firstBlock - 1n;
    },
    run() {
      running ??= follow();
      return running;
    },
    async stop() {
      stopping = true;
      await sync.stop();
      await running?.catch(() => {});
      tracker.stopped();
    },
    persist,
    status: () => tracker.snapshot(),
    endpoints: () => sync.pool.health(),
    profiles: () => engine.profiles(),
    whenFollowing: tracker.whenFollowing,
    parts: {
      engine,
      responder,
      decideOptions,
      simulateCreations: parameters.simulateCreations,
      contracts: parameters.contracts,
    },
  };
}

/**
 * The contracts that emitted `Unpaused` in `block`, in log order: an admin lifted their pause. A
 * pause the monitor sent is then released and the contract's score starts again (here, and in a
 * cluster's detect partitions).
 */
export function unpausedIn(block: Pick<Block, 'logs'>): string[] {
  return block.logs.filter((entry) => entry.topics[0] === eventTopics.Unpaused).map((entry) => entry.address);
}

/**
 * The accounts `block` reached (see `BlockReport.touched`), watched or not: a contract's `paused()`
 * may read another (a pause registry) that no watched contract's call reaches.
 */
export function touchedBy(block: Block): Set<string> | undefined {
  const touched = new Set<string>();
  const add = (address: string | null | undefined) => {
    if (address) touched.add(address.toLowerCase());
  };
  const visit = (frame: CallFrame) => {
    add(frame.from);
    add(frame.to);
    for (const call of frame.calls) visit(call);
  };
  for (const tx of block.transactions) {
    if (!tx.trace) return undefined;
    add(tx.to);
    add(tx.receipt.contractAddress);
    visit(tx.trace);
  }
  for (const entry of block.logs) add(entry.address);
  return touched;
}
