/**
 * Benign traffic on the Bulwark kit, from many accounts, all the time: deposits and withdrawals
 * of varied sizes, loans, swaps direct and through the router, transfers, the odd failed call,
 * bursts of four times the usual block, a keeper, an arbitrage bot that pulls the pairs back to
 * their fair price, a treasury paying bills, an operator moving funds to its strategy and back,
 * whales who take 30% of a vault out in one transaction (their own funds), and the admin's routine work
 * (parameter changes, a pause and unpause for maintenance, a new payer). Fees are sampled per
 * transaction (heavy-tailed). Seeded: the same run every time.
 */

import type { Artifacts } from '@bulwark/contracts';
import type { Random } from '@bulwark/core';
import { type Abi, type Address, type Hex, type LocalAccount, maxUint256, parseAbi, parseEther, toHex } from 'viem';
import type { DemoChain } from '../../packages/cli/src/demo/demoChain.ts';
import type { Sender } from './chain.ts';
import { type FeeBid, sampleBenignFee } from './fees.ts';
import { type Cast, encode, type Kit, type Shared, unpauseDelaySeconds, type Victim } from './victims.ts';

type User = {
  account: LocalAccount;
  saved: bigint;
  vault: Record<string, bigint>;
  staked: bigint;
  funded: Map<Address, bigint>;
  debt: Map<Address, boolean>;
  usesRouter: boolean;
  payee: boolean;
};

export type AdminWork =
  | 'set-ltv'
  | 'set-fee'
  | 'maintenance-pause'
  | 'grant-payer'
  | 'whale-exit-savings'
  | 'whale-exit-vault';

export type TrafficOptions = {
  chain: DemoChain;
  sender: Sender;
  artifacts: Artifacts;
  shared: Shared;
  kit: Kit;
  cast: Cast;
  random: Random;
  users: number;
  /** Usual transactions per block (a burst block carries four times as many). */
  txsPerBlock: number;
};

const wei = (ether: number) => parseEther(ether.toFixed(6));
const pairAbi = parseAbi([
  'function getReserves() view returns (uint256, uint256)',
  'function token0() view returns (address)',
  'function swap(address tokenIn, uint256 amountIn, uint256 minAmountOut, address to) returns (uint256)',
]);

export function createBenignTraffic(options: TrafficOptions) {
  const { chain, sender, artifacts, shared, kit, cast, random } = options;
  const v = kit.victims;
  const token = artifacts.contracts.DemoToken!.abi;
  const users: User[] = [];
  /** Priority fees of every benign transaction, for the fee row. */
  const fees: bigint[] = [];
  /** Admin calls waiting for a later block (an unpause after its delay). */
  const scheduled: { atBlock: number; run: () => Promise<number> }[] = [];
  const prices = new Map<Address, number>();
  const notes: string[] = [];
  let block = 0;
  let payerRole: Hex = '0x';
  let keeper: LocalAccount;
  let arbBot: LocalAccount;
  let strategy: LocalAccount;
  let whale: LocalAccount;
  let whaleVault: LocalAccount;
  let payer2: LocalAccount;
  let relocated = 0n;

  const fee = (): FeeBid => {
    const bid = sampleBenignFee(random);
    fees.push(bid.priorityFee);
    return bid;
  };
  const send = async (
    from: LocalAccount,
    to: Address,
    abi: Abi,
    fn: string,
    args: readonly unknown[] = [],
    value?: bigint,
    gas?: bigint,
  ) => {
    await sender.send(from, { to, data: encode(abi, fn, args), value }, fee(), gas ?? 250_000n);
    return 1;
  };

  async function setUp(): Promise<void> {
    keeper = await chain.account('keeper');
    arbBot = await chain.account('arbitrage-bot');
    strategy = await chain.account('operator-strategy');
    whale = await chain.account('whale');
    whaleVault = await chain.account('whale-2');
    payer2 = await chain.account('ops-payer-2');
    payerRole = (await chain.client.readContract({
      address: v.treasury.address,
      abi: v.treasury.abi,
      functionName: 'PAYER_ROLE',
    })) as Hex;
    const spenders = [v.proxyVault.address, v.flashLender.address, v.spotLender.address, kit.pairA, kit.pairB];
    for (let i = 0; i < options.users; i++) {
      const account = await chain.account(`user-${i}`);
      const user: User = {
        account,
        saved: 0n,
        vault: {},
        staked: 0n,
        funded: new Map(),
        debt: new Map(),
        usesRouter: random.next() < 0.6,
        payee: i % 5 === 0,
      };
      users.push(user);
      await sender.send(
        cast.admin,
        { to: shared.stable, data: encode(token, 'mint', [account.address, parseEther('50000')]) },
        fee(),
      );
      await sender.send(
        cast.admin,
        { to: shared.collateral, data: encode(token, 'mint', [account.address, parseEther('50000')]) },
        fee(),
      );
      for (const asset of [shared.stable, shared.collateral]) {
        for (const spender of user.usesRouter ? [...spenders, v.router.address] : spenders) {
          await send(account, asset, token, 'approve', [spender, maxUint256]);
        }
      }
      if (user.payee) await send(account, v.splitter.address, v.splitter.abi, 'join', [], parseEther('0.1'));
      // A block per account: blocks stay the size of real ones (anvil traces a huge block slowly).
      await chain.mine();
    }
    for (const bot of [arbBot]) {
      await sender.send(
        cast.admin,
        { to: shared.stable, data: encode(token, 'mint', [bot.address, parseEther('2000000')]) },
        fee(),
      );
      await sender.send(
        cast.admin,
        { to: shared.collateral, data: encode(token, 'mint', [bot.address, parseEther('2000000')]) },
        fee(),
      );
    }
    await chain.mine();
    for (const pair of [kit.pairA, kit.pairB]) {
      await send(arbBot, shared.stable, token, 'approve', [pair, maxUint256]);
      await send(arbBot, shared.collateral, token, 'approve', [pair, maxUint256]);
    }
    // The whales: enough in the savings pool and the vault to leave with 30% of either, however they grew.
    await chain.rpc({ method: 'anvil_setBalance', params: [whale.address, toHex(10n ** 23n)] });
    await chain.rpc({ method: 'anvil_setBalance', params: [whaleVault.address, toHex(10n ** 23n)] });
    await send(whale, v.savings.address, v.savings.abi, 'save', [], parseEther('3000'));
    await send(whaleVault, v.proxyVault.address, v.proxyVault.abi, 'depositEther', [], parseEther('2500'));
    await chain.mine();
    await readPrices();
  }

  async function readPrices(): Promise<void> {
    for (const pair of [kit.pairA, kit.pairB]) {
      const [r0, r1] = await chain.client.readContract({ address: pair, abi: pairAbi, functionName: 'getReserves' });
      const first = await chain.client.readContract({ address: pair, abi: pairAbi, functionName: 'token0' });
      const [coll, stable] = first.toLowerCase() === shared.collateral.toLowerCase() ? [r0, r1] : [r1, r0];
      prices.set(pair, Number((stable * 1_000_000n) / (coll === 0n ? 1n : coll)) / 1_000_000);
    }
  }

  /** The arbitrage bot: pulls a pair back to 1:1 when it drifted by more than 1%. */
  async function arbitrage(): Promise<number> {
    let sent = 0;
    for (const pair of [kit.pairA, kit.pairB]) {
      const price = prices.get(pair) ?? 1;
      if (Math.abs(price - 1) < 0.01) continue;
      const [r0, r1] = await chain.client.readContract({ address: pair, abi: pairAbi, functionName: 'getReserves' });
      const first = await chain.client.readContract({ address: pair, abi: pairAbi, functionName: 'token0' });
      const [coll, stable] = first.toLowerCase() === shared.collateral.toLowerCase() ? [r0, r1] : [r1, r0];
      const balanced = sqrt(coll * stable);
      // Sell the side that is short of the balance point (0.3% pool fee: a little more).
      const [tokenIn, amount] =
        stable < balanced ? [shared.stable, balanced - stable] : [shared.collateral, balanced - coll];
      if (amount <= 0n) continue;
      await sender.send(
        arbBot,
        { to: pair, data: encode(pairAbi as Abi, 'swap', [tokenIn, (amount * 1003n) / 1000n, 0n, arbBot.address]) },
        { type: 'eip1559', priorityFee: fee().priorityFee * 3n },
        250_000n,
      );
      sent++;
    }
    return sent;
  }

  /** One benign transaction for a user; the user's book is updated as if it succeeded. */
  async function userAction(user: User): Promise<number> {
    const roll = random.next();
    const a = user.account;
    const lender = random.next() < 0.5 ? v.flashLender : v.spotLender;
    const pairOf = (victim: Victim) => (victim === v.flashLender ? kit.pairA : kit.pairB);
    if (roll < 0.1) {
      const amount = wei(random.between(0.5, 20));
      user.saved += amount;
      return send(a, v.savings.address, v.savings.abi, 'save', [], amount);
    }
    if (roll < 0.16 && user.saved > 0n) {
      const amount = (user.saved * BigInt(Math.round(random.between(20, 100)))) / 100n;
      user.saved -= amount;
      return send(a, v.savings.address, v.savings.abi, 'redeem', [amount]);
    }
    if (roll < 0.21) {
      const amount = wei(random.between(0.2, 10));
      user.vault.native = (user.vault.native ?? 0n) + amount;
      return send(a, v.proxyVault.address, v.proxyVault.abi, 'depositEther', [], amount);
    }
    if (roll < 0.26) {
      const asset = random.pick([shared.stable, shared.collateral]);
      const amount = wei(random.between(100, 3000));
      user.vault[asset] = (user.vault[asset] ?? 0n) + amount;
      return send(a, v.proxyVault.address, v.proxyVault.abi, 'deposit', [asset, amount]);
    }
    if (roll < 0.31) {
      const held = Object.entries(user.vault).filter(([, amount]) => amount > 0n);
      if (held.length > 0) {
        const [asset, balance] = random.pick(held);
        const amount = (balance * BigInt(Math.round(random.between(30, 100)))) / 100n;
        user.vault[asset] = balance - amount;
        const native = asset === 'native';
        return send(a, v.proxyVault.address, v.proxyVault.abi, 'withdraw', [
          native ? '0x0000000000000000000000000000000000000000' : asset,
          amount,
        ]);
      }
    }
    if (roll < 0.36) {
      const amount = wei(random.between(0.5, 15));
      user.staked += amount;
      return send(a, v.operatorVault.address, v.operatorVault.abi, 'stake', [], amount);
    }
    if (roll < 0.4 && user.staked > 0n) {
      const amount = (user.staked * BigInt(Math.round(random.between(20, 100)))) / 100n;
      user.staked -= amount;
      return send(a, v.operatorVault.address, v.operatorVault.abi, 'unstake', [amount]);
    }
    if (roll < 0.43) {
      const amount = wei(random.between(500, 3000));
      user.funded.set(lender.address, (user.funded.get(lender.address) ?? 0n) + amount);
      return send(a, lender.address, lender.abi, 'fund', [amount]);
    }
    if (roll < 0.45 && (user.funded.get(lender.address) ?? 0n) > 0n) {
      const amount = (user.funded.get(lender.address) ?? 0n) / 2n;
      user.funded.set(lender.address, (user.funded.get(lender.address) ?? 0n) - amount);
      return send(a, lender.address, lender.abi, 'defund', [amount]);
    }
    if (roll < 0.5 && !user.debt.get(lender.address)) {
      const collateral = random.between(200, 2000);
      const amount = wei(collateral * (prices.get(pairOf(lender)) ?? 1) * random.between(0.1, 0.45));
      user.debt.set(lender.address, true);
      return send(a, lender.address, lender.abi, 'borrowAgainst', [wei(collateral), amount]);
    }
    if (roll < 0.54 && user.debt.get(lender.address)) {
      user.debt.set(lender.address, false);
      return send(a, lender.address, lender.abi, 'repay', [maxUint256]);
    }
    if (roll < 0.66) {
      const pair = random.pick([kit.pairA, kit.pairB]);
      const tokenIn = random.pick([shared.stable, shared.collateral]);
      return send(a, pair, pairAbi as Abi, 'swap', [tokenIn, wei(random.between(10, 800)), 0n, a.address]);
    }
    if (roll < 0.74 && user.usesRouter) {
      const tokenIn = random.pick([shared.stable, shared.collateral]);
      return send(a, v.router.address, v.router.abi, 'swapVia', [kit.pairA, tokenIn, wei(random.between(10, 500)), 0n]);
    }
    if (roll < 0.745 && user.payee) {
      return send(a, v.splitter.address, v.splitter.abi, 'claimDust');
    }
    if (roll < 0.98) {
      const to = random.pick(users).account.address;
      return send(a, random.pick([shared.stable, shared.collateral]), token, 'transfer', [
        to,
        wei(random.between(1, 200)),
      ]);
    }
    // A mistake: more than the user saved (reverts, as such calls do now and then).
    return send(a, v.savings.address, v.savings.abi, 'redeem', [user.saved + parseEther('1')]);
  }

  /** Routine work of the protocol's staff, on a schedule set by the runner. */
  async function adminWork(work: AdminWork): Promise<number> {
    const { admin } = cast;
    switch (work) {
      case 'set-ltv':
        notes.push('admin lowered SpotPriceLenderA LTV to 55%');
        return send(admin, v.flashLender.address, v.flashLender.abi, 'setLtv', [5_500n]);
      case 'set-fee':
        notes.push('admin raised SpotPriceLenderB fee to 0.15%');
        return send(admin, v.spotLender.address, v.spotLender.abi, 'setFee', [15n]);
      case 'maintenance-pause':
        notes.push('admin paused MultiAssetVault for maintenance and unpaused it after the delay');
        await send(admin, v.proxyVault.address, v.proxyVault.abi, 'pause');
        scheduleUnpause(v.proxyVault, 1);
        return 1;
      case 'grant-payer':
        notes.push('admin granted PAYER_ROLE to a second ops account');
        return send(admin, v.treasury.address, v.treasury.abi, 'grantRole', [payerRole, payer2.address]);
      case 'whale-exit-savings':
        return whaleExit(whale, v.savings, 'redeem', []);
      case 'whale-exit-vault':
        return whaleExit(whaleVault, v.proxyVault, 'withdraw', ['0x0000000000000000000000000000000000000000']);
    }
  }

  /** A whale leaves with 30% of the ether the vault holds now (its own deposit is larger). */
  async function whaleExit(account: LocalAccount, victim: Victim, fn: string, leading: readonly unknown[]) {
    const tvl = await chain.balance(victim.address);
    const amount = (tvl * 30n) / 100n;
    notes.push(`a whale took ${fmtEther(amount)} of ${fmtEther(tvl)} ETH out of ${victim.name} (30%)`);
    return send(account, victim.address, victim.abi, fn, [...leading, amount]);
  }

  /** The admin lifts a pause: asks now, unpauses once the delay has passed (5 blocks of 12 s). */
  function scheduleUnpause(victim: Victim, afterBlocks = 0): void {
    const ask = block + afterBlocks;
    scheduled.push({ atBlock: ask, run: () => send(cast.admin, victim.address, victim.abi, 'requestUnpause') });
    scheduled.push({
      atBlock: ask + Number(unpauseDelaySeconds / 12n) + 1,
      run: () => send(cast.admin, victim.address, victim.abi, 'unpause'),
    });
  }

  return {
    setUp,
    fees,
    notes,
    users: () => users.map((user) => user.account),
    scheduleUnpause,
    adminWork,
    /** Sends one block's benign transactions (not mined). Returns how many. */
    async sendBlock(work: readonly AdminWork[] = []): Promise<number> {
      block++;
      const burst = random.next() < 0.04;
      const count = burst
        ? options.txsPerBlock * 4
        : Math.max(1, Math.round(options.txsPerBlock * random.between(0.6, 1.4)));
      // Users submit at once, as they do between two blocks (each account's nonces stay in order).
      const submitted: Promise<number>[] = [];
      for (let i = 0; i < count; i++) submitted.push(userAction(random.pick(users)));
      let sent = (await Promise.all(submitted)).reduce((sum, one) => sum + one, 0);
      sent += await arbitrage();
      if (block % 20 === 0)
        sent += await send(
          keeper,
          v.splitter.address,
          v.splitter.abi,
          'distribute',
          [parseEther('0.5')],
          undefined,
          1_000_000n,
        );
      if (block % 6 === 0) {
        const to = random.pick(users).account.address;
        const asset = random.next() < 0.5 ? '0x0000000000000000000000000000000000000000' : shared.stable;
        // Bills the revenue keeps up with: the treasury is not emptied by routine payments.
        const amount = asset === shared.stable ? wei(random.between(50, 600)) : wei(random.between(0.5, 5));
        sent += await send(cast.payer, v.treasury.address, v.treasury.abi, 'pay', [
          asset,
          to,
          amount,
          `0x${'0'.repeat(63)}1`,
        ]);
      }
      if (block % 10 === 0) {
        await sender.send(
          cast.admin,
          { to: v.treasury.address, data: '0x', value: wei(random.between(5, 20)) },
          fee(),
          100_000n,
        );
        await sender.send(
          cast.admin,
          { to: v.splitter.address, data: '0x', value: wei(random.between(2, 8)) },
          fee(),
          100_000n,
        );
        sent += 2;
      }
      if (block % 60 === 0) {
        const held = await chain.balance(v.operatorVault.address);
        relocated = (held * BigInt(Math.round(random.between(2, 5)))) / 100n;
        sent += await send(cast.operator, v.operatorVault.address, v.operatorVault.abi, 'relocate', [
          strategy.address,
          relocated,
        ]);
      }
      if (block % 60 === 20 && relocated > 0n) {
        sent += await send(strategy, v.operatorVault.address, v.operatorVault.abi, 'replenish', [], relocated);
        relocated = 0n;
      }
      for (const w of work) sent += await adminWork(w);
      for (const job of scheduled.filter((item) => item.atBlock <= block)) {
        scheduled.splice(scheduled.indexOf(job), 1);
        sent += await job.run();
      }
      return sent;
    },
    /** After each mined block: prices for the bots, the base fee for the bids. */
    async afterBlock(): Promise<void> {
      await readPrices();
      await sender.refreshBaseFee();
    },
  };
}

function sqrt(value: bigint): bigint {
  if (value < 2n) return value;
  let x = value;
  let y = (x + 1n) / 2n;
  while (y < x) {
    x = y;
    y = (x + value / x) / 2n;
  }
  return x;
}

const fmtEther = (value: bigint) => (Number(value / 10n ** 15n) / 1000).toFixed(0);
