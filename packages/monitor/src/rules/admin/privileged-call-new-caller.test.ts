import type { Address } from 'viem';
import { describe, expect, test } from 'vitest';
import { buildPrivilegeMap } from '../../privilege/classify.ts';
import { learnedView, operatedVaultAbi, roleTokenAbi } from '../../privilege/testing.ts';
import {
  attacker,
  callEncoder,
  deposit,
  ether,
  evaluateTx,
  frame,
  testWatched,
  transfer,
  tx,
  user,
  victim,
} from '../testing.ts';
import type { WatchedView } from '../types.ts';
import { privilegedCallNewCallerRule } from './privileged-call-new-caller.ts';

const admin = user(100);
const vault = callEncoder(operatedVaultAbi);
const token = callEncoder(roleTokenAbi);
const callVictim = (from: Address, input: `0x${string}`, calls = [] as ReturnType<typeof frame>[]) =>
  tx(from, frame(from, victim, { input, calls }));
const run = (view: WatchedView, from: Address, input: `0x${string}`, calls?: ReturnType<typeof frame>[]) =>
  evaluateTx(privilegedCallNewCallerRule, callVictim(from, input, calls), { watched: [view] });

const learning = [
  callVictim(admin, vault('initialize', [admin])),
  callVictim(admin, vault('setFee', [30n])),
  callVictim(admin, vault('pause')),
  callVictim(admin, vault('unpause')),
  ...Array.from({ length: 10 }, (_, i) => deposit(user(i + 1), ether)),
];
const view = learnedView(operatedVaultAbi, learning);

describe('privileged-call-new-caller', () => {
  test('default: an account that never called it changes a parameter, or sweeps the vault', () => {
    expect(run(view, attacker, vault('setFee', [10_000n]))).toMatchObject([
      {
        ruleId: 'privileged-call-new-caller',
        stage: 'exploitation',
        score: 0.3,
        actor: attacker,
        details: { calls: [{ function: 'setFee(uint256)', kind: 'operation', classifiedBy: 'abi' }] },
      },
    ]);
    // 0.3 + 0.25: value left the contract.
    const sweep = run(view, attacker, vault('sweep', [attacker]), [frame(victim, attacker, { value: 50n * ether })]);
    expect(sweep).toMatchObject([{ score: 0.55, severity: 'medium', details: { valueMoved: true } }]);
    // A control function: 0.4.
    expect(run(view, attacker, vault('setOperator', [attacker]))).toMatchObject([{ score: 0.4 }]);
  });

  test('behavior: the known admin is silent, even on a function it never called; so are trusted admins', () => {
    expect(run(view, admin, vault('setFee', [40n]))).toEqual([]);
    expect(run(view, admin, vault('setOperator', [user(7)]))).toEqual([]);
    const trusted = { ...view, trustedAdmins: new Set<string>([attacker]) };
    expect(run(trusted, attacker, vault('setFee', [40n]))).toEqual([]);
    expect(
      evaluateTx(privilegedCallNewCallerRule, callVictim(admin, vault('setFee', [1n])), {
        watched: [view],
        parameters: { knownAdminFactor: 0.5 },
      }),
    ).toEqual([]); // called it before: not new at all
    expect(
      evaluateTx(privilegedCallNewCallerRule, callVictim(admin, vault('sweep', [admin])), {
        watched: [view],
        parameters: { knownAdminFactor: 0.5 },
      }),
    ).toMatchObject([{ score: 0.15, details: { calls: [{ knownAdmin: true }] } }]);
  });

  test('behavior: pause, unpause and initializers are left to other rules; public and plain calls are ignored', () => {
    expect(run(view, attacker, vault('pause'))).toEqual([]);
    expect(run(view, attacker, vault('unpause'))).toEqual([]);
    expect(run(view, attacker, vault('initialize', [attacker]))).toEqual([]);
    expect(run(view, attacker, vault('withdraw', [ether]))).toEqual([]);
  });

  test('behavior: a function many accounts call is public, whatever its name', () => {
    const crowded = learnedView(operatedVaultAbi, [
      ...learning,
      ...Array.from({ length: 9 }, (_, i) => callVictim(user(i + 1), vault('setFee', [1n]))),
    ]);
    expect(run(crowded, attacker, vault('setFee', [2n]))).toEqual([]);
    // Declared privileged in the config, it stays privileged.
    const declared = buildPrivilegeMap({ abi: operatedVaultAbi, privileged: { functions: ['setFee'] } });
    expect(run({ ...crowded, privilege: declared }, attacker, vault('setFee', [2n]))).toMatchObject([
      { score: 0.3, details: { calls: [{ classifiedBy: 'config' }] } },
    ]);
  });

  test('behavior: a function only administrators called is privileged by history', () => {
    const harvest = '0x4641257d' as const; // harvest(), not in the ABI
    const history = learnedView(operatedVaultAbi, [
      ...learning,
      callVictim(admin, harvest),
      callVictim(admin, harvest),
    ]);
    expect(run(history, attacker, harvest)).toMatchObject([
      { score: 0.3, details: { calls: [{ classifiedBy: 'history' }] } },
    ]);
    // Called by a user too: not privileged.
    const mixed = learnedView(operatedVaultAbi, [
      ...learning,
      callVictim(admin, harvest),
      callVictim(user(3), harvest),
    ]);
    expect(run(mixed, attacker, harvest)).toEqual([]);
  });

  test('behavior: a fresh minter mints (value bonus for a mint of the watched token)', () => {
    const minter = user(200);
    const tokenView = learnedView(roleTokenAbi, [callVictim(admin, token('mint', [admin, ether]))], { kind: 'token' });
    const mint = tx(minter, frame(minter, victim, { input: token('mint', [minter, 10n ** 24n]) }), [
      transfer(victim, '0x0000000000000000000000000000000000000000', minter, 10n ** 24n),
    ]);
    expect(evaluateTx(privilegedCallNewCallerRule, mint, { watched: [tokenView] })).toMatchObject([
      { score: 0.55, actor: minter },
    ]);
  });

  test('behavior: silent before learning, and on a profile without learned callers', () => {
    expect(run(testWatched({ profile: undefined }), attacker, vault('setFee', [1n]))).toEqual([]);
    // A profile stored before callers were learned per function.
    expect(
      run({ ...view, profile: { ...view.profile!, privilege: undefined } }, attacker, vault('setFee', [1n])),
    ).toEqual([]);
  });
});
