import type { Block, CallFrame, Log, Tx } from '@bulwark/chain';
import { createCapabilityTracker, createRpcPool, fetchBlock } from '@bulwark/chain';
import {
  type Anvil,
  type DemoProtocol,
  type DeployWalletClient,
  deployContract,
  deployDemoProtocol,
  loadArtifacts,
  startAnvil,
} from '@bulwark/contracts';
import {
  type Abi,
  type Address,
  createPublicClient,
  createWalletClient,
  encodeAbiParameters,
  type Hex,
  http,
  type PublicClient,
  pad,
  parseEther,
} from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventTopics, normalizeBlock } from './normalize.ts';
import type { AdminEvent, CallEvent, CreationEvent, MonitorEvent, ReentrancyEvent, ValueFlowEvent } from './types.ts';

const of =
  <T extends MonitorEvent['type']>(type: T) =>
  (events: MonitorEvent[]) =>
    events.filter((event): event is Extract<MonitorEvent, { type: T }> => event.type === type);
const calls = of('call');
const flows = of('value-flow');
const admins = of('admin');
const creations = of('creation');
const reentries = of('reentrancy');
const sum = (events: ValueFlowEvent[]) => events.reduce((total, event) => total + event.amount, 0n);

describe('hand-built blocks', () => {
  const A = '0x00000000000000000000000000000000000000aa' as Address;
  const X = '0x00000000000000000000000000000000000000bb' as Address;
  const eoa = '0x00000000000000000000000000000000000000ee' as Address;
  const token = '0x00000000000000000000000000000000000000cc' as Address;
  const other = '0x00000000000000000000000000000000000000dd' as Address;
  const hash = `0x${'11'.repeat(32)}` as Hex;
  const watched = new Set<string>([A]);

  const frame = (partial: Partial<CallFrame> & Pick<CallFrame, 'from' | 'to'>): CallFrame => ({
    type: 'CALL',
    value: 0n,
    gas: 100_000n,
    gasUsed: 1_000n,
    input: '0x',
    output: '0x',
    error: undefined,
    revertReason: undefined,
    calls: [],
    ...partial,
  });
  const log = (address: Address, topics: Hex[], data: Hex = '0x', logIndex = 0): Log => ({
    address,
    topics,
    data,
    logIndex,
    transactionIndex: 0,
    transactionHash: hash,
    blockNumber: 1n,
    blockHash: hash,
  });
  const tx = (partial: Partial<Tx> & { status?: 'success' | 'reverted'; logs?: Log[] }): Tx => ({
    hash,
    blockNumber: 1n,
    blockHash: hash,
    index: 0,
    type: 'eip1559',
    from: eoa,
    to: A,
    value: 0n,
    input: '0x',
    nonce: 0n,
    gas: 1_000_000n,
    gasPrice: 1n,
    maxFeePerGas: 1n,
    maxPriorityFeePerGas: 1n,
    receipt: {
      status: partial.status ?? 'success',
      gasUsed: 21_000n,
      cumulativeGasUsed: 21_000n,
      effectiveGasPrice: 1n,
      contractAddress: null,
      logs: partial.logs ?? [],
    },
    trace: undefined,
    traceError: undefined,
    ...partial,
  });
  const block = (...transactions: Tx[]): Block => ({
    number: 1n,
    hash,
    chainId: 1,
    parentHash: hash,
    timestamp: 1_000n,
    miner: other,
    gasUsed: 0n,
    gasLimit: 30_000_000n,
    baseFeePerGas: 1n,
    transactions,
    logs: transactions.flatMap((t) => t.receipt.logs),
    traced: transactions.some((t) => t.trace !== undefined),
  });
  const topic = (address: Address) => pad(address) as Hex;

  // eoa → X.attack{1} → A.deposit{1}; A → X (receive, 2) → A.withdraw → X{2}
  const attackTrace = frame({
    from: eoa,
    to: X,
    value: 1n,
    input: '0x12345678',
    calls: [
      frame({ from: X, to: A, value: 1n, input: '0xd0e30db0' }),
      frame({
        from: X,
        to: A,
        input: '0x853828b6',
        calls: [
          frame({
            from: A,
            to: X,
            value: 2n,
            calls: [frame({ from: X, to: A, input: '0x853828b6', calls: [frame({ from: A, to: X, value: 2n })] })],
          }),
        ],
      }),
    ],
  });

  test('default: internal calls, native flows and a re-entry from a trace', () => {
    const events = normalizeBlock(block(tx({ to: X, value: 1n, trace: attackTrace })), { watched });
    expect(calls(events).map((e) => [e.depth, e.caller, e.selector, e.value, e.success])).toEqual([
      [1, X, '0xd0e30db0', 1n, true],
      [1, X, '0x853828b6', 0n, true],
      [3, X, '0x853828b6', 0n, true],
    ]);
    expect(flows(events).map((e) => [e.from, e.to, e.amount, e.depth])).toEqual([
      [X, A, 1n, 1],
      [A, X, 2n, 2],
      [A, X, 2n, 4],
    ]);
    const [reentry] = reentries(events) as [ReentrancyEvent];
    expect(reentries(events)).toHaveLength(1);
    expect(reentry).toMatchObject({
      contract: A,
      firstDepth: 1,
      depth: 3,
      nesting: 1,
      path: [X, A, X, A],
      reenteredBy: X,
    });
    expect(reentry).toMatchObject({ chainId: 1, blockNumber: 1n, txHash: hash, txFrom: eoa, selector: '0x853828b6' });
  });

  test('behavior: a reverted transaction or frame moves no value and its calls fail', () => {
    const events = normalizeBlock(block(tx({ to: X, value: 1n, trace: attackTrace, status: 'reverted' })), {
      watched,
    });
    expect(flows(events)).toEqual([]);
    expect(calls(events).every((e) => !e.success)).toBe(true);

    const failedInner = frame({
      from: eoa,
      to: X,
      calls: [
        frame({
          from: X,
          to: A,
          value: 5n,
          error: 'execution reverted',
          calls: [frame({ from: A, to: other, value: 5n })],
        }),
      ],
    });
    const inner = normalizeBlock(block(tx({ to: X, trace: failedInner })), { watched });
    expect(flows(inner)).toEqual([]);
    expect(calls(inner)).toMatchObject([{ success: false, error: 'execution reverted' }]);
  });

  test('behavior: a contract calling itself, or a proxy delegating, is no re-entry', () => {
    const selfCall = frame({
      from: eoa,
      to: A,
      calls: [frame({ from: A, to: A, calls: [frame({ from: A, to: other, type: 'DELEGATECALL' })] })],
    });
    expect(reentries(normalizeBlock(block(tx({ trace: selfCall })), { watched }))).toEqual([]);
  });

  test('behavior: re-entry into a proxy through its implementation counts the proxy', () => {
    const impl = other;
    const trace = frame({
      from: eoa,
      to: A,
      calls: [
        frame({
          from: A,
          to: impl,
          type: 'DELEGATECALL',
          calls: [
            frame({
              from: A,
              to: X,
              calls: [frame({ from: X, to: A, calls: [frame({ from: A, to: impl, type: 'DELEGATECALL' })] })],
            }),
          ],
        }),
      ],
    });
    const events = normalizeBlock(block(tx({ trace })), { watched });
    expect(reentries(events)).toMatchObject([
      { contract: A, firstDepth: 0, depth: 3, nesting: 1, path: [A, impl, X, A] },
    ]);
  });

  test('behavior: creations from a transaction and from a factory', () => {
    const created = '0x00000000000000000000000000000000000000f1' as Address;
    const trace = frame({
      from: eoa,
      to: X,
      calls: [
        frame({ from: X, to: created, type: 'CREATE2', value: 0n }),
        frame({ from: X, to: undefined, type: 'CREATE', error: 'out of gas' }),
      ],
    });
    const events = normalizeBlock(block(tx({ to: X, trace })), { watched });
    expect(creations(events)).toMatchObject([{ address: created, creator: X, createType: 'CREATE2', depth: 1 }]);

    const untraced = tx({ to: null });
    untraced.receipt.contractAddress = created;
    expect(creations(normalizeBlock(block(untraced), { watched }))).toMatchObject([
      { address: created, creator: eoa, createType: 'CREATE', depth: 0, source: 'tx' },
    ]);
  });

  test('behavior: without a trace, the top-level call and value', () => {
    const events = normalizeBlock(block(tx({ value: 3n, input: '0xd0e30db0aabb' })), { watched });
    expect(calls(events)).toMatchObject([{ contract: A, caller: eoa, depth: 0, selector: '0xd0e30db0', source: 'tx' }]);
    expect(flows(events)).toMatchObject([{ from: eoa, to: A, amount: 3n, asset: 'native', toWatched: true }]);
  });

  test('behavior: ERC-20 transfers touching watched addresses, not ERC-721 or reverted ones', () => {
    const amount = encodeAbiParameters([{ type: 'uint256' }], [7n]);
    const logs = [
      log(token, [eventTopics.Transfer, topic(A), topic(other)], amount, 0),
      log(token, [eventTopics.Transfer, topic(other), topic(eoa)], amount, 1),
      log(token, [eventTopics.Transfer, topic(A), topic(other), pad('0x01')], '0x', 2),
    ];
    const events = normalizeBlock(block(tx({ to: token, logs })), { watched });
    expect(flows(events)).toMatchObject([
      { asset: token, from: A, to: other, amount: 7n, fromWatched: true, toWatched: false, logIndex: 0 },
    ]);
    expect(flows(normalizeBlock(block(tx({ to: token, logs, status: 'reverted' })), { watched }))).toEqual([]);
  });

  test('behavior: admin events, indexed or in data, from watched contracts only', () => {
    const role = `0x${'ab'.repeat(32)}` as Hex;
    const two = encodeAbiParameters([{ type: 'address' }, { type: 'address' }], [eoa, other]);
    const logs = [
      log(A, [eventTopics.OwnershipTransferred, topic(eoa), topic(other)]),
      log(A, [eventTopics.RoleGranted, role, topic(other), topic(eoa)]),
      log(A, [eventTopics.Upgraded, topic(other)]),
      log(A, [eventTopics.AdminChanged], two),
      log(A, [eventTopics.AdminChanged, topic(eoa), topic(other)]),
      log(A, [eventTopics.GuardianChanged, topic(eoa), topic(other)]),
      log(A, [eventTopics.Paused], encodeAbiParameters([{ type: 'address' }], [eoa])),
      log(A, [eventTopics.UnpauseRequested], encodeAbiParameters([{ type: 'uint256' }], [99n])),
      log(X, [eventTopics.Paused], encodeAbiParameters([{ type: 'address' }], [eoa])),
      log(A, [eventTopics.Upgraded]),
    ];
    const events = admins(normalizeBlock(block(tx({ logs })), { watched }));
    expect(events.map((e) => e.change)).toEqual([
      { name: 'OwnershipTransferred', previousOwner: eoa, newOwner: other },
      { name: 'RoleGranted', role, account: other, sender: eoa },
      { name: 'Upgraded', implementation: other },
      { name: 'AdminChanged', previousAdmin: eoa, newAdmin: other },
      { name: 'AdminChanged', previousAdmin: eoa, newAdmin: other },
      { name: 'GuardianChanged', previousGuardian: eoa, newGuardian: other },
      { name: 'Paused', account: eoa },
      { name: 'UnpauseRequested', readyAt: 99n },
    ]);
    expect(events.every((e) => e.contract === A)).toBe(true);
  });
});

describe('on anvil: the demo protocol', () => {
  let anvil: Anvil;
  let publicClient: PublicClient;
  let protocol: DemoProtocol;
  let watched: Set<string>;
  let vault: Address;
  const lower = (address: string) => address.toLowerCase() as Address;
  const wallets: DeployWalletClient[] = [];
  const pool = () => createRpcPool({ endpoints: [anvil.rpcUrl] });
  let blockOf: (number: bigint) => Promise<Block>;

  beforeAll(async () => {
    anvil = await startAnvil();
    const transport = http(anvil.rpcUrl);
    publicClient = createPublicClient({ chain: foundry, transport, pollingInterval: 25 }) as PublicClient;
    const accounts = await createWalletClient({ chain: foundry, transport }).getAddresses();
    for (const account of accounts) {
      wallets.push(
        createWalletClient({ account, chain: foundry, transport, pollingInterval: 25 }) as DeployWalletClient,
      );
    }
    protocol = await deployDemoProtocol(wallets[0]!, publicClient, {
      guardian: wallets[1]!.account.address,
      artifacts: await loadArtifacts(),
    });
    vault = lower(protocol.addresses.vault);
    watched = new Set(Object.values(protocol.addresses).map(lower));
    const rpc = pool();
    const capabilities = createCapabilityTracker();
    blockOf = (number) => fetchBlock(rpc, { chainId: foundry.id, number, capabilities });
  });

  afterAll(async () => {
    await anvil?.stop();
  });

  const send = async (
    wallet: DeployWalletClient,
    to: Address,
    abi: Abi,
    functionName: string,
    args: unknown[] = [],
    value = 0n,
    gas?: bigint,
  ) => {
    const hash = await wallet.writeContract({
      address: to,
      abi,
      functionName,
      args,
      value,
      gas,
      chain: foundry,
      account: wallet.account,
    });
    return publicClient.waitForTransactionReceipt({ hash, pollingInterval: 25 });
  };
  const normalized = async (number: bigint) => normalizeBlock(await blockOf(number), { watched });

  test('default: the deployment blocks yield creations', async () => {
    const deployer = lower(wallets[0]!.account.address);
    const found: CreationEvent[] = [];
    for (let n = protocol.startBlock; n < protocol.startBlock + 7n; n++) found.push(...creations(await normalized(n)));
    expect(found.map((e) => e.address).sort()).toEqual([...watched].sort());
    expect(found.every((e) => e.creator === deployer && e.depth === 0 && e.source === 'trace')).toBe(true);
  });

  test('default: a plain deposit and withdrawal', async () => {
    const victim = wallets[2]!;
    const abi = protocol.abis.DemoVault;
    const deposit = await send(victim, vault, abi, 'deposit', [], parseEther('20'));
    const withdraw = await send(victim, vault, abi, 'withdraw', [parseEther('5')]);
    const account = lower(victim.account.address);

    const deposited = await normalized(deposit.blockNumber);
    expect(calls(deposited)).toMatchObject([
      { contract: vault, caller: account, depth: 0, selector: '0xd0e30db0', success: true },
    ]);
    expect(flows(deposited)).toMatchObject([{ asset: 'native', from: account, to: vault, amount: parseEther('20') }]);
    expect(reentries(deposited)).toEqual([]);

    const withdrawn = await normalized(withdraw.blockNumber);
    expect(flows(withdrawn)).toMatchObject([
      { asset: 'native', from: vault, to: account, amount: parseEther('5'), depth: 1 },
    ]);
    expect(reentries(withdrawn)).toEqual([]);
  });

  test('default: the reentrancy attack, then the pause, then a reverted attack', async () => {
    const thief = wallets[5]!;
    const artifacts = protocol.artifacts;
    const attackerAbi = artifacts.contracts.ReentrancyAttacker!.abi as Abi;
    const attacker = lower(
      await deployContract(thief, publicClient, { artifact: artifacts.contracts.ReentrancyAttacker!, args: [vault] }),
    );
    const attackerDeploy = await publicClient.getBlockNumber({ cacheTime: 0 });
    expect(creations(await normalized(attackerDeploy))).toMatchObject([
      { address: attacker, creator: lower(thief.account.address) },
    ]);

    const before = await publicClient.getBalance({ address: attacker });
    const receipt = await send(thief, attacker, attackerAbi, 'attack', [4n], parseEther('1'));
    const gain = (await publicClient.getBalance({ address: attacker })) - before;
    expect(gain).toBe(parseEther('5'));

    const events = await normalized(receipt.blockNumber);
    const reentry = reentries(events);
    expect(reentry.length).toBeGreaterThan(0);
    expect(reentry.every((e) => e.contract === vault && e.path.includes(vault) && e.path.includes(attacker))).toBe(
      true,
    );
    expect(Math.max(...reentry.map((e) => e.nesting))).toBe(4);

    const out = flows(events).filter((e) => e.asset === 'native' && e.from === vault);
    expect(out.every((e) => e.to === attacker)).toBe(true);
    expect(sum(out)).toBe(gain);
    const into = flows(events).filter((e) => e.asset === 'native' && e.to === vault);
    expect(sum(out) - sum(into)).toBe(parseEther('4'));

    const internal = calls(events).filter((e: CallEvent) => e.caller === attacker && e.contract === vault);
    expect(internal.length).toBe(6); // deposit, withdrawAll and four re-entries
    expect(internal.every((e) => e.depth > 0 && e.success)).toBe(true);

    // The guardian pauses.
    const guardian = wallets[1]!;
    const pause = await send(guardian, vault, protocol.abis.DemoVault, 'pause');
    const paused = admins(await normalized(pause.blockNumber)) as AdminEvent[];
    expect(paused).toMatchObject([
      { contract: vault, change: { name: 'Paused', account: lower(guardian.account.address) } },
    ]);

    // The next attack reverts (explicit gas: mined rather than refused).
    const blocked = await send(thief, attacker, attackerAbi, 'attack', [4n], parseEther('1'), 2_000_000n);
    expect(blocked.status).toBe('reverted');
    const reverted = await normalized(blocked.blockNumber);
    expect(flows(reverted)).toEqual([]);
    expect(calls(reverted).length).toBeGreaterThan(0);
    expect(calls(reverted).every((e) => !e.success && !e.txSuccess)).toBe(true);
  });
});
