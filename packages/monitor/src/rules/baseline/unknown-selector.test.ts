import type { Tx } from '@bulwark/chain';
import type { Address, Hex } from 'viem';
import { describe, expect, test } from 'vitest';
import {
  after,
  attacker,
  block,
  deposit,
  ether,
  frame,
  learningStart,
  type Position,
  Replay,
  random,
  traffic,
  tx,
  user,
  victim,
  wei,
  withdraw,
  withdrawToken,
} from '../testing.ts';
import type { Signal } from '../types.ts';
import { unknownSelectorRule as rule } from './unknown-selector.ts';

// Vault traffic: deposits, withdrawals, ERC-20 withdrawals, and an integrator reading a view by STATICCALL.
const sweepSelector = '0x01681a62';
const previewSelector = '0x4cdad506';
const integrator = '0x0000000000000000000000000000000000001e9a' as Address;
const viaIntegrator = (from: Address, view: Hex) =>
  tx(from, frame(from, integrator, { calls: [frame(integrator, victim, { type: 'STATICCALL', input: view })] }));

function trafficWithViews(seed: number, count: number, start: Position) {
  const rng = random(seed);
  return traffic(rng, count, start, () => {
    const from = user(1 + rng.int(40));
    const amount = wei(Math.exp(rng.normal()));
    const kind = rng.next();
    if (kind < 0.4) return [deposit(from, amount)];
    if (kind < 0.8) return [withdraw(from, amount)];
    if (kind < 0.9) return [withdrawToken(from, 1_000_000n)];
    return [viaIntegrator(from, previewSelector)];
  });
}

const learningBlocks = trafficWithViews(1, 600, learningStart);
const next = (offset = 0) => after(learningBlocks, 10, offset);
const one = (t: Tx, offset = 0) => [block(next(offset).number, next(offset).time, [t])];
const base = new Replay(rule).learn(learningBlocks);
const learned = () => base.fork();

const attackContract = '0x00000000000000000000000000000000000a7ac1' as Address;
/** The attacker's contract calls the unprotected sweep(), which sends the vault's ether to it. */
const sweep = (paid = 500n * ether) =>
  tx(
    attacker,
    frame(attacker, attackContract, {
      input: '0x9e5faafc',
      calls: [
        frame(attackContract, victim, {
          input: `${sweepSelector}${'00'.repeat(12)}${attackContract.slice(2)}` as Hex,
          calls: paid > 0n ? [frame(victim, attackContract, { value: paid })] : [],
        }),
      ],
    }),
  );

describe('unknown-selector', () => {
  test('default: an unknown function that pays out, called from an attack contract', () => {
    const replay = learned();
    expect(replay.profile.calls).toBeGreaterThan(500);
    const signals = replay.run(one(sweep()));
    expect(signals).toEqual([
      expect.objectContaining({
        ruleId: 'unknown-selector',
        stage: 'exploitation',
        contract: victim,
        actor: attacker,
        score: 0.5,
        severity: 'high',
        details: {
          selectors: [{ selector: sweepSelector, calls: 1, callers: [attackContract], depth: 1 }],
          learnedCalls: replay.profile.calls,
          learnedSelectors: 4, // deposit, withdraw, the ERC-20 withdrawal and the view read by STATICCALL
          outflow: { native: 500n * ether },
        },
      }),
    ]);
    expect(signals[0]!.summary).toContain(`ran ${sweepSelector}, never seen in ${replay.profile.calls} learned calls`);
  });

  test('behavior: without an outflow the score stays low', () => {
    const [signal] = learned().run(one(sweep(0n))) as [Signal];
    expect(signal).toMatchObject({ score: 0.3, severity: 'medium', details: { outflow: {} } });
  });

  test('behavior: several unknown functions in one transaction make one signal', () => {
    const t = tx(
      attacker,
      frame(attacker, victim, {
        input: '0xaaaaaaaa',
        calls: [frame(victim, victim, { input: '0xbbbbbbbb' }), frame(victim, victim, { input: '0xbbbbbbbb' })],
      }),
    );
    const signals = learned().run(one(t));
    expect(signals).toHaveLength(1);
    expect(signals[0]!.details.selectors).toEqual([
      { selector: '0xaaaaaaaa', calls: 1, callers: [attacker], depth: 0 },
      { selector: '0xbbbbbbbb', calls: 2, callers: [victim], depth: 1 },
    ]);
  });

  test('behavior: failed calls, static calls, plain transfers and trusted admins are ignored', () => {
    const reverted = sweep();
    reverted.receipt.status = 'reverted';
    expect(learned().run(one(reverted))).toEqual([]);
    const failedFrame = tx(
      attacker,
      frame(attacker, attackContract, {
        calls: [frame(attackContract, victim, { input: sweepSelector, error: 'execution reverted' })],
      }),
    );
    expect(learned().run(one(failedFrame))).toEqual([]);
    expect(learned().run(one(viaIntegrator(attacker, '0x313ce567')))).toEqual([]);
    expect(learned().run(one(tx(attacker, frame(attacker, victim, { value: ether }))))).toEqual([]);
    expect(learned().run(one(sweep()), {}, { trustedAdmins: new Set([attacker]) })).toEqual([]);
  });

  test('behavior: days of varied benign traffic raise nothing', () => {
    const replay = learned();
    expect(replay.run(trafficWithViews(2, 800, next()))).toEqual([]);
  });

  test('behavior: silent without a profile, and judged from exactly minCalls learned calls', () => {
    expect(learned().run(one(sweep()), {}, { profile: undefined })).toEqual([]);
    expect(new Replay(rule).run(one(sweep()))).toEqual([]);
    const young = () => new Replay(rule).learn(learningBlocks.slice(0, 150));
    const calls = young().profile.calls;
    expect(calls).toBeLessThan(200);
    expect(young().run(one(sweep()))).toEqual([]);
    expect(young().run(one(sweep()), { minCalls: calls + 1 })).toEqual([]);
    expect(young().run(one(sweep()), { minCalls: calls })).toHaveLength(1);
  });

  test('behavior: a selector learned once is known', () => {
    const replay = learned().learn(one(sweep(0n)));
    expect(replay.run(one(sweep(), 5))).toEqual([]);
  });
});
