import type { Block, CallFrame, Log, PendingTx, Tx } from '@bulwark/chain';
import { type Address, encodeAbiParameters, type Hex, toEventSelector } from 'viem';
import { describe, expect, test } from 'vitest';
import type { LiveWindows } from '../baseline/types.ts';
import { eventTopics } from '../events/normalize.ts';
import { freshContractCallerRule } from '../rules/actors/fresh-contract-caller.ts';
import { knownMaliciousAddressRule } from '../rules/actors/known-malicious-address.ts';
import { reentrantCallRule } from '../rules/attack/reentrant-call.ts';
import { failedCallBurstRule } from '../rules/baseline/failed-call-burst.ts';
import { outflowSpikeRule } from '../rules/baseline/outflow-spike.ts';
import { defineRule } from '../rules/defineRule.ts';
import { attacker, ether, exploit, frame, hash, testTx, transfer, user, victim as vault } from '../rules/testing.ts';
import type { PriceTrace, Rule, RuleContext, Signal } from '../rules/types.ts';
import { createEngine, type EngineOptions } from './engine.ts';

// Hand-built blocks through the whole engine: normalisation, profiles, windows, rules and the composite.
const pool = '0x000000000000000000000000000000000000c0c0' as Address;
const withdrawSelector = '0x2e1a7d4d';
const depositSelector = '0xd0e30db0';
const exploitSelector = '0xbadbad00';
const swapSelector = '0x022c0d9f';
const syncTopic = toEventSelector('Sync(uint112,uint112)');
const start = 1_700_000_000;
const timeOf = (number: number) => start + number * 12;

let txCount = 0;
const tx = (from: Address, trace: CallFrame | undefined, to: Address, input: Hex, logs: Log[] = []): Tx =>
  testTx({
    hash: hash(++txCount),
    from,
    to,
    input,
    trace,
    receipt: {
      status: 'success',
      gasUsed: 50_000n,
      cumulativeGasUsed: 50_000n,
      effectiveGasPrice: 1n,
      contractAddress: null,
      logs,
    },
  });
const block = (number: number, transactions: Tx[]): Block => ({
  number: BigInt(number),
  hash: hash(number),
  chainId: 1,
  parentHash: hash(number - 1),
  timestamp: BigInt(timeOf(number)),
  miner: user(0),
  gasUsed: 0n,
  gasLimit: 30_000_000n,
  baseFeePerGas: 1n,
  transactions: transactions.map((t, index) => ({ ...t, index, blockNumber: BigInt(number) })),
  logs: transactions.flatMap((t) => t.receipt.logs),
  traced: true,
});

const withdraw = (from: Address, amount: bigint, selector: Hex = withdrawSelector, to: Address = vault) =>
  tx(from, frame(from, to, { input: selector, calls: [frame(to, from, { value: amount })] }), to, selector);
const deposit = (from: Address, amount: bigint) =>
  tx(from, frame(from, vault, { input: depositSelector, value: amount }), vault, depositSelector);
const sync = (address: Address, reserve0: bigint, reserve1: bigint, topic: Hex = syncTopic): Log => ({
  address,
  topics: [topic],
  data: encodeAbiParameters([{ type: 'uint256' }, { type: 'uint256' }], [reserve0, reserve1]),
  logIndex: 0,
  transactionIndex: 0,
  transactionHash: hash(0),
  blockNumber: 0n,
  blockHash: hash(0),
});
/** A swap on the pool, seen without a trace: its own call and the pool's Sync logs. */
const swap = (from: Address, reserves: [bigint, bigint][], address: Address = pool) =>
  tx(
    from,
    undefined,
    address,
    swapSelector,
    reserves.map(([r0, r1]) => sync(address, r0, r1)),
  );
const asPending = (t: Tx): PendingTx => ({
  hash: t.hash,
  from: t.from,
  to: t.to,
  value: t.value,
  input: t.input,
  nonce: t.nonce,
  gas: t.gas,
  gasPrice: t.gasPrice,
  maxFeePerGas: t.maxFeePerGas,
  maxPriorityFeePerGas: t.maxPriorityFeePerGas,
});

const metadata = {
  category: 'test',
  impact: 'high',
  confidence: 'medium',
  description: 'A rule for the engine tests.',
  scenario: 'None: it only exercises the engine.',
  recommendation: 'None: it only exercises the engine.',
  swc: [],
  owasp: [],
  control: 'SA-03',
  needs: [],
} as const satisfies Partial<Rule>;

const signal = (ruleId: string, stage: Signal['stage'], contract: string, score: number, context: RuleContext) => ({
  ruleId,
  stage,
  contract,
  score,
  severity: 'high' as const,
  title: ruleId,
  summary: `${ruleId} on ${contract}`,
  actor: context.tx.from,
  details: {},
});

/** Impact: a watched contract paid out more native than `threshold` wei in the transaction. */
const largeWithdrawalRule = defineRule({
  ...metadata,
  id: 'large-withdrawal',
  title: 'Large withdrawal',
  stage: 'impact',
  parameters: { threshold: { default: 10e18, minimum: 0, description: 'Native outflow per transaction, in wei.' } },
  evaluate(context) {
    const outflow = new Map<string, bigint>();
    for (const event of context.events) {
      if (event.type === 'value-flow' && event.fromWatched && event.asset === 'native') {
        outflow.set(event.from, (outflow.get(event.from) ?? 0n) + event.amount);
      }
    }
    return [...outflow]
      .filter(([contract, amount]) => Number(amount) > context.parameter('threshold', contract))
      .map(([contract]) => signal('large-withdrawal', 'impact', contract, 0.6, context));
  },
});

/** Exploitation: a watched contract called with the exploit selector. */
const exploitSelectorRule = defineRule({
  ...metadata,
  id: 'exploit-selector',
  title: 'Exploit selector',
  stage: 'exploitation',
  parameters: {},
  evaluate(context) {
    const contracts = new Set(
      context.events.flatMap((event) =>
        event.type === 'call' && event.selector === exploitSelector ? [event.contract] : [],
      ),
    );
    return [...contracts].map((contract) => signal('exploit-selector', 'exploitation', contract, 0.5, context));
  },
});

type Seen = {
  pending: boolean;
  blockNumber: bigint;
  prices: PriceTrace[];
  live: LiveWindows | undefined;
  threshold: { vault: number; pool: number; global: number };
};

/** A rule that raises nothing and records what it was given. */
function recorder(id = 'recorder') {
  const seen: Seen[] = [];
  const rule = defineRule({
    ...metadata,
    id,
    title: 'Recorder',
    stage: 'preparation',
    parameters: { threshold: { default: 10, description: 'A parameter to read.' } },
    evaluate(context) {
      seen.push({
        pending: context.pending,
        blockNumber: context.blockNumber,
        prices: structuredClone([...context.prices]),
        live: structuredClone(context.watched.get(vault)?.live),
        threshold: {
          vault: context.parameter('threshold', vault),
          pool: context.parameter('threshold', pool),
          global: context.parameter('threshold'),
        },
      });
      return [];
    },
  });
  return { rule, seen };
}

const engineWith = (rules: readonly Rule[], options: Partial<EngineOptions> = {}) =>
  createEngine({
    chainId: 1,
    contracts: [
      { address: vault, name: 'Vault', kind: 'vault' },
      { address: pool, name: 'Pool', kind: 'pool' },
    ],
    rules,
    learningDelayBlocks: 3,
    // Exact learned numbers; decay has its own test.
    decayHalfLifeSeconds: Number.POSITIVE_INFINITY,
    ...options,
  });

/** Processes empty blocks `from..to`: time passes, waiting transactions are released. */
const idle = (engine: ReturnType<typeof createEngine>, from: number, to: number) => {
  for (let number = from; number <= to; number++) engine.process(block(number, []));
};

describe('createEngine', () => {
  test('default: learn() fills the profile: transactions, selectors, callers, outflow per asset, window maxima', () => {
    const engine = engineWith([largeWithdrawalRule]);
    engine.learn(block(1, [withdraw(user(1), 2n * ether)]));
    engine.learn(block(2, [withdraw(user(2), 3n * ether), deposit(user(3), ether)]));
    // A rule never runs while learning, even on what would fire it.
    engine.learn(block(3, [withdraw(user(4), 20n * ether)]));

    const profile = engine.profile(vault);
    expect(profile).toMatchObject({ txs: 4, blocks: 3, fromBlock: '1', toBlock: '3', calls: 4, failed: 0 });
    expect(profile.fromTime).toBe(timeOf(1));
    expect(profile.toTime).toBe(timeOf(3));
    expect(profile.callers).toEqual({ [user(1)]: 1, [user(2)]: 1, [user(3)]: 1, [user(4)]: 1 });
    expect(profile.selectors[withdrawSelector]).toEqual({
      calls: 3,
      failed: 0,
      windowMax: { '1b': 1, '5m': 3, '1h': 3, '24h': 3 },
    });
    expect(profile.selectors[depositSelector]?.calls).toBe(1);
    const native = profile.assets.native!;
    expect(native.outflowPerTx).toMatchObject({ n: 3, max: 20e18 });
    expect(native.outflowPerTx.mean / (25e18 / 3)).toBeCloseTo(1, 12);
    expect(native.inflowPerTx).toMatchObject({ n: 1, max: 1e18 });
    expect(native.outflowWindowMax).toEqual({ '1b': 20e18, '5m': 25e18, '1h': 25e18, '24h': 25e18 });
    expect(profile.senderOutflowTxsWindowMax).toEqual({ '1b': 1, '5m': 1, '1h': 1, '24h': 1 });

    // The pool saw the blocks but no transaction.
    expect(engine.profile(pool)).toMatchObject({ txs: 0, blocks: 3 });
    expect(engine.profiles().map((p) => p.address)).toEqual([vault, pool]);
    expect(() => engine.profile(user(9))).toThrow(/not watched/);
  });

  test('default: process() flags the transactions that raised signals and pauses when two rules join', () => {
    const engine = engineWith([largeWithdrawalRule, exploitSelectorRule]);
    const benign = deposit(user(1), ether);
    const large = withdraw(user(2), 20n * ether);
    const attack = withdraw(attacker, 50n * ether, exploitSelector);

    const first = engine.process(block(10, [benign, large]));
    expect(first.number).toBe(10n);
    expect(first.hash).toBe(hash(10));
    expect(first.events).toBeGreaterThan(0);
    expect(first.flagged.map((f) => f.tx.hash)).toEqual([large.hash]);
    expect(first.flagged[0]!.signals.map((s) => s.ruleId)).toEqual(['large-withdrawal']);
    expect(first.flagged[0]!.verdicts).toMatchObject([{ contract: vault, score: 0.6, pause: false }]);
    expect(first.pauses).toEqual([]);

    const second = engine.process(block(11, [attack]));
    const [flagged] = second.flagged;
    expect(flagged!.tx.hash).toBe(attack.hash);
    expect(flagged!.events.some((e) => e.type === 'call' && e.selector === exploitSelector)).toBe(true);
    expect(flagged!.signals.map((s) => s.ruleId).sort()).toEqual(['exploit-selector', 'large-withdrawal']);
    expect(second.pauses).toHaveLength(1);
    expect(second.pauses[0]).toMatchObject({ contract: vault, score: 1.1, pause: true });

    // After a reset the next incident starts clean.
    engine.reset(vault.toUpperCase().replace('0X', '0x'));
    const third = engine.process(block(12, [withdraw(user(3), 20n * ether)]));
    expect(third.flagged[0]!.verdicts).toMatchObject([{ contract: vault, score: 0.6, pause: false }]);
  });

  test('behavior: a benign transaction is learned learningDelayBlocks later, an attack never', () => {
    const engine = engineWith([largeWithdrawalRule, exploitSelectorRule]);
    const profile = engine.profile(vault);

    engine.process(block(10, [withdraw(user(1), ether)]));
    idle(engine, 11, 12);
    expect(profile.txs).toBe(0);
    engine.process(block(13, []));
    expect(profile.txs).toBe(1);
    expect(profile.selectors[withdrawSelector]?.calls).toBe(1);
    expect(profile.assets.native!.outflowPerTx).toMatchObject({ n: 1, max: 1e18 });

    // The attack raises signals on the vault: it is never learned, however long we wait.
    engine.process(block(20, [withdraw(attacker, 50n * ether, exploitSelector)]));
    // A benign withdrawal after it, in the same five minutes, is learned without the attack in its windows.
    engine.process(block(21, [withdraw(user(2), 2n * ether)]));
    idle(engine, 22, 40);
    expect(profile.txs).toBe(2);
    expect(profile.selectors[exploitSelector]).toBeUndefined();
    expect(profile.callers[attacker]).toBeUndefined();
    expect(profile.assets.native!.outflowPerTx).toMatchObject({ n: 2, max: 2e18 });
    expect(profile.assets.native!.outflowWindowMax).toEqual({ '1b': 2e18, '5m': 3e18, '1h': 3e18, '24h': 3e18 });
  });

  test('behavior: a signal on a contract holds back only the transactions linked to it, not the contract', () => {
    const engine = engineWith([largeWithdrawalRule, exploitSelectorRule]);
    // Same block as the signal, and one block before it, from other senders: learned all the same.
    engine.process(block(10, [withdraw(user(1), ether)]));
    engine.process(block(11, [deposit(user(2), ether), withdraw(attacker, 50n * ether, exploitSelector)]));
    idle(engine, 12, 20);
    expect(engine.profile(vault).txs).toBe(2);
    expect(engine.profile(vault).callers[attacker]).toBeUndefined();
    expect(engine.learning()).toEqual({ learned: 2, flagged: 1, dropped: 0, waiting: 0 });

    // A signal on another contract does not hold the vault's transactions back.
    const other = engineWith([largeWithdrawalRule, exploitSelectorRule]);
    other.process(block(10, [withdraw(user(1), ether)]));
    const onPool = other.process(block(11, [withdraw(attacker, 0n, exploitSelector, pool)]));
    expect(onPool.flagged[0]!.signals).toMatchObject([{ ruleId: 'exploit-selector', contract: pool }]);
    idle(other, 12, 20);
    expect(other.profile(vault).txs).toBe(1);
    expect(other.profile(pool).txs).toBe(0);
  });

  test('behavior: processPending evaluates a simulated trace and changes neither profiles nor live windows', () => {
    const history = () => {
      const { rule, seen } = recorder();
      const engine = engineWith([largeWithdrawalRule, exploitSelectorRule, rule]);
      engine.learn(block(1, [withdraw(user(1), 2n * ether), deposit(user(2), 5n * ether)]));
      engine.learn(block(2, [withdraw(user(3), 3n * ether)]));
      engine.process(block(5, [withdraw(user(4), ether)]));
      idle(engine, 6, 10);
      return { engine, seen };
    };
    const attack = withdraw(attacker, 50n * ether, exploitSelector);

    const a = history();
    const before = structuredClone(a.engine.profiles());
    const pending = a.engine.processPending(asPending(attack), attack.trace, {
      number: 10n,
      timestamp: BigInt(timeOf(10)),
    });
    expect(pending.tx).toMatchObject({ hash: attack.hash, type: 'pending', blockNumber: 11n });
    expect(pending.signals.map((s) => s.ruleId).sort()).toEqual(['exploit-selector', 'large-withdrawal']);
    expect(pending.verdicts).toMatchObject([{ contract: vault, score: 1.1, pause: true }]);
    // The rules saw the pending transaction in the live windows.
    const seenPending = a.seen.at(-1)!;
    expect(seenPending.pending).toBe(true);
    expect(seenPending.live?.['5m'].outflow.native).toBe((2 + 3 + 1 + 50) * 1e18);
    expect(seenPending.live?.['5m'].outflowTxsBySender[attacker]).toBe(1);
    expect(a.engine.profiles()).toEqual(before);

    // Mined: the engine that saw it pending decides exactly as one that did not.
    const b = history();
    const minedA = a.engine.process(block(11, [attack]));
    const minedB = b.engine.process(block(11, [attack]));
    expect(minedA).toEqual(minedB);
    expect(minedA.pauses).toMatchObject([{ contract: vault, score: 1.1, firstBlock: 11n }]);
    expect(a.seen.at(-1)).toEqual(b.seen.at(-1));
    expect(a.seen.at(-1)!.live?.['5m'].outflow.native).toBe((2 + 3 + 1 + 50) * 1e18);
    expect(a.seen.at(-1)!.pending).toBe(false);
    // Its preview left nothing in the composite: after a reset, one rule alone does not pause.
    a.engine.reset(vault);
    b.engine.reset(vault);
    a.engine.processPending(asPending(attack), attack.trace, { number: 11n, timestamp: BigInt(timeOf(11)) });
    expect(a.engine.process(block(12, [withdraw(user(5), 20n * ether)])).pauses).toEqual([]);
    b.engine.process(block(12, [withdraw(user(5), 20n * ether)]));
    idle(a.engine, 13, 20);
    idle(b.engine, 13, 20);
    expect(a.engine.profiles()).toEqual(b.engine.profiles());
  });

  test('behavior: a pending transaction lands in the next block: its one-block window holds it alone', () => {
    const { rule, seen } = recorder();
    const engine = engineWith([rule]);
    engine.learn(block(1, [withdraw(user(1), 2n * ether)]));
    engine.process(block(5, [withdraw(user(2), 5n * ether)]));
    const next = withdraw(user(3), ether);
    engine.processPending(asPending(next), next.trace, { number: 5n, timestamp: BigInt(timeOf(5)) });
    expect(seen.at(-1)?.live?.['1b'].outflow.native).toBe(1e18);
    expect(seen.at(-1)?.live?.['5m'].outflow.native).toBe(8e18);
    // Mined in block 6, the rules see the same one-block window.
    engine.process(block(6, [next]));
    expect(seen.at(-1)?.live?.['1b'].outflow.native).toBe(1e18);
  });

  test('behavior: processPending reads prices from the frame logs, skipping reverted frames, and keeps the last price', () => {
    const { rule, seen } = recorder();
    const engine = engineWith([rule]);
    engine.learn(block(1, [swap(user(1), [[1_000n, 2_000n]])]));

    const reverted = frame(pool, user(7), { error: 'execution reverted', logs: [sync(pool, 1_000n, 9_000n)] });
    const trace = frame(user(1), pool, {
      input: swapSelector,
      logs: [sync(pool, 1_000n, 3_000n)],
      calls: [reverted, frame(pool, user(8), { logs: [sync(pool, 1_000n, 2_500n)] })],
    });
    const pendingSwap = tx(user(1), trace, pool, swapSelector);
    const result = engine.processPending(asPending(pendingSwap), trace, { number: 1n, timestamp: BigInt(timeOf(1)) });
    expect(result.tx.receipt.logs.map((log) => log.address)).toEqual([pool, pool]);
    expect(seen.at(-1)!.prices).toEqual([{ pool, before: 2, during: [3, 2.5] }]);
    expect(engine.profile(pool).price).toEqual({ last: 2, maxTxMove: 0 });

    engine.process(block(2, [swap(user(2), [[1_000n, 2_200n]])]));
    expect(seen.at(-1)!.prices).toEqual([{ pool, before: 2, during: [2.2] }]);
  });

  test('behavior: a throwing rule is reported through onRuleError and the other rules still run', () => {
    const failure = new Error('boom');
    const throwing = defineRule({
      ...metadata,
      id: 'always-throws',
      title: 'Always throws',
      stage: 'impact',
      parameters: {},
      evaluate() {
        throw failure;
      },
    });
    const errors: [string, unknown][] = [];
    const engine = engineWith([throwing, exploitSelectorRule, largeWithdrawalRule], {
      onRuleError: (ruleId, error) => errors.push([ruleId, error]),
    });
    const attack = withdraw(attacker, 50n * ether, exploitSelector);
    const result = engine.process(block(10, [attack]));
    expect(errors).toEqual([['always-throws', failure]]);
    expect(result.flagged[0]!.signals.map((s) => s.ruleId)).toEqual(['exploit-selector', 'large-withdrawal']);
    expect(result.pauses).toHaveLength(1);

    const next = withdraw(attacker, 50n * ether, exploitSelector);
    const pending = engine.processPending(asPending(next), next.trace, { number: 10n, timestamp: BigInt(timeOf(10)) });
    expect(errors).toHaveLength(2);
    expect(pending.signals).toHaveLength(2);

    // Without a handler the error is swallowed all the same.
    const quiet = engineWith([throwing, exploitSelectorRule]);
    expect(quiet.process(block(10, [attack])).flagged[0]!.signals).toHaveLength(1);
  });

  test('behavior: a rule reading an undeclared parameter is reported as a rule error', () => {
    const sloppy = defineRule({
      ...metadata,
      id: 'sloppy',
      title: 'Reads an undeclared parameter',
      stage: 'impact',
      parameters: {},
      evaluate(context) {
        context.parameter('missing');
        return [];
      },
    });
    const errors: unknown[] = [];
    const engine = engineWith([sloppy], { onRuleError: (_id, error) => errors.push(error) });
    engine.process(block(10, [deposit(user(1), ether)]));
    expect(String(errors[0])).toMatch(/'sloppy' reads an undeclared parameter 'missing'/);
  });

  test('behavior: parameters: contract override, then global, then the rule default', () => {
    const run = (options: Partial<EngineOptions>) => {
      const { rule, seen } = recorder('param-probe');
      const engine = engineWith([rule], options);
      engine.process(block(10, [deposit(user(1), ether)]));
      return seen.at(-1)!.threshold;
    };
    const contracts: EngineOptions['contracts'] = [
      // Given checksummed-style: the engine keys contracts by lower-case address.
      {
        address: vault.toUpperCase().replace('0X', '0x'),
        name: 'Vault',
        kind: 'vault',
        parameters: { 'param-probe': { threshold: 5 } },
      },
      { address: pool, name: 'Pool', kind: 'pool', parameters: { 'other-rule': { threshold: 99 } } },
    ];
    expect(
      run({ contracts, parameters: { 'param-probe': { threshold: 7 }, 'other-rule': { threshold: 98 } } }),
    ).toEqual({
      vault: 5,
      pool: 7,
      global: 7,
    });
    expect(run({ contracts })).toEqual({ vault: 5, pool: 10, global: 10 });
    expect(run({})).toEqual({ vault: 10, pool: 10, global: 10 });
    // A real threshold moves with it: a 20 ETH withdrawal is large by default, not under a 30 ETH override.
    const strict = engineWith([largeWithdrawalRule], { parameters: { 'large-withdrawal': { threshold: 30e18 } } });
    expect(strict.process(block(10, [withdraw(user(1), 20n * ether)])).flagged).toEqual([]);
    expect(engineWith([largeWithdrawalRule]).process(block(10, [withdraw(user(1), 20n * ether)])).flagged).toHaveLength(
      1,
    );
  });

  test('behavior: Sync logs give the rules prices before and during the transaction; the profile learns price.maxTxMove', () => {
    const { rule, seen } = recorder();
    const engine = engineWith([rule]);
    engine.learn(block(1, [swap(user(1), [[1_000n, 2_000n]])]));
    engine.learn(block(2, [swap(user(2), [[1_000n, 2_200n]])]));
    const learned = engine.profile(pool).price!;
    expect(learned.last).toBe(2.2);
    expect(learned.maxTxMove).toBeCloseTo(0.1, 12);

    // Pushed to 3 and back within one transaction; a Sync(uint256,uint256) counts too.
    const pushed = swap(user(3), [[1_000n, 3_000n]]);
    pushed.receipt.logs.push(sync(pool, 1_000n, 2_200n, toEventSelector('Sync(uint256,uint256)')));
    engine.process(block(3, [pushed]));
    expect(seen.at(-1)!.prices).toEqual([{ pool, before: 2.2, during: [3, 2.2] }]);
    expect(engine.profile(pool).price).toEqual({ last: 2.2, maxTxMove: learned.maxTxMove });
    idle(engine, 4, 6);
    expect(engine.profile(pool).price!.maxTxMove).toBeCloseTo(3 / 2.2 - 1, 12);

    // Sync logs of an unwatched pool, or an empty pool, give no price.
    const elsewhere = user(50);
    engine.process(block(7, [swap(user(4), [[1_000n, 5_000n]], elsewhere), swap(user(4), [[0n, 5_000n]])]));
    expect(seen.at(-1)!.prices).toEqual([]);
    expect(engine.profile(pool).price!.last).toBe(2.2);
  });

  test('behavior: balances are set from the node and moved by every transaction at once', () => {
    const engine = engineWith([largeWithdrawalRule, exploitSelectorRule]);
    engine.setBalance(vault.toUpperCase().replace('0X', '0x'), 'native', 100n * ether);
    engine.process(block(10, [deposit(user(1), 5n * ether), withdraw(attacker, 50n * ether, exploitSelector)]));
    expect(engine.profile(vault).assets.native).toMatchObject({
      balance: (55n * ether).toString(),
      peakBalance: (105n * ether).toString(),
    });
    engine.setSupply(pool, 1_000n);
    expect(engine.profile(pool).supply).toBe('1000');
  });

  test('behavior: threat intelligence and a stored profile reach the rules', () => {
    const learnedProfile = engineWith([]);
    learnedProfile.learn(block(1, [withdraw(user(1), ether)]));
    const engine = engineWith([knownMaliciousAddressRule], {
      threatIntel: new Map([[attacker, 'Exploiter 1']]),
      profiles: [learnedProfile.profile(vault)],
    });
    expect(engine.profile(vault).txs).toBe(1);
    const result = engine.process(block(10, [withdraw(attacker, ether)]));
    expect(result.flagged[0]!.signals).toMatchObject([
      { ruleId: 'known-malicious-address', contract: vault, actor: attacker, stage: 'preparation' },
    ]);
  });
});

/** A rule as if it read the baseline: its signals do not count as unequivocal for a young contract. */
const baselineBound = (rule: Rule): Rule => ({ ...rule, needs: ['baseline'] });

/** Preparation: any transaction from `sender` raises a weak signal (the noise of heavy benign traffic). */
const weakSignalFrom = (sender: Address) =>
  defineRule({
    ...metadata,
    id: 'weak-signal',
    title: 'Weak signal',
    stage: 'preparation',
    parameters: {},
    evaluate(context) {
      if (context.tx.from !== sender) return [];
      return [signal('weak-signal', 'preparation', vault, 0.2, context)];
    },
  });

/** Exploitation: the exploit selector called on the vault, naming the calling contract as the actor. */
const exploitThroughRule = defineRule({
  ...metadata,
  id: 'exploit-through',
  title: 'Exploit selector through a contract',
  stage: 'exploitation',
  parameters: {},
  evaluate(context) {
    const call = context.events.find((event) => event.type === 'call' && event.selector === exploitSelector);
    if (call?.type !== 'call') return [];
    return [{ ...signal('exploit-through', 'exploitation', call.contract, 0.5, context), actor: call.caller }];
  },
});

/** `from` → `through` → vault with `selector`. */
const via = (from: Address, through: Address, selector: Hex = depositSelector) =>
  tx(
    from,
    frame(from, through, { input: '0x12345678', calls: [frame(through, vault, { input: selector })] }),
    through,
    '0x12345678',
  );

/** A Paused or Unpaused event of the vault, emitted in a transaction by its guardian. */
const pauseEvent = (name: 'Paused' | 'Unpaused') => {
  const guardian = user(90);
  return tx(guardian, frame(guardian, vault, { input: '0x8456cb59' }), vault, '0x8456cb59', [
    {
      ...sync(vault, 0n, 0n),
      topics: [eventTopics[name]],
      data: encodeAbiParameters([{ type: 'address' }], [guardian]),
    },
  ]);
};

/** A call into the vault that reverted. */
const reverted = (from: Address) => {
  const t = tx(
    from,
    frame(from, vault, { input: withdrawSelector, error: 'execution reverted' }),
    vault,
    withdrawSelector,
  );
  t.receipt.status = 'reverted';
  return t;
};

describe('createEngine: learning, warm-up and routine work', () => {
  test('behavior: under steady weak signals on a contract, its other transactions keep being learned', () => {
    const noisy = user(99);
    const engine = engineWith([weakSignalFrom(noisy)], { learningDelayBlocks: 25 });
    let benign = 0;
    for (let number = 10; number < 310; number++) {
      const txs = [deposit(user(1 + (number % 20)), ether)];
      benign++;
      // A weak signal every three blocks on the same contract: learning froze on it before.
      if (number % 3 === 0) txs.push(deposit(noisy, ether));
      engine.process(block(number, txs));
    }
    idle(engine, 310, 340);
    expect(engine.profile(vault).txs).toBe(benign);
    expect(engine.profile(vault).callers[noisy]).toBeUndefined();
    expect(engine.learning()).toEqual({ learned: benign, flagged: 100, dropped: 0, waiting: 0 });
  });

  test('behavior: a flagged transaction, its sender and the contract it attacked through are not learned', () => {
    const engine = engineWith([exploitThroughRule]);
    const profile = engine.profile(vault);
    engine.process(block(10, [deposit(attacker, ether), deposit(user(1), ether)]));
    // Another account through the same attack contract, before the attack: held back too.
    engine.process(block(11, [via(user(5), exploit)]));
    const attack = engine.process(block(12, [via(attacker, exploit, exploitSelector)]));
    expect(attack.flagged[0]!.signals).toMatchObject([{ ruleId: 'exploit-through', actor: exploit }]);
    engine.process(block(13, [deposit(user(2), ether)]));
    engine.process(block(14, [deposit(attacker, ether)]));
    idle(engine, 15, 29);
    // Long after the flag, the sender is learned again.
    engine.process(block(30, [deposit(attacker, 2n * ether)]));
    idle(engine, 31, 40);
    expect(Object.keys(profile.callers).sort()).toEqual([user(1), user(2), attacker].sort());
    expect(profile.callers[exploit]).toBeUndefined();
    expect(profile.selectors[exploitSelector]).toBeUndefined();
    expect(profile.assets.native!.inflowPerTx).toMatchObject({ n: 3, max: 2e18 });
    expect(engine.learning()).toEqual({ learned: 3, flagged: 1, dropped: 3, waiting: 0 });
  });

  test('behavior: decay lowers an old spike: a withdrawal hidden by it alerts once newer behaviour is learned', () => {
    const history = (decayHalfLifeSeconds: number) => {
      const engine = engineWith([outflowSpikeRule], { decayHalfLifeSeconds });
      engine.learn(block(1, [withdraw(user(1), 100n * ether)]));
      // Ten hours of ordinary withdrawals of about an ether, every 20 minutes.
      for (let i = 0; i < 30; i++) {
        engine.learn(block(100 * (i + 1), [withdraw(user(2 + (i % 10)), ether + BigInt(i) * 10n ** 16n)]));
      }
      return engine;
    };
    const kept = history(Number.POSITIVE_INFINITY);
    const decayed = history(3_600);
    expect(kept.profile(vault).assets.native!.outflowPerTx.max).toBe(100e18);
    expect(decayed.profile(vault).assets.native!.outflowPerTx.max).toBeLessThan(2e18);
    expect(decayed.profile(vault).assets.native!.outflowPerTx.n).toBe(31);
    expect(decayed.profile(vault).assets.native!.outflowWindowMax['1b']).toBeLessThan(2e18);

    const large = () => block(3_200, [withdraw(user(3), 50n * ether)]);
    expect(kept.process(large()).flagged).toEqual([]);
    expect(decayed.process(large()).flagged[0]!.signals).toMatchObject([{ ruleId: 'outflow-spike' }]);
  });

  test('behavior: a young contract alerts but does not pause on two baseline signals; it pauses on re-entry with outflow', () => {
    const rules = [baselineBound(largeWithdrawalRule), baselineBound(exploitSelectorRule), reentrantCallRule];
    const attack = () => withdraw(attacker, 50n * ether, exploitSelector);

    const young = engineWith(rules);
    expect(young.warmUp(vault)).toMatchObject({ warmingUp: true, txs: 0, needTxs: 200, needBlocks: 100 });
    const held = young.process(block(10, [attack()]));
    expect(held.flagged[0]!.signals.map((s) => s.ruleId).sort()).toEqual(['exploit-selector', 'large-withdrawal']);
    expect(held.flagged[0]!.verdicts).toMatchObject([{ contract: vault, score: 1.1, pause: false }]);
    expect(held.flagged[0]!.verdicts[0]!.heldBack).toMatch(/warm-up/);
    expect(held.pauses).toEqual([]);

    // The same on a mature baseline pauses.
    const mature = engineWith(rules, { warmUp: { txs: 1, blocks: 1 } });
    mature.learn(block(1, [deposit(user(1), ether)]));
    expect(mature.warmUp(vault).warmingUp).toBe(false);
    expect(mature.process(block(10, [attack()])).pauses).toMatchObject([{ contract: vault, pause: true }]);

    // Re-entry draining the young vault: exploitation that needs no baseline, with value leaving.
    let inner: CallFrame[] = [];
    for (let level = 2; level >= 0; level--) {
      inner = [
        frame(exploit, vault, {
          input: withdrawSelector,
          calls: [frame(vault, exploit, { value: 5n * ether, calls: inner })],
        }),
      ];
    }
    const drain = tx(attacker, frame(attacker, exploit, { input: '0x12345678', calls: inner }), exploit, '0x12345678');
    const reentered = engineWith(rules).process(block(10, [drain]));
    expect(reentered.flagged[0]!.signals.map((s) => s.ruleId).sort()).toEqual(['large-withdrawal', 'reentrant-call']);
    expect(reentered.pauses).toMatchObject([{ contract: vault, pause: true }]);
    expect(reentered.pauses[0]!.heldBack).toBeUndefined();
  });

  test('behavior: calls reverting while the contract is paused raise no failed-call-burst and are not learned', () => {
    const run = (paused: boolean) => {
      const engine = engineWith([failedCallBurstRule], { learningDelayBlocks: 25 });
      // An hour of deposits: 60 calls learned, none failed.
      for (let number = 1; number <= 300; number += 5) engine.learn(block(number, [deposit(user(number % 7), ether)]));
      const ruleIds: string[] = [];
      const record = (result: ReturnType<typeof engine.process>) =>
        ruleIds.push(...result.flagged.flatMap((f) => f.signals.map((s) => s.ruleId)));
      if (paused) record(engine.process(block(400, [pauseEvent('Paused')])));
      // Users keep calling: fifteen reverts in a minute.
      for (let i = 0; i < 15; i++) record(engine.process(block(401 + i, [reverted(user(10 + i))])));
      if (paused) record(engine.process(block(420, [pauseEvent('Unpaused')])));
      // After the unpause an ordinary revert is judged on windows without the paused ones.
      record(engine.process(block(421, [reverted(user(40))])));
      idle(engine, 422, 450);
      return { ruleIds, profile: engine.profile(vault) };
    };
    const whilePaused = run(true);
    expect(whilePaused.ruleIds).toEqual([]);
    expect(whilePaused.profile.failed).toBe(1);
    // The same reverts on a running contract are a burst.
    expect(run(false).ruleIds).toContain('failed-call-burst');
  });

  test('behavior: a contract created before the monitor started is not fresh; one created live is', () => {
    const keeper = user(77);
    const operator = user(7);
    const creation = () => tx(operator, frame(operator, keeper, { type: 'CREATE' }), keeper, '0x60806040');
    const harvest = () => via(operator, keeper);

    const established = engineWith([freshContractCallerRule]);
    established.learn(block(1, [creation()]));
    established.learn(block(2, [deposit(user(1), ether)]));
    expect(established.process(block(20, [harvest()])).flagged).toEqual([]);

    const live = engineWith([freshContractCallerRule]);
    live.learn(block(2, [deposit(user(1), ether)]));
    live.process(block(10, [creation()]));
    expect(live.process(block(20, [harvest()])).flagged[0]!.signals).toMatchObject([
      { ruleId: 'fresh-contract-caller', actor: keeper },
    ]);
  });
});

describe('createEngine: the early pass (a block from its receipts, before its traces)', () => {
  /** The block as `block-receipts` brings it: receipts and logs, no call trees. */
  const untraced = (full: Block): Block => ({
    ...full,
    traced: false,
    transactions: full.transactions.map((t) => ({ ...t, trace: undefined })),
  });
  const token = '0x00000000000000000000000000000000000070c0' as Address;
  /** Impact from the logs alone: a watched contract's token leaving it. */
  const tokenOutflowRule = defineRule({
    ...metadata,
    id: 'token-outflow',
    title: 'Token outflow',
    stage: 'impact',
    needs: ['logs'],
    parameters: {},
    evaluate(context) {
      const contracts = new Set(
        context.events.flatMap((event) =>
          event.type === 'value-flow' && event.fromWatched && event.source === 'log' ? [event.from] : [],
        ),
      );
      return [...contracts].map((contract) => signal('token-outflow', 'impact', contract, 0.6, context));
    },
  });
  /** The large-withdrawal rule as one that reads call trees (the ether a frame moves). */
  const tracedWithdrawalRule = { ...largeWithdrawalRule, needs: ['traces'] } as const satisfies Rule;
  const tokenDrain = (from: Address, amount: bigint) =>
    tx(from, frame(from, vault, { input: exploitSelector }), vault, exploitSelector, [
      transfer(token, vault, from, amount),
    ]);

  test('behavior: processEarly pauses from receipts with the rules that need no traces; process reaches the same pause', () => {
    const engine = engineWith([exploitSelectorRule, tokenOutflowRule, tracedWithdrawalRule]);
    const attack = tokenDrain(attacker, 1_000n);
    const full = block(10, [deposit(user(1), ether), attack]);

    const early = engine.processEarly(untraced(full));
    expect(early.pauses.map((verdict) => verdict.contract)).toEqual([vault]);
    expect(early.flagged.map((f) => f.tx.hash)).toEqual([attack.hash]);
    // The rule that reads call trees did not run on the partial picture.
    expect(early.flagged[0]!.signals.map((s) => s.ruleId).sort()).toEqual(['exploit-selector', 'token-outflow']);

    const complete = engine.process(full);
    expect(complete.pauses.map((verdict) => verdict.contract)).toEqual([vault]);
    expect(complete.pauses[0]!.score).toBeGreaterThanOrEqual(early.pauses[0]!.score);
  });

  test('behavior: processEarly keeps nothing: with it before each block, process gives what process alone gives', () => {
    const { rule: recorded, seen: seenWith } = recorder();
    const { rule: recordedAlone, seen: seenAlone } = recorder();
    // The recorders read call trees: they run in the full pass only, and see the live windows there.
    const rules = (own: Rule) => [
      exploitSelectorRule,
      tokenOutflowRule,
      tracedWithdrawalRule,
      { ...own, needs: ['traces'] } as Rule,
    ];
    const withEarly = engineWith(rules(recorded));
    const alone = engineWith(rules(recordedAlone));
    const history = [1, 2, 3].map((n) => block(n, [deposit(user(n), 5n * ether), withdraw(user(n + 10), ether)]));
    for (const b of history) {
      withEarly.learn(b);
      alone.learn(b);
    }
    for (const engine of [withEarly, alone]) engine.setBalance(vault, token, 10_000n);
    let pausedEarly = 0;
    for (let number = 10; number < 30; number++) {
      const txs = [deposit(user(number % 7), ether), withdraw(user(number % 5), 2n * ether)];
      if (number % 4 === 0) txs.push(tokenDrain(user(20 + (number % 3)), 100n));
      if (number % 6 === 0) txs.push(withdraw(attacker, 20n * ether, exploitSelector));
      if (number % 9 === 0) txs.push(swap(user(3), [[1_000n, 1_000n]]));
      const full = block(number, txs);
      const early = withEarly.processEarly(untraced(full));
      const complete = withEarly.process(full);
      expect(complete).toEqual(alone.process(full));
      // A pause on the partial picture is one on the complete block.
      for (const verdict of early.pauses) {
        pausedEarly++;
        expect(complete.pauses.map((v) => v.contract)).toContain(verdict.contract);
      }
      for (const contract of complete.pauses.map((v) => v.contract)) {
        withEarly.reset(contract);
        alone.reset(contract);
      }
    }
    expect(pausedEarly).toBeGreaterThan(0);
    expect(seenWith).toEqual(seenAlone);
    expect(withEarly.profiles()).toEqual(alone.profiles());
    expect(withEarly.learning()).toEqual(alone.learning());
  });
});
