import { startTestNode, type TestNode } from '@bulwark/chain/testing';
import { getWalletRequest, listLog, type StoreClient, verifyLog } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { createPublicClient, type Hex, http, numberToHex, type PublicClient, parseEther } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { approveRequest } from '../approvals/approveRequest.ts';
import { approvePolicy, proposePolicy } from '../approvals/policyChanges.ts';
import { createLocalKeySigner } from '../signers/localKey.ts';
import { WalletRefusedError } from './errors.ts';
import { sendRequest } from './sendRequest.ts';
import { startWalletSender } from './startWalletSender.ts';
import { submitRequest } from './submitRequest.ts';
import { exchange, treasuryPolicy, withdrawalRequest } from './testing.ts';

const chainId = 31337;
let node: TestNode;
let client: PublicClient;

beforeAll(async () => {
  node = await startTestNode();
  client = createPublicClient({ transport: http(node.anvil.rpcUrl) });
});
afterAll(async () => {
  await node?.stop();
});

/** Up to 1,000 wei is allowed; above, one treasury approver (carol, dave) must approve. */
async function install(store: StoreClient) {
  const policy = treasuryPolicy([
    {
      id: 'large',
      match: { amount: { above: '1000', unit: 'native' } },
      action: { requireApproval: { group: 'treasury' } },
    },
    { id: 'small', match: { amount: { atMost: '1000', unit: 'native' } }, action: 'allow' },
    { id: 'default-deny', match: {}, action: 'block' },
  ]);
  const now = new Date(Date.now() - 60_000);
  const { record } = await proposePolicy(store, { policy, proposer: 'heidi', now });
  await approvePolicy(store, { id: record.id, approver: 'ivan', now });
}

/** A new funded hot wallet (a fresh key per test, so nonces start at 0). */
async function hotWallet() {
  const signer = createLocalKeySigner({ privateKey: generatePrivateKey(), name: 'hot wallet' });
  await node.rpc('anvil_setBalance', [signer.address, numberToHex(parseEther('10'))]);
  return signer;
}

/** The transactions `from` sent, with their nonce, destination and value, read from the chain. */
async function sentBy(from: Hex, count: number) {
  const head = await client.getBlockNumber({ cacheTime: 0 });
  const txs = [];
  for (let n = 0n; n <= head; n++) {
    const block = await client.getBlock({ blockNumber: n, includeTransactions: true });
    for (const tx of block.transactions)
      if (tx.from.toLowerCase() === from.toLowerCase()) txs.push({ nonce: tx.nonce, to: tx.to, value: tx.value });
  }
  expect(txs).toHaveLength(count);
  return txs;
}

const withdrawal = (amount: string) => withdrawalRequest({ chain: chainId, amount, initiator: 'olga' });

describeStore('sending a wallet request', (ctx) => {
  test('default: an allowed request is signed and broadcast once; a second sender racing it is refused', async () => {
    const store = await ctx.open();
    await install(store);
    const signer = await hotWallet();
    const { record } = await submitRequest(store, { request: withdrawal('500') });
    expect(record.state).toBe('allowed');
    const outcomes = await Promise.allSettled([
      sendRequest(store, { id: record.id, signer, client, actor: 'guard-a' }),
      sendRequest(store, { id: record.id, signer, client, actor: 'guard-b' }),
    ]);
    const sent = outcomes.filter((o) => o.status === 'fulfilled');
    expect(sent).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected')!.reason;
    expect(refused).toBeInstanceOf(WalletRefusedError);
    expect(['already-signed', 'not-pending']).toContain((refused as WalletRefusedError).reason);
    const { hash, nonce } = (sent[0] as PromiseFulfilledResult<{ hash: Hex; nonce: number }>).value;
    expect(nonce).toBe(0);
    expect((await client.getTransactionReceipt({ hash })).status).toBe('success');
    expect(await sentBy(signer.address, 1)).toEqual([{ nonce: 0, to: exchange, value: 500n }]);
    expect((await getWalletRequest(store, record.id))?.state).toBe('signed');
    const log = await listLog(store);
    expect(log.filter((e) => e.action === 'wallet.request.signed')).toHaveLength(1);
    expect(log.filter((e) => e.action === 'wallet.request.broadcast').map((e) => e.payload)).toEqual([
      { id: record.id, hash, nonce: 0, signer: signer.address },
    ]);
    expect(await verifyLog(store)).toMatchObject({ ok: true });
  });

  test('behavior: two senders sharing a store send every due request once, with consecutive nonces', async () => {
    const store = await ctx.open();
    await install(store);
    const signer = await hotWallet();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++)
      ids.push((await submitRequest(store, { request: withdrawal(String(100 + i)) })).record.id);
    const held = await submitRequest(store, { request: withdrawal('5000') });
    expect(held.record.state).toBe('pending');
    await approveRequest(store, { id: held.record.id, approver: 'carol', digest: held.digest });
    ids.push(held.record.id);
    const senders = ['replica-a', 'replica-b'].map((owner) =>
      startWalletSender(store, { signer, client, chainId, source: 'hot', owner, intervalMs: 60_000 }),
    );
    try {
      await Promise.all(senders.map((sender) => sender.poll()));
      await Promise.all(senders.map((sender) => sender.poll()));
    } finally {
      await Promise.all(senders.map((sender) => sender.stop()));
    }
    for (const id of ids) expect((await getWalletRequest(store, id))?.state).toBe('signed');
    const txs = await sentBy(signer.address, 5);
    expect(txs.map((tx) => tx.nonce).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(txs.map((tx) => tx.value).sort()).toEqual([100n, 101n, 102n, 103n, 5000n]);
    const broadcast = (await listLog(store)).filter((e) => e.action === 'wallet.request.broadcast');
    expect(broadcast.map((e) => (e.payload as { id: string }).id).sort()).toEqual([...ids].sort());
    expect(await verifyLog(store)).toMatchObject({ ok: true });
  });

  test('behavior: a request signed but not broadcast (the node failed, or its sender died) is broadcast again, the same transaction, once', async () => {
    const store = await ctx.open();
    await install(store);
    const signer = await hotWallet();
    const { record } = await submitRequest(store, { request: withdrawal('300') });
    // The broadcast fails after the signature is committed, as when the sender dies in between.
    const failing: typeof client = {
      ...client,
      sendRawTransaction: async () => {
        throw new Error('connection reset');
      },
    } as typeof client;
    const lines: string[] = [];
    const first = startWalletSender(store, {
      signer,
      client: failing,
      chainId,
      source: 'hot',
      owner: 'replica-a',
      intervalMs: 60_000,
      log: (line) => lines.push(line),
    });
    await first.poll();
    await first.stop();
    expect(lines.join('\n')).toContain('failed, retrying later: connection reset');
    expect((await getWalletRequest(store, record.id))?.state).toBe('signed');
    await sentBy(signer.address, 0);
    // Another server takes the claim over once it is stale (its owner is gone).
    await store.db
      .updateTable('cluster_claims')
      .set({ claimed_at: new Date(Date.now() - 120_000) })
      .where('key', '=', `wallet.send:${record.id}`)
      .execute();
    const second = startWalletSender(store, {
      signer,
      client,
      chainId,
      source: 'hot',
      owner: 'replica-b',
      intervalMs: 60_000,
    });
    await second.poll();
    await second.poll();
    await second.stop();
    const txs = await sentBy(signer.address, 1);
    expect(txs).toEqual([{ nonce: 0, to: exchange, value: 300n }]);
    const log = await listLog(store);
    expect(log.filter((e) => e.action === 'wallet.request.signed')).toHaveLength(1);
    expect(log.filter((e) => e.action === 'wallet.request.broadcast').map((e) => e.payload)).toEqual([
      { id: record.id, hash: expect.stringMatching(/^0x[0-9a-f]{64}$/), nonce: 0, signer: signer.address, again: true },
    ]);
    expect(await verifyLog(store)).toMatchObject({ ok: true });
  });

  test('error: a pending request is not sent (not-pending), and nothing reaches the chain', async () => {
    const store = await ctx.open();
    await install(store);
    const signer = await hotWallet();
    const held = await submitRequest(store, { request: withdrawal('5000') });
    await expect(sendRequest(store, { id: held.record.id, signer, client, actor: 'guard' })).rejects.toMatchObject({
      reason: 'not-pending',
    });
    await sentBy(signer.address, 0);
  });
});
