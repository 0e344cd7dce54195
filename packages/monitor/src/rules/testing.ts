import type { Block, CallFrame, Log, Tx } from '@bulwark/chain';
import { type Abi, type Address, encodeAbiParameters, encodeFunctionData, type Hex, pad } from 'viem';
import {
  applyBalances,
  contributions,
  emptyLiveWindows,
  emptyProfile,
  learnBlock,
  learnTransaction,
  setBalance,
  WindowTracker,
} from '../baseline/profile.ts';
import type { ContractProfile } from '../baseline/types.ts';
import { eventTopics, normalizeBlock } from '../events/normalize.ts';
import type { MonitorEvent } from '../events/types.ts';
import { defineRule } from './defineRule.ts';
import type { Creation, PriceTrace, Rule, RuleContext, Signal, WatchedView } from './types.ts';

/*
 * Builders for rule tests, each with defaults a test overrides:
 * - chain data: accounts, call frames, logs, transactions and blocks;
 * - a watched contract and a rule context, to evaluate a rule on hand-made events;
 * - `evaluateTx`: one transaction normalised into events as the engine does, then evaluated;
 * - `Replay`: blocks learned into a profile, then evaluated with live windows, for the baseline rules;
 * - seeded random traffic for a vault, so that learned numbers are real and tests repeatable.
 */

export const attacker = '0x00000000000000000000000000000000000a7ac0' as Address;
export const victim = '0x000000000000000000000000000000000000b0b0' as Address;
/** The attacker's contract. */
export const exploit = '0x00000000000000000000000000000000000e1e1e' as Address;
/** An ordinary account: `user(1)`, `user(2)`, … */
export const user = (i: number) => `0x${(0xe000 + i).toString(16).padStart(40, '0')}` as Address;
/** A 32-byte hash standing for the number `n`. */
export const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;
export const ether = 10n ** 18n;
/** A decimal amount of an 18-decimal asset, in wei (to a millionth). */
export const wei = (amount: number) => BigInt(Math.round(amount * 1e6)) * 10n ** 12n;

const testTxHash = `0x${'ab'.repeat(32)}` as Hex;
const testBlockHash = `0x${'cd'.repeat(32)}` as Hex;
/** The time of the block a test transaction is in, unless it says otherwise. */
const testTimestamp = 1_700_000_000n;

export function testTx(overrides: Partial<Tx> = {}): Tx {
  return {
    hash: testTxHash,
    blockNumber: 100n,
    blockHash: testBlockHash,
    index: 0,
    type: 'eip1559',
    from: attacker,
    to: victim,
    value: 0n,
    input: '0x',
    nonce: 0n,
    gas: 1_000_000n,
    gasPrice: 1n,
    maxFeePerGas: 1n,
    maxPriorityFeePerGas: 1n,
    receipt: {
      status: 'success',
      gasUsed: 50_000n,
      cumulativeGasUsed: 50_000n,
      effectiveGasPrice: 1n,
      contractAddress: null,
      logs: [],
    },
    trace: undefined,
    traceError: undefined,
    ...overrides,
  };
}

/** A successful CALL without value or data from `from` to `to`; `partial` sets the rest (input, value, nested calls). */
export const frame = (from: Address, to: Address, partial: Partial<CallFrame> = {}): CallFrame => ({
  type: 'CALL',
  from,
  to,
  value: 0n,
  gas: 100_000n,
  gasUsed: 1_000n,
  input: '0x',
  output: '0x',
  error: undefined,
  revertReason: undefined,
  calls: [],
  ...partial,
});

/** A call with calldata (deposit() unless `partial` says otherwise), where the function called does not matter. */
export const callFrame = (from: Address, to: Address, partial: Partial<CallFrame> = {}): CallFrame =>
  frame(from, to, { input: depositSelector, ...partial });

/** Encodes calls to the functions of `abi` by name: `const call = callEncoder(abi); call('withdraw', [1n])`. */
export const callEncoder =
  (abi: Abi) =>
  (functionName: string, args: readonly unknown[] = []): Hex =>
    encodeFunctionData({ abi, functionName, args } as Parameters<typeof encodeFunctionData>[0]);

/** A log emitted by `address`. Normalisation reads its address, topics, data and index only. */
export const log = (address: Address, topics: Hex[], data: Hex = '0x', logIndex = 0): Log => ({
  address,
  topics,
  data,
  logIndex,
  transactionIndex: 0,
  transactionHash: testTxHash,
  blockNumber: 100n,
  blockHash: testBlockHash,
});

/** An ERC-20 `Transfer` log of `token`. */
export const transfer = (token: Address, from: Address, to: Address, amount: bigint): Log =>
  log(token, [eventTopics.Transfer, pad(from), pad(to)], encodeAbiParameters([{ type: 'uint256' }], [amount]));

let txCount = 0;
/** A successful transaction sent by `from` whose call tree is `trace`, emitting `logs`; each gets a hash of its own. */
export function tx(from: Address, trace: CallFrame, logs: Log[] = []): Tx {
  const transaction = testTx({
    hash: hash(++txCount),
    from,
    to: trace.to ?? null,
    value: trace.value,
    input: trace.input,
    trace,
  });
  transaction.receipt.logs = logs;
  return transaction;
}

/** A traced block `number` at `time` (seconds) holding `transactions`. */
export const block = (number: number, time: number, transactions: Tx[]): Block => ({
  number: BigInt(number),
  hash: hash(number),
  chainId: 1,
  parentHash: hash(number - 1),
  timestamp: BigInt(time),
  miner: user(0),
  gasUsed: 0n,
  gasLimit: 30_000_000n,
  baseFeePerGas: 1n,
  transactions: transactions.map((t) => ({ ...t, blockNumber: BigInt(number) })),
  logs: transactions.flatMap((t) => t.receipt.logs),
  traced: true,
});

/** A contract `address` created `blocks` blocks (12 s each) before the test transaction's block 100. */
export const created = (
  address: Address,
  blocks: number,
  creator: Address = attacker,
  txFrom: Address = attacker,
): Creation => ({
  address,
  creator,
  blockNumber: 100n - BigInt(blocks),
  timestamp: testTimestamp - BigInt(blocks * 12),
  txFrom,
});

export function testWatched(
  overrides: Partial<WatchedView> & { profile?: ContractProfile | undefined } = {},
): WatchedView {
  const address = overrides.address ?? victim;
  return {
    address,
    name: 'Victim',
    kind: 'vault',
    profile: emptyProfile(1, address),
    live: emptyLiveWindows(),
    trustedAdmins: new Set(),
    ...overrides,
  };
}

export type TestContextParameters = {
  tx?: Tx;
  events?: MonitorEvent[];
  watched?: WatchedView[];
  creations?: Creation[];
  threats?: Record<string, string>;
  prices?: PriceTrace[];
  pending?: boolean;
  /** Parameter overrides by name (all contracts). */
  parameters?: Record<string, number>;
};

/** A context for one rule: its parameters fall back to the rule's defaults. */
export function testContext(rule: Rule, parameters: TestContextParameters = {}): RuleContext {
  const tx = parameters.tx ?? testTx();
  const watched = parameters.watched ?? [testWatched()];
  return {
    chainId: 1,
    blockNumber: tx.blockNumber,
    timestamp: testTimestamp,
    tx,
    pending: parameters.pending ?? false,
    events: parameters.events ?? [],
    watched: new Map(watched.map((view) => [view.address, view])),
    recentCreation: (address) => parameters.creations?.find((creation) => creation.address === address),
    threatLabel: (address) => parameters.threats?.[address],
    prices: parameters.prices ?? [],
    parameter: (name) => {
      const value = parameters.parameters?.[name] ?? rule.parameters[name]?.default;
      if (value === undefined) throw new Error(`Rule '${rule.id}' has no parameter '${name}'.`);
      return value;
    },
  };
}

/** Runs a rule on a test context. */
export function evaluate(rule: Rule, parameters: TestContextParameters = {}): Signal[] {
  return rule.evaluate(testContext(rule, parameters));
}

/** The events of one transaction, normalised as the engine does, in a block of its own. */
export function eventsOf(tx: Tx, watched: readonly WatchedView[]): MonitorEvent[] {
  const own = { ...block(Number(tx.blockNumber), Number(testTimestamp), [tx]), traced: tx.trace !== undefined };
  return normalizeBlock(own, { watched: new Set(watched.map((view) => view.address)) });
}

/** Normalises one transaction into events and runs a rule on them; `watched` defaults to the victim. */
export function evaluateTx(
  rule: Rule,
  tx: Tx,
  parameters: Omit<TestContextParameters, 'tx' | 'events'> = {},
): Signal[] {
  const watched = parameters.watched ?? [testWatched()];
  return evaluate(rule, { ...parameters, tx, watched, events: eventsOf(tx, watched) });
}

const replayWatched: ReadonlySet<string> = new Set([victim]);

/**
 * Hand-built blocks replayed against the watched `victim`: each transaction normalised on its own
 * and added to the live windows and the tracked balances, as the engine does, then learned into
 * the profile at once (`learn`, as a backfill does) or evaluated by a rule (`run`).
 */
export class Replay {
  readonly profile = emptyProfile(1, victim);
  private readonly windows = new WindowTracker();

  constructor(readonly rule: Rule) {}

  learn(blocks: readonly Block[]): this {
    for (const b of blocks) {
      for (const t of b.transactions) {
        const { contribution } = this.feed(b, t);
        if (contribution) learnTransaction(this.profile, t, contribution, this.windows.totals);
      }
      learnBlock(this.profile, b.number, b.timestamp);
    }
    return this;
  }

  /** The signals `rule` raises on the blocks, given parameter overrides and changes to the victim's view. */
  run(
    blocks: readonly Block[],
    parameters: Record<string, number> = {},
    view: Partial<WatchedView> = {},
    rule: Rule = this.rule,
  ): Signal[] {
    const signals: Signal[] = [];
    for (const b of blocks) {
      for (const t of b.transactions) {
        const { events } = this.feed(b, t);
        const watched = testWatched({ profile: this.profile, live: this.windows.totals, ...view });
        signals.push(...evaluate(rule, { tx: t, events, watched: [watched], parameters }));
      }
    }
    return signals;
  }

  /** A copy to go on with, leaving this one as it is (learning once per file keeps the tests fast). */
  fork(): Replay {
    const copy = new Replay(this.rule);
    Object.assign(copy.profile, structuredClone(this.profile));
    copy.windows.restore(this.windows.snapshot());
    return copy;
  }

  private feed(b: Block, t: Tx) {
    const events = normalizeBlock({ ...b, transactions: [t] }, { watched: replayWatched });
    const contribution = contributions(t, events).get(victim);
    this.windows.add(b.number, Number(b.timestamp), contribution, t.from);
    if (contribution) applyBalances(this.profile, contribution);
    return { events, contribution };
  }
}

/** Deterministic pseudo-random numbers (mulberry32). */
export function random(seed: number) {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  return { next, normal, int: (n: number) => Math.floor(next() * n) };
}
export type Random = ReturnType<typeof random>;

/** A block number and its time in seconds. */
export type Position = { number: number; time: number };
/** Where the replay tests start learning. */
export const learningStart: Position = { number: 1_000, time: 1_700_000_000 };

/** `offset` blocks after a pause of `gap` blocks following the last of `blocks` (12 s a block). */
export const after = (blocks: readonly Block[], gap: number, offset = 0): Position => {
  const last = blocks.at(-1)!;
  return { number: Number(last.number) + gap + offset, time: Number(last.timestamp) + (gap + offset) * 12 };
};

/**
 * `count` blocks of random traffic from `start`, 1 to 60 blocks apart (12 s a block), each holding
 * the transactions `draw` makes at its position (drawing from `rng` too).
 */
export function traffic(rng: Random, count: number, start: Position, draw: (at: Position) => Tx[]): Block[] {
  const blocks: Block[] = [];
  let { number, time } = start;
  for (let i = 0; i < count; i++) {
    const gap = 1 + rng.int(60);
    number += gap;
    time += gap * 12;
    blocks.push(block(number, time, draw({ number, time })));
  }
  return blocks;
}

// The victim as a vault: ether deposits and withdrawals, and withdrawals of a USDC-like token.
export const withdrawSelector = '0x2e1a7d4d';
export const depositSelector = '0xd0e30db0';
export const usdc = '0x000000000000000000000000000000000000c0c0' as Address;
export const withdraw = (from: Address, amount: bigint) =>
  tx(from, frame(from, victim, { input: withdrawSelector, calls: [frame(victim, from, { value: amount })] }));
export const deposit = (from: Address, amount: bigint) =>
  tx(from, frame(from, victim, { input: depositSelector, value: amount }));
export const withdrawToken = (from: Address, amount: bigint) =>
  tx(from, frame(from, victim, { input: '0x00f714ce' }), [transfer(usdc, victim, from, amount)]);

/** Vault traffic: 40 users deposit and withdraw ether (log-normal amounts around 1 ETH) and the token. */
export function vaultTraffic(seed: number, count: number, start: Position): Block[] {
  const rng = random(seed);
  return traffic(rng, count, start, () => {
    const from = user(1 + rng.int(40));
    const amount = wei(Math.exp(rng.normal()));
    const kind = rng.next();
    if (kind < 0.45) return [deposit(from, amount)];
    if (kind < 0.9) return [withdraw(from, amount)];
    return [withdrawToken(from, BigInt(Math.round(Math.exp(rng.normal()) * 500e6)))];
  });
}

/**
 * The vault learned from `blocks`, having held 10,000 ETH and 5 million of the token when they
 * began. Learned once, on first use; each call returns a fork to go on with.
 */
export function learnedVault(rule: Rule, blocks: readonly Block[]): () => Replay {
  let base: Replay | undefined;
  return () => {
    if (!base) {
      base = new Replay(rule);
      setBalance(base.profile, 'native', 10_000n * ether);
      setBalance(base.profile, usdc, 5_000_000n * 10n ** 6n);
      base.learn(blocks);
    }
    return base.fork();
  };
}

/**
 * A rule for runtime tests (it only exercises the monitor): raises one signal of `score` on each
 * contract `fired` names for the transaction, with the transaction's sender as the actor.
 */
export function drillRule(parameters: {
  id: string;
  stage: Signal['stage'];
  score: number;
  needs?: Rule['needs'];
  fired(context: RuleContext): readonly string[];
}): Rule {
  const { id, stage, score } = parameters;
  return defineRule({
    id,
    title: id,
    category: 'test',
    stage,
    impact: 'high',
    confidence: 'high',
    description: 'A rule for runtime tests: it fires where the test says.',
    scenario: 'None: it only exercises the monitor.',
    recommendation: 'None: it only exercises the monitor.',
    swc: [],
    owasp: [],
    control: 'SA-03',
    needs: parameters.needs ?? [],
    parameters: {},
    evaluate: (context) =>
      parameters.fired(context).map((contract) => ({
        ruleId: id,
        stage,
        contract,
        score,
        severity: 'high' as const,
        title: id,
        summary: `${id} on ${contract}`,
        actor: context.tx.from,
        details: {},
      })),
  });
}
