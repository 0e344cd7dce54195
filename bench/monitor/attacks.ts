/**
 * The adversary: eight attacks, each on its own victim, each with a contract of its own deployed
 * a few blocks before, paying 10–30 times the typical tip (some with a legacy gas price). Round 0
 * is the strike; the runner decides how it reaches the chain (mined at once when the attack needs
 * more than one transaction: it spent no time pending; left pending for the single-transaction
 * attack, which a responder can only stop in the mempool).
 */
import type { Artifacts } from '@bulwark/contracts';
import { type Abi, type Address, type Hex, type LocalAccount, parseAbi, parseEther, zeroAddress } from 'viem';
import type { DemoChain } from '../../packages/cli/src/demo/demoChain.ts';
import type { Sender, Sent } from './chain.ts';
import type { FeeBid } from './fees.ts';
import { encode, holdingsOf, type Kit, type Shared, type Victim, type VictimKey } from './victims.ts';

export const attackNames = [
  'reentrancy-drain',
  'flash-loan-oracle',
  'compromised-admin-upgrade',
  'slow-drain',
  'initializer-takeover',
  'two-block-price-manipulation',
  'role-grant-sweep',
  'approval-drain',
] as const;
export type AttackName = (typeof attackNames)[number];

export type AttackContext = {
  chain: DemoChain;
  sender: Sender;
  artifacts: Artifacts;
  shared: Shared;
  kit: Kit;
  /** The protocol's admin key: stolen in the admin attacks. */
  admin: LocalAccount;
  /** The attacker's account for this attack and side (fresh, funded). */
  attacker: LocalAccount;
  /** Where loot the attacker sends out goes (never sends a transaction). */
  loot: Address;
  fee: FeeBid;
  /** An OTC desk the attacker buys tokens from before the attack (a plain transfer, no mint). */
  desk: LocalAccount;
  /** Accounts that might have approved the router (the attacker reads Approval events for them). */
  candidates: readonly Address[];
};

export type PreparedAttack = {
  /** Addresses whose value is at risk: the victim, or the users whose approvals it holds. */
  holders: Address[];
  /** Addresses the attacker controls (loot lands there). */
  attackerSet: Address[];
  atRisk(): Promise<bigint>;
  /** Sends round `round`'s transactions (0 is the strike); an empty list when the attacker is done. */
  step(round: number): Promise<Sent[]>;
  maxRounds: number;
};

export type AttackPlan = {
  name: AttackName;
  victim: VictimKey;
  singleTransaction: boolean;
  description: string;
  /** Deploys and funds the attacker's contracts (the caller mines them in ordinary blocks). */
  prepare(context: AttackContext): Promise<PreparedAttack>;
};

const erc20 = parseAbi([
  'function balanceOf(address) view returns (uint256)',
  'function allowance(address, address) view returns (uint256)',
]);
const attackGas = 3_000_000n;

/** Deploys one of the attacker's contracts; `call` sends the attacker's transactions to it at the attack's tip. */
async function deployAttacker(context: AttackContext, name: string, args: readonly unknown[]) {
  const artifact = context.artifacts.contracts[name]!;
  const deployed = await context.sender.deploy(context.attacker, artifact, args, context.fee);
  const abi = artifact.abi as Abi;
  return {
    address: deployed.address,
    abi,
    call: (
      functionName: string,
      args: readonly unknown[] = [],
      options: { value?: bigint; type?: FeeBid['type']; gas?: bigint } = {},
    ) =>
      context.sender.send(
        context.attacker,
        { to: deployed.address, data: encode(abi, functionName, args), value: options.value },
        { ...context.fee, type: options.type ?? context.fee.type },
        options.gas ?? attackGas,
      ),
  };
}

/** What is at risk when the victim's own holdings are. */
function victimAtRisk(context: AttackContext, victim: Victim, attacker: readonly Address[]) {
  return {
    holders: [victim.address],
    attackerSet: [context.attacker.address, ...attacker],
    atRisk: () => holdingsOf(context.chain, victim.address, victim.assets),
  };
}

/** Rounds of `perRound` calls until `maxRounds`; round 0 (the strike) is a single call. */
function repeated(perRound: number, call: (round: number, index: number) => Promise<Sent | undefined>) {
  return async (round: number) => {
    const sent: Sent[] = [];
    for (let i = 0; i < (round === 0 ? 1 : perRound); i++) {
      const one = await call(round, i);
      if (one) sent.push(one);
    }
    return sent;
  };
}

export function attackPlans(options: { maxRounds: number }): Record<AttackName, AttackPlan> {
  const { maxRounds } = options;
  return {
    'reentrancy-drain': {
      name: 'reentrancy-drain',
      victim: 'savings',
      singleTransaction: false,
      description:
        'A fresh contract re-enters EtherSavingsPool.redeem, 70 ETH a transaction, one a block (legacy gas price).',
      async prepare(context) {
        const victim = context.kit.victims.savings;
        const contract = await deployAttacker(context, 'SavingsReentrancer', [victim.address]);
        return {
          ...victimAtRisk(context, victim, [contract.address]),
          maxRounds,
          step: repeated(1, () => contract.call('strike', [7n], { value: parseEther('10'), type: 'legacy' })),
        };
      },
    },

    'flash-loan-oracle': {
      name: 'flash-loan-oracle',
      victim: 'flashLender',
      singleTransaction: true,
      description:
        'One transaction: flash-borrow 900k bUSD, pump the pair, borrow SpotPriceLenderA dry against up to 10,000 bCOL, unwind.',
      async prepare(context) {
        const { shared, kit } = context;
        const victim = kit.victims.flashLender;
        const contract = await deployAttacker(context, 'SpotFlashBorrower', [
          shared.flashPool,
          kit.pairA,
          victim.address,
          shared.collateral,
          shared.stable,
        ]);
        await buyFromDesk(context, shared.collateral, contract.address, '10000');
        return {
          ...victimAtRisk(context, victim, [contract.address]),
          maxRounds: 1,
          step: async (round) =>
            round > 0 ? [] : [await contract.call('strike', [parseEther('900000'), parseEther('10000')])],
        };
      },
    },

    'compromised-admin-upgrade': {
      name: 'compromised-admin-upgrade',
      victim: 'proxyVault',
      singleTransaction: false,
      description:
        'The stolen admin key upgrades MultiAssetVault to a sweeper deployed just before; the next block sweeps ETH, bUSD and bCOL.',
      async prepare(context) {
        const { shared, kit, admin } = context;
        const victim = kit.victims.proxyVault;
        const sweeper = await deployAttacker(context, 'VaultSweepLogic', []);
        const assets: Address[] = [zeroAddress, shared.stable, shared.collateral];
        return {
          ...victimAtRisk(context, victim, [sweeper.address, context.loot]),
          maxRounds: 2,
          step: async (round) => {
            if (round === 0) {
              return [
                await context.sender.send(
                  admin,
                  { to: victim.address, data: encode(victim.abi, 'upgradeTo', [sweeper.address]) },
                  context.fee,
                  attackGas,
                ),
              ];
            }
            const sent: Sent[] = [];
            // Through the proxy's fallback, so with the proxy's funds.
            for (const asset of assets) {
              sent.push(
                await context.sender.send(
                  context.attacker,
                  { to: victim.address, data: encode(sweeper.abi, 'sweepAsset', [asset, context.loot]) },
                  { ...context.fee, type: asset === zeroAddress ? 'legacy' : 'eip1559' },
                  attackGas,
                ),
              );
            }
            return sent;
          },
        };
      },
    },

    'slow-drain': {
      name: 'slow-drain',
      victim: 'splitter',
      singleTransaction: false,
      description:
        'A fresh payee contract calls RevenueSplitter.claimDust 8 times a block, each 0.25% of the pool, under any per-transaction threshold.',
      async prepare(context) {
        const victim = context.kit.victims.splitter;
        const contract = await deployAttacker(context, 'DustClaimer', [victim.address]);
        await contract.call('enroll', [], { value: parseEther('0.1') });
        return {
          ...victimAtRisk(context, victim, [contract.address]),
          maxRounds,
          step: repeated(8, () => contract.call('claim', [], { gas: 300_000n })),
        };
      },
    },

    'initializer-takeover': {
      name: 'initializer-takeover',
      victim: 'operatorVault',
      singleTransaction: false,
      description:
        'A fresh contract re-runs OperatorEthVault.initialize to become its operator, then relocates all its ether the next block.',
      async prepare(context) {
        const victim = context.kit.victims.operatorVault;
        const contract = await deployAttacker(context, 'OperatorHijacker', [victim.address]);
        return {
          ...victimAtRisk(context, victim, [contract.address]),
          maxRounds: 2,
          step: async (round) => [
            await (round === 0 ? contract.call('takeOver') : contract.call('drain', [parseEther('1000000')])),
          ],
        };
      },
    },

    'two-block-price-manipulation': {
      name: 'two-block-price-manipulation',
      victim: 'spotLender',
      singleTransaction: false,
      description:
        "No flash loan: 400k bUSD of the attacker's own buys bCOL in one block; the next block borrows SpotPriceLenderB dry against 15,000 bCOL.",
      async prepare(context) {
        const { shared, kit } = context;
        const victim = kit.victims.spotLender;
        const contract = await deployAttacker(context, 'SpotPumpBorrower', [
          kit.pairB,
          victim.address,
          shared.collateral,
          shared.stable,
        ]);
        await buyFromDesk(context, shared.stable, contract.address, '400000');
        await buyFromDesk(context, shared.collateral, contract.address, '15000');
        return {
          ...victimAtRisk(context, victim, [contract.address]),
          maxRounds: 2,
          step: async (round) => [
            await (round === 0
              ? contract.call('pump', [parseEther('400000')])
              : contract.call('harvest', [parseEther('15000'), parseEther('100000000')])),
          ],
        };
      },
    },

    'role-grant-sweep': {
      name: 'role-grant-sweep',
      victim: 'treasury',
      singleTransaction: false,
      description:
        "The stolen role-admin key grants PAYER_ROLE to a contract deployed just before; the next block it pays itself the treasury's ETH and bUSD.",
      async prepare(context) {
        const { shared, kit, admin } = context;
        const victim = kit.victims.treasury;
        const contract = await deployAttacker(context, 'TreasuryPayer', [victim.address]);
        const role = (await context.chain.client.readContract({
          address: victim.address,
          abi: victim.abi,
          functionName: 'PAYER_ROLE',
        })) as Hex;
        return {
          ...victimAtRisk(context, victim, [contract.address]),
          maxRounds: 2,
          step: async (round) => {
            if (round === 0) {
              return [
                await context.sender.send(
                  admin,
                  { to: victim.address, data: encode(victim.abi, 'grantRole', [role, contract.address]) },
                  { ...context.fee, type: 'legacy' },
                  attackGas,
                ),
              ];
            }
            const sent: Sent[] = [];
            for (const asset of [zeroAddress, shared.stable]) sent.push(await contract.call('empty', [asset]));
            return sent;
          },
        };
      },
    },

    'approval-drain': {
      name: 'approval-drain',
      victim: 'router',
      singleTransaction: false,
      description:
        "A fresh contract moves approvers' tokens through ApprovalRouter.multicallPull, one approver and token a transaction, four a block (legacy gas price).",
      async prepare(context) {
        const { shared, kit, chain } = context;
        const victim = kit.victims.router;
        const contract = await deployAttacker(context, 'ApprovalHarvester', [victim.address]);
        // The attacker lists approvers from Approval events; here, the accounts that might have approved.
        const pulls: { token: Address; from: Address }[] = [];
        for (const account of context.candidates) {
          for (const token of [shared.stable, shared.collateral]) {
            const allowance = await chain.client.readContract({
              address: token,
              abi: erc20,
              functionName: 'allowance',
              args: [account, victim.address],
            });
            if (allowance > 0n) pulls.push({ token, from: account });
          }
        }
        const approvers = [...new Set(pulls.map((pull) => pull.from))];
        let next = 0;
        return {
          holders: approvers,
          attackerSet: [context.attacker.address, contract.address],
          atRisk: async () => {
            let total = 0n;
            for (const pull of pulls) {
              const balance = await chain.client.readContract({
                address: pull.token,
                abi: erc20,
                functionName: 'balanceOf',
                args: [pull.from],
              });
              const allowance = await chain.client.readContract({
                address: pull.token,
                abi: erc20,
                functionName: 'allowance',
                args: [pull.from, victim.address],
              });
              total += balance < allowance ? balance : allowance;
            }
            return total;
          },
          maxRounds,
          step: repeated(4, async () => {
            const pull = pulls[next++];
            if (!pull) return undefined;
            // Read at send time: the approver's balance now, all of it.
            const balance = await chain.client.readContract({
              address: pull.token,
              abi: erc20,
              functionName: 'balanceOf',
              args: [pull.from],
            });
            return contract.call('harvest', [pull.token, [pull.from], [balance]], { type: 'legacy' });
          }),
        };
      },
    },
  };
}

/** The attacker's tokens, bought from the desk before the attack. */
async function buyFromDesk(context: AttackContext, token: Address, to: Address, amount: string): Promise<void> {
  const abi = context.artifacts.contracts.DemoToken!.abi as Abi;
  await context.sender.send(
    context.desk,
    { to: token, data: encode(abi, 'transfer', [to, parseEther(amount)]) },
    { type: 'eip1559', priorityFee: 10n ** 9n },
  );
}
