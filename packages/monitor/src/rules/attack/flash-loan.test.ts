import type { CallFrame, Tx } from '@bulwark/chain';
import { type Address, encodeFunctionData, parseAbi } from 'viem';
import { describe, expect, test } from 'vitest';
import { emptyProfile } from '../../baseline/profile.ts';
import {
  attacker,
  callEncoder,
  evaluateTx,
  exploit,
  frame,
  type TestContextParameters,
  testTx,
  testWatched,
  victim,
} from '../testing.ts';
import type { WatchedView } from '../types.ts';
import { flashLoanRule } from './flash-loan.ts';

const lender = '0x000000000000000000000000000000000000a5e0' as Address;
const token = '0x000000000000000000000000000000000000070c' as Address;
const pair = '0x00000000000000000000000000000000000000a1' as Address;
const router = '0x00000000000000000000000000000000000000f0' as Address;

const call = callEncoder(
  parseAbi([
    'function flashLoanSimple(address receiverAddress, address asset, uint256 amount, bytes params, uint16 referralCode)',
    'function executeOperation(address asset, uint256 amount, uint256 premium, address initiator, bytes params) returns (bool)',
    'function flashLoan(address recipient, address[] tokens, uint256[] amounts, bytes userData)',
    'function receiveFlashLoan(address[] tokens, uint256[] amounts, uint256[] feeAmounts, bytes userData)',
    'function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes data)',
    'function flash(address recipient, uint256 amount0, uint256 amount1, bytes data)',
    'function uniswapV3FlashCallback(uint256 fee0, uint256 fee1, bytes data)',
    'function onFlashLoan(address initiator, address token, uint256 amount, uint256 fee, bytes data) returns (bytes32)',
    'function transfer(address to, uint256 amount) returns (bool)',
    'function transferFrom(address from, address to, uint256 amount) returns (bool)',
    'function deposit()',
    'function withdraw(uint256 amount)',
  ]),
);

/** Normalises the transaction into events, the way the engine does, and evaluates the rule. */
const run = (tx: Tx, watched?: WatchedView[], more: TestContextParameters = {}) =>
  evaluateTx(flashLoanRule, tx, { ...more, watched });

const amount = 1_000n * 10n ** 18n;
const victimCalls = (from: Address = exploit) => [
  frame(from, victim, { input: call('deposit'), value: 5n }),
  frame(from, victim, { input: call('withdraw', [5n]) }),
];

/** eoa → exploit → lender.flashLoanSimple → exploit.executeOperation → (inside) → repayment. */
function aaveLoan(inside: CallFrame[], after: CallFrame[] = []): CallFrame {
  return frame(attacker, exploit, {
    input: '0x12345678',
    calls: [
      frame(exploit, lender, {
        input: call('flashLoanSimple', [exploit, token, amount, '0x', 0]),
        calls: [
          frame(lender, token, { input: call('transfer', [exploit, amount]) }),
          frame(lender, exploit, {
            input: call('executeOperation', [token, amount, 9n, exploit, '0x']),
            calls: inside,
          }),
          frame(lender, token, { input: call('transferFrom', [exploit, lender, amount + 9n]) }),
        ],
      }),
      ...after,
    ],
  });
}

describe('flash-loan', () => {
  test('default: an Aave flash loan whose callback calls the watched contract', () => {
    const signals = run(testTx({ to: exploit, trace: aaveLoan(victimCalls()) }));
    expect(signals).toHaveLength(1);
    const [signal] = signals;
    expect(signal).toMatchObject({
      ruleId: 'flash-loan',
      stage: 'preparation',
      contract: victim,
      score: 0.45,
      severity: 'medium',
      actor: exploit,
    });
    expect(signal!.details).toMatchObject({
      calledInsideCallback: true,
      callersInsideCallback: [exploit],
      loans: [
        {
          protocol: 'aave-simple',
          provider: lender,
          receiver: exploit,
          amounts: [{ asset: token, amount: amount.toString() }],
          entryFrame: 1,
          callbackFrame: 3,
          success: true,
          calledInsideCallback: true,
        },
      ],
    });
  });

  test('behavior: the watched contract called outside the callback scores the base', () => {
    const [signal] = run(testTx({ to: exploit, trace: aaveLoan([], victimCalls()) }));
    expect(signal).toMatchObject({ score: 0.3, severity: 'low' });
    expect(signal!.details).toMatchObject({ calledInsideCallback: false });
  });

  test('behavior: Balancer, Uniswap v2 flash swap (any fork callback), Uniswap v3 flash, ERC-3156', () => {
    const balancer = frame(exploit, lender, {
      input: call('flashLoan', [exploit, [token], [amount], '0x']),
      calls: [
        frame(lender, token, { input: call('transfer', [exploit, amount]) }),
        frame(lender, exploit, {
          input: call('receiveFlashLoan', [[token], [amount], [0n], '0x']),
          calls: victimCalls(),
        }),
      ],
    });
    const v2 = frame(exploit, pair, {
      input: call('swap', [0n, amount, exploit, '0x01']),
      calls: [
        frame(pair, token, { input: call('transfer', [exploit, amount]) }),
        // A fork's own callback name: any call from the pair to `to` is the callback.
        frame(pair, exploit, { input: '0xdeadbeef0000', calls: victimCalls() }),
      ],
    });
    const v3 = frame(exploit, pair, {
      input: call('flash', [exploit, amount, 0n, '0x']),
      calls: [
        frame(pair, token, { input: call('transfer', [exploit, amount]) }),
        frame(pair, exploit, { input: call('uniswapV3FlashCallback', [3n, 0n, '0x']), calls: victimCalls() }),
      ],
    });
    const erc3156 = frame(exploit, lender, {
      input: encodeFunctionData({
        abi: parseAbi(['function flashLoan(address receiver, address token, uint256 amount, bytes data)']),
        args: [exploit, token, amount, '0x'],
      }),
      calls: [
        frame(lender, exploit, {
          input: call('onFlashLoan', [exploit, token, amount, 0n, '0x']),
          calls: victimCalls(),
        }),
      ],
    });
    const cases: [CallFrame, string, Address, unknown[]][] = [
      [balancer, 'balancer', lender, [{ asset: token, amount: amount.toString() }]],
      [v2, 'uniswap-v2', pair, [{ asset: 'token1', amount: amount.toString() }]],
      [v3, 'uniswap-v3', pair, [{ asset: 'token0', amount: amount.toString() }]],
      [erc3156, 'erc-3156', lender, [{ asset: token, amount: amount.toString() }]],
    ];
    for (const [loan, protocol, provider, amounts] of cases) {
      const trace = frame(attacker, exploit, { input: '0x12345678', calls: [loan] });
      const [signal] = run(testTx({ to: exploit, trace }));
      expect(signal, protocol).toMatchObject({ score: 0.45 });
      expect(signal!.details, protocol).toMatchObject({
        loans: [{ protocol, provider, receiver: exploit, amounts, calledInsideCallback: true }],
      });
    }
  });

  test('behavior: a callback from an unknown lender is recognised on its own', () => {
    const trace = frame(attacker, exploit, {
      calls: [
        frame(exploit, lender, {
          input: '0xabcdef01',
          calls: [
            frame(lender, exploit, {
              input: call('onFlashLoan', [exploit, token, amount, 0n, '0x']),
              calls: victimCalls(),
            }),
          ],
        }),
      ],
    });
    const [signal] = run(testTx({ to: exploit, trace }));
    expect(signal!.details).toMatchObject({
      loans: [{ protocol: 'erc-3156', provider: lender, entryFrame: undefined, amounts: [{ asset: token }] }],
    });
  });

  test('behavior: silent on a plain swap, on a loan not touching a watched contract, and without a trace', () => {
    const plainSwap = frame(attacker, router, {
      calls: [
        frame(router, pair, {
          input: call('swap', [0n, amount, attacker, '0x']),
          calls: [frame(pair, token, { input: call('transfer', [attacker, amount]) })],
        }),
        ...victimCalls(router),
      ],
    });
    expect(run(testTx({ to: router, trace: plainSwap }))).toEqual([]);

    const elsewhere = aaveLoan([frame(exploit, router, { input: '0x12345678' })]);
    expect(run(testTx({ to: exploit, trace: elsewhere }))).toEqual([]);

    expect(run(testTx({ to: victim, input: call('deposit') }))).toEqual([]);
  });

  test('behavior: silent for the lender itself, a routine borrower, and the lent token moving', () => {
    // The watched pool lends through a flash swap: its own business.
    const watchedPair = testWatched({ address: pair, name: 'Pair', kind: 'pool' });
    const flashSwap = frame(attacker, exploit, {
      calls: [
        frame(exploit, pair, {
          input: call('swap', [0n, amount, exploit, '0x01']),
          calls: [
            frame(pair, token, { input: call('transfer', [exploit, amount]) }),
            frame(pair, exploit, { input: '0xdeadbeef' }),
          ],
        }),
      ],
    });
    expect(run(testTx({ to: exploit, trace: flashSwap }), [watchedPair])).toEqual([]);

    // The watched vault borrows from Aave for its strategy, as it did while learning.
    const profile = emptyProfile(1, victim);
    profile.selectors[call('executeOperation', [token, 0n, 0n, victim, '0x']).slice(0, 10)] = {
      calls: 40,
      failed: 0,
      windowMax: { '1b': 1, '5m': 1, '1h': 2, '24h': 5 },
    };
    const strategy = frame(attacker, victim, {
      input: '0x12345678',
      calls: [
        frame(victim, lender, {
          input: call('flashLoanSimple', [victim, token, amount, '0x', 0]),
          calls: [frame(lender, victim, { input: call('executeOperation', [token, amount, 9n, victim, '0x']) })],
        }),
      ],
    });
    expect(run(testTx({ trace: strategy }), [testWatched({ profile })])).toEqual([]);
    // The same loan taken for the first time is worth noting.
    expect(run(testTx({ trace: strategy }))).toMatchObject([{ contract: victim, score: 0.3 }]);

    // A watched token lent and repaid: only its transfers are called.
    const watchedToken = testWatched({ address: token, name: 'Token', kind: 'token' });
    expect(run(testTx({ to: exploit, trace: aaveLoan([]) }), [watchedToken])).toEqual([]);
  });

  test('behavior: an established caller inside the callback scores the base', () => {
    const profile = emptyProfile(1, victim);
    profile.callers[exploit] = 500;
    const tx = testTx({ to: exploit, trace: aaveLoan(victimCalls()) });
    expect(run(tx, [testWatched({ profile })])).toMatchObject([{ score: 0.3 }]);
    expect(run(tx, [testWatched({ profile })], { parameters: { knownCallerCalls: 0 } })).toMatchObject([
      { score: 0.45 },
    ]);
  });

  test('behavior: parameter overrides', () => {
    const tx = testTx({ to: exploit, trace: aaveLoan(victimCalls()) });
    expect(run(tx, undefined, { parameters: { callbackScore: 0.6 } })).toMatchObject([
      { score: 0.6, severity: 'high' },
    ]);
    const outside = testTx({ to: exploit, trace: aaveLoan([], victimCalls()) });
    expect(run(outside, undefined, { parameters: { score: 0 } })).toEqual([]);
  });
});
