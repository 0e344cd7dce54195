import type { Address, Hex } from 'viem';
import { describe, expect, test } from 'vitest';
import { learnedView, operatedVaultAbi } from '../../privilege/testing.ts';
import { attacker, callEncoder, created, deposit, ether, evaluateTx, frame, tx, user, victim } from '../testing.ts';
import type { WatchedView } from '../types.ts';
import { initializerReinvokedRule } from './initializer-reinvoked.ts';

const admin = user(100);
const vault = callEncoder(operatedVaultAbi);
const callVictim = (from: Address, input: Hex) => tx(from, frame(from, victim, { input }));
const run = (view: WatchedView, from: Address, input: Hex, more = {}) =>
  evaluateTx(initializerReinvokedRule, callVictim(from, input), { watched: [view], ...more });
const users = Array.from({ length: 5 }, (_, i) => deposit(user(i + 1), ether));

describe('initializer-reinvoked', () => {
  test('default: a new account calls the initializer again', () => {
    const view = learnedView(operatedVaultAbi, [callVictim(admin, vault('initialize', [admin])), ...users]);
    expect(run(view, attacker, vault('initialize', [attacker]))).toMatchObject([
      {
        ruleId: 'initializer-reinvoked',
        stage: 'exploitation',
        score: 0.65,
        severity: 'high',
        actor: attacker,
        details: { function: 'initialize(address)', again: true, earlierInitializers: [admin], knownAdmin: false },
      },
    ]);
  });

  test('behavior: the first initializer call on a live contract, by a new account or by its admin', () => {
    // Initialized before monitoring began: the history holds no initializer, but the contract runs.
    const view = learnedView(operatedVaultAbi, [callVictim(admin, vault('setFee', [1n])), ...users]);
    expect(run(view, attacker, vault('initialize', [attacker]))).toMatchObject([
      { score: 0.55, details: { again: false } },
    ]);
    expect(run(view, admin, vault('initialize', [admin]))).toEqual([]);
  });

  test('behavior: a known admin re-running it (an upgrade with a reinitializer) scores low; trusted is silent', () => {
    const view = learnedView(operatedVaultAbi, [callVictim(admin, vault('initialize', [admin])), ...users]);
    expect(run(view, admin, vault('initialize', [admin]))).toMatchObject([{ score: 0.163, severity: 'info' }]);
    expect(run({ ...view, trustedAdmins: new Set<string>([admin]) }, admin, vault('initialize', [admin]))).toEqual([]);
  });

  test('behavior: the first initialization of a contract whose creation was not seen is left alone', () => {
    const fresh = learnedView(operatedVaultAbi, []);
    expect(run(fresh, attacker, vault('initialize', [attacker]))).toEqual([]);
    expect(run({ ...fresh, profile: undefined }, attacker, vault('initialize', [attacker]))).toEqual([]);
  });

  test('behavior: a contract created recently, initialized first by someone else than its deployer', () => {
    const deployer = user(50);
    const fresh = learnedView(operatedVaultAbi, []);
    expect(
      run(fresh, attacker, vault('initialize', [attacker]), { creations: [created(victim, 2, deployer, deployer)] }),
    ).toMatchObject([{ score: 0.55, details: { again: false, frontRun: true } }]);
  });

  test('behavior: the deployer initializing a contract it created recently is routine', () => {
    const view = learnedView(operatedVaultAbi, users);
    const deployer = user(50);
    expect(
      run(view, deployer, vault('initialize', [deployer]), { creations: [created(victim, 10, deployer, deployer)] }),
    ).toEqual([]);
  });

  test('behavior: a reverted initializer call is nothing', () => {
    const view = learnedView(operatedVaultAbi, [callVictim(admin, vault('initialize', [admin])), ...users]);
    const reverted = callVictim(attacker, vault('initialize', [attacker]));
    reverted.receipt.status = 'reverted';
    reverted.trace!.error = 'execution reverted';
    expect(evaluateTx(initializerReinvokedRule, reverted, { watched: [view] })).toEqual([]);
  });
});
