import type { CallFrame, Tx } from '@bulwark/chain';
import { type Address, parseAbi } from 'viem';
import { describe, expect, test } from 'vitest';
import { emptyProfile } from '../../baseline/profile.ts';
import {
  attacker,
  callEncoder,
  created,
  evaluateTx,
  exploit,
  frame,
  type TestContextParameters,
  testTx,
  testWatched,
  victim,
} from '../testing.ts';
import type { WatchedView } from '../types.ts';
import { reentrantCallRule } from './reentrant-call.ts';

const hook = '0x00000000000000000000000000000000000000c0' as Address;
const multicall = '0x00000000000000000000000000000000000000ca' as Address;

const call = callEncoder(
  parseAbi([
    'function withdraw(uint256 amount)',
    'function deposit()',
    'function price() view returns (uint256)',
    'function aggregate((address target, bytes callData)[] calls)',
    'function onFlashLoan(address initiator, address token, uint256 amount, uint256 fee, bytes data) returns (bytes32)',
  ]),
);

const run = (tx: Tx, watched?: WatchedView[], more: TestContextParameters = {}) =>
  evaluateTx(reentrantCallRule, tx, { ...more, watched });

/** eoa → exploit → victim.withdraw → exploit (ether) → victim.withdraw → … `levels` deep. */
function drain(levels: number, error?: string): CallFrame {
  let inner: CallFrame[] = [];
  for (let level = levels; level >= 0; level--) {
    const pay = frame(victim, exploit, { value: 1n, calls: inner });
    inner = [
      frame(exploit, victim, {
        input: call('withdraw', [1n]),
        calls: [pay],
        error: level > 0 ? error : undefined,
      }),
    ];
  }
  return frame(attacker, exploit, { input: '0x12345678', calls: inner });
}

const fresh = created(exploit, 2);

describe('reentrant-call', () => {
  test('default: a nested re-entry by a fresh contract draining ether', () => {
    const signals = run(testTx({ to: exploit, trace: drain(2) }), undefined, { creations: [fresh] });
    expect(signals).toHaveLength(1);
    const [signal] = signals;
    // 0.3 + 0.05 (nesting 2) + 0.2 (value left) + 0.1 (fresh)
    expect(signal).toMatchObject({
      ruleId: 'reentrant-call',
      stage: 'exploitation',
      contract: victim,
      score: 0.65,
      severity: 'high',
      actor: exploit,
    });
    expect(signal!.details).toMatchObject({
      reentries: 2,
      succeeded: 2,
      nesting: 2,
      reenteredBy: [exploit],
      freshReenterers: [exploit],
      outflow: { native: '3' },
      throughDesignedCallback: false,
    });
  });

  test('behavior: a single re-entry without outflow scores the base', () => {
    // victim → token-like hook → victim, nothing paid out (an ERC-777 style hook).
    const trace = frame(attacker, victim, {
      input: call('deposit'),
      calls: [frame(victim, hook, { calls: [frame(hook, victim, { input: call('deposit') })] })],
    });
    expect(run(testTx({ trace }))).toMatchObject([{ score: 0.3, severity: 'low', details: { nesting: 1 } }]);
  });

  test('behavior: silent on a read-only (STATICCALL) re-entry', () => {
    const trace = frame(attacker, victim, {
      input: call('deposit'),
      calls: [
        frame(victim, hook, {
          calls: [frame(hook, victim, { type: 'STATICCALL', input: call('price') })],
        }),
        frame(victim, attacker, { value: 5n }),
      ],
    });
    expect(run(testTx({ trace }))).toEqual([]);
  });

  test('behavior: the contract calling itself through a multicall is benign unless value leaves', () => {
    const batch = (pay: boolean) =>
      frame(attacker, victim, {
        input: '0x12345678',
        calls: [
          frame(victim, multicall, {
            input: call('aggregate', [[{ target: victim, callData: call('deposit') }]]),
            calls: [frame(multicall, victim, { input: call('deposit') })],
          }),
          ...(pay ? [frame(victim, attacker, { value: 7n })] : []),
        ],
      });
    expect(run(testTx({ trace: batch(false) }))).toEqual([]);
    expect(run(testTx({ trace: batch(true) }))).toMatchObject([{ score: 0.5, details: { outflow: { native: '7' } } }]);

    // Through an established caller (here: the vault's own strategy), the same.
    const profile = emptyProfile(1, victim);
    profile.callers[hook] = 100;
    const strategy = frame(attacker, victim, {
      calls: [frame(victim, hook, { calls: [frame(hook, victim, { input: call('deposit') })] })],
    });
    expect(run(testTx({ trace: strategy }), [testWatched({ profile })])).toEqual([]);
    expect(run(testTx({ trace: strategy }))).toMatchObject([{ score: 0.3 }]);
  });

  test('behavior: a re-entry stopped by a guard scores half', () => {
    const trace = drain(1, 'ReentrancyGuard: reentrant call');
    // The outer withdraw paid (1 wei left the vault), but the re-entering call failed.
    expect(run(testTx({ to: exploit, trace }))).toMatchObject([{ score: 0.15, details: { succeeded: 0 } }]);
  });

  test("behavior: re-entry through the contract's own flash-loan callback scores half", () => {
    // The watched lender calls the borrower back; the borrower deposits into it.
    const trace = frame(attacker, exploit, {
      calls: [
        frame(exploit, victim, {
          input: '0x5cffe9de',
          calls: [
            frame(victim, exploit, { value: 10n }),
            frame(victim, exploit, {
              input: call('onFlashLoan', [exploit, victim, 10n, 0n, '0x']),
              calls: [frame(exploit, victim, { value: 10n, input: call('deposit') })],
            }),
          ],
        }),
      ],
    });
    // (0.3 + 0.2) / 2
    expect(run(testTx({ to: exploit, trace }))).toMatchObject([
      { score: 0.25, details: { throughDesignedCallback: true } },
    ]);
  });

  test('behavior: parameter overrides', () => {
    const tx = testTx({ to: exploit, trace: drain(3) });
    // nesting 3: 0.3 + 0.1 + 0.2
    expect(run(tx)).toMatchObject([{ score: 0.6, details: { nesting: 3 } }]);
    expect(run(tx, undefined, { parameters: { outflowBonus: 0, nestingBonus: 0 } })).toMatchObject([{ score: 0.3 }]);
    expect(run(tx, undefined, { parameters: { baseScore: 0.5, freshBonus: 0.2 }, creations: [fresh] })).toMatchObject([
      { score: 0.8 },
    ]);
  });
});
