import {
  createEngine,
  defineRule,
  type MonitorConfig,
  type Rule,
  type RuleContext,
  type Signal,
} from '@bulwark/monitor';
import { block as testBlock, frame as testFrame, tx as testTx } from '@bulwark/monitor/rules/testing';
import { describe, expect, test } from 'vitest';
import { partitionOf } from './messages.ts';
import { ownResult, partitionWork } from './partitionWork.ts';

// A stolen admin key hands a vault to a sweeper (block 10); the sweep (block 11) comes from
// another account, through the vault, and moves a watched token. The two blocks join into one
// attack only through the signal the token raises (its actor is the sweeper), as `fresh-contract-caller`
// does on a token in the bench's compromised-admin-upgrade. Vault and token sit in different partitions.
const partitions = 2;
const address = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as `0x${string}`;
const vault = address(0xb0b0);
/** The first address after 0xc000 hashed to another partition than the vault. */
const token = (() => {
  for (let n = 0xc000; ; n++)
    if (partitionOf(address(n), partitions) !== partitionOf(vault, partitions)) return address(n);
})();
const admin = address(0xad);
const attacker = address(0xa7);
const sweeper = address(0x5e);
const handover = '0xaaaa0000';
const sweep = '0xbbbb0000';

const metadata: Omit<Rule, 'id' | 'title' | 'stage' | 'evaluate'> = {
  category: 'test',
  impact: 'high',
  confidence: 'medium',
  description: 'A rule for the partition tests.',
  scenario: 'None: it only exercises the partition.',
  recommendation: 'None.',
  swc: [],
  owasp: [],
  control: 'SA-03',
  needs: [],
  parameters: {},
};

const signal = (ruleId: string, stage: Signal['stage'], contract: string, score: number, actor: string): Signal => ({
  ruleId,
  stage,
  contract,
  score,
  severity: 'high',
  title: ruleId,
  summary: `${ruleId} on ${contract}`,
  actor,
  details: {},
});
const calls = (context: RuleContext, selector?: string) =>
  context.events.flatMap((event) =>
    event.type === 'call' && (selector === undefined || event.selector === selector) ? [event.contract] : [],
  );
const rules: Rule[] = [
  defineRule({
    ...metadata,
    id: 'handover',
    title: 'Handover',
    stage: 'exploitation',
    evaluate: (context) =>
      calls(context, handover).map((contract) => signal('handover', 'exploitation', contract, 0.5, sweeper)),
  }),
  defineRule({
    ...metadata,
    id: 'drain',
    title: 'Drain',
    stage: 'impact',
    evaluate: (context) =>
      calls(context, sweep).map((contract) => signal('drain', 'impact', contract, 0.6, context.tx.from)),
  }),
  defineRule({
    ...metadata,
    id: 'moved-by-sweeper',
    title: 'Token moved through the sweeper',
    stage: 'preparation',
    evaluate: (context) =>
      calls(context)
        .filter((contract) => contract === token && context.watched.has(token))
        .map((contract) => signal('moved-by-sweeper', 'preparation', contract, 0.3, sweeper)),
  }),
];

const config = {
  chains: [{ id: 31337, rpc: ['http://127.0.0.1:1'] }],
  contracts: [
    { chain: 31337, address: vault, name: 'Vault', kind: 'vault' },
    { chain: 31337, address: token, name: 'Token', kind: 'token' },
  ],
} as unknown as Pick<MonitorConfig, 'chains' | 'contracts'>;

const specs = config.contracts.map((contract) => ({
  address: contract.address,
  name: contract.name,
  kind: contract.kind ?? 'other',
}));

/** An engine watching the chain's contracts and judging `judged` (all: one process), counting the rules it runs. */
function engineJudging(judged: readonly string[] | undefined) {
  const counted = { rules: 0 };
  const engine = createEngine({
    chainId: 31337,
    contracts: specs,
    rules,
    warmUp: { txs: 0, blocks: 0 },
    learningDelayBlocks: 2,
    judged,
    onRulesEvaluated: (count) => {
      counted.rules += count;
    },
  });
  return { engine, counted };
}

const handoverBlock = () => testBlock(10, 1_700_000_120, [testTx(admin, testFrame(admin, vault, { input: handover }))]);
const sweepBlock = () =>
  testBlock(11, 1_700_000_132, [
    testTx(
      attacker,
      testFrame(attacker, vault, { input: sweep, calls: [testFrame(vault, token, { input: '0xa9059cbb' })] }),
    ),
  ]);

/** The vault partition's results over both blocks, with an engine watching `contracts` and judging the vault. */
function vaultPartitionPauses(contracts: readonly MonitorConfig['contracts'][number][]) {
  const engine = createEngine({
    chainId: 31337,
    contracts: contracts.map((contract) => ({
      address: contract.address,
      name: contract.name,
      kind: contract.kind ?? 'other',
    })),
    rules,
    warmUp: { txs: 0, blocks: 0 },
    judged: [vault],
  });
  const owned = new Set([vault]);
  const first = ownResult(engine.process(handoverBlock()), owned);
  const second = ownResult(engine.process(sweepBlock()), owned);
  return { first, second };
}

describe('detect partitions', () => {
  test('behavior: each partition owns its contracts and its engine watches every contract of the chain', () => {
    const work = partitionWork(config, partitions);
    expect(work).toHaveLength(2);
    for (const entry of work) {
      expect(entry.watched.map((contract) => contract.address)).toEqual([vault, token]);
      expect(entry.owned.every((contract) => partitionOf(contract.address, partitions) === entry.partition)).toBe(true);
    }
    expect(work.flatMap((entry) => entry.owned.map((contract) => contract.address)).sort()).toEqual(
      [vault, token].sort(),
    );
  });

  test('behavior: an attack joined through a signal on another partition’s contract pauses, as in one process; only own contracts are reported', () => {
    const entry = partitionWork(config, partitions).find((candidate) =>
      candidate.owned.some((c) => c.address === vault),
    )!;
    const { first, second } = vaultPartitionPauses(entry.watched);
    expect(second.pauses.map((verdict) => verdict.contract)).toEqual([vault]);
    expect(second.pauses[0]!.signals.map((s) => s.ruleId).sort()).toEqual(['drain', 'handover']);
    // The token's signal joined the blocks but is reported by the token's partition, not this one.
    for (const result of [first, second])
      expect(result.flagged.flatMap((flagged) => flagged.signals.map((s) => s.contract))).not.toContain(token);
    // An engine watching the vault alone (the partition's own contracts) does not join them: no pause.
    expect(vaultPartitionPauses(entry.owned).second.pauses).toEqual([]);
  });

  test('behavior: a partition runs the rules only on transactions in which its own contracts appear', () => {
    const single = engineJudging(undefined);
    const vaultSide = engineJudging([vault]);
    const tokenSide = engineJudging([token]);
    // Ten transfers on the token alone, then the attack (through the vault, onto the token).
    const tokenOnly = testBlock(9, 1_700_000_108, [
      ...Array.from({ length: 10 }, (_, i) =>
        testTx(address(0xe000 + i), testFrame(address(0xe000 + i), token, { input: '0xa9059cbb' })),
      ),
    ]);
    for (const block of [tokenOnly, handoverBlock(), sweepBlock()])
      for (const side of [single, vaultSide, tokenSide]) side.engine.process(structuredClone(block));
    const perTx = rules.length;
    // One process: 12 transactions judged. The vault's partition: its two; the token's: its ten and the sweep.
    expect(single.counted.rules).toBe(12 * perTx);
    expect(vaultSide.counted.rules).toBe(2 * perTx);
    expect(tokenSide.counted.rules).toBe(11 * perTx);
  });

  test('behavior: flags handed over between partitions keep each baseline as one process learns it', () => {
    // An account the token's rules flag (block 20) also calls the vault harmlessly in that block:
    // one process never learns that call (its sender is flagged); the vault's partition, which
    // skipped the token's transaction, learns it unless the token's partition hands its flags over.
    const suspect = address(0x5151);
    const blocks = [
      testBlock(20, 1_700_000_240, [
        testTx(suspect, testFrame(suspect, token, { input: '0xa9059cbb' })),
        testTx(suspect, testFrame(suspect, vault, { input: '0x12345678' })),
      ]),
      ...[21, 22, 23, 24].map((n) => testBlock(n, 1_700_000_000 + 12 * n, [])),
    ];
    const run = (handOver: boolean) => {
      const single = engineJudging(undefined);
      const sides = [engineJudging([vault]), engineJudging([token])];
      for (const block of blocks) {
        single.engine.process(structuredClone(block));
        const results = sides.map((side) => side.engine.process(structuredClone(block)));
        if (!handOver) continue;
        for (const [i, side] of sides.entries())
          for (const [j, result] of results.entries())
            if (i !== j) side.engine.noteFlagged(result.number, result.flaggedAccounts ?? []);
      }
      return { single: single.engine, vaultSide: sides[0]!.engine, tokenSide: sides[1]!.engine };
    };
    const shared = run(true);
    expect(shared.single.profile(vault).txs).toBe(0);
    expect(shared.vaultSide.profile(vault)).toEqual(shared.single.profile(vault));
    expect(shared.tokenSide.profile(token)).toEqual(shared.single.profile(token));
    // Without the hand-over the vault's partition learns the suspect's call: its baseline drifts.
    expect(run(false).vaultSide.profile(vault).txs).toBe(1);
  });
});
