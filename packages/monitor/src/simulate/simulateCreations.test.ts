import {
  type Block,
  createCapabilityTracker,
  createChainSync,
  createMemoryCheckpointStore,
  fetchBlock,
  normalizeCallFrame,
  type PendingTx,
  type RpcCallFrame,
  RpcMethodNotSupportedError,
} from '@bulwark/chain';
import type { DemoProtocol, DeployWalletClient } from '@bulwark/contracts';
import type { TestChain } from '@bulwark/contracts/testing';
import { type Address, encodeDeployData, parseEther, toFunctionSelector } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEngine } from '../engine/engine.ts';
import { allRules } from '../rules/index.ts';
import { createCreationSimulator } from './simulateCreations.ts';
import { fundNextContract, startVaultChain } from './testing.ts';

let vaultChain: Awaited<ReturnType<typeof startVaultChain>>;
let chain: TestChain;
let attacker: DeployWalletClient;
let protocol: DemoProtocol;
let sync: ReturnType<typeof createChainSync>;
/** Methods the simulator asked the node for. */
const requests: string[] = [];

beforeAll(async () => {
  vaultChain = await startVaultChain();
  ({ chain, protocol, deployer: attacker } = vaultChain);
  sync = createChainSync({
    chainId: 31337,
    endpoints: [chain.anvil.rpcUrl],
    checkpointStore: createMemoryCheckpointStore(),
  });
});

afterAll(async () => {
  await chain?.stop();
});

function simulator(selectorsOf?: (contract: string) => string[], pools?: string[]) {
  const { addresses } = protocol;
  return createCreationSimulator({
    pool: {
      request: (method, params, options) => {
        requests.push(method);
        return sync.pool.request(method, params, options);
      },
    },
    chainId: 31337,
    contracts: [addresses.vault, addresses.lendingMarket, addresses.amm, addresses.debtToken],
    selectorsOf,
    pools,
  });
}

/** Deploys `name` from `wallet` and returns the traced block that created it. */
async function deployed(wallet: DeployWalletClient, name: string, args: readonly unknown[]) {
  const address = await chain.deploy(wallet, name, args);
  const number = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
  const block: Block = await fetchBlock(sync.pool, {
    chainId: 31337,
    number,
    traces: true,
    capabilities: createCapabilityTracker(),
  });
  return { address: address.toLowerCase() as Address, block };
}

describe('createCreationSimulator', () => {
  test('default: an attack contract deployed against the vault shows a drain at its deployment block', async () => {
    const { address, block } = await deployed(attacker, 'ReentrancyAttacker', [protocol.addresses.vault]);
    const [simulation, ...others] = await simulator()(block);
    expect(others).toHaveLength(0);
    expect(simulation).toMatchObject({
      address,
      deployer: attacker.account.address.toLowerCase(),
      references: [{ contract: protocol.addresses.vault.toLowerCase(), by: 'address' }],
    });
    expect(simulation!.error).toBeUndefined();
    const attack = toFunctionSelector('attack(uint256)');
    const [drain] = simulation!.drains;
    // A deposit of 1% of the vault, re-entered five times: five deposits' worth leaves net.
    expect(drain).toMatchObject({
      contract: protocol.addresses.vault.toLowerCase(),
      asset: 'native',
      holdings: parseEther('60').toString(),
      net: parseEther('3').toString(),
      in: parseEther('0.6').toString(),
      out: parseEther('3.6').toString(),
      recipients: [address],
      share: 0.05,
      call: { selector: attack, args: 'small', value: parseEther('0.6').toString(), reverted: false },
    });
    expect(simulation!.calls).toBeGreaterThan(0);
  });

  test('behavior: a keeper takes its small reward, and a funded trading bot trades: no drain beyond the reward', async () => {
    const keeper = await deployed(attacker, 'HarvestKeeper', [protocol.addresses.vault]);
    const [keeping] = await simulator()(keeper.block);
    expect(keeping!.references).toEqual([{ contract: protocol.addresses.vault.toLowerCase(), by: 'address' }]);
    // harvest() pays 0.1% of the vault's ether, by design.
    expect(keeping!.drains.map((drain) => drain.share)).toEqual([0.001]);

    // The trader's capital arrives before its code (at its precomputed address).
    const { debtToken, collateralToken, amm } = protocol.addresses;
    const bot = await fundNextContract(vaultChain, parseEther('50'));
    const trader = await deployed(attacker, 'SwapArbitrageBot', [amm, collateralToken, debtToken]);
    expect(trader.address).toBe(bot.toLowerCase());
    const [trading] = await simulator()(trader.block);
    expect(trading!.references.map((reference) => reference.contract)).toContain(amm.toLowerCase());
    expect(trading!.drains).toEqual([]);
    expect(trading!.trades[0]).toMatchObject({
      contract: amm.toLowerCase(),
      gave: [{ asset: debtToken.toLowerCase() }],
      got: [{ asset: collateralToken.toLowerCase() }],
    });
  });

  test('behavior: a trade is priced by a watched pool: a fair one stays a trade, one worth far less drains the difference', async () => {
    const { debtToken, collateralToken, amm, lendingMarket } = protocol.addresses;
    const market = lendingMarket.toLowerCase();
    const pools = [amm];
    await fundNextContract(vaultChain, parseEther('50'));
    const trader = await deployed(attacker, 'SwapArbitrageBot', [amm, collateralToken, debtToken]);
    const [trading] = await simulator(undefined, pools)(trader.block);
    expect(trading!.drains).toEqual([]);
    expect(trading!.trades[0]).toMatchObject({ contract: amm.toLowerCase(), pool: amm.toLowerCase() });

    // Capital of its own: 50,000 dUSD to pump the pool's price of the collateral, then borrow against it.
    await fundNextContract(vaultChain, parseEther('50000'), debtToken);
    const borrower = await deployed(attacker, 'SpotPriceBorrower', [amm, lendingMarket, collateralToken, debtToken]);
    const [borrowing] = await simulator(undefined, pools)(borrower.block);
    const drain = borrowing!.drains.find((candidate) => candidate.contract === market);
    // The market lends dUSD against collateral worth far less at the pool's price before the call.
    expect(drain).toMatchObject({
      asset: debtToken.toLowerCase(),
      call: { selector: toFunctionSelector('strike()') },
      pricedBy: { pool: amm.toLowerCase(), got: { asset: collateralToken.toLowerCase() } },
    });
    expect(BigInt(drain!.net)).toBeLessThan(BigInt(drain!.out));
    expect(drain!.share).toBeGreaterThan(0.05);
    // Without a pool to price it, the same call is a trade.
    const [unpriced] = await simulator()(borrower.block);
    expect(unpriced!.drains.filter((candidate) => candidate.contract === market)).toEqual([]);
    expect(unpriced!.trades.map((trade) => trade.contract)).toContain(market);
  });

  test('behavior: a pending deployment is simulated before the contract exists, and the engine pauses on it', async () => {
    const artifact = chain.artifacts.contracts.ReentrancyAttacker!;
    const from = attacker.account.address;
    const input = encodeDeployData({
      abi: artifact.abi,
      bytecode: artifact.bytecode,
      args: [protocol.addresses.vault],
    });
    // What mempool mode hands over: the transaction and its simulated trace on the latest block.
    const trace = normalizeCallFrame(
      await sync.pool.request<RpcCallFrame>('debug_traceCall', [
        { from, data: input, gas: '0x300000' },
        'latest',
        { tracer: 'callTracer', tracerConfig: { withLog: true } },
      ]),
    );
    const tx: PendingTx = {
      hash: `0x${'5e'.repeat(32)}`,
      from: from.toLowerCase() as Address,
      to: null,
      value: 0n,
      input,
      nonce: 0n,
      gas: 0x300000n,
      gasPrice: undefined,
      maxFeePerGas: 10n ** 9n,
      maxPriorityFeePerGas: 10n ** 9n,
    };
    const head = await chain.publicClient.getBlock({ blockTag: 'latest' });
    const at = { number: head.number, timestamp: head.timestamp };
    const simulations = await simulator().pending(tx, trace, at);
    expect(await chain.publicClient.getCode({ address: trace.to! })).toBeUndefined();
    expect(simulations).toMatchObject([
      {
        txHash: tx.hash,
        address: trace.to,
        blockNumber: head.number + 1n,
        drains: [{ contract: vault(), asset: 'native', share: 0.05, net: parseEther('3').toString() }],
      },
    ]);
    const engine = createEngine({
      chainId: 31337,
      rules: allRules,
      contracts: [{ address: protocol.addresses.vault, name: 'DemoVault', kind: 'vault' }],
    });
    expect(engine.processPending(tx, trace, at).verdicts).toEqual([]);
    expect(engine.processPending(tx, trace, at, { simulations }).verdicts).toMatchObject([
      { contract: vault(), pause: true },
    ]);
  });

  test('error: a node without debug_traceCall turns simulation off, with one log line', async () => {
    const lines: string[] = [];
    // The pool's answer when no endpoint knows the method.
    const simulate = createCreationSimulator({
      pool: {
        request: (method, params, options) =>
          method === 'debug_traceCall'
            ? Promise.reject(new RpcMethodNotSupportedError({ method, endpoints: ['node'] }))
            : sync.pool.request(method, params, options),
      },
      chainId: 31337,
      contracts: [protocol.addresses.vault],
      log: (line) => lines.push(line),
    });
    const { block } = await deployed(attacker, 'ReentrancyAttacker', [protocol.addresses.vault]);
    const [simulation] = await simulate(block);
    expect(simulation).toMatchObject({ drains: [], error: 'debug_traceCall is not supported by node.' });
    expect(lines).toEqual(['Creation simulation is off: the node has no debug_traceCall (callTracer).']);
    expect(await simulate(block)).toEqual([]);
  });

  test('behavior: a contract with no reference to a protected one is not simulated at all', async () => {
    const before = requests.length;
    const { block } = await deployed(attacker, 'DemoToken', ['Other', 'OTH']);
    expect(await simulator((contract) => (contract === vault() ? [...selectorsOfVault(contract)] : []))(block)).toEqual(
      [],
    );
    expect(requests.slice(before)).toEqual([]);
  });

  test('behavior: code that calls two of a protected contract’s own functions is recognised without its address', async () => {
    const { block } = await deployed(attacker, 'ReentrancyAttacker', [protocol.addresses.vault]);
    const market = protocol.addresses.lendingMarket.toLowerCase();
    // The market is given the vault's interface: the attacker calls deposit() and withdrawAll() on it.
    const [simulation] = await simulator((contract) => (contract === market ? [...selectorsOfVault(vault())] : []))(
      block,
    );
    expect(simulation!.references).toContainEqual({ contract: market, by: 'selectors' });
    // Token functions alone say nothing about which protocol a contract is built for.
    const drainer = await deployed(attacker, 'DrainerImplementation', []);
    expect(await simulator(() => ['0xa9059cbb', '0x70a08231'])(drainer.block)).toEqual([]);
  });
});

const vault = () => protocol.addresses.vault.toLowerCase();

/** The vault's own functions: what a profile learns from its traffic, or its ABI gives. */
function* selectorsOfVault(_contract: string) {
  for (const item of protocol.abis.DemoVault) if (item.type === 'function') yield toFunctionSelector(item);
}
