import type { Block, CallFrame, Log, PendingTx, Tx } from '@bulwark/chain';
import { type Hex, hexToBigInt, toEventSelector } from 'viem';
import { defaultDecay } from '../baseline/decay.ts';
import {
  defaultLearning,
  flaggedAccounts,
  Learning,
  type LearningCounts,
  type LearningFlags,
  type LearningTarget,
  linkedAccounts,
  type WaitingSnapshot,
} from '../baseline/learning.ts';
import {
  applyBalances,
  type Contribution,
  contributions,
  emptyProfile,
  learnBlock,
  setBalance,
  type WindowSnapshot,
  WindowTracker,
} from '../baseline/profile.ts';
import type { ContractProfile } from '../baseline/types.ts';
import { defaultWarmUp, type WarmUpOptions, type WarmUpState, warmUpState } from '../baseline/warmUp.ts';
import { normalizeBlock } from '../events/normalize.ts';
import type { MonitorEvent } from '../events/types.ts';
import type { PrivilegeMap } from '../privilege/types.ts';
import type { Creation, PriceTrace, Rule, Signal, WatchedView } from '../rules/types.ts';
import type { CreationSimulation } from '../simulate/types.ts';
import {
  type CompositeMemory,
  type CompositeOptions,
  CompositeScore,
  type CompositeVerdict,
  defaultCompositeOptions,
} from './composite.ts';
import { createDecider, unequivocalRules } from './decide.ts';
import { createDetector, earlyRules } from './detect.ts';

export type WatchedContractSpec = {
  address: string;
  name: string;
  kind: WatchedView['kind'];
  /** Accounts expected to make admin changes (a timelock, a multisig). */
  trustedAdmins?: readonly string[] | undefined;
  /** Rule parameters for this contract, by rule id. */
  parameters?: Record<string, Record<string, number>> | undefined;
  /** Rules whose signals on this contract are dropped. */
  disabledRules?: readonly string[] | undefined;
  /** Privileged functions and control events (privilege/classify.ts); default: the well-known list. */
  privilege?: PrivilegeMap | undefined;
};

export type EngineOptions = {
  chainId: number;
  contracts: readonly WatchedContractSpec[];
  rules: readonly Rule[];
  /** Rule parameters for every contract, by rule id. */
  parameters?: Record<string, Record<string, number>> | undefined;
  composite?: Partial<CompositeOptions> | undefined;
  /** How long a new contract counts as fresh, in blocks. Default 300 (about an hour on Ethereum). */
  creationWindowBlocks?: number | undefined;
  /** Known-malicious addresses (lower-case) and their labels. */
  threatIntel?: ReadonlyMap<string, string> | undefined;
  /**
   * Blocks a live transaction waits before it is learned; it is dropped if it, its sender or an
   * account on its path is flagged meanwhile. Default 25. Without the wait a slow attack teaches
   * the baseline as it goes: its first steps, too small to alert, would raise the bar for the next.
   */
  learningDelayBlocks?: number | undefined;
  /** Half-life of learned behaviour, in seconds (see `baseline/decay.ts`). Default 30 days; `Infinity`: no decay. */
  decayHalfLifeSeconds?: number | undefined;
  /** How much a profile must learn before baseline deviations may pause (see `baseline/warmUp.ts`). */
  warmUp?: Partial<WarmUpOptions> | undefined;
  /** Profiles learned earlier (from the store); others start empty. */
  profiles?: readonly ContractProfile[] | undefined;
  /** A rule that throws is skipped for that transaction and reported here. */
  onRuleError?: ((ruleId: string, error: unknown) => void) | undefined;
  /** Told how many rules ran on each transaction evaluated (for `/metrics`). */
  onRulesEvaluated?: ((rules: number) => void) | undefined;
  /**
   * The contracts this engine judges (a cluster partition's own; default: every watched one). A
   * transaction in which none of them appears skips the rules: its signals are another engine's,
   * which hands over the accounts they flag (`noteFlagged`). The others stay watched, their
   * windows, balances, prices and baselines kept as before, for the rules that read across contracts.
   */
  judged?: readonly string[] | undefined;
};

/** A contract's state held only in the engine, as JSON-safe data (`Engine.liveState`). */
export type ContractLiveState = {
  live: WindowSnapshot;
  clean: WindowSnapshot;
  waiting: WaitingSnapshot[];
  paused: boolean;
  price: number | null;
};

/** The engine-wide state beside the contracts' (`Engine.sharedState`). */
export type EngineSharedState = LearningFlags & {
  creations: (Omit<Creation, 'blockNumber' | 'timestamp'> & { blockNumber: string; timestamp: string })[];
};

export type TxResult = { tx: Tx; events: MonitorEvent[]; signals: Signal[]; verdicts: CompositeVerdict[] };

export type BlockResult = {
  number: bigint;
  hash: Hex;
  /** Transactions that raised signals, in block order. */
  flagged: TxResult[];
  events: number;
  /** Contracts whose composite crossed the pause line in this block (first verdict each). */
  pauses: CompositeVerdict[];
  /** The accounts the block's flagged transactions hold back from learning (see `noteFlagged`); `process` only. */
  flaggedAccounts?: string[] | undefined;
};

export type Engine = {
  /** Learns a block (backfill): no rules run. */
  learn(block: Block): void;
  /** Evaluates a block: every transaction through the rules, then learns the ones that raised nothing. */
  /** `simulations`: the block's new contracts simulated by the runtime, handed to the rules of the transaction that created each. */
  process(block: Block, extra?: { simulations?: readonly CreationSimulation[] | undefined }): BlockResult;
  /**
   * A block's early pass: its transactions from their receipts and logs alone (the block as
   * `block-receipts` brings it, before its traces) through the rules that need no traces
   * (`earlyRules`), for the pauses this picture already reaches. Changes nothing the block's
   * `process` does not do itself: it moves the windows to the block (done once for both), keeps no
   * signal, learns nothing. The composite only adds signals, and these rules give on the full
   * block what they give here (or more), so a pause found here is found by `process` too.
   */
  processEarly(block: Block): BlockResult;
  /** Evaluates a pending transaction from its simulated trace, against the current state, changing nothing. */
  processPending(
    tx: PendingTx,
    trace: CallFrame | undefined,
    head: { number: bigint; timestamp: bigint },
    extra?: { simulations?: readonly CreationSimulation[] | undefined },
  ): TxResult;
  profile(address: string): ContractProfile;
  profiles(): ContractProfile[];
  setBalance(address: string, asset: string, balance: bigint): void;
  setSupply(address: string, supply: bigint): void;
  /** Forgets a contract's accumulated signals (after a pause, so the next incident starts clean). */
  reset(address: string): void;
  /**
   * Accounts another engine's rules flagged at `block` (`BlockResult.flaggedAccounts` of the
   * partitions judging the chain's other contracts): learning holds back what is linked to them,
   * as if this engine had flagged them. Hand them over before the next block is processed.
   */
  noteFlagged(block: bigint, accounts: readonly string[]): void;
  /** The contract's short-term composite signals, to save with its baseline (a cluster partition moving to another worker). */
  compositeMemory(address: string): CompositeMemory;
  /** Puts saved composite signals back (another worker's, or this one's before a restart). */
  restoreCompositeMemory(address: string, memory: CompositeMemory): void;
  /**
   * The contract's state held only in the engine, as JSON-safe data: its live windows, the windows
   * of what it learned, its transactions waiting to be learned (`learningDelayBlocks`), whether it
   * is paused, its last price. With its profile and composite memory, what its verdicts depend on
   * (a cluster partition moving to another worker saves it with them).
   */
  liveState(address: string): ContractLiveState;
  /** Puts a contract's saved live state back (another worker's, or this one's before a restart). */
  restoreLiveState(address: string, state: ContractLiveState): void;
  /** The engine-wide part of that state: the accounts flagged lately (they hold back waiting transactions), recent creations, learning's counts. */
  sharedState(): EngineSharedState;
  /** Puts the engine-wide state back (`sharedState`). */
  restoreSharedState(state: EngineSharedState): void;
  /** Whether a contract's baseline is still warming up (it then pauses only on unequivocal exploitation). */
  warmUp(address: string): WarmUpState;
  /** What live learning did so far: shares learned, flagged, dropped and waiting. */
  learning(): LearningCounts;
  readonly rules: readonly Rule[];
};

const syncTopics = new Set<string>([
  toEventSelector('Sync(uint112,uint112)'),
  toEventSelector('Sync(uint256,uint256)'),
]);

type ContractState = LearningTarget & {
  spec: WatchedContractSpec;
  /** Every transaction: what the rules read. */
  live: WindowTracker;
  trustedAdmins: ReadonlySet<string>;
  price: number | undefined;
  /** Paused by its own `Paused` event (until `Unpaused`): calls reverting meanwhile are not learned nor counted. */
  paused: boolean;
};

/** The monitor's core: normalised events, profiles, live windows, rules and the composite score. Synchronous and pure of I/O. */
export function createEngine(options: EngineOptions): Engine {
  const { chainId, rules } = options;
  const families = new Map(rules.flatMap((rule) => (rule.family ? [[rule.id, rule.family] as const] : [])));
  const composite = new CompositeScore({ ...defaultCompositeOptions, ...options.composite }, families);
  const creationWindow = BigInt(options.creationWindowBlocks ?? 300);
  const threats = options.threatIntel ?? new Map<string, string>();
  const contracts = new Map<string, ContractState>();
  const stored = new Map((options.profiles ?? []).map((profile) => [profile.address.toLowerCase(), profile]));
  for (const spec of options.contracts) {
    const address = spec.address.toLowerCase();
    const profile = stored.get(address) ?? emptyProfile(chainId, address);
    contracts.set(address, {
      spec: { ...spec, address },
      profile,
      privilege: spec.privilege,
      live: new WindowTracker(),
      clean: new WindowTracker(),
      trustedAdmins: new Set((spec.trustedAdmins ?? []).map((a) => a.toLowerCase())),
      price: profile.price?.last,
      paused: false,
    });
  }
  const watched = new Set(contracts.keys());
  const learning = new Learning({
    delayBlocks: options.learningDelayBlocks ?? defaultLearning.delayBlocks,
    decay: { ...defaultDecay, halfLifeSeconds: options.decayHalfLifeSeconds ?? defaultDecay.halfLifeSeconds },
  });
  const warmUpOptions: WarmUpOptions = { ...defaultWarmUp, ...options.warmUp };
  const warmingUp = (contract: string) => {
    const state = contracts.get(contract);
    return state !== undefined && warmUpState(state.profile, warmUpOptions).warmingUp;
  };
  const decide = createDecider(unequivocalRules(rules));
  const judged = options.judged ? new Set(options.judged.map((address) => address.toLowerCase())) : undefined;
  const creations = new Map<string, Creation>();

  const detectorOf = (chosen: readonly Rule[], onEvaluated?: typeof options.onRulesEvaluated) =>
    createDetector({
      rules: chosen,
      parameters: options.parameters,
      contract: (address) => contracts.get(address)?.spec,
      onRuleError: options.onRuleError,
      onEvaluated,
    });
  // Only the full pass reports evaluations, so the early pass does not count a block's rules twice.
  const evaluate = detectorOf(rules, options.onRulesEvaluated);
  const evaluateEarly = detectorOf(earlyRules(rules));
  /** The block whose windows were moved by its early pass: its `process` does not move them again. */
  let begun: bigint | undefined;

  function noteCreations(events: readonly MonitorEvent[]): void {
    for (const event of events) {
      if (event.type !== 'creation') continue;
      creations.set(event.address, {
        address: event.address,
        creator: event.creator,
        blockNumber: event.blockNumber,
        timestamp: event.timestamp,
        txFrom: event.txFrom,
      });
    }
  }

  /** Adds a transaction's flows between watched contracts and recent creations to the creations' totals. */
  function noteCreationFlows(block: bigint, events: readonly MonitorEvent[], touched: Map<string, Contribution>): void {
    const recent = recentCreation(block);
    const flowOf = (creation: Creation, contract: string, asset: string) => {
      creation.flows ??= {};
      creation.flows[contract] ??= {};
      creation.flows[contract][asset] ??= { taken: 0, given: 0 };
      return creation.flows[contract][asset];
    };
    for (const event of events) {
      if (event.type !== 'value-flow') continue;
      const recipient = event.fromWatched ? recent(event.to) : undefined;
      const paidIn = Object.values(touched.get(event.from)?.inflow ?? {}).some((amount) => amount > 0);
      if (recipient && !paidIn) flowOf(recipient, event.from, event.asset).taken += Number(event.amount);
      const payer = event.toWatched ? recent(event.from) : undefined;
      if (payer) flowOf(payer, event.to, event.asset).given += Number(event.amount);
    }
  }

  function forgetOldCreations(block: bigint): void {
    if (creations.size < 4096) return;
    for (const [address, creation] of creations)
      if (block - creation.blockNumber > creationWindow) creations.delete(address);
  }

  /** Prices of watched pools during a transaction, from their Sync logs. */
  function tracePrices(logs: readonly Log[]): PriceTrace[] {
    const traces = new Map<string, PriceTrace>();
    for (const log of logs) {
      const state = contracts.get(log.address);
      if (!state || !syncTopics.has(log.topics[0] ?? '') || log.data.length < 130) continue;
      const reserve0 = Number(hexToBigInt(`0x${log.data.slice(2, 66)}`));
      const reserve1 = Number(hexToBigInt(`0x${log.data.slice(66, 130)}`));
      if (reserve0 === 0) continue;
      let trace = traces.get(log.address);
      if (!trace) {
        trace = { pool: log.address, before: state.price, during: [] };
        traces.set(log.address, trace);
      }
      trace.during.push(reserve1 / reserve0);
    }
    return [...traces.values()];
  }

  /** Moves each pool's last price; returns the largest relative move of each within the transaction. */
  function commitPrices(traces: readonly PriceTrace[]): Map<string, number> {
    const moves = new Map<string, number>();
    for (const trace of traces) {
      const state = contracts.get(trace.pool)!;
      const base = trace.before ?? trace.during[0]!;
      moves.set(trace.pool, Math.max(...trace.during.map((price) => Math.abs(price / base - 1))));
      state.price = trace.during.at(-1)!;
      state.profile.price = { last: state.price, maxTxMove: state.profile.price?.maxTxMove ?? 0 };
    }
    return moves;
  }

  function view(state: ContractState, live: WatchedView['live']): WatchedView {
    return {
      address: state.spec.address,
      name: state.spec.name,
      kind: state.spec.kind,
      profile: state.profile.txs > 0 ? state.profile : undefined,
      live,
      trustedAdmins: state.trustedAdmins,
      paused: state.paused,
      privilege: state.spec.privilege,
    };
  }

  function recentCreation(block: bigint) {
    return (address: string) => {
      const creation = creations.get(address);
      return creation && block - creation.blockNumber <= creationWindow ? creation : undefined;
    };
  }
  const threatLabel = (address: string) => threats.get(address);

  function eventsByTx(block: Block): Map<Hex, MonitorEvent[]> {
    const byTx = new Map<Hex, MonitorEvent[]>();
    for (const event of normalizeBlock(block, { watched })) {
      let list = byTx.get(event.txHash);
      if (!list) {
        list = [];
        byTx.set(event.txHash, list);
      }
      list.push(event);
    }
    return byTx;
  }

  function forEachBlockTick(block: Block, backfill: boolean): void {
    const time = Number(block.timestamp);
    for (const state of contracts.values()) {
      state.live.add(block.number, time, undefined);
      if (backfill) learning.tick(state, block.number, time);
      learnBlock(state.profile, block.number, block.timestamp);
    }
  }

  /** Moves the live windows to a block and learns what waited long enough: once per evaluated block. */
  function begin(block: Block): void {
    if (begun === block.number) return;
    begun = block.number;
    forEachBlockTick(block, false);
    learning.release(block.number);
  }

  /**
   * What a block's transactions change until its end, kept to be put back after an early pass:
   * the live windows, balances, supply and prices, paused flags, creations noted.
   */
  function saveState(): () => void {
    const saved = [...contracts.values()].map((state) => ({
      state,
      undoLive: state.live.mark(),
      assets: new Map(
        Object.entries(state.profile.assets).map(([asset, entry]) => [
          asset,
          { balance: entry.balance, peakBalance: entry.peakBalance },
        ]),
      ),
      supply: state.profile.supply,
      profilePrice: state.profile.price,
      price: state.price,
      paused: state.paused,
    }));
    const knownCreations = new Set(creations.keys());
    return () => {
      for (const { state, undoLive, assets, supply, profilePrice, price, paused } of saved) {
        undoLive();
        for (const [asset, entry] of Object.entries(state.profile.assets)) {
          const before = assets.get(asset);
          if (!before) delete state.profile.assets[asset];
          else Object.assign(entry, before);
        }
        state.profile.supply = supply;
        state.profile.price = profilePrice;
        state.price = price;
        state.paused = paused;
      }
      for (const address of creations.keys()) if (!knownCreations.has(address)) creations.delete(address);
    };
  }

  /**
   * Every transaction of a block through `detect` and the composite. The full pass (`learn`) also
   * notes creation flows and schedules learning; the early pass keeps neither.
   */
  function evaluateBlock(
    block: Block,
    pass: {
      detect: typeof evaluate;
      composite: CompositeScore;
      learn: boolean;
      simulations?: readonly CreationSimulation[] | undefined;
    },
  ): BlockResult {
    const time = Number(block.timestamp);
    const byTx = eventsByTx(block);
    const flagged: TxResult[] = [];
    const pauses: CompositeVerdict[] = [];
    const tainted = new Set<string>();
    let eventCount = 0;
    for (const tx of block.transactions) {
      const events = byTx.get(tx.hash) ?? [];
      eventCount += events.length;
      noteCreations(events);
      const prices = tracePrices(tx.receipt.logs);
      const moves = commitPrices(prices);
      const touched = contributions(tx, events);
      for (const [address, contribution] of touched) {
        const state = contracts.get(address);
        if (!state) continue;
        state.live.add(block.number, time, whilePaused(state, contribution), tx.from);
        applyBalances(state.profile, contribution);
      }
      if (events.length === 0 && prices.length === 0) continue;
      const own = pass.simulations?.filter((simulation) => simulation.txHash === tx.hash);
      const signals = judges(tx, events, prices, own) ? detectTx(block, tx, events, prices, own, pass.detect) : [];
      let suspects: string[];
      if (pass.learn) {
        noteCreationFlows(block.number, events, touched);
        suspects = scheduleLearning(block.number, time, tx, events, signals, moves);
        for (const account of suspects) tainted.add(account);
      } else {
        suspects =
          signals.length > 0
            ? flaggedAccounts(
                tx,
                events,
                signals.flatMap((signal) => [signal.actor, ...(signal.linked ?? [])]),
              )
            : [];
      }
      notePauses(events);
      if (signals.length === 0) continue;
      const verdicts = decide({
        verdicts: pass.composite.add(block.number, signals, suspects),
        warmingUp,
        // A simulated drain is value leaving too: the deployed contract only has to be called.
        outflow: (contract) => hasOutflow(touched.get(contract)) || drains(own, contract),
      });
      flagged.push({ tx, events, signals, verdicts });
      for (const verdict of verdicts) {
        if (verdict.pause && !pauses.some((p) => p.contract === verdict.contract)) pauses.push(verdict);
      }
    }
    const result: BlockResult = { number: block.number, hash: block.hash, flagged, events: eventCount, pauses };
    if (pass.learn) result.flaggedAccounts = [...tainted];
    return result;
  }

  /** The rules on one transaction, with every watched contract's view as it stands. */
  function detectTx(
    block: Block,
    tx: Tx,
    events: MonitorEvent[],
    prices: PriceTrace[],
    simulations: readonly CreationSimulation[] | undefined,
    detect: typeof evaluate,
  ): Signal[] {
    const views = new Map<string, WatchedView>();
    for (const state of contracts.values()) views.set(state.spec.address, view(state, state.live.totals));
    return detect({
      chainId,
      blockNumber: block.number,
      timestamp: block.timestamp,
      tx,
      pending: false,
      events,
      watched: views,
      recentCreation: recentCreation(block.number),
      threatLabel,
      prices,
      simulations,
    });
  }

  /**
   * Whether one of the judged contracts appears in the transaction: in its events, its logs, its
   * call tree, its pools' prices or its simulated drains. Rules raise signals only on contracts
   * they find there, so a transaction without any is left to the engines judging the others.
   */
  function judges(
    tx: Tx,
    events: readonly MonitorEvent[],
    prices: readonly PriceTrace[],
    simulations: readonly CreationSimulation[] | undefined,
  ): boolean {
    if (!judged) return true;
    const has = (address: unknown) => typeof address === 'string' && judged.has(address.toLowerCase());
    if (has(tx.to) || has(tx.from) || has(tx.receipt.contractAddress)) return true;
    if (
      events.some(
        (event) =>
          Object.values(event).some(has) || Object.values((event as { change?: object }).change ?? {}).some(has),
      )
    )
      return true;
    if (tx.receipt.logs.some((log) => has(log.address))) return true;
    if (prices.some((price) => has(price.pool))) return true;
    if (simulations?.some((simulation) => simulation.drains.some((drain) => has(drain.contract)))) return true;
    const inTree = (frame: CallFrame): boolean => has(frame.to) || has(frame.from) || frame.calls.some(inTree);
    return tx.trace !== undefined && inTree(tx.trace);
  }

  /** Follows `Paused` / `Unpaused` events of the watched contracts, after the transaction that emitted them. */
  function notePauses(events: readonly MonitorEvent[]): void {
    for (const event of events) {
      if (event.type !== 'admin') continue;
      const state = contracts.get(event.contract);
      if (state && event.change.name === 'Paused') state.paused = true;
      if (state && event.change.name === 'Unpaused') state.paused = false;
    }
  }

  /**
   * A live transaction's shares in the watched contracts: flagged, never learned, and the accounts
   * behind it (returned) hold back what is linked to them; else left to learn after the wait.
   */
  function scheduleLearning(
    block: bigint,
    time: number,
    tx: Tx,
    events: readonly MonitorEvent[],
    signals: readonly Signal[],
    moves: ReadonlyMap<string, number>,
  ): string[] {
    const shares = [...contributions(tx, events)].flatMap(([address, contribution]) => {
      const state = contracts.get(address);
      return state ? [{ state, contribution }] : [];
    });
    if (signals.length > 0) {
      const suspects = flaggedAccounts(
        tx,
        events,
        signals.flatMap((signal) => [signal.actor, ...(signal.linked ?? [])]),
      );
      learning.flag(block, suspects, shares.length);
      return suspects;
    }
    const links = linkedAccounts(tx, events, watched);
    for (const { state, contribution } of shares) {
      // A call reverting on a paused contract is not its behaviour.
      if (state.paused && contribution.failed > 0) continue;
      const priceMove = moves.get(state.spec.address);
      learning.defer({ target: state, block, time, tx, contribution, priceMove }, links);
    }
    return [];
  }

  /** A call reverting because the contract is paused says nothing of the contract's behaviour: its failures are not counted. */
  const whilePaused = (state: ContractState, contribution: Contribution): Contribution =>
    state.paused && contribution.failed > 0 ? { ...contribution, failed: 0 } : contribution;

  function stateOf(address: string): ContractState {
    const state = contracts.get(address.toLowerCase());
    if (!state) throw new Error(`${address} is not watched.`);
    return state;
  }

  return {
    rules,
    learn(block) {
      begun = undefined;
      forEachBlockTick(block, true);
      const time = Number(block.timestamp);
      const byTx = eventsByTx(block);
      for (const tx of block.transactions) {
        const events = byTx.get(tx.hash) ?? [];
        // Contracts created before the monitor started are established, not fresh: no creation is noted.
        const moves = commitPrices(tracePrices(tx.receipt.logs));
        for (const [address, contribution] of contributions(tx, events)) {
          const state = contracts.get(address);
          if (!state) continue;
          state.live.add(block.number, time, whilePaused(state, contribution), tx.from);
          applyBalances(state.profile, contribution);
          if (state.paused && contribution.failed > 0) continue;
          learning.learnNow({
            target: state,
            block: block.number,
            time,
            tx,
            contribution,
            priceMove: moves.get(address),
          });
        }
        notePauses(events);
      }
    },

    process(block, extra) {
      begin(block);
      begun = undefined;
      const result = evaluateBlock(block, {
        detect: evaluate,
        composite,
        learn: true,
        simulations: extra?.simulations,
      });
      forgetOldCreations(block.number);
      return result;
    },

    processEarly(block) {
      begin(block);
      const restore = saveState();
      try {
        return evaluateBlock(block, { detect: evaluateEarly, composite: composite.fork(), learn: false });
      } finally {
        restore();
      }
    },

    processPending(pending, trace, head, extra) {
      const tx = pendingAsTx(pending, trace, head.number + 1n);
      const block: Block = {
        number: head.number + 1n,
        hash: `0x${'00'.repeat(32)}`,
        parentHash: `0x${'00'.repeat(32)}`,
        chainId,
        timestamp: head.timestamp,
        miner: '0x0000000000000000000000000000000000000000',
        gasUsed: 0n,
        gasLimit: 0n,
        baseFeePerGas: undefined,
        transactions: [tx],
        logs: tx.receipt.logs,
        traced: trace !== undefined,
      };
      const events = eventsByTx(block).get(tx.hash) ?? [];
      const prices = tracePrices(tx.receipt.logs);
      const touched = contributions(tx, events);
      const views = new Map<string, WatchedView>();
      for (const state of contracts.values()) {
        const contribution = touched.get(state.spec.address);
        views.set(
          state.spec.address,
          view(state, contribution ? withContribution(state.live.totals, contribution, tx.from) : state.live.totals),
        );
      }
      const signals = evaluate({
        chainId,
        blockNumber: block.number,
        timestamp: block.timestamp,
        tx,
        pending: true,
        events,
        watched: views,
        recentCreation: recentCreation(block.number),
        threatLabel,
        prices,
        simulations: extra?.simulations,
      });
      const verdicts =
        signals.length > 0
          ? decide({
              verdicts: composite.preview(
                block.number,
                signals,
                flaggedAccounts(
                  tx,
                  events,
                  signals.flatMap((signal) => [signal.actor, ...(signal.linked ?? [])]),
                ),
              ),
              warmingUp,
              outflow: (contract) => hasOutflow(touched.get(contract)) || drains(extra?.simulations, contract),
            })
          : [];
      return { tx, events, signals, verdicts };
    },

    profile(address) {
      return stateOf(address).profile;
    },
    profiles: () => [...contracts.values()].map((state) => state.profile),
    setBalance(address, asset, balance) {
      setBalance(this.profile(address), asset, balance);
    },
    setSupply(address, supply) {
      this.profile(address).supply = supply.toString();
    },
    reset(address) {
      composite.clear(address.toLowerCase());
    },
    noteFlagged(block, accounts) {
      learning.noteFlagged(block, accounts);
    },
    compositeMemory: (address) => composite.memory(address.toLowerCase()),
    restoreCompositeMemory(address, memory) {
      composite.restore(address.toLowerCase(), memory);
    },
    liveState(address) {
      const state = stateOf(address);
      return {
        live: state.live.snapshot(),
        clean: state.clean.snapshot(),
        waiting: learning.waitingOf(state),
        paused: state.paused,
        price: state.price ?? null,
      };
    },
    restoreLiveState(address, saved) {
      const state = stateOf(address);
      state.live.restore(saved.live);
      state.clean.restore(saved.clean);
      learning.restoreWaiting(state, saved.waiting);
      state.paused = saved.paused;
      state.price = saved.price ?? undefined;
    },
    sharedState: () => ({
      ...learning.flagsAndCounts(),
      creations: [...creations.values()].map((creation) => ({
        ...structuredClone(creation),
        blockNumber: creation.blockNumber.toString(),
        timestamp: creation.timestamp.toString(),
      })),
    }),
    restoreSharedState(saved) {
      learning.restoreFlagsAndCounts(saved);
      creations.clear();
      for (const creation of saved.creations)
        creations.set(creation.address, {
          ...structuredClone(creation),
          blockNumber: BigInt(creation.blockNumber),
          timestamp: BigInt(creation.timestamp),
        });
    },
    warmUp(address) {
      return warmUpState(this.profile(address), warmUpOptions);
    },
    learning: () => learning.counts(),
  };
}

const hasOutflow = (contribution: Contribution | undefined) =>
  contribution !== undefined && Object.values(contribution.outflow).some((amount) => amount > 0);

/**
 * The live totals as they would be with a pending transaction added. It would land in the next
 * block, so its one-block window holds it alone; the longer windows grow by it.
 */
function withContribution(
  totals: WatchedView['live'],
  contribution: Contribution,
  sender: string,
): WatchedView['live'] {
  const next = structuredClone(totals);
  next['1b'] = { outflow: {}, failed: 0, calls: {}, txs: 0, outflowTxsBySender: {} };
  for (const window of Object.values(next)) {
    window.txs++;
    window.failed += contribution.failed;
    for (const [asset, amount] of Object.entries(contribution.outflow))
      window.outflow[asset] = (window.outflow[asset] ?? 0) + amount;
    for (const [selector, entry] of Object.entries(contribution.calls)) {
      window.calls[selector] = (window.calls[selector] ?? 0) + entry.calls;
    }
    if (Object.values(contribution.outflow).some((amount) => amount > 0)) {
      window.outflowTxsBySender[sender] = (window.outflowTxsBySender[sender] ?? 0) + 1;
    }
  }
  return next;
}

/** A pending transaction shaped as an included one: the simulated trace stands for the receipt. */
/** Whether a simulation shows value leaving `contract`. */
function drains(simulations: readonly CreationSimulation[] | undefined, contract: string): boolean {
  return (simulations ?? []).some((simulation) => simulation.drains.some((drain) => drain.contract === contract));
}

export function pendingAsTx(pending: PendingTx, trace: CallFrame | undefined, blockNumber: bigint): Tx {
  const logs: Log[] = [];
  const collect = (frame: CallFrame) => {
    if (frame.error) return;
    for (const log of frame.logs ?? []) {
      logs.push({
        address: log.address,
        topics: log.topics,
        data: log.data,
        logIndex: logs.length,
        transactionIndex: 0,
        transactionHash: pending.hash,
        blockNumber,
        blockHash: `0x${'00'.repeat(32)}`,
      });
    }
    for (const child of frame.calls) collect(child);
  };
  if (trace) collect(trace);
  return {
    hash: pending.hash,
    blockNumber,
    blockHash: `0x${'00'.repeat(32)}`,
    index: 0,
    type: 'pending',
    from: pending.from,
    to: pending.to,
    value: pending.value,
    input: pending.input,
    nonce: pending.nonce,
    gas: pending.gas,
    gasPrice: pending.gasPrice,
    maxFeePerGas: pending.maxFeePerGas,
    maxPriorityFeePerGas: pending.maxPriorityFeePerGas,
    receipt: {
      status: trace?.error ? 'reverted' : 'success',
      gasUsed: trace?.gasUsed ?? 0n,
      cumulativeGasUsed: trace?.gasUsed ?? 0n,
      effectiveGasPrice: pending.maxFeePerGas ?? pending.gasPrice ?? 0n,
      contractAddress: null,
      logs,
    },
    trace,
    traceError: undefined,
  };
}
