/**
 * The adversary on a real chain, without a monitor: each attack takes what it claims from its
 * unguarded victim, and the repeated ones take nothing more once the victim is paused. A broken
 * victim or attacker would make the benchmark's "saved" figures meaningless.
 */
import { loadArtifacts } from '@bulwark/contracts';
import { type Hex, type LocalAccount, parseGwei } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DemoChain, devKeys, startDemoChain } from '../../packages/cli/src/demo/demoChain.ts';
import { type AttackContext, type AttackName, attackNames, attackPlans } from './attacks.ts';
import { createSender, type Sender } from './chain.ts';
import { attackerFee, type FeeBid } from './fees.ts';
import { lowerSet, measureLoss } from './measurement.ts';
import { deployKit, deployShared, encode, type Kit, openDesk, type Shared } from './victims.ts';

let chain: DemoChain;
let sender: Sender;
let kit: Kit;
let shared: Shared;
let context: (name: AttackName) => Promise<AttackContext>;
let guardian: LocalAccount;
const fee: FeeBid = { type: 'eip1559', priorityFee: parseGwei('1') };

beforeAll(async () => {
  chain = await startDemoChain();
  sender = createSender(chain);
  await sender.refreshBaseFee();
  const artifacts = await loadArtifacts();
  const admin = await chain.account(devKeys.admin);
  guardian = await chain.account(devKeys.guardian);
  const cast = { admin, operator: await chain.account('ops-operator'), payer: await chain.account('ops-payer') };
  shared = await deployShared(chain, sender, artifacts, admin, fee);
  kit = await deployKit(chain, sender, artifacts, shared, cast, 'bulwark', guardian.address, fee);
  const desk = await openDesk(chain, sender, artifacts, shared, admin, fee);
  await chain.mine();
  context = async (name) => ({
    chain,
    sender,
    artifacts,
    shared,
    kit,
    admin,
    attacker: await chain.account(`attacker-${name}`),
    loot: (await chain.account(`loot-${name}`)).address,
    fee: attackerFee(parseGwei('1'), 20),
    desk,
    candidates: kit.founders.map((founder) => founder.address),
  });
}, 120_000);

afterAll(async () => {
  await chain?.stop();
});

async function play(name: AttackName, rounds: number, pauseAfter?: number) {
  const plan = attackPlans({ maxRounds: 6 })[name];
  const prepared = await plan.prepare(await context(name));
  await chain.mine();
  const atRisk = await prepared.atRisk();
  const scope = {
    holders: lowerSet(prepared.holders),
    attacker: lowerSet(prepared.attackerSet),
    tokens: lowerSet([shared.stable, shared.collateral]),
  };
  const before: Hex[] = [];
  const after: Hex[] = [];
  for (let round = 0; round < rounds; round++) {
    const sent = await prepared.step(round);
    (pauseAfter !== undefined && round > pauseAfter ? after : before).push(...sent.map((s) => s.hash));
    await chain.mine();
    if (round === pauseAfter) {
      const victim = kit.victims[plan.victim];
      await sender.send(guardian, { to: victim.address, data: encode(victim.abi, 'pause') }, fee, 100_000n);
      await chain.mine();
    }
  }
  return {
    atRisk,
    lostBefore: await measureLoss(chain.client as never, scope, before),
    lostAfter: await measureLoss(chain.client as never, scope, after),
  };
}

describe('attacks on unguarded victims', () => {
  test('default: every attack is known to the plans', () => {
    expect(Object.keys(attackPlans({ maxRounds: 1 })).sort()).toEqual([...attackNames].sort());
  });

  for (const name of [
    'flash-loan-oracle',
    'compromised-admin-upgrade',
    'initializer-takeover',
    'two-block-price-manipulation',
    'role-grant-sweep',
  ] as const) {
    test(`behavior: ${name} takes most of what is at risk`, async () => {
      const { atRisk, lostBefore } = await play(name, 2);
      expect(atRisk > 0n).toBe(true);
      // Net of what the attacker pays in (the lenders keep the collateral, bought at the fair price).
      expect(lostBefore * 10n >= atRisk * 9n).toBe(true);
    }, 60_000);
  }

  for (const name of ['reentrancy-drain', 'slow-drain', 'approval-drain'] as const) {
    test(`behavior: ${name} takes a little with its strike, and nothing once the victim is paused`, async () => {
      const { atRisk, lostBefore, lostAfter } = await play(name, 4, 0);
      expect(lostBefore > 0n).toBe(true);
      // The strike alone takes under a tenth of what is at risk: a responder can save the rest.
      expect(lostBefore * 10n < atRisk).toBe(true);
      expect(lostAfter).toBe(0n);
    }, 60_000);
  }
});
