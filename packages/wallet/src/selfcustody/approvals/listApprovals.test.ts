import { createRpcPool } from '@bulwark/chain';
import { forwardTo, startFakeNode } from '@bulwark/chain/testing';
import { type Artifacts, type DeployWalletClient, deployContract } from '@bulwark/contracts';
import { startTestChain, type TestChain } from '@bulwark/contracts/testing';
import { type Abi, type Address, maxUint256, type TransactionReceipt } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { permit2Address } from '../knownAddresses.ts';
import { testTokenArtifacts } from '../testing.ts';
import { listApprovals } from './listApprovals.ts';

describe('listApprovals', () => {
  let chain: TestChain;
  let artifacts: Artifacts;
  let owner: DeployWalletClient;
  let token: Address;
  let nft: Address;
  let oldContract: Address;
  let freshContract: Address;
  let firstBlock: bigint;
  const eoaSpender = () => chain.wallets[3]!.account.address;
  const nftSpender = () => chain.wallets[4]!.account.address;
  const permit2Spender = () => chain.wallets[5]!.account.address;
  const abi = (name: string) => artifacts.contracts[name]!.abi as Abi;
  const send = (
    address: Address,
    contract: string,
    functionName: string,
    args: unknown[],
    from = owner,
  ): Promise<TransactionReceipt> => chain.write(from, { address, abi: abi(contract), functionName, args });

  beforeAll(async () => {
    [chain, artifacts] = await Promise.all([startTestChain(), testTokenArtifacts()]);
    owner = chain.wallets[0]!;
    const deploy = (name: string, args: unknown[] = []) =>
      deployContract(owner, chain.publicClient, { artifact: artifacts.contracts[name]!, args });
    oldContract = await deploy('TestToken', ['Old spender', 'OLD']);
    firstBlock = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    await chain.increaseTime(90 * 86_400);
    token = await deploy('TestToken', ['Token', 'TKN']);
    nft = await deploy('TestNft');
    freshContract = await deploy('TestToken', ['Fresh spender', 'NEW']);
    const standIn = await deploy('Permit2AllowanceStandIn');
    const code = await chain.publicClient.getCode({ address: standIn });
    await chain.publicClient.request({ method: 'anvil_setCode' as never, params: [permit2Address, code] as never });

    await send(token, 'TestToken', 'mint', [owner.account.address, 10n ** 24n]);
    await send(token, 'TestToken', 'approve', [eoaSpender(), maxUint256]);
    await send(token, 'TestToken', 'approve', [oldContract, 500n]);
    await send(token, 'TestToken', 'approve', [freshContract, maxUint256]);
    await send(token, 'TestToken', 'approve', [chain.wallets[6]!.account.address, 7n]);
    await send(token, 'TestToken', 'approve', [chain.wallets[6]!.account.address, 0n]); // revoked
    await send(token, 'TestToken', 'approve', [permit2Address, maxUint256]);
    await send(nft, 'TestNft', 'mint', [owner.account.address, 1n]);
    await send(nft, 'TestNft', 'mint', [owner.account.address, 2n]);
    await send(nft, 'TestNft', 'approve', [nftSpender(), 1n]);
    await send(nft, 'TestNft', 'approve', [nftSpender(), 2n]);
    await send(nft, 'TestNft', 'transferFrom', [owner.account.address, chain.wallets[7]!.account.address, 2n]); // moved: approval cleared
    await send(nft, 'TestNft', 'setApprovalForAll', [oldContract, true]);
    const tomorrow = (await chain.timestamp()) + 86_400n;
    await send(permit2Address, 'Permit2AllowanceStandIn', 'approve', [token, permit2Spender(), 1000n, tomorrow]);
    // Another account's approval is not the owner's.
    await send(token, 'TestToken', 'approve', [eoaSpender(), 1n], chain.wallets[1]!);
  }, 180_000);
  afterAll(() => chain?.stop());

  test('default: every live approval, read on chain, flagged and ranked', async () => {
    const pool = createRpcPool({ endpoints: [chain.anvil.rpcUrl] });
    const result = await listApprovals(pool, { owner: owner.account.address });
    const summary = result.approvals.map((a) => ({
      kind: a.kind,
      spender: a.spender,
      risk: a.risk,
      flags: a.flags,
      allowance: a.allowance,
    }));
    expect(summary).toEqual(
      expect.arrayContaining([
        {
          kind: 'erc20',
          spender: eoaSpender(),
          risk: 'high',
          flags: ['unlimited', 'plain-account'],
          allowance: maxUint256,
        },
        {
          kind: 'erc20',
          spender: freshContract,
          risk: 'high',
          flags: ['unlimited', 'recent-contract'],
          allowance: maxUint256,
        },
        { kind: 'erc20', spender: oldContract, risk: 'low', flags: [], allowance: 500n },
        { kind: 'erc20', spender: permit2Address, risk: 'low', flags: ['unlimited'], allowance: maxUint256 },
        { kind: 'erc721', spender: nftSpender(), risk: 'high', flags: ['plain-account'], allowance: 1n },
        { kind: 'operator', spender: oldContract, risk: 'medium', flags: ['unlimited'], allowance: 1n },
        { kind: 'permit2', spender: permit2Spender(), risk: 'high', flags: ['plain-account'], allowance: 1000n },
      ]),
    );
    expect(result.approvals).toHaveLength(7);
    // The revoked ERC-20 approval and the NFT that moved away are not live.
    expect(result.inactive).toBe(2);
    expect(result.approvals.slice(0, 4).every((a) => a.risk === 'high')).toBe(true);
    const permit2 = result.approvals.find((a) => a.kind === 'permit2')!;
    expect(permit2.token).toBe(token);
    expect(permit2.revoke.to).toBe(permit2Address);
    expect(permit2.verified).toBe('not-checked');
  });

  test('behavior: the printed revoke transaction withdraws the approval', async () => {
    const snapshot = await chain.publicClient.request({ method: 'evm_snapshot' as never });
    try {
      const pool = createRpcPool({ endpoints: [chain.anvil.rpcUrl] });
      const before = await listApprovals(pool, { owner: owner.account.address });
      for (const approval of before.approvals.filter((a) => a.risk === 'high')) {
        const hash = await owner.sendTransaction({
          to: approval.revoke.to,
          data: approval.revoke.data,
          account: owner.account,
          chain: owner.chain,
        });
        expect((await chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 25 })).status).toBe(
          'success',
        );
      }
      const after = await listApprovals(pool, { owner: owner.account.address });
      expect(after.approvals.map((a) => a.risk)).not.toContain('high');
      expect(after.approvals).toHaveLength(3);
    } finally {
      await chain.publicClient.request({ method: 'evm_revert' as never, params: [snapshot] as never });
    }
  });

  test('behavior: a node that refuses wide log ranges is read in smaller chunks', async () => {
    const forward = forwardTo(chain.anvil.rpcUrl);
    const node = await startFakeNode((request, response, incoming) => {
      if (request.method === 'eth_getLogs') {
        const { fromBlock, toBlock } = request.params[0] as { fromBlock: string; toBlock: string };
        if (BigInt(toBlock) - BigInt(fromBlock) >= 4n) {
          response.setHeader('content-type', 'application/json');
          response.end(
            JSON.stringify({
              jsonrpc: '2.0',
              id: request.id,
              error: { code: -32005, message: 'query exceeds max block range 4' },
            }),
          );
          return;
        }
      }
      return forward(request, response, incoming);
    });
    try {
      const pool = createRpcPool({ endpoints: [node.url] });
      const chunked = await listApprovals(pool, {
        owner: owner.account.address,
        fromBlock: firstBlock,
        chunkSize: 64n,
      });
      expect(chunked.approvals).toHaveLength(7);
      expect(node.requests.filter((r) => r.method === 'eth_getLogs').length).toBeGreaterThan(5);
    } finally {
      await node.close();
    }
  });

  test('error: a node that refuses logs even for one block fails with the block and the fix', async () => {
    const forward = forwardTo(chain.anvil.rpcUrl);
    const node = await startFakeNode((request, response, incoming) => {
      if (request.method !== 'eth_getLogs') return forward(request, response, incoming);
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({ jsonrpc: '2.0', id: request.id, error: { code: -32000, message: 'logs unavailable' } }),
      );
    });
    try {
      const pool = createRpcPool({ endpoints: [node.url] });
      await expect(
        listApprovals(pool, { owner: owner.account.address, fromBlock: firstBlock, chunkSize: 8n }),
      ).rejects.toThrow(
        new RegExp(`eth_getLogs failed for block ${firstBlock} even alone[\\s\\S]*Try another --rpc endpoint`),
      );
    } finally {
      await node.close();
    }
  });
});
