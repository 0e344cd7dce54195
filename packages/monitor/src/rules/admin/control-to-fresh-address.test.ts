import { type Address, encodeAbiParameters, type Hex, keccak256, pad, toEventSelector, toHex } from 'viem';
import { describe, expect, test } from 'vitest';
import { eventTopics } from '../../events/normalize.ts';
import { learnedView, operatedVaultAbi, roleTokenAbi } from '../../privilege/testing.ts';
import {
  attacker,
  callEncoder,
  created,
  deposit,
  ether,
  evaluateTx,
  exploit,
  frame,
  log,
  type TestContextParameters,
  tx,
  user,
  victim,
} from '../testing.ts';
import type { WatchedView } from '../types.ts';
import { controlToFreshAddressRule } from './control-to-fresh-address.ts';

const admin = user(100);
const vault = callEncoder(operatedVaultAbi);
const token = callEncoder(roleTokenAbi);
const minterRole = keccak256(toHex('MINTER_ROLE'));
const operatorUpdated = toEventSelector('OperatorUpdated(address,address)');
const operatorLog = (previous: Address, next: Address) => log(victim, [operatorUpdated, pad(previous), pad(next)]);
const callVictim = (from: Address, input: Hex, logs = [] as ReturnType<typeof log>[]) =>
  tx(from, frame(from, victim, { input }), logs);
const run = (view: WatchedView, transaction: ReturnType<typeof tx>, more: Omit<TestContextParameters, 'tx'> = {}) =>
  evaluateTx(controlToFreshAddressRule, transaction, { watched: [view], ...more });

const learning = [
  callVictim(admin, vault('initialize', [admin]), [operatorLog('0x0000000000000000000000000000000000000000', admin)]),
  callVictim(admin, vault('setFee', [1n])),
  ...Array.from({ length: 5 }, (_, i) => deposit(user(i + 1), ether)),
];
const view = learnedView(operatedVaultAbi, learning);

describe('control-to-fresh-address', () => {
  test('default: an unguarded initializer makes its never-seen caller the operator (custom event)', () => {
    const takeover = callVictim(attacker, vault('initialize', [attacker]), [operatorLog(admin, attacker)]);
    // 0.35 unseen + 0.15 unknown sender + 0.1 to itself.
    expect(run(view, takeover)).toMatchObject([
      {
        ruleId: 'control-to-fresh-address',
        stage: 'exploitation',
        score: 0.6,
        actor: attacker,
        details: {
          changes: [
            {
              name: 'OperatorUpdated',
              source: 'event',
              target: attacker,
              previous: admin,
              freshness: 'unseen',
              self: true,
            },
          ],
          knownAdmin: false,
        },
      },
    ]);
  });

  test('behavior: the known admin handing control scores low; to a known account or through a trusted admin, nothing', () => {
    const newcomer = user(300);
    // 0.35 × 0.5, through the call (no event emitted).
    expect(run(view, callVictim(admin, vault('setOperator', [newcomer])))).toMatchObject([
      { score: 0.175, details: { changes: [{ source: 'call', target: newcomer }], knownAdmin: true } },
    ]);
    expect(run(view, callVictim(admin, vault('setOperator', [user(2)])))).toEqual([]);
    const trusted = { ...view, trustedAdmins: new Set<string>([attacker]) };
    expect(run(trusted, callVictim(attacker, vault('setOperator', [newcomer])))).toEqual([]);
  });

  test('behavior: a role granted to a contract the sender created minutes ago', () => {
    const tokenView = learnedView(roleTokenAbi, [callVictim(admin, token('mint', [admin, ether]))]);
    const grant = callVictim(attacker, token('grantRole', [minterRole, exploit]), [
      log(victim, [eventTopics.RoleGranted, minterRole, pad(exploit), pad(attacker)]),
    ]);
    // 0.45 created + 0.15 unknown sender + 0.1 created by the sender.
    expect(run(tokenView, grant, { creations: [created(exploit, 5)] })).toMatchObject([
      { score: 0.7, details: { changes: [{ name: 'RoleGranted', source: 'standard-event', freshness: 'created' }] } },
    ]);
  });

  test('behavior: revocations, accept steps and renouncements give no one power', () => {
    const tokenView = learnedView(roleTokenAbi, [callVictim(admin, token('mint', [admin, ether]))]);
    expect(run(tokenView, callVictim(attacker, token('revokeRole', [minterRole, admin])))).toEqual([]);
    const accept = tx(attacker, frame(attacker, victim, { input: '0x79ba5097' }), [
      log(victim, [eventTopics.OwnershipTransferred, pad(admin), pad(attacker)]),
    ]);
    expect(run(learnedView(undefined, learning), accept)).toEqual([]);
    const renounce = callVictim(admin, '0x715018a6', [
      log(victim, [eventTopics.OwnershipTransferred, pad(admin), pad('0x0000000000000000000000000000000000000000')]),
    ]);
    expect(run(view, renounce)).toEqual([]);
  });

  test('behavior: without an ABI, the well-known event in either layout', () => {
    const standard = learnedView(undefined, learning);
    const data = encodeAbiParameters([{ type: 'address' }, { type: 'address' }], [admin, attacker]);
    const takeover = callVictim(attacker, vault('initialize', [attacker]), [log(victim, [operatorUpdated], data)]);
    expect(run(standard, takeover)).toMatchObject([{ score: 0.6, details: { changes: [{ target: attacker }] } }]);
  });

  test('behavior: before learning, only a recently created holder is fresh', () => {
    const takeover = callVictim(attacker, vault('initialize', [attacker]), [operatorLog(admin, attacker)]);
    expect(run({ ...view, profile: undefined }, takeover)).toEqual([]);
    const toExploit = callVictim(attacker, vault('setOperator', [exploit]), [operatorLog(admin, exploit)]);
    expect(run({ ...view, profile: undefined }, toExploit, { creations: [created(exploit, 3)] })).toMatchObject([
      { score: 0.7 },
    ]);
  });
});
