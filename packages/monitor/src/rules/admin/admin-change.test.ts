import type { Log, Tx } from '@bulwark/chain';
import { type Address, encodeAbiParameters, encodeFunctionData, type Hex, pad, toEventSelector } from 'viem';
import { describe, expect, test } from 'vitest';
import { emptyProfile } from '../../baseline/profile.ts';
import { eventTopics } from '../../events/normalize.ts';
import { buildPrivilegeMap } from '../../privilege/classify.ts';
import { learnedView, operatedVaultAbi } from '../../privilege/testing.ts';
import {
  attacker,
  created,
  evaluateTx,
  frame,
  log,
  type TestContextParameters,
  testTx,
  testWatched,
  victim,
} from '../testing.ts';
import type { WatchedView } from '../types.ts';
import { adminChangeRule } from './admin-change.ts';

const drainer = '0x00000000000000000000000000000000000d4a1e' as Address;
const implementation = '0x0000000000000000000000000000000000001111' as Address;
const timelock = '0x000000000000000000000000000000000000071c' as Address;
const admin = '0x000000000000000000000000000000000000ad01' as Address;
const guardian = '0x0000000000000000000000000000000000009a4d' as Address;
const role = `0x${'ab'.repeat(32)}` as Hex;
const defaultAdminRole = `0x${'00'.repeat(32)}` as Hex;

const upgradeTo = '0x3659cfe6';
const topic = (address: Address) => pad(address) as Hex;
const upgraded = (to: Address) => log(victim, [eventTopics.Upgraded, topic(to)]);
const ownership = (from: Address, to: Address) =>
  log(victim, [eventTopics.OwnershipTransferred, topic(from), topic(to)]);
const granted = (account: Address, sender: Address, which: Hex = role) =>
  log(victim, [eventTopics.RoleGranted, which, topic(account), topic(sender)]);
const paused = (account: Address) =>
  log(victim, [eventTopics.Paused], encodeAbiParameters([{ type: 'address' }], [account]));

/** A transaction sent by `from`, emitting `logs` from the watched contract, called directly or through `via`. */
function adminTx(from: Address, logs: Log[], via?: Address): Tx {
  const tx = testTx({ from, to: via ?? victim });
  tx.receipt.logs = logs;
  tx.trace = via
    ? frame(from, via, { input: upgradeTo, calls: [frame(via, victim, { input: upgradeTo })] })
    : frame(from, victim, { input: upgradeTo });
  return tx;
}

const run = (tx: Tx, watched?: WatchedView[], more: TestContextParameters = {}) =>
  evaluateTx(adminChangeRule, tx, { ...more, watched });

const learned = () => {
  const profile = emptyProfile(1, victim);
  profile.adminActors[admin] = 3;
  profile.adminActors[guardian] = 1;
  profile.adminEvents = { Upgraded: 1, Paused: 1, OwnershipTransferred: 2 };
  return testWatched({ profile, trustedAdmins: new Set([timelock]) });
};
const drainerCreation = created(drainer, 2);

describe('admin-change', () => {
  test('default: an unknown EOA upgrades the proxy directly to a fresh contract', () => {
    const signals = run(adminTx(attacker, [upgraded(drainer)]), [learned()], { creations: [drainerCreation] });
    expect(signals).toHaveLength(1);
    // (0.4 upgrade + 0.2 fresh + 0.1 direct) × 1
    expect(signals[0]).toMatchObject({
      ruleId: 'admin-change',
      stage: 'exploitation',
      contract: victim,
      score: 0.7,
      severity: 'high',
      actor: attacker,
    });
    expect(signals[0]!.details).toMatchObject({
      sender: attacker,
      knownActor: false,
      throughTrustedAdmin: false,
      changes: [{ name: 'Upgraded', target: drainer, freshTarget: true, direct: true, trusted: false }],
    });
  });

  test('behavior: silent through a trusted timelock or multisig, unless configured', () => {
    const tx = adminTx(admin, [upgraded(implementation)], timelock);
    expect(run(tx, [learned()])).toEqual([]);
    // Trusted as the sender, too.
    expect(run(adminTx(timelock, [ownership(admin, drainer)]), [learned()])).toEqual([]);
    // (0.4) × 0.25: the timelock is in between, so not direct.
    expect(run(tx, [learned()], { parameters: { trustedFactor: 0.25 } })).toMatchObject([
      { score: 0.1, details: { throughTrustedAdmin: true, changes: [{ direct: false }] } },
    ]);
  });

  test('behavior: a Safe, timelock or governor in the path is not an EOA acting alone', () => {
    const proxyAdmin = '0x00000000000000000000000000000000000000ad' as Address;
    const safe = '0x000000000000000000000000000000000000005a' as Address;
    // A plain forwarding contract (a ProxyAdmin owned by the EOA): acting alone, 0.4 + 0.1.
    expect(run(adminTx(attacker, [upgraded(implementation)], proxyAdmin))).toMatchObject([
      { score: 0.5, details: { changes: [{ direct: true }] } },
    ]);
    // Through a Safe not listed as trusted: no direct bonus.
    const tx = testTx({ from: attacker, to: safe });
    tx.receipt.logs = [upgraded(implementation)];
    tx.trace = frame(attacker, safe, { input: '0x6a761202', calls: [frame(safe, victim, { input: upgradeTo })] });
    expect(run(tx)).toMatchObject([{ score: 0.4, details: { changes: [{ direct: false }] } }]);
  });

  test('behavior: a known admin scores lower; without a profile every actor is unknown', () => {
    // (0.4 + 0.1 direct) × 0.5
    expect(run(adminTx(admin, [upgraded(implementation)]), [learned()])).toMatchObject([
      { score: 0.25, details: { knownActor: true } },
    ]);
    expect(run(adminTx(admin, [upgraded(implementation)]), [testWatched({ profile: undefined })])).toMatchObject([
      { score: 0.5 },
    ]);
  });

  test('behavior: ownership and admin roles outrank other role changes', () => {
    const watched = [learned()];
    expect(run(adminTx(attacker, [ownership(admin, attacker)]), watched)).toMatchObject([{ score: 0.45 }]);
    expect(run(adminTx(attacker, [granted(attacker, attacker)]), watched)).toMatchObject([{ score: 0.3 }]);
    expect(run(adminTx(attacker, [granted(attacker, attacker, defaultAdminRole)]), watched)).toMatchObject([
      { score: 0.4 },
    ]);
    // Several changes: the strongest scores, all are listed.
    const [signal] = run(adminTx(attacker, [granted(attacker, attacker), ownership(admin, attacker)]), watched);
    expect(signal).toMatchObject({ score: 0.45, title: `OwnershipTransferred on ${watched[0]!.name}` });
    expect((signal!.details.changes as unknown[]).length).toBe(2);
  });

  test('behavior: a pause scores low, and only by an account that never administered the contract', () => {
    expect(run(adminTx(guardian, [paused(guardian)]), [learned()])).toEqual([]);
    expect(run(adminTx(timelock, [paused(timelock)]), [learned()])).toEqual([]);
    expect(run(adminTx(attacker, [paused(attacker)]), [learned()])).toMatchObject([{ score: 0.15, severity: 'info' }]);
  });

  test("behavior: the contract's own constructor events are ignored", () => {
    const tx = testTx({ to: null });
    tx.receipt.logs = [ownership('0x0000000000000000000000000000000000000000', attacker), upgraded(implementation)];
    tx.trace = frame(attacker, victim, { type: 'CREATE', input: '0x6080' });
    expect(run(tx)).toEqual([]);
  });

  test('behavior: parameter overrides', () => {
    const tx = adminTx(attacker, [upgraded(drainer)]);
    const more = { creations: [drainerCreation] };
    expect(run(tx, [learned()], { ...more, parameters: { freshBonus: 0, directBonus: 0 } })).toMatchObject([
      { score: 0.4 },
    ]);
    expect(
      run(adminTx(admin, [upgraded(implementation)]), [learned()], { parameters: { knownActorFactor: 0 } }),
    ).toEqual([]);
    expect(
      run(adminTx(admin, [upgraded(implementation)]), [learned()], { parameters: { knownActorChanges: 5 } }),
    ).toMatchObject([{ score: 0.5 }]);
    expect(run(adminTx(attacker, [paused(attacker)]), [learned()], { parameters: { pauseScore: 0 } })).toEqual([]);
  });

  test('behavior: an unpause is routine admin work, by anyone', () => {
    const unpaused = (account: Address) =>
      log(victim, [eventTopics.Unpaused], encodeAbiParameters([{ type: 'address' }], [account]));
    expect(run(adminTx(attacker, [unpaused(attacker)]), [learned()])).toEqual([]);
    expect(run(adminTx(admin, [unpaused(admin)]), [testWatched({ profile: undefined })])).toEqual([]);
  });

  test('behavior: a control event the ABI declares (the outside trial: OperatorUpdated from an initializer)', () => {
    const operatorUpdated = toEventSelector('OperatorUpdated(address,address)');
    const initialize = encodeFunctionData({ abi: operatedVaultAbi, functionName: 'initialize', args: [attacker] });
    const takeover = testTx({ from: attacker, to: victim, input: initialize });
    takeover.receipt.logs = [log(victim, [operatorUpdated, topic(admin), topic(attacker)])];
    takeover.trace = frame(attacker, victim, { input: initialize });
    const withAbi = testWatched({ privilege: buildPrivilegeMap({ abi: operatedVaultAbi }) });
    // Operator weight 0.3 + 0.1 direct, from an account that never administered it.
    expect(run(takeover, [withAbi])).toMatchObject([
      {
        score: 0.4,
        title: `OperatorUpdated on ${withAbi.name}`,
        details: { changes: [{ name: 'OperatorUpdated', target: attacker, direct: true }], knownActor: false },
      },
    ]);
    // The admin seen calling privileged functions while learning is known: × 0.5.
    const initialized = testTx({ from: admin, to: victim, input: initialize });
    initialized.trace = frame(admin, victim, { input: initialize });
    const known = learnedView(operatedVaultAbi, [initialized]);
    const byAdmin = { ...takeover, from: admin, trace: frame(admin, victim, { input: initialize }) };
    expect(run(byAdmin, [known])).toMatchObject([{ score: 0.2, details: { knownActor: true } }]);
    // A control function called without an event is left to control-to-fresh-address.
    const setOperator = encodeFunctionData({ abi: operatedVaultAbi, functionName: 'setOperator', args: [attacker] });
    const silent = testTx({ from: attacker, to: victim, input: setOperator });
    silent.trace = frame(attacker, victim, { input: setOperator });
    expect(run(silent, [withAbi])).toEqual([]);
  });
});
