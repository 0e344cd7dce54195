/**
 * The pause against an attacker who pays high fees, on anvil with manual mining (its pool orders
 * by fee): the pause must be mined before every attacker transaction pending to the contract.
 */
import { createRpcPool } from '@bulwark/chain';
import { forwardTo, startFakeNode } from '@bulwark/chain/testing';
import { listResponderActions, type OpenStoreReturnType, openIncident, openStore } from '@bulwark/store';
import { memoryPGlite } from '@bulwark/store/testing';
import {
  type Address,
  encodeFunctionData,
  type Hex,
  keccak256,
  numberToHex,
  type PrivateKeyAccount,
  parseEther,
  parseGwei,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type CreatePauseResponderParameters,
  createPauseResponder,
  type PauseOutcome,
  type PauseStep,
} from './pauseSender.ts';
import {
  deployRegistryPaused,
  openTestIncident,
  pausableReadAbi,
  type ResponderTestChain,
  startDeadEndpoint,
  startRelay,
  startResponderChain,
  until,
} from './testing.ts';

const depositAbi = [
  { type: 'function', name: 'deposit', inputs: [], outputs: [], stateMutability: 'payable' },
] as const;

let chain: ResponderTestChain;
let store: OpenStoreReturnType;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  [chain, store] = await Promise.all([startResponderChain(), openStore({ pglite: await memoryPGlite() })]);
});
afterAll(async () => {
  for (const close of closers.splice(0)) await close();
  await store?.close();
  await chain?.stop();
});

type AttackFees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | { gasPrice: bigint };

async function newAttacker(): Promise<PrivateKeyAccount> {
  const account = privateKeyToAccount(generatePrivateKey());
  await chain.rpc('anvil_setBalance', [account.address, numberToHex(parseEther('10'))]);
  return account;
}

/** A signed `deposit()` to the vault (reverts once it is paused), put in anvil's pool; returns its hash. */
async function attack(attacker: PrivateKeyAccount, vault: Address, nonce: number, fees: AttackFees): Promise<Hex> {
  const common = {
    chainId: foundry.id,
    to: vault,
    data: encodeFunctionData({ abi: depositAbi, functionName: 'deposit' }),
    value: 1n,
    nonce,
    gas: 100_000n,
  };
  const serialized =
    'gasPrice' in fees
      ? await attacker.signTransaction({ ...common, type: 'legacy', gasPrice: fees.gasPrice })
      : await attacker.signTransaction({ ...common, type: 'eip1559', ...fees });
  return chain.rpc<Hex>('eth_sendRawTransaction', [serialized]);
}

/** A guardian, a vault it guards, an incident, and a responder on a pool (`responder` overrides its options). */
async function setup(
  options: { endpoints?: string[]; relays?: string[]; responder?: Partial<CreatePauseResponderParameters> } = {},
) {
  const { account } = await chain.newGuardian();
  const vault = await chain.deployPausable(account.address);
  const incident = await openTestIncident(store, vault);
  const steps: PauseStep[] = [];
  const responder = createPauseResponder({
    pool: createRpcPool({ endpoints: options.endpoints ?? [chain.anvil.rpcUrl], retryCount: 0 }),
    relays: options.relays?.map((url) => ({ url, method: 'eth_sendPrivateTransaction' as const, name: 'relay' })),
    account,
    store,
    chainId: foundry.id,
    allowed: [vault],
    pollingIntervalMs: 20,
    deadlineMs: 20_000,
    onStep: (step) => steps.push(step),
    ...options.responder,
  });
  closers.push(async () => responder.close());
  const request = {
    incidentId: incident.id,
    chainId: foundry.id,
    contract: vault,
    reason: 'attack pending',
    dryRun: false,
  };
  return { account, vault, incident, responder, steps, request };
}

test('behavior: the pause outbids every pending attacker transaction (EIP-1559 and legacy) and is mined before them', async () => {
  const { vault, responder, request, incident } = await setup();
  const base = (await chain.client.getBlock()).baseFeePerGas!;
  // Typical: a tip of 1 gwei. The attacker pays 30× that, or a huge max fee with a small tip, or legacy.
  const [first, second, third] = await Promise.all([newAttacker(), newAttacker(), newAttacker()]);
  const attacks = [
    await attack(first, vault, 0, { maxFeePerGas: base * 2n + parseGwei('30'), maxPriorityFeePerGas: parseGwei('30') }),
    await attack(first, vault, 1, { maxFeePerGas: base * 2n + parseGwei('30'), maxPriorityFeePerGas: parseGwei('30') }),
    await attack(second, vault, 0, { gasPrice: parseGwei('45') }),
    await attack(third, vault, 0, { maxFeePerGas: parseGwei('200'), maxPriorityFeePerGas: parseGwei('3') }),
  ];
  // The attacker's next step goes elsewhere (its own contract, say), from a sender seen at the vault: a competitor too.
  const elsewhere = await first.signTransaction({
    chainId: foundry.id,
    type: 'eip1559',
    to: third.address,
    value: 1n,
    nonce: 2,
    gas: 21_000n,
    maxFeePerGas: parseGwei('300'),
    maxPriorityFeePerGas: parseGwei('60'),
  });
  await chain.rpc('eth_sendRawTransaction', [elsewhere]);
  // The decision rests on the first attack transaction, seen pending.
  const handle = responder.start({
    ...request,
    competitors: [
      {
        hash: attacks[0],
        from: first.address,
        to: vault,
        maxFeePerGas: base * 2n + parseGwei('30'),
        maxPriorityFeePerGas: parseGwei('30'),
      },
    ],
  });
  const broadcast = await handle.broadcast;
  expect(broadcast?.txHash).toMatch(/^0x[0-9a-f]{64}$/);
  await chain.mine();
  const outcome = await handle.settled;

  expect(outcome).toMatchObject({ status: 'verified', attempts: 1 });
  expect(outcome.pricing).toMatchObject({ outbid: true, limitedBy: undefined, source: 'txpool' });
  expect(outcome.pricing!.competitors).toBe(attacks.length + 1);
  const mined = await chain.client.getTransaction({ hash: outcome.txHash! });
  // 10% above the sender's other transaction: its max fee (300) and its tip (60).
  expect(mined.maxFeePerGas).toBeGreaterThanOrEqual(parseGwei('330'));
  expect(mined.maxPriorityFeePerGas).toBeGreaterThanOrEqual(parseGwei('66'));
  const pause = await chain.client.getTransactionReceipt({ hash: outcome.txHash! });
  for (const hash of attacks) {
    const receipt = await chain.client.getTransactionReceipt({ hash });
    expect(receipt.blockNumber).toBe(pause.blockNumber);
    expect(receipt.transactionIndex).toBeGreaterThan(pause.transactionIndex);
    expect(receipt.status).toBe('reverted');
  }
  expect(pause.transactionIndex).toBe(0);
  const [action] = await listResponderActions(store, { incidentId: incident.id });
  expect(action!.data).toMatchObject({ pricing: { outbid: true, limitedBy: null }, transactionIndex: 0 });
});

/** A pause sent; then, after it is out, an attacker's transaction to the vault paying 3× its fees. */
async function outbidAfterSending(options: Parameters<typeof setup>[0] = {}) {
  const { account, vault, responder, request, steps } = await setup(options);
  const nonce = await chain.nonce(account.address);
  const handle = responder.start(request);
  const broadcast = await handle.broadcast;
  const sent = await chain.client.getTransaction({ hash: broadcast!.txHash });
  const attacker = await newAttacker();
  const fees = { maxFeePerGas: sent.maxFeePerGas! * 3n, maxPriorityFeePerGas: sent.maxPriorityFeePerGas! * 3n };
  const late = await attack(attacker, vault, 0, fees);
  return { vault, responder, steps, nonce, handle, attacker, fees, late };
}

test('behavior: a competitor that outbids the sent pause is answered by a same-nonce replacement before the block', async () => {
  const { steps, nonce, handle, fees, late } = await outbidAfterSending();
  await until(() => steps.some((step) => step.status === 'resent'));
  await chain.mine();
  await expectReplacedAndFirst(await handle.settled, late, nonce, fees);
});

/** The pause was replaced once (same nonce, fees above `fees`) and mined before `late`, which reverted. */
async function expectReplacedAndFirst(
  outcome: PauseOutcome,
  late: Hex,
  nonce: number,
  fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint },
) {
  expect(outcome).toMatchObject({ status: 'verified', attempts: 2 });
  const mined = await chain.client.getTransaction({ hash: outcome.txHash! });
  expect(mined).toMatchObject({ hash: outcome.hashes[1], nonce });
  expect(mined.maxPriorityFeePerGas!).toBeGreaterThan(fees.maxPriorityFeePerGas);
  expect(mined.maxFeePerGas!).toBeGreaterThan(fees.maxFeePerGas);
  const pause = await chain.client.getTransactionReceipt({ hash: outcome.txHash! });
  const lateReceipt = await chain.client.getTransactionReceipt({ hash: late });
  expect(lateReceipt.blockNumber).toBe(pause.blockNumber);
  expect(pause.transactionIndex).toBeLessThan(lateReceipt.transactionIndex);
  expect(lateReceipt.status).toBe('reverted');
}

test('behavior: a competitor streamed in after the pause was sent (a pending event) is outbid by a same-nonce replacement, though the node hides its txpool', async () => {
  // The responder's node has no txpool_content: only the stream can tell it of the competitor.
  const noTxpool = await startFakeNode(forwardTo(chain.anvil.rpcUrl, ['txpool_content']));
  closers.push(noTxpool.close);
  const { vault, responder, steps, nonce, handle, attacker, fees, late } = await outbidAfterSending({
    endpoints: [noTxpool.url],
  });
  // The sync's pending event says the attacker's transaction reaches the vault (through its own
  // contract, so `to` is elsewhere).
  responder.compete({ hash: late, from: attacker.address, to: attacker.address, gasPrice: undefined, ...fees }, [
    vault,
  ]);
  await until(() => steps.some((step) => step.status === 'resent'));
  await chain.mine();
  await expectReplacedAndFirst(await handle.settled, late, nonce, fees);
});

test('behavior: at the cap the pause is still sent, and says it could not outbid', async () => {
  const base = (await chain.client.getBlock()).baseFeePerGas!;
  const logs: string[] = [];
  const cap = base * 3n + parseGwei('5');
  const { vault, incident, request, responder } = await setup({
    responder: { fees: { maxFeePerGasCap: cap }, log: (line) => logs.push(line) },
  });
  await attack(await newAttacker(), vault, 0, {
    maxFeePerGas: parseGwei('500'),
    maxPriorityFeePerGas: parseGwei('400'),
  });
  const handle = responder.start(request);
  await handle.broadcast;
  // A second attacker outbids it further: no replacement fits under the cap, and that is told too.
  await attack(await newAttacker(), vault, 0, {
    maxFeePerGas: parseGwei('800'),
    maxPriorityFeePerGas: parseGwei('700'),
  });
  await until(() => logs.length === 2);
  await chain.mine();
  const outcome = await handle.settled;
  expect(outcome.status).toBe('verified');
  expect(outcome.pricing).toMatchObject({ outbid: false, limitedBy: 'maxFeePerGasCap' });
  expect(outcome.transaction!.maxFeePerGas).toBe(cap);
  expect(outcome.attempts).toBe(1);
  expect(logs).toEqual([
    expect.stringMatching(/maxFeePerGasCap cap stops the fees below what outbids 1 competitor/),
    expect.stringMatching(
      /maxFeePerGasCap cap stops the fees below what outbids 2 competitor.*needs max fee 880000000000/,
    ),
  ]);
  const [action] = await listResponderActions(store, { incidentId: incident.id });
  expect(action!.data).toMatchObject({ pricing: { outbid: false, limitedBy: 'maxFeePerGasCap' } });
});

test('behavior: the signed pause goes to every endpoint and to the private relay, all at once', async () => {
  const recorder = await startRelay();
  const relay = await startRelay();
  closers.push(recorder.close, relay.close);
  const { responder, request } = await setup({ endpoints: [chain.anvil.rpcUrl, recorder.url], relays: [relay.url] });
  const handle = responder.start(request);
  await handle.broadcast;
  await chain.mine();
  const outcome = await handle.settled;

  expect(outcome.status).toBe('verified');
  const toEndpoint = recorder.requests.filter((r) => r.method === 'eth_sendRawTransaction');
  const toRelay = relay.requests.filter((r) => r.method === 'eth_sendPrivateTransaction');
  expect(toEndpoint).toHaveLength(1);
  expect(toRelay).toHaveLength(1);
  expect(keccak256(toEndpoint[0]!.params[0] as Hex)).toBe(outcome.txHash);
  expect(keccak256((toRelay[0]!.params[0] as { tx: Hex }).tx)).toBe(outcome.txHash);
  // The second endpoint serves no reads while the first is healthy: only the broadcast reached it.
  expect(recorder.requests.map((r) => r.method)).toEqual(['eth_sendRawTransaction']);
  expect(outcome.acceptedBy.length).toBeGreaterThanOrEqual(1);
});

test('behavior: a dead first RPC endpoint does not stop the pause (the pool fails over)', async () => {
  const dead = await startDeadEndpoint();
  closers.push(dead.close);
  const { responder, request, vault } = await setup({ endpoints: [dead.url, chain.anvil.rpcUrl] });
  const handle = responder.start(request);
  await handle.broadcast;
  await chain.mine();
  const outcome = await handle.settled;
  expect(outcome).toMatchObject({ status: 'verified', error: undefined });
  expect(await chain.client.readContract({ address: vault, abi: pausableReadAbi, functionName: 'paused' })).toBe(true);
  expect(dead.requests.length).toBeGreaterThan(0);
});

test('behavior: prepared in advance, a request signs and sends with no read first', async () => {
  const recorder = await startFakeNode(forwardTo(chain.anvil.rpcUrl));
  closers.push(recorder.close);
  const { responder, request } = await setup({ endpoints: [recorder.url] });
  await responder.prepare();
  const before = recorder.requests.length;
  const handle = responder.start(request);
  await handle.broadcast;
  // Between the request and the broadcast the node heard one thing: the transaction.
  expect(recorder.requests.slice(before, before + 1).map((r) => r.method)).toEqual(['eth_sendRawTransaction']);
  await chain.mine();
  expect((await handle.settled).status).toBe('verified');
});

test("behavior: without txpool_content the latest block's highest-paying transaction sets the price", async () => {
  const noTxpool = await startFakeNode(forwardTo(chain.anvil.rpcUrl, ['txpool_content']));
  closers.push(noTxpool.close);
  const { vault, responder, request } = await setup({ endpoints: [noTxpool.url] });
  const attacker = await newAttacker();
  const mined = await attack(attacker, vault, 0, {
    maxFeePerGas: parseGwei('90'),
    maxPriorityFeePerGas: parseGwei('40'),
  });
  await chain.mine();
  expect((await chain.client.getTransactionReceipt({ hash: mined })).status).toBe('success');

  const handle = responder.start(request);
  await handle.broadcast;
  await chain.mine();
  const outcome = await handle.settled;
  expect(outcome).toMatchObject({
    status: 'verified',
    pricing: { outbid: true, source: 'latest-block', highest: mined },
  });
  expect(outcome.transaction!.maxPriorityFeePerGas).toBeGreaterThan(parseGwei('40'));
  expect(outcome.transaction!.maxFeePerGas).toBeGreaterThan(parseGwei('90'));
  expect(noTxpool.requests.filter((r) => r.method === 'txpool_content')).toHaveLength(1);
});

test('security: a relay or endpoint URL key appears in no error or record when every submission fails', async () => {
  const key = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
  const deadRelay = await startDeadEndpoint();
  // Reads work; every submission is refused by the node behind a keyed URL.
  const refusing = await startFakeNode(forwardTo(chain.anvil.rpcUrl, ['eth_sendRawTransaction']));
  closers.push(deadRelay.close, refusing.close);
  const { incident, request, responder } = await setup({
    responder: {
      pool: createRpcPool({ endpoints: [`${refusing.url}/v3/${key}`], retryCount: 0 }),
      relays: [{ url: `${deadRelay.url}/v3/${key}?apikey=${key}` }],
      deadlineMs: 300,
    },
  });
  const outcome = await responder.pause(request);
  expect(outcome).toMatchObject({ status: 'failed', attempts: 0, error: { name: 'PauseFailedError' } });
  expect(outcome.error!.message).toMatch(/not accepted by the node within 300 ms/);
  expect(deadRelay.requests.some((r) => r.method === 'eth_sendRawTransaction')).toBe(true);
  const texts = [
    outcome.error!.message,
    JSON.stringify(outcome.error),
    JSON.stringify(await listResponderActions(store, { incidentId: incident.id })),
  ];
  for (const text of texts) expect(text).not.toContain(key);
});

test('behavior: warm keeps the pause prepared on each new block, so a request goes out without reading state', async () => {
  const recorder = await startFakeNode(forwardTo(chain.anvil.rpcUrl));
  closers.push(recorder.close);
  const { responder, request } = await setup({ endpoints: [recorder.url] });
  const methods = () => recorder.requests.map((r) => r.method);
  /** A tick finished preparing once a later tick has asked for the head again. */
  const preparedAfter = (from: number) => () => {
    const after = methods().slice(from);
    const read = after.indexOf('eth_estimateGas');
    return read >= 0 && after.slice(read).includes('eth_blockNumber');
  };
  responder.warm();
  await until(preparedAfter(0));
  // A new block: the warm loop prepares again.
  await chain.mine();
  const afterBlock = recorder.requests.length;
  await until(preparedAfter(afterBlock));

  const before = recorder.requests.length;
  const handle = responder.start(request);
  await handle.broadcast;
  const between = methods().slice(before, methods().indexOf('eth_sendRawTransaction', before));
  // Only the warm loop's own polling may run meanwhile; nothing of the pause's state is read.
  expect(between.filter((method) => method !== 'eth_blockNumber' && method !== 'txpool_content')).toEqual([]);
  responder.close();
  await chain.mine();
  expect((await handle.settled).status).toBe('verified');
});

test('behavior: warm with heads told prepares after each evaluated block and never polls for heads itself', async () => {
  const recorder = await startFakeNode(forwardTo(chain.anvil.rpcUrl));
  closers.push(recorder.close);
  const { responder, request } = await setup({ endpoints: [recorder.url] });
  const methods = () => recorder.requests.map((r) => r.method);
  const estimates = () => methods().filter((method) => method === 'eth_estimateGas').length;
  responder.warm({ heads: 'told' });
  await until(() => estimates() === 1);
  await chain.mine();
  const head = await chain.client.getBlockNumber({ cacheTime: 0 });
  // The caller evaluated the new block: the pause is prepared on it (one read of what all pauses share).
  responder.evaluated(head);
  await until(() => estimates() === 2);
  await until(() => methods().filter((method) => method === 'eth_getTransactionCount').length === 2);
  const before = recorder.requests.length;
  const handle = responder.start(request);
  await handle.broadcast;
  const between = methods().slice(before, methods().indexOf('eth_sendRawTransaction', before));
  expect(between.filter((method) => method !== 'txpool_content')).toEqual([]);
  // The heads came from the caller: the warm loop never asked the node for one.
  expect(methods().slice(0, before)).not.toContain('eth_blockNumber');
  responder.close();
  await chain.mine();
  expect((await handle.settled).status).toBe('verified');
});

test('behavior: warm with heads told re-reads, per block, only the contracts the block touched; the rest keep their reads on fresh shared state', async () => {
  const recorder = await startFakeNode(forwardTo(chain.anvil.rpcUrl));
  closers.push(recorder.close);
  const { account, vault, request } = await setup();
  const vaults = [vault];
  for (let i = 0; i < 5; i++) vaults.push(await chain.deployPausable(account.address));
  const responder = createPauseResponder({
    pool: createRpcPool({ endpoints: [recorder.url], retryCount: 0 }),
    account,
    store,
    chainId: foundry.id,
    allowed: vaults,
    pollingIntervalMs: 20,
    deadlineMs: 20_000,
  });
  closers.push(async () => responder.close());
  const methods = () => recorder.requests.map((r) => r.method);
  const count = (method: string) => methods().filter((m) => m === method).length;
  /** Mines a block and tells it, touching `touched`; resolves once its prepare has read what all pauses share. */
  const tell = async (touched: ReadonlySet<string> | undefined, head?: bigint) => {
    await chain.mine();
    const shared = count('eth_getTransactionCount');
    responder.evaluated(head ?? (await chain.client.getBlockNumber({ cacheTime: 0 })), touched);
    await until(() => count('eth_getTransactionCount') > shared);
  };
  // Each contract is read once when warming starts, and again on the first head told (nothing known before it).
  responder.warm({ heads: 'told' });
  expect(responder.contractReads()).toBe(6);
  await tell(new Set());
  expect(responder.contractReads()).toBe(12);
  await until(() => count('eth_estimateGas') === 12);

  // The admin pauses one vault: the next block touched it, and only it is read again (the count is
  // taken as the prepare starts, before any read is answered).
  const touchedVault = vaults[1]!;
  await chain.deployer.writeContract({
    address: touchedVault,
    abi: pausableReadAbi,
    functionName: 'pause',
    chain: foundry,
    account: chain.deployer.account,
  });
  await tell(new Set([touchedVault.toLowerCase()]));
  expect(responder.contractReads()).toBe(13);
  await until(() => count('eth_estimateGas') === 13);
  // A block touching nothing watched reads no contract, only the shared state.
  await tell(new Set());
  expect(responder.contractReads()).toBe(13);

  // The untouched vault's pause was carried to the newest block: it goes out with no read first.
  const before = recorder.requests.length;
  const handle = responder.start(request);
  await handle.broadcast;
  const between = methods().slice(before, methods().indexOf('eth_sendRawTransaction', before));
  expect(between.filter((method) => method !== 'txpool_content')).toEqual([]);
  await chain.mine();
  expect((await handle.settled).status).toBe('verified');
  // The touched vault was read again: its pause finds it paused by its admin.
  const paused = await responder.pause({ ...request, contract: touchedVault });
  expect(paused.status).toBe('already-paused');

  // A head that skips a block may hide touches: every contract is read again.
  const readsBefore = responder.contractReads();
  await chain.mine();
  await tell(new Set(), (await chain.client.getBlockNumber({ cacheTime: 0 })) + 1n);
  expect(responder.contractReads()).toBeGreaterThanOrEqual(readsBefore + 6);
  responder.close();
});

test('behavior: a contract whose paused() reads a registry is read again when a block touches the registry, not the contract', async () => {
  const recorder = await startFakeNode(forwardTo(chain.anvil.rpcUrl));
  closers.push(recorder.close);
  const { account } = await chain.newGuardian();
  const managed = await deployRegistryPaused(chain, account.address);
  const other = await deployRegistryPaused(chain, account.address);
  const incident = await openTestIncident(store, managed.contract);
  const responder = createPauseResponder({
    pool: createRpcPool({ endpoints: [recorder.url], retryCount: 0 }),
    account,
    store,
    chainId: foundry.id,
    allowed: [managed.contract, other.contract],
    pollingIntervalMs: 20,
    deadlineMs: 20_000,
  });
  closers.push(async () => responder.close());
  const count = (method: string) => recorder.requests.filter((request) => request.method === method).length;
  /** Tells the newest block (mined by the caller), touching `touched`; resolves once the pauses are prepared on it. */
  const tell = async (touched: ReadonlySet<string>) =>
    responder.evaluated(await chain.client.getBlockNumber({ cacheTime: 0 }), touched);
  responder.warm({ heads: 'told' });
  await chain.mine();
  await tell(new Set());
  const reads = responder.contractReads();

  // The pause manager flips the registry: the block reaches the registry and the manager, never the contract.
  await managed.setPaused(true);
  await tell(new Set([managed.registry.toLowerCase(), chain.deployer.account.address.toLowerCase()]));
  // Only the contract reading that registry is read again.
  expect(responder.contractReads()).toBe(reads + 1);
  expect(await chain.paused(managed.contract)).toBe(true);
  const sends = count('eth_sendRawTransaction');
  const outcome = await responder.pause({
    incidentId: incident.id,
    chainId: foundry.id,
    contract: managed.contract,
    reason: 'attack',
    dryRun: false,
  });
  // The stale read (unpaused) would send a pause that reverts; the fresh one finds it paused.
  expect(outcome.status).toBe('already-paused');
  expect(count('eth_sendRawTransaction')).toBe(sends);

  // A block touching neither contract nor its registry reads nothing again.
  await chain.mine();
  await tell(new Set([chain.deployer.account.address.toLowerCase()]));
  expect(responder.contractReads()).toBe(reads + 1);
  responder.close();
});

test('behavior: a pause goes out before the record it must follow exists; its records come after it', async () => {
  const { account, vault } = await setup();
  const responder = createPauseResponder({
    pool: createRpcPool({ endpoints: [chain.anvil.rpcUrl], retryCount: 0 }),
    account,
    store,
    chainId: foundry.id,
    allowed: [vault],
    pollingIntervalMs: 20,
  });
  let written!: () => void;
  const recordAfter = new Promise<void>((resolve) => {
    written = resolve;
  });
  // The incident is not written yet: the monitor writes it while the pause goes out.
  const incidentId = crypto.randomUUID();
  const handle = responder.start({
    incidentId,
    chainId: foundry.id,
    contract: vault,
    reason: 'drain',
    dryRun: false,
    recordAfter,
  });
  const broadcast = await handle.broadcast;
  expect(broadcast?.txHash).toBeDefined();
  await openIncident(store, {
    id: incidentId,
    title: 'Vault drain',
    severity: 'critical',
    chainId: foundry.id,
    address: vault,
    actor: 'monitor',
  });
  written();
  await chain.mine();
  const outcome = await handle.settled;
  expect(outcome).toMatchObject({ status: 'verified', recordErrors: [] });
  expect(await listResponderActions(store, { incidentId })).toMatchObject([
    { status: 'verified', txHash: outcome.txHash },
  ]);
});

test('behavior: two contracts of one key: the second pause goes out with the next nonce, without waiting for the first to be mined', async () => {
  const { account, vault, incident } = await setup();
  const market = await chain.deployPausable(account.address);
  const responder = createPauseResponder({
    pool: createRpcPool({ endpoints: [chain.anvil.rpcUrl] }),
    account,
    store,
    chainId: foundry.id,
    allowed: [vault, market],
    pollingIntervalMs: 20,
  });
  const nonce = await chain.nonce(account.address);
  const request = (contract: Address) => ({
    incidentId: incident.id,
    chainId: foundry.id,
    contract,
    reason: 'both attacked',
    dryRun: false,
  });
  const first = responder.start(request(vault));
  const second = responder.start(request(market));
  // No block is mined until both are out.
  const [one, two] = await Promise.all([first.broadcast, second.broadcast]);
  const [sentOne, sentTwo] = await Promise.all([
    chain.client.getTransaction({ hash: one!.txHash }),
    chain.client.getTransaction({ hash: two!.txHash }),
  ]);
  expect([sentOne.nonce, sentTwo.nonce]).toEqual([nonce, nonce + 1]);
  await chain.mine();
  const outcomes = await Promise.all([first.settled, second.settled]);
  expect(outcomes.map((outcome) => outcome.status)).toEqual(['verified', 'verified']);
  expect(await chain.paused(vault)).toBe(true);
  expect(await chain.paused(market)).toBe(true);
});

test('behavior: relaysOnly keeps the pause out of the public endpoints; the relay gets it to the chain', async () => {
  const publicEndpoint = await startFakeNode(forwardTo(chain.anvil.rpcUrl));
  // A relay that passes transactions to the chain privately (here: straight to the node).
  const relay = await startFakeNode(forwardTo(chain.anvil.rpcUrl));
  closers.push(publicEndpoint.close, relay.close);
  const { responder, request } = await setup({
    responder: {
      pool: createRpcPool({ endpoints: [publicEndpoint.url] }),
      relays: [{ url: relay.url, name: 'private' }],
      relaysOnly: true,
    },
  });
  const handle = responder.start(request);
  await handle.broadcast;
  await chain.mine();
  const outcome = await handle.settled;
  expect(outcome).toMatchObject({ status: 'verified', acceptedBy: ['private'] });
  expect(relay.requests.filter((r) => r.method === 'eth_sendRawTransaction')).toHaveLength(1);
  expect(publicEndpoint.requests.filter((r) => r.method === 'eth_sendRawTransaction')).toEqual([]);
});
