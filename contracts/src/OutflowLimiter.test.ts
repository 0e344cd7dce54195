import { type Abi, type Address, parseEther, zeroAddress } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DeployWalletClient, limitModes, nativeAsset } from './deploy.ts';
import { eventsOf, gasCost, revertOf, startTestChain, type TestChain } from './testing.ts';

let chain: TestChain;
let admin: DeployWalletClient;
let alice: DeployWalletClient;
let bob: DeployWalletClient;
let vaultAbi: Abi;
let tokenAbi: Abi;

const periodLength = 60n;
const windowPeriods = 5n;

type Setup = { vault: Address; token: Address };
let revertMode: () => Promise<Setup>;
let escrowMode: () => Promise<Setup>;

beforeAll(async () => {
  chain = await startTestChain();
  [admin, alice, bob] = chain.wallets as [DeployWalletClient, DeployWalletClient, DeployWalletClient];
  vaultAbi = chain.artifacts.contracts.DemoVault!.abi;
  tokenAbi = chain.artifacts.contracts.DemoToken!.abi;
  const setup = (mode: number) => async (): Promise<Setup> => {
    const vault = await chain.deploy(admin, 'DemoVault', [
      admin.account.address,
      zeroAddress,
      3_600n,
      mode,
      periodLength,
      windowPeriods,
    ]);
    const token = await chain.deploy(admin, 'DemoToken', ['Demo Dollar', 'dUSD']);
    // Alice and Bob hold 100 ether and 1,000 tokens in the vault.
    for (const wallet of [alice, bob]) {
      await chain.write(wallet, { address: vault, abi: vaultAbi, functionName: 'deposit', value: parseEther('50') });
      await chain.write(admin, {
        address: token,
        abi: tokenAbi,
        functionName: 'mint',
        args: [wallet.account.address, 500n],
      });
      await chain.write(wallet, { address: token, abi: tokenAbi, functionName: 'approve', args: [vault, 500n] });
      await chain.write(wallet, { address: vault, abi: vaultAbi, functionName: 'depositToken', args: [token, 500n] });
    }
    return { vault, token };
  };
  revertMode = chain.fixture(setup(limitModes.revert));
  escrowMode = chain.fixture(setup(limitModes.escrow));
});

afterAll(async () => {
  await chain?.stop();
});

const vaultCall = (vault: Address, functionName: string, args: readonly unknown[] = []) => ({
  address: vault,
  abi: vaultAbi,
  functionName,
  args,
});

/** Moves the chain to just after the start of a limiter period, so period arithmetic in a test is exact. */
async function alignToPeriod(): Promise<void> {
  const now = await chain.timestamp();
  await chain.increaseTime(periodLength - (now % periodLength));
}

async function setLimit(vault: Address, asset: Address, maxPerWindow: bigint, maxBpsOfTvl: number) {
  return chain.write(admin, vaultCall(vault, 'setOutflowLimit', [asset, maxPerWindow, maxBpsOfTvl]));
}

describe('OutflowLimiter, revert mode', () => {
  test('default: without a limit, outflows are not limited', async () => {
    const { vault } = await revertMode();
    expect(await chain.read(vaultCall(vault, 'outflowLimit', [nativeAsset]))).toBe(2n ** 256n - 1n);
    await chain.write(alice, vaultCall(vault, 'withdraw', [parseEther('50')]));
    expect(await chain.balance(vault)).toBe(parseEther('50'));
  });

  test('behavior: reverts beyond the window limit and allows again as periods leave the window', async () => {
    const { vault } = await revertMode();
    const set = await setLimit(vault, nativeAsset, parseEther('10'), 0);
    expect(eventsOf(set, vaultAbi, 'OutflowLimitSet')[0]!.args).toEqual({
      asset: nativeAsset,
      maxPerWindow: parseEther('10'),
      maxBpsOfTvl: 0n,
    });
    await alignToPeriod();
    const aliceBefore = await chain.balance(alice.account.address);
    const first = await chain.write(alice, vaultCall(vault, 'withdraw', [parseEther('6')]));
    expect(await chain.balance(alice.account.address)).toBe(aliceBefore + parseEther('6') - gasCost(first));

    await chain.increaseTime(periodLength);
    await chain.write(bob, vaultCall(vault, 'withdraw', [parseEther('4')]));
    expect(await chain.read(vaultCall(vault, 'outflowInWindow', [nativeAsset]))).toBe(parseEther('10'));
    expect(await chain.read(vaultCall(vault, 'availableOutflow', [nativeAsset]))).toBe(0n);
    expect(await revertOf(chain.write(alice, vaultCall(vault, 'withdraw', [1n])))).toEqual({
      errorName: 'OutflowLimitExceeded',
      args: [nativeAsset, 1n, 0n],
    });

    // Four periods on, the first withdrawal (6) has left the window; the second (4) has not.
    await chain.increaseTime(periodLength * (windowPeriods - 1n));
    expect(await chain.read(vaultCall(vault, 'outflowInWindow', [nativeAsset]))).toBe(parseEther('4'));
    expect(await revertOf(chain.write(alice, vaultCall(vault, 'withdraw', [parseEther('7')])))).toEqual({
      errorName: 'OutflowLimitExceeded',
      args: [nativeAsset, parseEther('7'), parseEther('6')],
    });
    await chain.write(alice, vaultCall(vault, 'withdraw', [parseEther('6')]));

    // A whole window later everything has left it.
    await chain.increaseTime(periodLength * windowPeriods);
    expect(await chain.read(vaultCall(vault, 'outflowInWindow', [nativeAsset]))).toBe(0n);
    await chain.write(bob, vaultCall(vault, 'withdraw', [parseEther('10')]));
    expect(await chain.balance(vault)).toBe(parseEther('100') - parseEther('26'));
  });

  test('behavior: a TVL-relative limit is a share of the TVL before the window', async () => {
    const { vault } = await revertMode();
    await setLimit(vault, nativeAsset, 0n, 1_000); // 10% per window
    expect(await chain.read(vaultCall(vault, 'outflowLimit', [nativeAsset]))).toBe(parseEther('10'));
    await chain.write(alice, vaultCall(vault, 'withdraw', [parseEther('10')]));
    // The limit does not shrink as the window is used: (90 + 10) * 10%.
    expect(await chain.read(vaultCall(vault, 'outflowLimit', [nativeAsset]))).toBe(parseEther('10'));
    expect((await revertOf(chain.write(bob, vaultCall(vault, 'withdraw', [1n])))).errorName).toBe(
      'OutflowLimitExceeded',
    );
    // With both caps, the lower applies.
    await setLimit(vault, nativeAsset, parseEther('5'), 1_000);
    expect(await chain.read(vaultCall(vault, 'outflowLimit', [nativeAsset]))).toBe(parseEther('5'));
  });

  test('behavior: ERC-20 tokens are limited per token', async () => {
    const { vault, token } = await revertMode();
    await setLimit(vault, token, 300n, 0);
    expect((await revertOf(chain.write(alice, vaultCall(vault, 'withdrawToken', [token, 301n])))).args).toEqual([
      token,
      301n,
      300n,
    ]);
    await chain.write(alice, vaultCall(vault, 'withdrawToken', [token, 300n]));
    expect(
      await chain.read({ address: token, abi: tokenAbi, functionName: 'balanceOf', args: [alice.account.address] }),
    ).toBe(300n);
    // Ether is not affected by the token's limit.
    await chain.write(alice, vaultCall(vault, 'withdraw', [parseEther('50')]));
  });

  test('error: only the admin configures limits, within 100%', async () => {
    const { vault } = await revertMode();
    expect(
      (await revertOf(chain.write(alice, vaultCall(vault, 'setOutflowLimit', [nativeAsset, 1n, 0])))).errorName,
    ).toBe('NotAdmin');
    expect(await revertOf(setLimit(vault, nativeAsset, 0n, 10_001))).toEqual({
      errorName: 'InvalidBps',
      args: [10_001n],
    });
  });

  test('error: the window is checked at construction', async () => {
    const args = (periods: bigint) => [admin.account.address, zeroAddress, 0n, 0, periodLength, periods];
    await expect(chain.deploy(admin, 'DemoVault', args(25n))).rejects.toThrow();
    await expect(chain.deploy(admin, 'DemoVault', args(0n))).rejects.toThrow();
  });
});

describe('OutflowLimiter, escrow mode', () => {
  test('behavior: pays up to the limit, escrows the excess and trips the breaker', async () => {
    const { vault } = await escrowMode();
    await setLimit(vault, nativeAsset, parseEther('10'), 0);
    const aliceBefore = await chain.balance(alice.account.address);
    const breach = await chain.write(alice, vaultCall(vault, 'withdraw', [parseEther('15')]));
    expect(await chain.balance(alice.account.address)).toBe(aliceBefore + parseEther('10') - gasCost(breach));
    expect(eventsOf(breach, vaultAbi, 'OutflowLimitBreached')[0]!.args).toEqual({
      asset: nativeAsset,
      amount: parseEther('15'),
      limit: parseEther('10'),
    });
    expect(eventsOf(breach, vaultAbi, 'OutflowEscrowed')[0]!.args).toEqual({
      claimId: 0n,
      asset: nativeAsset,
      recipient: alice.account.address,
      amount: parseEther('5'),
    });
    expect(await chain.read(vaultCall(vault, 'outflowBreakerTripped', [nativeAsset]))).toBe(true);
    expect(await chain.read(vaultCall(vault, 'totalEscrowed', [nativeAsset]))).toBe(parseEther('5'));
    expect(await chain.read(vaultCall(vault, 'availableOutflow', [nativeAsset]))).toBe(0n);
    // Alice's vault balance is debited in full: the rest is hers as a claim.
    expect(await chain.read(vaultCall(vault, 'balanceOf', [nativeAsset, alice.account.address]))).toBe(
      parseEther('35'),
    );

    // Tripped: the next withdrawal is escrowed whole, even after the window has passed.
    await chain.increaseTime(periodLength * windowPeriods);
    const bobBefore = await chain.balance(bob.account.address);
    const held = await chain.write(bob, vaultCall(vault, 'withdraw', [parseEther('1')]));
    expect(await chain.balance(bob.account.address)).toBe(bobBefore - gasCost(held));
    expect(eventsOf(held, vaultAbi, 'OutflowEscrowed')[0]!.args).toMatchObject({
      claimId: 1n,
      amount: parseEther('1'),
    });
    expect(await chain.balance(vault)).toBe(parseEther('90'));

    // Claims stay locked until the breaker is reset.
    expect(await revertOf(chain.write(alice, vaultCall(vault, 'claim', [0n])))).toEqual({
      errorName: 'ClaimLocked',
      args: [0n],
    });

    // The admin may release one at once.
    const release = await chain.write(admin, vaultCall(vault, 'releaseClaim', [1n]));
    expect(eventsOf(release, vaultAbi, 'ClaimReleased')[0]!.args).toEqual({
      claimId: 1n,
      recipient: bob.account.address,
      amount: parseEther('1'),
    });
    expect(await chain.balance(bob.account.address)).toBe(bobBefore - gasCost(held) + parseEther('1'));

    // After a reset, anyone can settle the older claims for their recipient.
    const reset = await chain.write(admin, vaultCall(vault, 'resetOutflowBreaker', [nativeAsset]));
    expect(eventsOf(reset, vaultAbi, 'OutflowBreakerReset')[0]!.args).toEqual({
      asset: nativeAsset,
      by: admin.account.address,
      epoch: 1n,
    });
    const aliceBeforeClaim = await chain.balance(alice.account.address);
    await chain.write(bob, vaultCall(vault, 'claim', [0n]));
    expect(await chain.balance(alice.account.address)).toBe(aliceBeforeClaim + parseEther('5'));
    expect(await chain.read(vaultCall(vault, 'totalEscrowed', [nativeAsset]))).toBe(0n);
    expect(await revertOf(chain.write(bob, vaultCall(vault, 'claim', [0n])))).toEqual({
      errorName: 'UnknownClaim',
      args: [0n],
    });
    // And withdrawals flow again.
    await chain.write(bob, vaultCall(vault, 'withdraw', [parseEther('2')]));
    expect(await chain.balance(vault)).toBe(parseEther('82'));
  });

  test('behavior: a cancelled claim leaves the assets in the contract', async () => {
    const { vault } = await escrowMode();
    await setLimit(vault, nativeAsset, parseEther('1'), 0);
    await chain.write(alice, vaultCall(vault, 'withdraw', [parseEther('3')]));
    const cancel = await chain.write(admin, vaultCall(vault, 'cancelClaim', [0n]));
    expect(eventsOf(cancel, vaultAbi, 'ClaimCancelled')[0]!.args).toEqual({ claimId: 0n, amount: parseEther('2') });
    expect(await chain.read(vaultCall(vault, 'totalEscrowed', [nativeAsset]))).toBe(0n);
    expect(await chain.balance(vault)).toBe(parseEther('99'));
    await chain.write(admin, vaultCall(vault, 'resetOutflowBreaker', [nativeAsset]));
    expect((await revertOf(chain.write(alice, vaultCall(vault, 'claim', [0n])))).errorName).toBe('UnknownClaim');
    expect((await revertOf(chain.write(alice, vaultCall(vault, 'releaseClaim', [0n])))).errorName).toBe('NotAdmin');
  });

  test('behavior: an outflow under the limit costs bounded gas', async () => {
    const { vault } = await escrowMode();
    await setLimit(vault, nativeAsset, parseEther('10'), 1_000);
    const receipt = await chain.write(alice, vaultCall(vault, 'withdraw', [parseEther('1')]));
    // Five buckets read twice (limit and window) and one written: well under 150k.
    expect(receipt.gasUsed).toBeLessThan(150_000n);
  });
});
