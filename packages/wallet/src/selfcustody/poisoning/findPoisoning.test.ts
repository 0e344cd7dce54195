import { createRpcPool } from '@bulwark/chain';
import { type Artifacts, type DeployWalletClient, deployContract } from '@bulwark/contracts';
import { startTestChain, type TestChain } from '@bulwark/contracts/testing';
import { type Abi, type Address, encodeFunctionData, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testTokenArtifacts } from '../testing.ts';
import { checkDestination, isLookalike } from './checkDestination.ts';
import { checkDestinationHistory } from './checkDestinationHistory.ts';
import { findPoisoning } from './findPoisoning.ts';

// A real counterparty and addresses that show the same at both ends (0x1234…5678).
const friend: Address = '0x1234AaAaaAAaAaaaAaaAaAaaAAAAaaAAaaaa5678'.toLowerCase() as Address;
const dustLookalike: Address = '0x1234bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb5678';
const zeroLookalike: Address = '0x1234cccccccccccccccccccccccccccccccc5678';
const fakeTokenLookalike: Address = '0x1234dddddddddddddddddddddddddddddddd5678';
const stranger: Address = '0x9999eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee0000';

describe('isLookalike and checkDestination', () => {
  test('default: same four characters at both ends, another address', () => {
    expect(isLookalike(friend, dustLookalike)).toBe(true);
    expect(isLookalike(friend, friend)).toBe(false);
    expect(isLookalike(friend, stranger)).toBe(false);
    expect(isLookalike(friend, dustLookalike, { prefix: 6 })).toBe(false);
  });

  test('behavior: a destination that imitates a counterparty is reported, the counterparty itself is not', () => {
    expect(checkDestination(friend, [friend])).toBeUndefined();
    expect(checkDestination(stranger, [friend])).toBeUndefined();
    const check = checkDestination(zeroLookalike, [friend]);
    expect(check?.imitates).toEqual([expect.stringMatching(/^0x1234aaaa/i)]);
    expect(check?.message).toMatch(/looks like .* at both ends/);
  });
});

describe('findPoisoning', () => {
  let chain: TestChain;
  let artifacts: Artifacts;
  let owner: DeployWalletClient;
  let token: Address;
  let fakeToken: Address;
  const abi = () => artifacts.contracts.TestToken!.abi as Abi;
  const rpc = (method: string, params: unknown[]) =>
    chain.publicClient.request({ method: method as never, params: params as never });
  /** Sends from any address, as an attacker's own key would. */
  const sendAs = async (from: Address, to: Address, functionName: string, args: unknown[]) => {
    await rpc('anvil_impersonateAccount', [from]);
    await rpc('anvil_setBalance', [from, '0xde0b6b3a7640000']);
    const hash = (await rpc('eth_sendTransaction', [
      { from, to, data: encodeFunctionData({ abi: abi(), functionName, args }) },
    ])) as Hex;
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 25 });
    expect(receipt.status).toBe('success');
  };

  beforeAll(async () => {
    [chain, artifacts] = await Promise.all([startTestChain(), testTokenArtifacts()]);
    owner = chain.wallets[0]!;
    const deploy = (name: string, symbol: string) =>
      deployContract(owner, chain.publicClient, { artifact: artifacts.contracts.TestToken!, args: [name, symbol] });
    token = await deploy('Tether USD', 'USDT');
    fakeToken = await deploy('Tether USD', 'USDT');
    const me = owner.account.address;
    await sendAs(me, token, 'mint', [me, 10n ** 12n]);
    await sendAs(me, token, 'transfer', [friend, 5_000_000_000n]); // the real payment
    await sendAs(me, token, 'transfer', [stranger, 7n]);
    // The attacker forges an outgoing entry: transferFrom(owner, look-alike, 0) needs no allowance.
    await sendAs(chain.wallets[9]!.account.address, token, 'transferFrom', [me, zeroLookalike, 0n]);
    // Dust of the real token from a look-alike.
    await sendAs(me, token, 'mint', [dustLookalike, 100n]);
    await sendAs(dustLookalike, token, 'transfer', [me, 1n]);
    // A fake "Tether USD" from another look-alike, in a plausible amount.
    await sendAs(me, fakeToken, 'mint', [fakeTokenLookalike, 10n ** 12n]);
    await sendAs(fakeTokenLookalike, fakeToken, 'transfer', [me, 5_000_000_000n]);
    // A real payment back from the friend is not evidence.
    await sendAs(me, token, 'mint', [friend, 10n ** 9n]);
    await sendAs(friend, token, 'transfer', [me, 10n ** 9n]);
  }, 180_000);
  afterAll(() => chain?.stop());

  test('default: each look-alike with how it entered the history', async () => {
    const pool = createRpcPool({ endpoints: [chain.anvil.rpcUrl] });
    const result = await findPoisoning(pool, { address: owner.account.address });
    expect(result.counterparties.map((a) => a.toLowerCase()).sort()).toEqual([friend, stranger].sort());
    const kinds = Object.fromEntries(
      result.findings.map((f) => [f.lookalike.toLowerCase(), f.evidence.map((e) => e.kind)]),
    );
    expect(kinds).toEqual({
      [zeroLookalike]: ['zero-value-transfer-from-owner'],
      [dustLookalike]: ['dust-transfer'],
      [fakeTokenLookalike]: ['unfamiliar-token-transfer'],
    });
    expect(result.findings.every((f) => f.severity === 'high' && f.imitates[0]?.toLowerCase() === friend)).toBe(true);
  });

  test('behavior: checkDestinationHistory judges a requested destination against the history', async () => {
    const pool = createRpcPool({ endpoints: [chain.anvil.rpcUrl] });
    const address = owner.account.address;
    const planted = await checkDestinationHistory(pool, { address, destination: zeroLookalike });
    expect(planted.check).toMatchObject({ planted: true, imitates: [expect.stringMatching(/^0x1234aaaa/i)] });
    const unseen = await checkDestinationHistory(pool, {
      address,
      destination: '0x1234ffffffffffffffffffffffffffffffff5678',
    });
    expect(unseen.check).toMatchObject({ planted: false });
    expect((await checkDestinationHistory(pool, { address, destination: friend })).check).toBeUndefined();
    expect((await checkDestinationHistory(pool, { address, destination: stranger })).check).toBeUndefined();
  });

  test('behavior: a payment the owner already made to a look-alike is critical', async () => {
    const snapshot = await rpc('evm_snapshot', []);
    try {
      await sendAs(owner.account.address, token, 'transfer', [zeroLookalike, 4_000_000_000n]);
      const pool = createRpcPool({ endpoints: [chain.anvil.rpcUrl] });
      const result = await findPoisoning(pool, { address: owner.account.address });
      const paid = result.findings.find((f) => f.lookalike.toLowerCase() === zeroLookalike);
      // Once paid, the look-alike is also a counterparty; it still imitates the friend.
      expect(paid?.severity).toBe('critical');
      expect(result.findings[0]?.lookalike.toLowerCase()).toBe(zeroLookalike);
    } finally {
      await rpc('evm_revert', [snapshot]);
    }
  });

  test('behavior: with native, zero-value ether transfers from a look-alike of an ether counterparty are found', async () => {
    const snapshot = await rpc('evm_snapshot', []);
    try {
      const etherFriend: Address = '0x7777000000000000000000000000000000008888';
      const etherLookalike: Address = '0x7777ffffffffffffffffffffffffffffffff8888';
      const me = owner.account.address;
      const start = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
      const pay = async (from: Address, to: Address, value: bigint) => {
        await rpc('anvil_impersonateAccount', [from]);
        await rpc('anvil_setBalance', [from, '0xde0b6b3a7640000']);
        const hash = (await rpc('eth_sendTransaction', [{ from, to, value: `0x${value.toString(16)}` }])) as Hex;
        await chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 25 });
      };
      await pay(me, etherFriend, 10n ** 17n);
      await pay(etherLookalike, me, 0n);
      const pool = createRpcPool({ endpoints: [chain.anvil.rpcUrl] });
      const withEther = await findPoisoning(pool, { address: me, fromBlock: start, native: true });
      const finding = withEther.findings.find((f) => f.lookalike.toLowerCase() === etherLookalike);
      expect(finding?.evidence).toEqual([
        expect.objectContaining({
          kind: 'zero-value-transfer-to-owner',
          token: '0x0000000000000000000000000000000000000000',
        }),
      ]);
      const tokensOnly = await findPoisoning(pool, { address: me, fromBlock: start });
      expect(tokensOnly.findings.find((f) => f.lookalike.toLowerCase() === etherLookalike)).toBeUndefined();
    } finally {
      await rpc('evm_revert', [snapshot]);
    }
  });
});
