import { type Address, parseAbi } from 'viem';
import { describe, expect, test } from 'vitest';
import { attacker, callEncoder, evaluateTx, exploit, frame, tx, user, victim } from '../testing.ts';
import { thirdPartyPullRule } from './third-party-pull.ts';

const token = '0x000000000000000000000000000000000000c0c0' as Address;
const forwarder = '0x00000000000000000000000000000000000f0f0f' as Address;
const call = callEncoder(
  parseAbi([
    'function transferFrom(address from, address to, uint256 amount) returns (bool)',
    'function pull(address from, uint256 amount)',
  ]),
);
const pull = (from: Address, to: Address, amount = 100n) =>
  frame(victim, token, { input: call('transferFrom', [from, to, amount]) });
/** `sender` → `via` (when given) → the watched router, which pulls as told. */
const through = (sender: Address, pulls: ReturnType<typeof pull>[], via?: Address) => {
  const router = frame(via ?? sender, victim, { input: call('pull', [sender, 1n]), calls: pulls });
  return tx(sender, via ? frame(sender, via, { calls: [router] }) : router);
};
const run = (transaction: ReturnType<typeof tx>) => evaluateTx(thirdPartyPullRule, transaction);

describe('third-party-pull', () => {
  test('default: an attack contract pulls approvers’ tokens to itself through the router', () => {
    const signals = run(through(attacker, [pull(user(1), exploit), pull(user(2), exploit)], exploit));
    expect(signals).toMatchObject([
      {
        ruleId: 'third-party-pull',
        contract: victim,
        score: 0.8,
        actor: exploit,
        details: { victims: [user(1), user(2)], collects: true },
      },
    ]);
  });

  test('behavior: pulling from the sender, from the router’s direct caller or into the router raises nothing', () => {
    expect(run(through(user(1), [pull(user(1), victim)]))).toEqual([]);
    // A smart wallet calling the router pulls from itself.
    expect(run(through(user(1), [pull(forwarder, victim)], forwarder))).toEqual([]);
  });

  test('behavior: a relayed pull from a signer scores the base only (it cannot pause alone)', () => {
    const [signal] = run(through(user(9), [pull(user(3), victim)], forwarder));
    expect(signal).toMatchObject({ score: 0.55, details: { collects: false } });
  });

  test('behavior: a reverted pull is not a pull', () => {
    const failed = { ...pull(user(4), exploit), error: 'execution reverted' };
    expect(run(through(attacker, [failed], exploit))).toEqual([]);
  });
});
