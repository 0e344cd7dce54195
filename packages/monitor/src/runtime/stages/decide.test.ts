import { expect, test } from 'vitest';
import { testTx } from '../../rules/testing.ts';
import type { Signal } from '../../rules/types.ts';
import { decide, opensIncident, verdictAlert, withExposed } from './decide.ts';

const vault = '0x00000000000000000000000000000000000000aa';
const signal = (severity: Signal['severity'], summary = 'called 0x4641257d'): Signal => ({
  ruleId: 'unknown-selector',
  stage: 'preparation',
  contract: vault,
  score: 0.3,
  severity,
  title: `Unknown selector 0x4641257d`,
  summary,
  actor: '0x00000000000000000000000000000000000000cc',
  details: { selector: '0x4641257d' },
});
const options = {
  chainId: 5,
  names: new Map([[vault, 'Vault']]),
  functionNames: new Map([[vault, new Map([['0x4641257d', 'harvest()']])]]),
};

test('default: one alert per signal at or above the minimum severity, selectors named', () => {
  const tx = testTx();
  const decision = decide(
    { number: 9n, flagged: [{ tx, events: [], signals: [signal('high'), signal('info')], verdicts: [] }], pauses: [] },
    { ...options, minSeverity: 'low' },
  );
  expect(decision.alerts).toHaveLength(1);
  expect(decision.alerts[0]).toMatchObject({
    ruleId: 'unknown-selector',
    severity: 'high',
    chainId: 5,
    blockNumber: '9',
    txHash: tx.hash,
    title: 'Unknown selector harvest() (0x4641257d)',
    summary: 'called harvest() (0x4641257d)',
    dedupeKey: `5:unknown-selector:${vault}:0x00000000000000000000000000000000000000cc`,
  });
  expect(decision.txHash).toBe(tx.hash);
  expect(decision.verdicts).toEqual([]);
});

test('behavior: a verdict alert is critical and keyed by its incident; medium and above open incidents', () => {
  const alert = verdictAlert(
    { contract: vault, score: 1.1, signals: [signal('high')], stages: ['preparation'], pause: true, firstBlock: 3n },
    4n,
    undefined,
    'inc-1',
    options,
  );
  expect(alert).toMatchObject({
    ruleId: 'composite-score',
    severity: 'critical',
    dedupeKey: `5:composite-score:${vault}:inc-1`,
  });
  expect(alert.title).toBe('Attack on Vault: composite score 1.1');
  expect([opensIncident('critical'), opensIncident('medium'), opensIncident('low'), opensIncident('info')]).toEqual([
    true,
    true,
    false,
    false,
  ]);
});

test('behavior: a verdict that pauses a price source pauses the contracts exposed to it; a reader keeps its own pausing verdict', () => {
  const pool = '0x00000000000000000000000000000000000000bb';
  const [lender, market, bystander] = ['0xd1', '0xd2', '0xd3'].map((a) => a.padEnd(42, '0'));
  const verdict = (contract: string, pause: boolean) => ({
    contract,
    score: pause ? 1.5 : 0.4,
    signals: [{ ...signal('high'), contract: pool, stage: 'exploitation' as const }],
    stages: ['exploitation' as const],
    pause,
    firstBlock: 7n,
  });
  const exposed = (contract: string) => (contract === pool ? [lender!, market!] : []);
  const own = { ...verdict(market!, true), score: 2 };
  const verdicts = withExposed([verdict(pool, true), own, verdict(bystander!, false)], exposed);
  expect(verdicts.map((v) => [v.contract, v.pause, v.exposedTo])).toEqual([
    [pool, true, undefined],
    [market, true, undefined],
    [bystander, false, undefined],
    [lender, true, pool],
  ]);
  expect(verdicts.find((v) => v.contract === market)).toBe(own);
  // Nothing pauses the source: nothing is exposed.
  expect(withExposed([verdict(pool, false)], exposed).map((v) => v.contract)).toEqual([pool]);

  const alert = verdictAlert(verdicts.at(-1)!, 9n, undefined, 'incident-1', {
    ...options,
    names: new Map([
      [pool, 'Pair'],
      [lender!, 'Lender'],
    ]),
  });
  expect(alert).toMatchObject({ contract: lender, title: 'Attack on Pair, read by Lender: composite score 1.5' });
  expect(alert.summary).toContain('on Pair, whose price Lender reads');
  expect(alert.details).toMatchObject({ exposedTo: pool });
  // decide() adds them when told who is exposed.
  const decision = decide(
    { number: 9n, flagged: [], pauses: [verdict(pool, true)] },
    { ...options, exposedTo: exposed },
  );
  expect(decision.verdicts.map((v) => v.contract)).toEqual([pool, lender, market]);
});
