import { type Artifacts, deployContract, loadArtifacts } from '@bulwark/contracts';
import {
  type Abi,
  type Address,
  createPublicClient,
  createWalletClient,
  encodeFunctionData,
  type Hex,
  http,
  parseEther,
  zeroAddress,
} from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createCapabilityTracker } from './capabilities.ts';
import { fetchBlock } from './fetchBlock.ts';
import { createRpcPool } from './rpcPool.ts';
import {
  blockTraceMethods,
  type FakeNode,
  forwardHolding,
  forwardTo,
  startFakeNode,
  startTestNode,
  type TestNode,
} from './testing.ts';
import type { Block, CallFrame, Capabilities } from './types.ts';

let node: TestNode;
let artifacts: Artifacts;
let vault: Address;
let attacker: Address;
let attackBlock: bigint;
let attackHash: Hex;
let revertedHash: Hex;
const fakes: FakeNode[] = [];

const chainId = 31337;
const abi = (name: string) => artifacts.contracts[name]!.abi as Abi;

/** A reentrancy attack (nested internal calls with value, events) and a reverted transaction, in one block. */
beforeAll(async () => {
  [node, artifacts] = await Promise.all([startTestNode(), loadArtifacts()]);
  const transport = http(node.anvil.rpcUrl);
  const publicClient = createPublicClient({ chain: foundry, transport, pollingInterval: 25 });
  const wallet = (index: number) =>
    createWalletClient({ account: node.accounts[index]!, chain: foundry, transport, pollingInterval: 25 });
  const [admin, victim, thief] = [wallet(0), wallet(2), wallet(5)];
  vault = (
    await deployContract(admin, publicClient, {
      artifact: artifacts.contracts.DemoVault!,
      args: [admin.account.address, zeroAddress, 3_600n, 0, 300n, 12n],
    })
  ).toLowerCase() as Address;
  attacker = (
    await deployContract(thief, publicClient, { artifact: artifacts.contracts.ReentrancyAttacker!, args: [vault] })
  ).toLowerCase() as Address;
  await publicClient.waitForTransactionReceipt({
    hash: await victim.sendTransaction({
      to: vault,
      data: encodeFunctionData({ abi: abi('DemoVault'), functionName: 'deposit' }),
      value: parseEther('10'),
    }),
  });
  // Both transactions in one block: mine by hand.
  await node.rpc('evm_setAutomine', [false]);
  attackHash = await node.rpc<Hex>('eth_sendTransaction', [
    {
      from: thief.account.address,
      to: attacker,
      data: encodeFunctionData({ abi: abi('ReentrancyAttacker'), functionName: 'attack', args: [2n] }),
      value: `0x${parseEther('1').toString(16)}`,
      gas: '0x200000',
    },
  ]);
  // Not the owner: reverts (explicit gas, so that it is mined rather than refused).
  revertedHash = await node.rpc<Hex>('eth_sendTransaction', [
    {
      from: victim.account.address,
      to: attacker,
      data: encodeFunctionData({ abi: abi('ReentrancyAttacker'), functionName: 'attack', args: [1n] }),
      gas: '0x100000',
    },
  ]);
  await node.mine();
  await node.rpc('evm_setAutomine', [true]);
  attackBlock = await node.blockNumber();
});

afterAll(async () => {
  await Promise.all(fakes.map((fake) => fake.close()));
  await node?.stop();
});

/** Every frame of the tree with its depth, depth-first. */
const flatten = (frame: CallFrame, depth = 0): { frame: CallFrame; depth: number }[] => [
  { frame, depth },
  ...frame.calls.flatMap((call) => flatten(call, depth + 1)),
];

test('default: a block with its transactions, receipts, logs and call traces', async () => {
  const pool = createRpcPool({ endpoints: [node.anvil.rpcUrl] });
  const block = await fetchBlock(pool, { chainId, number: attackBlock, capabilities: createCapabilityTracker() });
  const expected = await node.rpc<{ hash: Hex; parentHash: Hex }>('eth_getBlockByNumber', [
    `0x${attackBlock.toString(16)}`,
    false,
  ]);
  expect(block).toMatchObject({ chainId, number: attackBlock, hash: expected.hash, parentHash: expected.parentHash });
  expect(block.traced).toBe(true);
  expect(block.transactions.map((tx) => tx.hash)).toEqual([attackHash, revertedHash]);

  const [attack, reverted] = block.transactions as [Block['transactions'][0], Block['transactions'][0]];
  expect(attack).toMatchObject({ to: attacker, value: parseEther('1'), index: 0, blockNumber: attackBlock });
  expect(attack.receipt.status).toBe('success');
  // Deposited once, Withdrawn three times (the call and two re-entries), all from the vault.
  expect(attack.receipt.logs.map((log) => log.address)).toEqual([vault, vault, vault, vault]);
  expect(block.logs).toEqual(attack.receipt.logs);
  expect(block.logs.map((log) => log.logIndex)).toEqual([0, 1, 2, 3]);

  // attacker.attack → vault.deposit{1 ether}; vault.withdrawAll → attacker.receive{1 ether} → vault.withdrawAll → …
  const trace = attack.trace!;
  expect(trace).toMatchObject({ type: 'CALL', to: attacker, value: parseEther('1'), error: undefined });
  const frames = flatten(trace);
  const intoVault = frames.filter(({ frame }) => frame.to === vault && frame.type === 'CALL');
  expect(intoVault.map(({ depth }) => depth)).toEqual([1, 1, 3, 5]);
  const payouts = frames.filter(({ frame }) => frame.from === vault && frame.to === attacker);
  expect(payouts.map(({ frame }) => frame.value)).toEqual([parseEther('1'), parseEther('1'), parseEther('1')]);

  // Success is the receipt's: the reverted transaction is mined, its receipt and trace say so.
  expect(reverted.receipt.status).toBe('reverted');
  expect(reverted.receipt.logs).toEqual([]);
  expect(reverted.trace?.error).toMatch(/revert/i);
});

test('behavior: without traces and block receipts, the block comes without traces and the lost coverage is reported once', async () => {
  const plain = await startFakeNode(
    forwardTo(node.anvil.rpcUrl, ['trace_block', 'debug_traceBlockByNumber', 'eth_getBlockReceipts']),
  );
  fakes.push(plain);
  const reports: Capabilities[] = [];
  const capabilities = createCapabilityTracker((snapshot) => reports.push(snapshot));
  const pool = createRpcPool({ endpoints: [{ http: plain.url, name: 'plain' }] });
  const full = await fetchBlock(createRpcPool({ endpoints: [node.anvil.rpcUrl] }), {
    chainId,
    number: attackBlock,
    capabilities: createCapabilityTracker(),
  });

  const first = await fetchBlock(pool, { chainId, number: attackBlock, capabilities });
  const second = await fetchBlock(pool, { chainId, number: attackBlock - 1n, capabilities });
  expect(first.traced).toBe(false);
  expect(first.transactions.map((tx) => tx.trace)).toEqual([undefined, undefined]);
  // Receipts one by one: the same data as eth_getBlockReceipts gave.
  expect(first.transactions.map((tx) => tx.receipt)).toEqual(full.transactions.map((tx) => tx.receipt));
  expect(first.logs).toEqual(full.logs);
  expect(second.transactions).toHaveLength(1);

  // Probed once, then never asked again.
  const asked = (method: string) => plain.requests.filter((request) => request.method === method).length;
  expect(asked('debug_traceBlockByNumber')).toBe(1);
  expect(asked('eth_getBlockReceipts')).toBe(1);
  expect(asked('eth_getTransactionReceipt')).toBe(3);

  const snapshot = capabilities.snapshot();
  expect(snapshot).toMatchObject({ traces: 'missing', blockReceipts: 'missing', traceCall: 'unknown' });
  expect(snapshot.missing.sort()).toEqual(['blockReceipts', 'traces']);
  expect(snapshot.lostCoverage.map((coverage) => coverage.id)).toEqual([
    'internal-calls',
    'reentrancy',
    'internal-value-flows',
  ]);
  expect(reports).toHaveLength(2);
});

test('behavior: a lying endpoint is skipped for the next one and its lie recorded against it', async () => {
  const liar = await startFakeNode(async (request, response, incoming) => {
    if (request.method !== 'eth_getBlockByNumber') return forwardTo(node.anvil.rpcUrl)(request, response, incoming);
    const block = await node.rpc<{ number: Hex }>('eth_getBlockByNumber', request.params);
    return { ...block, number: '0x1' };
  });
  fakes.push(liar);
  const pool = createRpcPool({
    endpoints: [
      { http: liar.url, name: 'liar' },
      { http: node.anvil.rpcUrl, name: 'honest' },
    ],
  });
  const block = await fetchBlock(pool, { chainId, number: 'latest', capabilities: createCapabilityTracker() });
  expect(block.number).toBe(attackBlock);
  expect(block.transactions).toHaveLength(2);
  expect(pool.health()[0]).toMatchObject({ name: 'liar', failures: 1 });
  expect(pool.health()[0]!.lastError).toBe(
    `eth_getBlockByNumber on liar: malformed response: asked for block ${attackBlock}, got 0x1.`,
  );
});

test('behavior: onReceipts hands over the block with its receipts while its traces are still on their way', async () => {
  const slow = forwardHolding(node.anvil.rpcUrl, blockTraceMethods);
  const fake = await startFakeNode(slow.handler);
  fakes.push(fake);
  const pool = createRpcPool({ endpoints: [{ http: fake.url, name: 'slow-traces' }] });
  slow.hold();
  let early: Block | undefined;
  const fetching = fetchBlock(pool, {
    chainId,
    number: attackBlock,
    capabilities: createCapabilityTracker(),
    onReceipts: (block) => {
      early = block;
    },
  });
  await expect.poll(() => early !== undefined, { timeout: 20_000 }).toBe(true);
  // The traces were asked for at once, and are not answered yet.
  expect(slow.held).toHaveLength(1);
  expect(slow.answered()).toBe(0);
  expect(early!.traced).toBe(false);
  expect(early!.transactions.map((tx) => tx.hash)).toEqual([attackHash, revertedHash]);
  expect(early!.transactions.map((tx) => tx.trace)).toEqual([undefined, undefined]);

  slow.release();
  const block = await fetching;
  expect(block.traced).toBe(true);
  expect(block.transactions[0]!.trace).toMatchObject({ type: 'CALL', to: attacker });
  // The same block, receipts and logs: only the traces came later.
  expect({
    ...block,
    traced: false,
    transactions: block.transactions.map((tx) => ({ ...tx, trace: undefined })),
  }).toEqual(early);
});

test('behavior: trace_block and debug_traceBlockByNumber give the same call trees (deployments, re-entry, a revert)', async () => {
  const debugOnly = await startFakeNode(forwardTo(node.anvil.rpcUrl, ['trace_block']));
  fakes.push(debugOnly);
  const capabilities = createCapabilityTracker();
  const flatPool = createRpcPool({ endpoints: [node.anvil.rpcUrl] });
  const treePool = createRpcPool({ endpoints: [debugOnly.url] });
  // Frame for frame the same, but for the root's gas used: from trace_block it is the receipt's
  // (anvil's callTracer counts more on a reverted transaction).
  const rootless = (block: Block) => block.transactions.map((tx) => ({ ...tx.trace!, gasUsed: undefined }));
  let creations = 0;
  for (let number = 1n; number <= attackBlock; number++) {
    const flat = await fetchBlock(flatPool, { chainId, number, capabilities });
    const tree = await fetchBlock(treePool, { chainId, number, capabilities: createCapabilityTracker() });
    expect(rootless(flat)).toEqual(rootless(tree));
    expect(flat.transactions.map((tx) => tx.trace!.gasUsed)).toEqual(flat.transactions.map((tx) => tx.receipt.gasUsed));
    creations += flat.transactions.filter((tx) => tx.trace!.type === 'CREATE').length;
    if (number === attackBlock) expect(flat.transactions[1]!.trace!.error).toBe('execution reverted');
  }
  expect(creations).toBe(2);
  expect(debugOnly.requests.map((request) => request.method)).toContain('debug_traceBlockByNumber');
  expect(capabilities.snapshot()).toMatchObject({ traces: 'available', missing: [] });
});
