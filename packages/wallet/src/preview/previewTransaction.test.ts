import { createRpcPool, type RpcPool } from '@bulwark/chain';
import { type Address, getAddress, maxUint256, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { proposeSafeTransaction } from '../safe/proposeSafeTransaction.ts';
import { previewTransaction } from './previewTransaction.ts';
import { parsePreviewRequest } from './request.ts';
import { type PreviewChain, startPreviewChain } from './testing.ts';

let chain: PreviewChain;
let pool: RpcPool;
let me: Address;
let token: Address;
let nft: Address;
let splitter: Address;
const alice = privateKeyToAccount(generatePrivateKey()).address;
const bob = privateKeyToAccount(generatePrivateKey()).address;

beforeAll(async () => {
  chain = await startPreviewChain();
  pool = createRpcPool({ endpoints: [chain.anvil.rpcUrl] });
  me = getAddress(chain.deployer.account.address);
  token = await chain.deploy('FixtureToken');
  nft = await chain.deploy('FixtureNft');
  splitter = await chain.deploy('FixtureSplitter');
  await chain.send(token, chain.fixtures.FixtureToken, 'mint', [me, 1000n]);
  await chain.send(nft, chain.fixtures.FixtureNft, 'mint', [me, 7n]);
}, 120_000);
afterAll(() => chain?.stop());

const preview = (request: Record<string, unknown>) =>
  previewTransaction({
    pool,
    request: parsePreviewRequest({ chainId: 31337, from: me, value: '0', data: '0x', ...request }),
  });
const changesOf = (result: Awaited<ReturnType<typeof preview>>, account: Address) =>
  result.assetChanges.find((entry) => entry.account === getAddress(account))?.changes ?? [];

describe('previewTransaction', () => {
  test('default: native value through inner calls and an ERC-20 transfer show per account; nothing is sent', async () => {
    const before = await chain.client.getBalance({ address: alice });
    const split = await preview({
      to: splitter,
      value: parseEther('1').toString(),
      data: chain.calldata(chain.fixtures.FixtureSplitter, 'split', [alice, bob]),
    });
    expect(split.status).toBe('success');
    expect(split.assetChanges[0]!.account).toBe(me);
    expect(changesOf(split, me)).toEqual([
      { asset: 'native', standard: 'native', delta: (-parseEther('1')).toString() },
    ]);
    expect(changesOf(split, alice)).toEqual([
      { asset: 'native', standard: 'native', delta: parseEther('0.5').toString() },
    ]);
    expect(changesOf(split, bob)).toEqual([
      { asset: 'native', standard: 'native', delta: parseEther('0.5').toString() },
    ]);
    expect(changesOf(split, splitter)).toEqual([]);
    expect(await chain.client.getBalance({ address: alice })).toBe(before);

    const transfer = await preview({
      to: token,
      data: chain.calldata(chain.fixtures.FixtureToken, 'transfer', [alice, 250n]),
    });
    expect(changesOf(transfer, me)).toEqual([{ asset: token, standard: 'erc20', delta: '-250' }]);
    expect(changesOf(transfer, alice)).toEqual([{ asset: token, standard: 'erc20', delta: '250' }]);
    expect(transfer.flags).toEqual([]);
  });

  test('behavior: an NFT transfer lists the token id; approvals are flagged, unlimited and for-all as high', async () => {
    const moved = await preview({
      to: nft,
      data: chain.calldata(chain.fixtures.FixtureNft, 'transferFrom', [me, bob, 7n]),
    });
    expect(changesOf(moved, me)).toEqual([
      { asset: nft, standard: 'erc721', delta: '-1', tokenIds: { in: [], out: ['7'] } },
    ]);
    expect(changesOf(moved, bob)).toEqual([
      { asset: nft, standard: 'erc721', delta: '1', tokenIds: { in: ['7'], out: [] } },
    ]);

    const unlimited = await preview({
      to: token,
      data: chain.calldata(chain.fixtures.FixtureToken, 'approve', [bob, maxUint256]),
    });
    expect(unlimited.flags).toEqual([
      expect.objectContaining({ id: 'unlimited-approval', severity: 'high', address: token }),
    ]);
    expect(unlimited.approvals).toEqual([
      { standard: 'erc20', token, owner: me, spender: bob, amount: maxUint256.toString(), unlimited: true },
    ]);
    const exact = await preview({ to: token, data: chain.calldata(chain.fixtures.FixtureToken, 'approve', [bob, 5n]) });
    expect(exact.flags.map((f) => [f.id, f.severity])).toEqual([['approval', 'medium']]);
    const all = await preview({
      to: nft,
      data: chain.calldata(chain.fixtures.FixtureNft, 'setApprovalForAll', [bob, true]),
    });
    expect(all.flags.map((f) => f.id)).toEqual(['approval-for-all']);
  });

  test('behavior: a proxy upgrade is flagged by selector, event and the EIP-1967 slot before and after', async () => {
    const first = await chain.deploy('FixtureSplitter');
    const proxy = await chain.deploy('FixtureProxy', [first]);
    const result = await preview({
      to: proxy,
      data: chain.calldata(chain.fixtures.FixtureProxy, 'upgradeTo', [alice]),
    });
    expect(result.proxyChanges).toEqual([
      {
        address: proxy,
        slot: 'implementation',
        before: `0x${first.slice(2).toLowerCase().padStart(64, '0')}`,
        after: `0x${alice.slice(2).toLowerCase().padStart(64, '0')}`,
      },
    ]);
    expect(new Set(result.flags.map((f) => f.id))).toEqual(new Set(['proxy-implementation-change']));
    expect(result.flags.map((f) => f.message).join('\n')).toMatch(
      /upgradeTo\(address\)[\s\S]*Upgraded\(address\)[\s\S]*from 0x[0-9a-fA-F]{40} to 0x/,
    );
  });

  test('behavior: a Safe transaction shows its SafeTx hash and the Safe’s own changes', async () => {
    const safe = await chain.newSafe(2);
    const result = await preview({ safe, to: alice, value: parseEther('2').toString() });
    const proposal = await proposeSafeTransaction(chain.client, {
      safe,
      intent: { to: alice, value: parseEther('2') },
    });
    expect(result.safe).toMatchObject({
      address: safe,
      version: '1.4.1',
      nonce: '0',
      threshold: 2,
      safeTxHash: proposal.safeTxHash,
    });
    expect(result.account).toBe(safe);
    expect(changesOf(result, safe)).toEqual([
      { asset: 'native', standard: 'native', delta: (-parseEther('2')).toString() },
    ]);
  });

  test('behavior: Safe owner, threshold, guard and module changes are critical flags', async () => {
    const safe = await chain.newSafe(1);
    const { safeArtifacts } = await import('@bulwark/monitor/responder/testing');
    const safeAbi = safeArtifacts()!.safe.abi;
    const { encodeFunctionData } = await import('viem');
    const cases: [string, readonly unknown[], string][] = [
      ['addOwnerWithThreshold', [bob, 1n], 'safe-owner-change'],
      ['changeThreshold', [2n], 'safe-threshold-change'],
      ['enableModule', [bob], 'safe-module-change'],
      ['setGuard', ['0x0000000000000000000000000000000000000000'], 'safe-guard-change'],
      ['setFallbackHandler', [bob], 'safe-fallback-handler-change'],
    ];
    for (const [functionName, args, id] of cases) {
      const result = await preview({ safe, to: safe, data: encodeFunctionData({ abi: safeAbi, functionName, args }) });
      expect(result.status).toBe('success');
      expect(result.flags.map((f) => [f.id, f.severity])).toContainEqual([id, 'critical']);
    }
  });

  test('behavior: a Safe delegatecall is critical, and is simulated in the Safe’s own storage', async () => {
    const safe = await chain.newSafe(1);
    const writer = await chain.deploy('FixtureSlotWriter');
    const result = await preview({
      safe,
      to: writer,
      operation: 1,
      data: chain.calldata(chain.fixtures.FixtureSlotWriter, 'write', [bob]),
    });
    expect(result.status).toBe('success');
    expect(result.flags[0]).toMatchObject({ id: 'delegatecall', severity: 'critical', address: writer });
    // The Bybit pattern: the delegatecalled code overwrites the Safe's singleton.
    expect(result.flags).toContainEqual(
      expect.objectContaining({ id: 'safe-singleton-change', severity: 'critical', address: safe }),
    );
    expect(result.safe?.safeTxHash).toMatch(/^0x[0-9a-f]{64}$/);
  });

  test('behavior: an owner change hidden in a delegatecalled batch is seen (the Safe’s own code runs)', async () => {
    const safe = await chain.newSafe(1);
    const batcher = await chain.deploy('FixtureBatcher');
    const { safeArtifacts } = await import('@bulwark/monitor/responder/testing');
    const { encodeFunctionData } = await import('viem');
    const addOwner = encodeFunctionData({
      abi: safeArtifacts()!.safe.abi,
      functionName: 'addOwnerWithThreshold',
      args: [bob, 1n],
    });
    const result = await preview({
      safe,
      to: batcher,
      operation: 1,
      data: chain.calldata(chain.fixtures.FixtureBatcher, 'run', [safe, addOwner]),
    });
    expect(result.status).toBe('success');
    expect(result.flags.map((f) => f.id)).toEqual(expect.arrayContaining(['delegatecall', 'safe-owner-change']));
    expect(result.flags.map((f) => f.id)).not.toContain('safe-singleton-change');
  });

  test('behavior: a Safe transfer whose call fails is reported as reverted', async () => {
    const safe = await chain.newSafe(1);
    const result = await preview({ safe, to: splitter, data: chain.calldata(chain.fixtures.FixtureSplitter, 'fail') });
    expect(result.status).toBe('reverted');
    expect(result.flags[0]).toMatchObject({
      id: 'reverts',
      message: expect.stringContaining('closed for maintenance'),
    });
  });

  test('error: a reverting call is flagged with its reason; a wrong chain and a bad request are clear errors', async () => {
    const reverted = await preview({ to: splitter, data: chain.calldata(chain.fixtures.FixtureSplitter, 'fail') });
    expect(reverted).toMatchObject({ status: 'reverted', assetChanges: [] });
    expect(reverted.flags[0]).toMatchObject({
      id: 'reverts',
      message: expect.stringContaining('closed for maintenance'),
    });
    await expect(
      previewTransaction({ pool, request: parsePreviewRequest({ chainId: 1, from: me, to: token }) }),
    ).rejects.toThrow(/request is for chain 1, but the RPC endpoint serves chain 31337/);
    for (const [request, message] of [
      [[], /not a JSON object/],
      [{ chainId: 1, from: me, to: 'x' }, /`to` is not an address/],
      [{ chainId: 1, from: me, to: me, value: '-1' }, /negative/],
      [{ chainId: 1, from: me, to: me, operation: 1 }, /needs `safe`/],
      [{ chainId: 1, from: me, to: me, data: '0x1' }, /not 0x-prefixed hex bytes/],
      [{ chainId: 1, from: me, to: me, gas: 1 }, /unknown field `gas`/],
    ] as const) {
      expect(() => parsePreviewRequest(request)).toThrow(message);
    }
  });
});
