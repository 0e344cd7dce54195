import { jsonText } from '@bulwark/core';
import { expect, test } from 'vitest';
import { allRules } from '../rules/index.ts';
import {
  attacker,
  block,
  callFrame,
  deposit,
  ether,
  exploit,
  tx,
  user,
  victim,
  wei,
  withdraw,
} from '../rules/testing.ts';
import { type BlockResult, createEngine, type Engine, type EngineOptions } from './engine.ts';

/*
 * An engine's in-memory state saved as JSON (as a cluster partition saves it in the store) and
 * put into a new engine: the new one goes on exactly as the first. The cluster's takeover test
 * (`packages/cluster/src/partitionState.test.ts`) runs the same through the store.
 */

const options: EngineOptions = {
  chainId: 1,
  contracts: [{ address: victim, name: 'Vault', kind: 'vault' }],
  rules: allRules,
  learningDelayBlocks: 4,
};

const asStored = <T>(value: T): T => JSON.parse(jsonText(value)) as T;

function moved(from: Engine): Engine {
  const next = createEngine(options);
  Object.assign(next.profile(victim), asStored(from.profile(victim)));
  next.restoreLiveState(victim, asStored(from.liveState(victim)));
  next.restoreSharedState(asStored(from.sharedState()));
  next.restoreCompositeMemory(victim, asStored(from.compositeMemory(victim)));
  return next;
}

const ruleIds = (result: BlockResult) => result.flagged.flatMap((flagged) => flagged.signals.map((s) => s.ruleId));

test('behavior: an engine given another engine’s saved live and shared state judges the next blocks as that engine', () => {
  const first = createEngine(options);
  first.setBalance(victim, 'native', 1_000n * ether);
  const history = [];
  for (let n = 1; n <= 30; n++)
    history.push(
      block(n, 1_700_000_000 + n * 12, [n % 2 ? deposit(user(n % 7), wei(1)) : withdraw(user(n % 5), wei(0.5))]),
    );
  for (const b of history) first.learn(b);
  // The attacker deploys its contract; users' calls wait to be learned.
  const deploy = tx(attacker, callFrame(attacker, exploit, { type: 'CREATE', input: '0x6080' }));
  first.process(block(31, 1_700_000_372, [deploy, deposit(user(1), wei(1))]));
  first.process(block(32, 1_700_000_384, [withdraw(user(2), wei(0.4))]));
  expect(first.learning().waiting).toBeGreaterThan(0);
  expect(first.sharedState().creations.map((creation) => creation.address)).toContain(exploit);

  const second = moved(first);
  expect(second.liveState(victim)).toEqual(first.liveState(victim));
  expect(second.sharedState()).toEqual(first.sharedState());
  expect(second.learning()).toEqual(first.learning());

  // The fresh contract calls the vault; then ordinary traffic until what waited is learned.
  const next = [
    block(33, 1_700_000_396, [tx(attacker, callFrame(attacker, exploit, { calls: [callFrame(exploit, victim)] }))]),
    ...[34, 35, 36, 37, 38].map((n) => block(n, 1_700_000_000 + n * 12, [deposit(user(3), wei(1))])),
  ];
  const expected = next.map((b) => ruleIds(first.process(b)));
  expect(next.map((b) => ruleIds(second.process(b)))).toEqual(expected);
  expect(expected[0]).toContain('fresh-contract-caller');
  expect(second.profile(victim)).toEqual(first.profile(victim));
  expect(second.learning()).toEqual(first.learning());

  // A new engine with the profile alone knows nothing of the deployment.
  const bare = createEngine(options);
  Object.assign(bare.profile(victim), asStored(first.profile(victim)));
  expect(
    ruleIds(
      bare.process(
        block(39, 1_700_000_468, [tx(attacker, callFrame(attacker, exploit, { calls: [callFrame(exploit, victim)] }))]),
      ),
    ),
  ).not.toContain('fresh-contract-caller');
});
