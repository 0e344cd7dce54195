import { type Address, type Hex, pad, toEventSelector, zeroAddress } from 'viem';
import { describe, expect, test } from 'vitest';
import { emptyProfile } from '../baseline/profile.ts';
import { createEngine } from '../engine/engine.ts';
import { eventTopics } from '../events/normalize.ts';
import { allRules } from '../rules/index.ts';
import { attacker, block, callEncoder, deposit, ether, frame, log, tx, user, victim } from '../rules/testing.ts';
import { buildPrivilegeMap, standardPrivilege } from './classify.ts';
import { learnPrivilege, maxSelectorCallers } from './learn.ts';
import { operatedVaultAbi } from './testing.ts';

const admin = user(100);
const vault = callEncoder(operatedVaultAbi);
const map = buildPrivilegeMap({ abi: operatedVaultAbi });
const callVictim = (from: Address, input: Hex) => tx(from, frame(from, victim, { input }));
const depositSelector = '0xd0e30db0';
const at = (number: number, transactions: Parameters<typeof block>[2]) =>
  block(number, 1_700_000_000 + number * 12, transactions);

describe('learnPrivilege', () => {
  test('default: callers per selector; privileged callers become administrators', () => {
    const profile = emptyProfile(1, victim);
    for (const t of [callVictim(admin, vault('setFee', [1n])), deposit(user(1), ether), deposit(user(1), ether)]) {
      learnPrivilege(profile, map, t);
    }
    expect(profile.privilege).toEqual({
      callers: { [vault('setFee', [1n]).slice(0, 10)]: { [admin]: 1 }, [depositSelector]: { [user(1)]: 2 } },
      crowded: [],
      admins: { [admin]: 1 },
    });
  });

  test('behavior: a contract calling a privileged function makes it and the sender administrators', () => {
    const timelock = user(200);
    const profile = emptyProfile(1, victim);
    const input = vault('setOperator', [user(3)]);
    learnPrivilege(profile, map, tx(admin, frame(admin, timelock, { calls: [frame(timelock, victim, { input })] })));
    expect(profile.privilege?.admins).toEqual({ [timelock]: 1, [admin]: 1 });
    expect(profile.privilege?.callers[input.slice(0, 10)]).toEqual({ [timelock]: 1 });
  });

  test('behavior: a selector called by more accounts than are kept is crowded; reverted calls are not learned', () => {
    const profile = emptyProfile(1, victim);
    for (let i = 0; i <= maxSelectorCallers; i++) learnPrivilege(profile, standardPrivilege(), deposit(user(i), ether));
    expect(profile.privilege?.crowded).toEqual([depositSelector]);
    expect(Object.keys(profile.privilege?.callers[depositSelector] ?? {})).toHaveLength(maxSelectorCallers);
    const reverted = callVictim(attacker, vault('setFee', [1n]));
    reverted.receipt.status = 'reverted';
    reverted.trace!.error = 'execution reverted';
    learnPrivilege(profile, map, reverted);
    expect(profile.privilege?.admins).toEqual({});
  });
});

test('behavior: the holder a learned control event names is an administrator; not a pending one, not new code', () => {
  const profile = emptyProfile(1, victim);
  const operatorUpdated = toEventSelector('OperatorUpdated(address,address)');
  const deployer = user(7);
  const operator = user(8);
  const t = callVictim(deployer, vault('initialize', [operator]));
  t.receipt.logs = [log(victim, [operatorUpdated, pad(zeroAddress), pad(operator)])];
  learnPrivilege(profile, map, t);
  expect(profile.privilege?.admins).toEqual({ [deployer]: 1, [operator]: 1 });
  const pending = user(9);
  const started = tx(deployer, frame(deployer, victim, { input: '0x' }), [
    log(victim, [eventTopics.OwnershipTransferStarted, pad(operator), pad(pending)]),
    log(victim, [eventTopics.Upgraded, pad(user(10))]),
  ]);
  learnPrivilege(profile, map, started);
  expect(profile.privilege?.admins).toEqual({ [deployer]: 2, [operator]: 1 });
});

describe('in the engine', () => {
  test('behavior: learned with each clean transaction, persisted in the profile; a flagged takeover is not learned', () => {
    const engine = createEngine({
      chainId: 1,
      rules: allRules,
      contracts: [{ address: victim, name: 'Vault', kind: 'vault', privilege: map }],
      learningDelayBlocks: 2,
    });
    engine.learn(at(10, [callVictim(admin, vault('initialize', [admin]))]));
    engine.learn(at(11, [deposit(user(1), ether), deposit(user(2), ether)]));
    expect(engine.profile(victim).privilege?.admins).toEqual({ [admin]: 1 });

    const takeover = engine.process(at(12, [callVictim(attacker, vault('initialize', [attacker]))]));
    expect(takeover.flagged.flatMap((result) => result.signals.map((signal) => signal.ruleId))).toContain(
      'initializer-reinvoked',
    );
    engine.process(at(13, [callVictim(admin, vault('setFee', [5n]))]));
    for (let n = 14; n < 20; n++) engine.process(at(n, []));
    // The attacker's initialize raised signals: never learned, so it never becomes an administrator.
    expect(engine.profile(victim).privilege?.admins[attacker]).toBeUndefined();
    expect(JSON.parse(JSON.stringify(engine.profile(victim))).privilege.callers).toHaveProperty(
      vault('initialize', [admin]).slice(0, 10),
    );
  });
});
