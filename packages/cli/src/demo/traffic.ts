import type { DemoProtocol } from '@bulwark/contracts';
import { createRandom } from '@bulwark/core';
import { type Address, encodeFunctionData, type Hex, type LocalAccount, maxUint256, parseEther } from 'viem';
import type { DemoChain } from './demoChain.ts';

type User = {
  account: LocalAccount;
  vaultEth: bigint;
  vaultUsd: bigint;
  supplied: bigint;
  collateral: bigint;
  debt: bigint;
};

const wei = (ether: number) => parseEther(ether.toFixed(6));

/**
 * Everyday use of the demo protocol by many accounts: deposits and withdrawals of ether and dUSD
 * of varied sizes, swaps, lending (supply, collateral, borrow, repay), transfers, a keeper's
 * periodic harvest, a faucet mint now and then, and the odd call that fails (a withdrawal larger
 * than the balance), as real users make.
 */
export async function createTraffic(
  chain: DemoChain,
  protocol: DemoProtocol,
  options: { users: number; seed: number },
) {
  const random = createRandom(options.seed);
  // Fees from a generator of their own, so the actions stay those of the seed.
  const feeRandom = createRandom(options.seed + 1);
  /**
   * A user's tip in gwei: heavy-tailed as on a busy chain (Pareto, scale 0.5, shape 1.5): median
   * about 0.8 gwei, one in a hundred above 10, capped at 50.
   */
  const tipGwei = () => Math.min(50, Number((0.5 / (1 - feeRandom.next()) ** (1 / 1.5)).toFixed(3)));
  const { abis, addresses } = protocol;
  const admin = await chain.account('admin-for-faucet');
  const keeper = await chain.account('keeper');
  const users: User[] = [];
  const call = (
    to: Address,
    abi: (typeof abis)[keyof typeof abis],
    functionName: string,
    args: readonly unknown[] = [],
    value?: bigint,
  ) => ({
    to,
    data: encodeFunctionData({ abi, functionName, args } as never) as Hex,
    value,
  });
  const vault = (fn: string, args: readonly unknown[] = [], value?: bigint) =>
    call(addresses.vault, abis.DemoVault, fn, args, value);
  const market = (fn: string, args: readonly unknown[] = []) =>
    call(addresses.lendingMarket, abis.DemoLendingMarket, fn, args);
  const token = (address: Address, fn: string, args: readonly unknown[]) => call(address, abis.DemoToken, fn, args);

  /** Funds the users with tokens and approvals (in a few blocks, before anything is learned). */
  async function setUp(owner: LocalAccount): Promise<void> {
    for (let i = 0; i < options.users; i++) {
      const account = await chain.account(`user-${i}`);
      users.push({ account, vaultEth: 0n, vaultUsd: 0n, supplied: 0n, collateral: 0n, debt: 0n });
      await chain.send(owner, token(addresses.debtToken, 'mint', [account.address, parseEther('50000')]));
      await chain.send(owner, token(addresses.collateralToken, 'mint', [account.address, parseEther('50000')]));
      for (const asset of [addresses.debtToken, addresses.collateralToken]) {
        for (const spender of [addresses.vault, addresses.amm, addresses.lendingMarket]) {
          await chain.send(account, token(asset, 'approve', [spender, maxUint256]));
        }
      }
      // A block per account: blocks stay the size of real ones (tracing a huge block is slow).
      await chain.mine();
    }
    // The faucet: a minter account the token's owner hands out dUSD through.
    await chain.send(owner, token(addresses.debtToken, 'mint', [admin.address, parseEther('1000000')]));
    await chain.mine();
  }

  /** One benign transaction for a user; the user's book is updated as if it succeeded. */
  function action(user: User): ReturnType<typeof call> {
    const roll = random.next();
    if (roll < 0.16) {
      const amount = wei(random.between(0.05, 3));
      user.vaultEth += amount;
      return vault('deposit', [], amount);
    }
    if (roll < 0.28 && user.vaultEth > 0n) {
      const amount = (user.vaultEth * BigInt(Math.round(random.between(20, 100)))) / 100n;
      user.vaultEth -= amount;
      return vault('withdraw', [amount]);
    }
    if (roll < 0.38) {
      const amount = wei(random.between(10, 500));
      user.vaultUsd += amount;
      return vault('depositToken', [addresses.debtToken, amount]);
    }
    if (roll < 0.46 && user.vaultUsd > 0n) {
      const amount = (user.vaultUsd * BigInt(Math.round(random.between(20, 100)))) / 100n;
      user.vaultUsd -= amount;
      return vault('withdrawToken', [addresses.debtToken, amount]);
    }
    if (roll < 0.62) {
      const tokenIn = random.pick([addresses.debtToken, addresses.collateralToken]);
      return call(addresses.amm, abis.DemoAmm, 'swap', [
        tokenIn,
        wei(random.between(5, 300)),
        0n,
        user.account.address,
      ]);
    }
    if (roll < 0.7) {
      const amount = wei(random.between(100, 2000));
      user.supplied += amount;
      return market('supply', [amount]);
    }
    if (roll < 0.74 && user.supplied > 0n) {
      const amount = user.supplied / 2n;
      user.supplied -= amount;
      return market('withdrawSupply', [amount]);
    }
    if (roll < 0.8) {
      const amount = wei(random.between(100, 1000));
      user.collateral += amount;
      return market('depositCollateral', [amount]);
    }
    if (roll < 0.86 && user.collateral > 0n) {
      const room = (user.collateral * 40n) / 100n - user.debt;
      if (room > parseEther('1')) {
        const amount = (room * BigInt(Math.round(random.between(10, 90)))) / 100n;
        user.debt += amount;
        return market('borrow', [amount]);
      }
    }
    if (roll < 0.9 && user.debt > 0n) {
      const amount = user.debt / 2n;
      user.debt -= amount;
      return market('repay', [amount]);
    }
    if (roll < 0.98) {
      const to = random.pick(users).account.address;
      return token(addresses.debtToken, 'transfer', [to, wei(random.between(1, 100))]);
    }
    // A mistake: more than the user has (reverts, as such calls do now and then).
    return vault('withdraw', [user.vaultEth + parseEther('1')]);
  }

  let block = 0;
  return {
    setUp,
    users: () => users.map((user) => user.account),
    /** Sends one block's worth of benign transactions (not mined). Returns how many. */
    async sendBlock(txsPerBlock: number): Promise<number> {
      block++;
      const chosen = new Set<User>();
      while (chosen.size < Math.min(txsPerBlock, users.length)) chosen.add(random.pick(users));
      for (const user of chosen) await chain.send(user.account, action(user), { priorityFeeGwei: tipGwei() });
      let sent = chosen.size;
      if (block % 50 === 0) {
        await chain.send(keeper, vault('harvest'));
        sent++;
      }
      if (block % 30 === 15) {
        const to = random.pick(users).account.address;
        await chain.send(admin, token(addresses.debtToken, 'transfer', [to, wei(random.between(500, 5000))]));
        sent++;
      }
      return sent;
    },
  };
}
