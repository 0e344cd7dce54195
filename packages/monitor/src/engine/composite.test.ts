import { describe, expect, test } from 'vitest';
import { random } from '../rules/testing.ts';
import type { RuleStage, Signal } from '../rules/types.ts';
import { CompositeScore, defaultCompositeOptions } from './composite.ts';

const vault = '0x000000000000000000000000000000000000b0b0';
const pool = '0x000000000000000000000000000000000000c0c0';

const signal = (ruleId: string, stage: RuleStage, score: number, contract = vault): Signal => ({
  ruleId,
  stage,
  contract,
  score,
  severity: 'high',
  title: ruleId,
  summary: `${ruleId} fired`,
  details: {},
});

const user = (i: number) => `0x${i.toString(16).padStart(40, '0')}`;

const only = <T>(list: readonly T[]): T => {
  expect(list).toHaveLength(1);
  return list[0]!;
};

describe('CompositeScore', () => {
  test('behavior: memory saved as JSON and restored elsewhere continues the score (a partition taken over)', () => {
    const before = new CompositeScore();
    const attacker = user(7);
    expect(only(before.add(100n, [signal('flash-loan', 'preparation', 0.4)], [attacker])).pause).toBe(false);
    // Through the store: JSON text, bigints as strings.
    const saved = JSON.parse(JSON.stringify(before.memory(vault)));
    const after = new CompositeScore();
    after.restore(vault, saved);
    const verdict = only(after.add(103n, [signal('tvl-drop', 'impact', 0.6)], [attacker]));
    expect(verdict).toMatchObject({ pause: true, score: 1, firstBlock: 100n });
    // Without it, the second half alone does not pause.
    expect(only(new CompositeScore().add(103n, [signal('tvl-drop', 'impact', 0.6)], [attacker])).pause).toBe(false);
    // Restored signals age out of the window as their own would.
    const late = new CompositeScore();
    late.restore(vault, saved);
    expect(only(late.add(100n + 25n, [signal('tvl-drop', 'impact', 0.6)], [attacker])).pause).toBe(false);
    expect(before.memory(pool)).toEqual([]);
  });

  test('default: one signal never pauses, however strong', () => {
    const composite = new CompositeScore();
    expect(composite.options).toEqual(defaultCompositeOptions);
    const verdict = only(composite.add(100n, [signal('outflow-spike', 'impact', 1)]));
    expect(verdict).toMatchObject({ contract: vault, score: 1, pause: false, stages: ['impact'], firstBlock: 100n });
    expect(verdict.signals.map((s) => s.ruleId)).toEqual(['outflow-spike']);
  });

  test('default: two rules summing to the pause score with an impact stage pause', () => {
    const composite = new CompositeScore();
    const first = only(composite.add(100n, [signal('flash-loan', 'preparation', 0.4)]));
    expect(first.pause).toBe(false);
    const second = only(composite.add(103n, [signal('tvl-drop', 'impact', 0.6)]));
    expect(second).toMatchObject({ contract: vault, score: 1, pause: true, firstBlock: 100n });
    // Strongest first.
    expect(second.signals.map((s) => s.ruleId)).toEqual(['tvl-drop', 'flash-loan']);
    expect(second.stages.sort()).toEqual(['impact', 'preparation']);
  });

  test('behavior: an exploitation stage justifies a pause too; below the pause score it does not', () => {
    const composite = new CompositeScore();
    composite.add(100n, [signal('flash-loan', 'preparation', 0.3)]);
    expect(only(composite.add(100n, [signal('oracle-jump', 'exploitation', 0.6)])).pause).toBe(false);
    const verdict = only(composite.add(101n, [signal('reentrant-call', 'exploitation', 0.2)]));
    expect(verdict).toMatchObject({ score: 1.1, pause: true });
  });

  test('behavior: preparation-only signals never pause, whatever their sum', () => {
    const composite = new CompositeScore();
    const [verdict] = composite.add(100n, [
      signal('flash-loan', 'preparation', 0.7),
      signal('fresh-contract-caller', 'preparation', 0.7),
      signal('known-malicious-address', 'preparation', 0.9),
    ]);
    expect(verdict).toMatchObject({ score: 2.3, pause: false, stages: ['preparation'] });
  });

  test('behavior: rules of one family count once, with the strongest of them, in score and in rule count', () => {
    const families = new Map([
      ['outflow-spike', 'outflow'],
      ['outflow-window', 'outflow'],
    ]);
    const composite = new CompositeScore(defaultCompositeOptions, families);
    const verdict = only(
      composite.add(100n, [signal('outflow-spike', 'impact', 0.6), signal('outflow-window', 'impact', 0.5)]),
    );
    // Two rules, one family: 0.6 counted (not 1.1), and one rule short of a pause.
    expect(verdict).toMatchObject({ score: 0.6, pause: false });
    expect(verdict.signals.map((s) => s.ruleId)).toEqual(['outflow-spike', 'outflow-window']);

    const joined = only(composite.add(101n, [signal('oracle-jump', 'exploitation', 0.4)]));
    expect(joined).toMatchObject({ score: 1, pause: true });

    // Without the family the same signals are two rules.
    const apart = new CompositeScore();
    const separate = only(
      apart.add(100n, [signal('outflow-spike', 'impact', 0.6), signal('outflow-window', 'impact', 0.5)]),
    );
    expect(separate).toMatchObject({ score: 1.1, pause: true });
  });

  test('behavior: signals older than windowBlocks drop out', () => {
    const options = { ...defaultCompositeOptions, windowBlocks: 10 };
    const inside = new CompositeScore(options);
    inside.add(100n, [signal('flash-loan', 'preparation', 0.5)]);
    const within = only(inside.add(109n, [signal('tvl-drop', 'impact', 0.5)]));
    expect(within).toMatchObject({ score: 1, pause: true, firstBlock: 100n });

    const outside = new CompositeScore(options);
    outside.add(100n, [signal('flash-loan', 'preparation', 0.5)]);
    const after = only(outside.add(110n, [signal('tvl-drop', 'impact', 0.5)]));
    expect(after).toMatchObject({ score: 0.5, pause: false, firstBlock: 110n });
    expect(after.signals.map((s) => s.ruleId)).toEqual(['tvl-drop']);
  });

  test('behavior: the strongest signal of each rule is kept', () => {
    const composite = new CompositeScore();
    composite.add(100n, [signal('tvl-drop', 'impact', 0.3)]);
    composite.add(101n, [signal('tvl-drop', 'impact', 0.7)]);
    const weaker = only(composite.add(102n, [signal('tvl-drop', 'impact', 0.2)]));
    expect(weaker.score).toBe(0.7);
    expect(weaker.signals).toHaveLength(1);

    const verdict = only(composite.add(103n, [signal('flash-loan', 'preparation', 0.3)]));
    expect(verdict).toMatchObject({ score: 1, pause: true });
    expect(verdict.signals.map((s) => [s.ruleId, s.score])).toEqual([
      ['tvl-drop', 0.7],
      ['flash-loan', 0.3],
    ]);
  });

  test('behavior: contracts are scored apart', () => {
    const composite = new CompositeScore();
    const verdicts = composite.add(100n, [
      signal('flash-loan', 'preparation', 0.5, pool),
      signal('tvl-drop', 'impact', 0.6),
    ]);
    expect(verdicts.map((v) => [v.contract, v.score, v.pause])).toEqual([
      [pool, 0.5, false],
      [vault, 0.6, false],
    ]);
  });

  test('behavior: pauseScore and minRules are honoured', () => {
    const strict = new CompositeScore({ pauseScore: 1.5, minRules: 3, windowBlocks: 25 });
    const two = only(strict.add(100n, [signal('tvl-drop', 'impact', 0.9), signal('oracle-jump', 'exploitation', 0.9)]));
    expect(two).toMatchObject({ score: 1.8, pause: false });
    const three = only(strict.add(100n, [signal('flash-loan', 'preparation', 0.1)]));
    expect(three).toMatchObject({ score: 1.9, pause: true });
  });

  test('behavior: preview returns the verdict and changes nothing', () => {
    const composite = new CompositeScore();
    composite.add(100n, [signal('tvl-drop', 'impact', 0.6)]);

    const preview = only(composite.preview(101n, [signal('oracle-jump', 'exploitation', 0.5)]));
    expect(preview).toMatchObject({ score: 1.1, pause: true });
    // A preview far ahead would expire the held signal; it must not.
    expect(only(composite.preview(1_000n, [signal('flash-loan', 'preparation', 0.1)])).score).toBe(0.1);
    // A preview on a contract with nothing held leaves nothing behind either.
    composite.preview(101n, [signal('oracle-jump', 'exploitation', 0.9, pool)]);

    const later = only(composite.add(102n, [signal('flash-loan', 'preparation', 0.1)]));
    expect(later.signals.map((s) => s.ruleId)).toEqual(['tvl-drop', 'flash-loan']);
    expect(later).toMatchObject({ score: 0.7, pause: false, firstBlock: 100n });
    expect(only(composite.add(102n, [signal('tvl-drop', 'impact', 0.1, pool)]))).toMatchObject({
      score: 0.1,
      signals: [expect.objectContaining({ ruleId: 'tvl-drop' })],
    });
  });

  test('behavior: clear forgets a contract and only that one', () => {
    const composite = new CompositeScore();
    composite.add(100n, [signal('tvl-drop', 'impact', 0.6), signal('tvl-drop', 'impact', 0.6, pool)]);
    composite.clear(vault);
    const vaultVerdict = only(composite.add(101n, [signal('oracle-jump', 'exploitation', 0.5)]));
    expect(vaultVerdict).toMatchObject({ score: 0.5, pause: false, firstBlock: 101n });
    const poolVerdict = only(composite.add(101n, [signal('oracle-jump', 'exploitation', 0.5, pool)]));
    expect(poolVerdict).toMatchObject({ score: 1.1, pause: true, firstBlock: 100n });
  });

  test('behavior: signals join only when linked by an account: the same sender, or an actor they share', () => {
    const whale = '0x00000000000000000000000000000000000000e1';
    const wallet = '0x00000000000000000000000000000000000000e2';
    const attacker = '0x00000000000000000000000000000000000000a1';
    const attackerTwo = '0x00000000000000000000000000000000000000a2';
    const exploit = '0x00000000000000000000000000000000000000a3';
    const composite = new CompositeScore();
    // A new smart wallet's calls and a whale's large withdrawal, a few blocks apart: no pause.
    composite.add(100n, [{ ...signal('fresh-contract-caller', 'preparation', 0.45), actor: wallet }], [user(1)]);
    const whaleVerdict = only(composite.add(102n, [signal('outflow-spike', 'impact', 0.8)], [whale]));
    expect(whaleVerdict).toMatchObject({ score: 0.8, pause: false });
    expect(whaleVerdict.signals.map((s) => s.ruleId)).toEqual(['outflow-spike']);
    // The wallet again: its own signals, the whale's not among them.
    expect(
      only(composite.add(103n, [{ ...signal('fresh-contract-caller', 'preparation', 0.45), actor: wallet }], [user(1)]))
        .signals,
    ).toHaveLength(1);

    // An attacker's contract probed from one account, then used from another to drain: linked through it.
    composite.add(104n, [{ ...signal('failed-call-burst', 'preparation', 0.4), actor: exploit }], [attacker]);
    const drain = only(
      composite.add(106n, [{ ...signal('outflow-spike', 'impact', 0.7), actor: attackerTwo }], [attackerTwo, exploit]),
    );
    expect(drain).toMatchObject({ score: 1.1, pause: true, firstBlock: 104n });
    expect(drain.signals.map((s) => s.ruleId)).toEqual(['outflow-spike', 'failed-call-burst']);
  });

  test('behavior: a transaction without signals returns no verdicts', () => {
    expect(new CompositeScore().add(100n, [])).toEqual([]);
    expect(new CompositeScore().preview(100n, [])).toEqual([]);
  });
});

describe('CompositeScore: a partial picture (a block before its traces)', () => {
  const stages: RuleStage[] = ['preparation', 'exploitation', 'impact'];
  const families = new Map([
    ['outflow-a', 'outflow'],
    ['outflow-b', 'outflow'],
  ]);
  const ruleIds = ['outflow-a', 'outflow-b', 'rule-c', 'rule-d', 'rule-e'];

  test('behavior: more signals, and more accounts behind them, never take a pause away (2,000 seeded cases)', () => {
    const { next } = random(8);
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
    const stageOf = new Map(ruleIds.map((id) => [id, pick(stages)]));
    const randomSignal = (accounts: readonly string[]): Signal => ({
      ...signal(pick(ruleIds), 'preparation', Math.round(next() * 100) / 100, next() < 0.8 ? vault : pool),
      actor: next() < 0.7 ? pick(accounts) : undefined,
    });
    let pausedEarly = 0;
    for (let trial = 0; trial < 2_000; trial++) {
      for (const id of ruleIds) stageOf.set(id, pick(stages));
      const withStage = (s: Signal) => ({ ...s, stage: stageOf.get(s.ruleId)! });
      const composite = new CompositeScore(defaultCompositeOptions, families);
      // Earlier blocks: what both passes start from.
      for (let block = 0; block < 4; block++) {
        const sender = user(1 + Math.floor(next() * 4));
        const earlier = Array.from({ length: Math.floor(next() * 3) }, () =>
          withStage(randomSignal([sender, user(9)])),
        );
        composite.add(BigInt(100 + block), earlier, [sender]);
      }
      // The transaction: the early pass sees some of its signals and accounts, the full pass all of them.
      const sender = user(1 + Math.floor(next() * 4));
      const early = Array.from({ length: Math.floor(next() * 3) }, () => withStage(randomSignal([sender, user(7)])));
      const extra = Array.from({ length: Math.floor(next() * 3) }, () => withStage(randomSignal([sender, user(8)])));
      const earlyAccounts = [sender];
      const fullAccounts = next() < 0.5 ? [sender, user(8)] : [sender];
      const earlyVerdicts = composite.fork().add(104n, early, earlyAccounts);
      const fullVerdicts = composite.fork().add(104n, [...early, ...extra], fullAccounts);
      for (const verdict of earlyVerdicts.filter((v) => v.pause)) {
        pausedEarly++;
        const full = fullVerdicts.find((v) => v.contract === verdict.contract);
        expect(full?.pause, `trial ${trial}: ${JSON.stringify(verdict.signals.map((s) => s.ruleId))}`).toBe(true);
        expect(full!.score).toBeGreaterThanOrEqual(verdict.score);
      }
    }
    // The cases do reach pauses on the partial picture.
    expect(pausedEarly).toBeGreaterThan(50);
  });

  test('behavior: fork() adds to a copy: the original keeps its signals only', () => {
    const composite = new CompositeScore();
    composite.add(100n, [signal('flash-loan', 'preparation', 0.4)]);
    const copy = composite.fork();
    expect(only(copy.add(101n, [signal('tvl-drop', 'impact', 0.6)])).pause).toBe(true);
    expect(only(composite.add(101n, [signal('oracle-jump', 'exploitation', 0.1)]))).toMatchObject({
      score: 0.5,
      pause: false,
    });
  });
});
