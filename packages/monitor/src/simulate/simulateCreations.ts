import {
  type Block,
  type CallFrame,
  isMethodNotFound,
  normalizeCallFrame,
  type PendingTx,
  type RpcCallFrame,
  type RpcPool,
} from '@bulwark/chain';
import { type Address, encodeFunctionData, type Hex, parseAbi, toFunctionSelector } from 'viem';
import { pendingAsTx } from '../engine/engine.ts';
import { normalizeBlock } from '../events/normalize.ts';
import { flashLoanCallbacks, flashLoanEntries } from '../rules/attack/selectors.ts';
import { type BytecodeSummary, readBytecode, referencedAddresses } from './bytecode.ts';
import { measureFlows } from './flows.ts';
import type { CreationSimulation, SimulatedCall, SimulatedDrain, SimulatedFlow } from './types.ts';

export type CreationSimulatorParameters = {
  pool: Pick<RpcPool, 'request'>;
  chainId: number;
  /** The protected (watched) contracts. */
  contracts: readonly string[];
  /**
   * Selectors of a protected contract's own functions (from its ABI, or learned from its traffic):
   * code that calls them is recognised even when it takes the contract's address at run time.
   */
  selectorsOf?: ((contract: string) => Iterable<string>) | undefined;
  /**
   * Watched pools: one that holds both assets of a trade prices it (its balances at the block); a
   * trade that brings back less than `1 − tradeTolerance` of what left, at that price, drains the difference.
   */
  pools?: readonly string[] | undefined;
  /** External functions called per new contract, in dispatcher order. Default 12. */
  maxFunctions?: number | undefined;
  /** Gas of each simulated call. Default 3,000,000. */
  gasPerCall?: bigint | undefined;
  log?: ((line: string) => void) | undefined;
};

/** Simulates the block's new contracts that reference protected ones; the others cost nothing. */
export type CreationSimulator = {
  (block: Block): Promise<CreationSimulation[]>;
  /**
   * The contracts a pending transaction would create (mempool mode), simulated on the head's state
   * with their code put in place (storage their constructor would write is not).
   */
  pending(
    tx: PendingTx,
    trace: CallFrame | undefined,
    head: { number: bigint; timestamp: bigint },
  ): Promise<CreationSimulation[]>;
};

type Creation = { txHash: Hex; deployer: Address; address: Address; initCode: Hex; code: Hex | undefined };

/** Functions every token has: calling one says nothing about which protocol a contract is built for. */
const commonSelectors: ReadonlySet<string> = new Set(
  parseAbi([
    'function transfer(address,uint256)',
    'function transferFrom(address,address,uint256)',
    'function approve(address,uint256)',
    'function balanceOf(address)',
    'function allowance(address,address)',
    'function totalSupply()',
    'function decimals()',
    'function symbol()',
    'function name()',
  ]).map((item) => toFunctionSelector(item)),
);

const erc20 = parseAbi(['function balanceOf(address) view returns (uint256)']);
/** Argument words per call: extra words are ignored by an ABI decoder, missing ones make it revert. */
const argumentWords = 8;
/** Calls in flight at once per new contract. */
const concurrency = 4;
/** A priced trade may bring back this much less than it took (fees, slippage) and still be a trade. */
const tradeTolerance = 0.1;

/**
 * Reads each contract created in a block; for those whose code or constructor arguments hold the
 * address of a protected contract (or that call its own functions, or a flash-loan entry point,
 * or expose a flash-loan callback, together with its functions), calls each external function from
 * the deployer with a few argument shapes on the state after the block (`debug_traceCall` with
 * callTracer and logs) and nets what would leave the protected contracts.
 */
export function createCreationSimulator(parameters: CreationSimulatorParameters): CreationSimulator {
  const { pool } = parameters;
  const log = parameters.log ?? (() => {});
  const contracts = new Set(parameters.contracts.map((address) => address.toLowerCase()));
  const pools = (parameters.pools ?? []).map((address) => address.toLowerCase());
  const maxFunctions = parameters.maxFunctions ?? 12;
  const gas = parameters.gasPerCall ?? 3_000_000n;
  let unsupported = false;

  /** The protected contracts a new contract is built against, and how it shows. */
  function referencesOf(creation: Creation, code: Hex, summary: BytecodeSummary): CreationSimulation['references'] {
    const byAddress = new Set([
      ...referencedAddresses(code, contracts),
      ...referencedAddresses(creation.initCode, contracts),
    ]);
    const references: CreationSimulation['references'] = [...byAddress].map((contract) => ({
      contract,
      by: 'address' as const,
    }));
    if (!parameters.selectorsOf) return references;
    const { functions, calls } = summary;
    const flashLoan =
      functions.some((selector) => flashLoanCallbacks.has(selector)) ||
      [...calls].some((selector) => flashLoanEntries.has(selector));
    for (const contract of contracts) {
      if (byAddress.has(contract)) continue;
      let own = 0;
      for (const selector of parameters.selectorsOf(contract)) {
        if (!commonSelectors.has(selector) && calls.has(selector as Hex)) own++;
      }
      if (own >= 2 || (own >= 1 && flashLoan)) references.push({ contract, by: 'selectors' });
    }
    return references;
  }

  async function trace(
    call: { from: Address; to: Address; data: Hex; value: bigint },
    tag: Hex,
    balance: bigint,
    code: Hex | undefined,
  ) {
    const frame = await pool.request<RpcCallFrame>('debug_traceCall', [
      { from: call.from, to: call.to, data: call.data, value: hex(call.value), gas: hex(gas) },
      tag,
      {
        tracer: 'callTracer',
        tracerConfig: { withLog: true },
        // The deployer is given the ether the call sends, whatever it holds now.
        // A pending contract does not exist yet: its code is put in place.
        stateOverrides: { [call.from]: { balance: hex(balance) }, ...(code ? { [call.to]: { code } } : {}) },
      },
    ]);
    return normalizeCallFrame(frame);
  }

  async function holdingsOf(contract: string, asset: string, tag: Hex): Promise<bigint> {
    if (asset === 'native') return BigInt(await pool.request<Hex>('eth_getBalance', [contract, tag]));
    const data = encodeFunctionData({ abi: erc20, functionName: 'balanceOf', args: [contract as Address] });
    const result = await pool.request<Hex>('eth_call', [{ to: asset, data }, tag]);
    return result.length >= 66 ? BigInt(result.slice(0, 66)) : 0n;
  }

  /**
   * Values a one-for-one trade at the price of a watched pool holding both assets: the shortfall
   * when what came back is worth less than `1 − tradeTolerance` of what left. Undefined without a pool.
   */
  async function priceTrade(
    gave: readonly SimulatedFlow[],
    got: readonly SimulatedFlow[],
    tag: Hex,
    balances: Map<string, Promise<bigint>>,
  ): Promise<{ pool: string; shortfall: (SimulatedFlow & Pick<SimulatedDrain, 'pricedBy'>) | undefined } | undefined> {
    if (gave.length !== 1 || got.length !== 1) return undefined;
    const [left, back] = [gave[0]!, got[0]!];
    const balance = (pool: string, asset: string) => {
      const key = `${pool}:${asset}`;
      if (!balances.has(key)) balances.set(key, holdingsOf(pool, asset, tag));
      return balances.get(key)!;
    };
    for (const pool of pools) {
      const [leftReserve, backReserve] = await Promise.all([balance(pool, left.asset), balance(pool, back.asset)]);
      if (leftReserve === 0n || backReserve === 0n) continue;
      const worth = (-BigInt(back.net) * leftReserve) / backReserve;
      const shortfall = BigInt(left.net) - worth;
      const fair = Number(shortfall) <= tradeTolerance * Number(left.net);
      return {
        pool,
        shortfall: fair
          ? undefined
          : { ...left, net: shortfall.toString(), pricedBy: { pool, got: back, worth: worth.toString() } },
      };
    }
    return undefined;
  }

  /** `pending`: the creation is not mined; the state is the head's, with the new code put in place. */
  async function simulate(creation: Creation, block: Block, pending: boolean): Promise<CreationSimulation | undefined> {
    const tag = hex(pending ? block.number - 1n : block.number);
    if (pending && !creation.code) return undefined;
    const code = creation.code ?? (await pool.request<Hex>('eth_getCode', [creation.address, tag]));
    if (code.length <= 2) return undefined;
    const summary = readBytecode(code);
    const references = referencesOf(creation, code, summary);
    if (references.length === 0) return undefined;
    const target = references[0]!.contract as Address;
    const { functions } = summary;
    const simulation: CreationSimulation = {
      txHash: creation.txHash,
      blockNumber: block.number,
      address: creation.address,
      deployer: creation.deployer,
      references,
      functions: functions.length,
      calls: 0,
      reverted: 0,
      drains: [],
      trades: [],
    };
    // Ether sent with a call: a hundredth of what the main target holds (a deposit that could be re-entered or multiplied).
    const targetEther = await holdingsOf(target, 'native', tag);
    const amount = targetEther / 100n > 0n ? targetEther / 100n : 10n ** 16n;
    const deployerEther = BigInt(await pool.request<Hex>('eth_getBalance', [creation.deployer, tag]));
    const balance = deployerEther + amount;
    const word = (value: bigint | Address) =>
      (typeof value === 'bigint' ? value.toString(16) : value.slice(2)).padStart(64, '0');
    const same = (value: bigint | Address) => word(value).repeat(argumentWords);
    /** Every argument word set alike, or an amount first and zeros after (`f(amount, minOut)`). */
    const argumentShapes: Record<string, string> = {
      zero: same(0n),
      small: same(5n),
      amount: same(amount),
      'amount-first': word(amount) + same(0n).slice(64),
      deployer: same(creation.deployer),
      protected: same(target),
    };
    const shapes: { args: string; value: bigint }[] = [
      ...Object.keys(argumentShapes).map((args) => ({ args, value: 0n })),
      { args: 'zero', value: amount },
      { args: 'small', value: amount },
    ];
    const plan = functions
      .slice(0, maxFunctions)
      .flatMap((selector) => shapes.map((shape) => ({ selector, ...shape })));
    const best = new Map<string, SimulatedDrain>();
    /** Pool balances read to price trades, once per simulation. */
    const balances = new Map<string, Promise<bigint>>();
    const run = async (step: (typeof plan)[number]) => {
      const data = `${step.selector}${argumentShapes[step.args]}` as Hex;
      const frame = await trace(
        { from: creation.deployer, to: creation.address, data, value: step.value },
        tag,
        balance,
        pending ? code : undefined,
      );
      const call: SimulatedCall = {
        from: creation.deployer,
        selector: step.selector,
        args: step.args,
        value: step.value.toString(),
        reverted: frame.error !== undefined,
      };
      simulation.calls++;
      if (call.reverted) {
        simulation.reverted++;
        return;
      }
      for (const { contract, gave, got } of measureFlows(eventsOf(frame, creation, block, contracts))) {
        let drained: (SimulatedFlow & Pick<SimulatedDrain, 'pricedBy'>)[] = gave;
        if (gave.length > 0 && got.length > 0) {
          // Another asset came back: a trade, unless a watched pool's price says it was worth much less.
          const priced = await priceTrade(gave, got, tag, balances);
          if (!priced?.shortfall) {
            if (simulation.trades.length < 5) simulation.trades.push({ contract, gave, got, call, pool: priced?.pool });
            continue;
          }
          drained = [priced.shortfall];
        }
        for (const flow of drained) {
          const key = `${contract}:${flow.asset}`;
          const known = best.get(key);
          if (!known || BigInt(flow.net) > BigInt(known.net)) {
            best.set(key, { holdings: '0', share: 0, ...flow, call });
          }
        }
      }
    };
    try {
      for (let i = 0; i < plan.length; i += concurrency) {
        await Promise.all(plan.slice(i, i + concurrency).map(run));
      }
      for (const drain of best.values()) {
        const holdings = await holdingsOf(drain.contract, drain.asset, tag);
        drain.holdings = holdings.toString();
        drain.share = holdings > 0n ? Math.min(1, Number((BigInt(drain.net) * 1_000_000n) / holdings) / 1e6) : 1;
      }
    } catch (error) {
      if (isMethodNotFound(error)) {
        unsupported = true;
        log('Creation simulation is off: the node has no debug_traceCall (callTracer).');
      }
      simulation.error = (error as Error).message;
    }
    simulation.drains = [...best.values()].sort((a, b) => b.share - a.share);
    return simulation;
  }

  async function simulateAll(block: Block, pending: boolean): Promise<CreationSimulation[]> {
    if (unsupported || contracts.size === 0) return [];
    const results: CreationSimulation[] = [];
    for (const creation of creationsOf(block)) {
      try {
        const simulation = await simulate(creation, block, pending);
        if (simulation) results.push(simulation);
      } catch (error) {
        // One contract that could not be read never holds back the block.
        log(`Simulating ${creation.address} (block ${block.number}) failed: ${(error as Error).message}`);
      }
    }
    return results;
  }

  return Object.assign((block: Block) => simulateAll(block, false), {
    pending(tx: PendingTx, trace: CallFrame | undefined, head: { number: bigint; timestamp: bigint }) {
      if (!trace) return Promise.resolve([]);
      const number = head.number + 1n;
      const shell: Block = {
        number,
        hash: `0x${'00'.repeat(32)}`,
        parentHash: `0x${'00'.repeat(32)}`,
        chainId: parameters.chainId,
        timestamp: head.timestamp,
        miner: '0x0000000000000000000000000000000000000000',
        gasUsed: 0n,
        gasLimit: 0n,
        baseFeePerGas: undefined,
        transactions: [pendingAsTx(tx, trace, number)],
        logs: [],
        traced: true,
      };
      return simulateAll(shell, true);
    },
  });
}

/** Contracts created by the block's successful transactions, from the traces (code included) or the receipts. */
export function creationsOf(block: Block): Creation[] {
  const creations: Creation[] = [];
  for (const tx of block.transactions) {
    if (tx.receipt.status !== 'success') continue;
    if (!tx.trace) {
      const address = tx.receipt.contractAddress;
      if (tx.to === null && address) {
        creations.push({ txHash: tx.hash, deployer: tx.from, address, initCode: tx.input, code: undefined });
      }
      continue;
    }
    const visit = (frame: CallFrame) => {
      if (frame.error) return;
      if ((frame.type === 'CREATE' || frame.type === 'CREATE2') && frame.to) {
        const code = frame.output && frame.output.length > 2 ? frame.output : undefined;
        creations.push({ txHash: tx.hash, deployer: tx.from, address: frame.to, initCode: frame.input, code });
      }
      for (const child of frame.calls) visit(child);
    };
    visit(tx.trace);
  }
  return creations;
}

/** The value flows of a simulated call, normalised as the engine normalises a transaction. */
function eventsOf(frame: CallFrame, creation: Creation, block: Block, watched: ReadonlySet<string>) {
  const tx = pendingAsTx(
    {
      hash: creation.txHash,
      from: frame.from,
      to: frame.to ?? null,
      value: frame.value,
      input: frame.input,
      nonce: 0n,
      gas: frame.gas,
      gasPrice: undefined,
      maxFeePerGas: undefined,
      maxPriorityFeePerGas: undefined,
    },
    frame,
    block.number + 1n,
  );
  return normalizeBlock({ ...block, transactions: [tx], logs: tx.receipt.logs, traced: true }, { watched });
}

const hex = (value: bigint): Hex => `0x${value.toString(16)}`;
