import type { Tx } from '@bulwark/chain';
import { type Address, pad } from 'viem';
import { describe, expect, test } from 'vitest';
import { emptyProfile } from '../../baseline/profile.ts';
import { eventTopics } from '../../events/normalize.ts';
import { creationSimulation, simulatedDrain } from '../../simulate/testing.ts';
import {
  attacker,
  callFrame,
  created,
  evaluateTx,
  eventsOf,
  exploit,
  log,
  type TestContextParameters,
  testContext,
  testTx,
  testWatched,
  victim,
} from '../testing.ts';
import type { WatchedView } from '../types.ts';
import { freshContractCallerRule } from './fresh-contract-caller.ts';

const router = '0x00000000000000000000000000000000000000f0' as Address;
const factory = '0x000000000000000000000000000000000000fac0' as Address;
const someone = '0x0000000000000000000000000000000000000123' as Address;
const timelock = '0x000000000000000000000000000000000000071c' as Address;

const run = (tx: Tx, watched?: WatchedView[], more: TestContextParameters = {}) =>
  evaluateTx(freshContractCallerRule, tx, { ...more, watched });

const viaExploit = callFrame(attacker, exploit, {
  input: '0x12345678',
  calls: [callFrame(exploit, victim)],
});

describe('fresh-contract-caller', () => {
  test('default: a contract the sender deployed two blocks ago calls the watched contract', () => {
    const signals = run(testTx({ to: exploit, trace: viaExploit }), undefined, { creations: [created(exploit, 2)] });
    expect(signals).toHaveLength(1);
    // 0.2 + 0.1 × (1 − 2/300) + 0.15 (deployed by the sender)
    expect(signals[0]).toMatchObject({
      ruleId: 'fresh-contract-caller',
      stage: 'preparation',
      contract: victim,
      score: 0.449,
      severity: 'medium',
      actor: exploit,
    });
    expect(signals[0]!.details).toMatchObject({
      evidence: [
        {
          kind: 'caller',
          address: exploit,
          creator: attacker,
          sameTransaction: false,
          ageBlocks: 2,
          ageSeconds: 24,
          createdBySender: true,
          directCaller: true,
          inConstructor: false,
        },
      ],
    });
  });

  test('behavior: a call from the constructor of a contract deployed in the same transaction scores highest', () => {
    const tx = testTx({ to: null });
    tx.trace = callFrame(attacker, exploit, {
      type: 'CREATE',
      input: '0x6080',
      calls: [callFrame(exploit, victim)],
    });
    // 0.2 + 0.1 + 0.15 + 0.1 (same transaction) + 0.1 (constructor)
    expect(run(tx)).toMatchObject([
      { score: 0.65, severity: 'high', details: { evidence: [{ sameTransaction: true, inConstructor: true }] } },
    ]);
  });

  test('behavior: a contract deployed here whose simulated calls would drain the watched contract', () => {
    const tx = testTx({ to: null, trace: callFrame(attacker, exploit, { type: 'CREATE', input: '0x6080' }) });
    const context = (share: number) => ({
      ...testContext(freshContractCallerRule, { tx, events: eventsOf(tx, [testWatched()]) }),
      simulations: [
        creationSimulation(exploit, attacker, tx.hash, { drains: [simulatedDrain(victim, share, exploit)] }),
      ],
    });
    // 0.2 + 0.1 + 0.15 (deployed by the sender) + 0.1 (same transaction)
    expect(freshContractCallerRule.evaluate(context(0.05))).toMatchObject([
      {
        score: 0.55,
        actor: exploit,
        title: 'Victim targeted by a contract created in this transaction (its calls simulated)',
        details: { evidence: [{ kind: 'simulated-caller', sameTransaction: true, directCaller: true }] },
      },
    ]);
    // A keeper's reward is below minSimulatedShare; the deployment alone is no evidence.
    expect(freshContractCallerRule.evaluate(context(0.001))).toEqual([]);
    expect(run(tx)).toEqual([]);
  });

  test('behavior: a fresh contract on the path but not the direct caller scores less', () => {
    const trace = callFrame(attacker, exploit, {
      calls: [callFrame(exploit, router, { calls: [callFrame(router, victim)] })],
    });
    const [signal] = run(testTx({ to: exploit, trace }), undefined, { creations: [created(exploit, 2)] });
    expect(signal).toMatchObject({ score: 0.337, details: { evidence: [{ address: exploit, directCaller: false }] } });
  });

  test('behavior: a contract someone else deployed through a factory scores weak', () => {
    const [signal] = run(testTx({ to: exploit, trace: viaExploit }), undefined, {
      creations: [created(exploit, 150, factory, someone)],
    });
    // 0.2 + 0.1 × (1 − 150/300)
    expect(signal).toMatchObject({ score: 0.25, severity: 'low', details: { evidence: [{ createdBySender: false }] } });
  });

  test('behavior: silent for old contracts, EOAs, read-only calls, watched contracts and the contract being deployed', () => {
    expect(run(testTx({ to: exploit, trace: viaExploit }), undefined, { creations: [created(exploit, 400)] })).toEqual(
      [],
    );
    expect(run(testTx({ trace: callFrame(attacker, victim) }))).toEqual([]);
    const staticRead = callFrame(attacker, exploit, {
      calls: [callFrame(exploit, victim, { type: 'STATICCALL' })],
    });
    expect(run(testTx({ to: exploit, trace: staticRead }), undefined, { creations: [created(exploit, 1)] })).toEqual(
      [],
    );
    // A watched contract deployed recently (the protocol's own) calling another one.
    const other = testWatched({ address: exploit, name: 'Strategy' });
    expect(
      run(testTx({ to: exploit, trace: viaExploit }), [testWatched(), other], { creations: [created(exploit, 1)] }),
    ).toEqual([]);
    // The watched contract's own deployment and initialisation, by a fresh factory of the protocol.
    const deploy = callFrame(attacker, factory, {
      calls: [
        callFrame(factory, victim, { type: 'CREATE2', input: '0x6080' }),
        callFrame(factory, victim, { input: '0x8129fc1c' }),
      ],
    });
    expect(run(testTx({ to: factory, trace: deploy }), undefined, { creations: [created(factory, 1)] })).toEqual([]);
  });

  test('behavior: an admin event handing power to a fresh contract', () => {
    const upgraded = log(victim, [eventTopics.Upgraded, pad(exploit)]);
    const direct = testTx({ trace: callFrame(attacker, victim, { input: '0x3659cfe6' }) });
    direct.receipt.logs = [upgraded];
    const creations = [created(exploit, 2)];
    // 0.3 + 0.2 × (1 − 2/300) + 0.1 (deployed by the sender)
    expect(run(direct, undefined, { creations })).toMatchObject([
      {
        score: 0.599,
        severity: 'medium',
        title: expect.stringContaining('Upgraded'),
        details: { evidence: [{ kind: 'admin-target', change: 'Upgraded', address: exploit }] },
      },
    ]);
    // Through the trusted timelock: halved; by a known admin: × 0.75.
    const viaTimelock = testTx({
      to: timelock,
      trace: callFrame(attacker, timelock, {
        calls: [callFrame(timelock, victim, { input: '0x3659cfe6' })],
      }),
    });
    viaTimelock.receipt.logs = [upgraded];
    expect(run(viaTimelock, [testWatched({ trustedAdmins: new Set([timelock]) })], { creations })).toMatchObject([
      { score: 0.299 },
    ]);
    const profile = emptyProfile(1, victim);
    profile.adminActors[attacker] = 2;
    expect(run(direct, [testWatched({ profile })], { creations })).toMatchObject([{ score: 0.449 }]);
  });

  test('behavior: parameter overrides', () => {
    const tx = testTx({ to: exploit, trace: viaExploit });
    // Two blocks, 24 s: too old for both limits.
    expect(
      run(tx, undefined, { creations: [created(exploit, 2)], parameters: { maxAgeBlocks: 1, maxAgeSeconds: 10 } }),
    ).toEqual([]);
    // Young enough by seconds alone.
    expect(
      run(tx, undefined, { creations: [created(exploit, 2)], parameters: { maxAgeBlocks: 1, maxAgeSeconds: 48 } }),
    ).toMatchObject([{ score: 0.4 }]);
    const trace = callFrame(attacker, exploit, {
      calls: [callFrame(exploit, router, { calls: [callFrame(router, victim)] })],
    });
    expect(
      run(testTx({ to: exploit, trace }), undefined, {
        creations: [created(exploit, 2)],
        parameters: { indirectFactor: 1 },
      }),
    ).toMatchObject([{ score: 0.449 }]);
  });

  test('behavior: the maximum ages are read for the watched contract concerned (per-contract overrides)', () => {
    const vault = testWatched();
    const pool = testWatched({ address: someone, name: 'Pool', kind: 'pool' });
    const trace = callFrame(attacker, exploit, { calls: [callFrame(exploit, victim), callFrame(exploit, someone)] });
    const tx = testTx({ to: exploit, trace });
    const context = testContext(freshContractCallerRule, {
      tx,
      events: eventsOf(tx, [vault, pool]),
      watched: [vault, pool],
      creations: [created(exploit, 2)],
    });
    // The vault allows one block and ten seconds; the pool keeps the defaults.
    const vaultOverrides: Record<string, number> = { maxAgeBlocks: 1, maxAgeSeconds: 10 };
    const defaults = context.parameter;
    context.parameter = (name, contract) =>
      (contract === victim ? vaultOverrides[name] : undefined) ?? defaults(name, contract);
    const signals = freshContractCallerRule.evaluate(context);
    expect(signals.map((signal) => signal.contract)).toEqual([someone]);
  });
});
