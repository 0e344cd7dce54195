import { createRpcPool, isMethodNotFound, type RpcPool, RpcResponseError } from '@bulwark/chain';
import { BaseError as BulwarkError } from '@bulwark/core';
import {
  getIncident,
  incidentTransitions,
  recordResponderAction,
  type StoreClient,
  transitionIncident,
  updateResponderAction,
} from '@bulwark/store';
import {
  type Address,
  type Chain,
  type Client,
  type Hex,
  isAddress,
  keccak256,
  type TransactionReceipt,
  type Transport,
  BaseError as ViemBaseError,
} from 'viem';
import type { LocalAccount } from 'viem/accounts';
import {
  estimateGas,
  estimateMaxPriorityFeePerGas,
  getBlock,
  getBlockNumber,
  getChainId,
  getTransactionCount,
  getTransactionReceipt,
  sendRawTransaction,
  simulateContract,
} from 'viem/actions';
import { type Competitor, type CompetitorWatch, createCompetitorWatch } from './competitors.ts';
import {
  PauseFailedError,
  PauseRefusedError,
  PauseSimulationError,
  ResponderConfigError,
  ResponderRpcError,
  scrub,
  secretsOfUrl,
} from './errors.ts';
import {
  bumpFees,
  type Fees,
  feeCeiling,
  type OutbidFees,
  outbidBy,
  outbidFees,
  type PauseFeeOptions,
  resolveFeeOptions,
} from './fees.ts';
import {
  pausableAbi,
  pausedSelector,
  pauseSelector,
  pauseTransaction,
  readPaused as readPausedOf,
  revertReason,
  signPauseTransaction,
} from './pauseCall.ts';
import { poolClient } from './poolClient.ts';
import { checkResponderRequest, type ResponderRequest } from './types.ts';

/** A private submission endpoint (a relay or builder RPC): takes the signed pause, serves no reads. */
export type PauseRelay = {
  /** HTTP(S) URL; may hold a key (never logged). */
  url: string;
  /** `eth_sendRawTransaction` (default) or `eth_sendPrivateTransaction` (`[{ tx }]`, Flashbots-style). */
  method?: 'eth_sendRawTransaction' | 'eth_sendPrivateTransaction' | undefined;
  name?: string | undefined;
};

export type CreatePauseResponderParameters = {
  /**
   * The chain's RPC pool (`@bulwark/chain`): reads fail over between its endpoints and each
   * signed pause goes to every endpoint at once. Give this or `client`.
   */
  pool?: RpcPool | undefined;
  /** A viem client on the chain (public actions are used as plain functions); one endpoint, no failover. */
  client?: Client<Transport, Chain | undefined> | undefined;
  /** Private submission endpoints; each signed pause goes to them too, at the same time. */
  relays?: readonly PauseRelay[] | undefined;
  /** Send pauses to the relays only, never to the public mempool (where a pause can be front-run). */
  relaysOnly?: boolean | undefined;
  /** The guardian: a local account (see `loadGuardianKey`); it signs in process. */
  account: LocalAccount;
  store: StoreClient;
  /** The chain this responder acts on; requests for another chain, and a node serving another, are refused. */
  chainId: number;
  /** The contracts this responder may pause. Anything else is refused, whatever the caller says. */
  allowed: readonly Address[];
  fees?: PauseFeeOptions | undefined;
  /** Gas limit = the node's estimate × this; default 1.3. */
  gasMultiplier?: number | undefined;
  /** Give up re-sending after this long; default 180 s. The last transaction may still be mined later. */
  deadlineMs?: number | undefined;
  /** How often to ask for a new block; default 500 ms. */
  pollingIntervalMs?: number | undefined;
  /** Force every request to be a dry run. */
  dryRun?: boolean | undefined;
  /** Who the store records as acting; default `responder`. */
  actor?: string | undefined;
  /** More strings to keep out of errors and records; the transport's URL is kept out already. */
  secrets?: readonly string[] | undefined;
  /** Called after each recorded step (planned, sent, resent, mined, verified, failed…). */
  onStep?: ((step: PauseStep) => void) | undefined;
  /** Told when a pause could not outbid its competitors (a cap stopped it), and similar warnings. */
  log?: ((line: string) => void) | undefined;
};

export type PauseStatus =
  | 'planned'
  | 'sent'
  | 'resent'
  | 'mined'
  | 'verified'
  | 'failed'
  | 'already-paused'
  | 'refused';

export type PauseStep = {
  status: PauseStatus;
  actionId: string;
  incidentId: string;
  contract: Address;
  attempt: number;
  txHash: Hex | undefined;
  fees: Fees | undefined;
  at: Date;
};

/** The transaction the responder sends (or, in a dry run, would send). */
export type PlannedPauseTransaction = {
  chainId: number;
  from: Address;
  to: Address;
  data: typeof pauseSelector;
  value: 0n;
  nonce: number;
  gas: bigint;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
};

export type PauseOutcome = {
  /**
   * `verified`: mined and `paused()` is true. `already-paused`: nothing to do (or someone else
   * paused first). `planned`: dry run. `failed`: see `error`. `refused`: not allowed here.
   */
  status: 'verified' | 'already-paused' | 'planned' | 'failed' | 'refused';
  incidentId: string;
  chainId: number;
  contract: Address;
  guardian: Address;
  dryRun: boolean;
  /** The responder action recorded on the incident. */
  actionId: string;
  /** The last transaction sent or planned. */
  transaction: PlannedPauseTransaction | undefined;
  /** The mined transaction, else the last one sent. */
  txHash: Hex | undefined;
  /** Every transaction broadcast, in order (re-sends of the same nonce with higher fees). */
  hashes: Hex[];
  attempts: number;
  requestedAt: Date;
  broadcastAt: Date | undefined;
  /** From the call to `pause` to the node accepting the first transaction. */
  msToBroadcast: number | undefined;
  blockNumber: bigint | undefined;
  msToMined: number | undefined;
  msToVerified: number | undefined;
  /** Whether this pause moved the incident to `contained`. */
  contained: boolean;
  error: BulwarkError | undefined;
  /** Writes of the action that the store refused; the pause went on regardless. */
  recordErrors: string[];
  /** Fees of the last send against its competitors: whether it outbid them, and which cap stopped it. */
  pricing: PausePricing | undefined;
  /** Names of the endpoints and relays that accepted a transaction of this pause. */
  acceptedBy: string[];
};

export type PausePricing = Omit<OutbidFees, 'maxFeePerGas' | 'maxPriorityFeePerGas'> & {
  competitors: number;
  /** Where the competitors came from besides the trigger: the node's txpool, the latest block (no txpool), or nothing (`none`: both failed). */
  source: CompetitorWatch['source'];
};

/** The first broadcast of a pause: when a node first accepted it. */
export type PauseBroadcast = {
  txHash: Hex;
  at: Date /** `performance.timeOrigin + performance.now()`, for latencies. */;
  atMs: number;
};

/** A pause under way: `broadcast` resolves at the first broadcast (undefined when none was made), `settled` at the end. */
export type PauseHandle = {
  broadcast: Promise<PauseBroadcast | undefined>;
  settled: Promise<PauseOutcome>;
};

export type PauseResponder = {
  readonly guardian: Address;
  readonly chainId: number;
  readonly allowed: readonly Address[];
  /** Whether `contract` is in `allowed`. */
  handles(contract: Address): boolean;
  /** Pauses `request.contract`: check, send, re-send until mined, verify, record. Never unpauses. */
  pause(request: ResponderRequest): Promise<PauseOutcome>;
  /** Like `pause`, and tells as soon as the transaction is broadcast. */
  start(request: ResponderRequest): PauseHandle;
  /**
   * Reads, for every allowed contract, what a pause needs (nonce, gas limit, `paused()`, a
   * simulation of `pause()`, base fee, tip) and the txpool's competitors, so that a request
   * signs and sends with no round trip first. `warm` does it on every new block.
   */
  prepare(): Promise<void>;
  /**
   * Keeps the prepared pauses and competitors fresh: the txpool every `pollingIntervalMs`, the
   * pauses on each new block (polled, or with `heads: 'told'` as the caller tells them through
   * `evaluated`).
   */
  warm(options?: WarmOptions): void;
  /**
   * The monitor evaluated this block (and sent its pauses): prepares the pauses on it now, in the
   * quiet after the block rather than while the sync is fetching it. Only while warming.
   * `touched` (lowercase addresses): the accounts the block's transactions reached; then only the
   * contracts it reached, or whose `paused()`/`pause()` read an account it reached, are read again
   * (with the nonce, fees and block every pause shares), so a block costs reads in proportion to
   * what it touched, not to every allowed contract. Without it (or after a skipped block) every
   * contract is read. Settles once the pauses are prepared on it
   * (never rejects; callers need not wait).
   */
  evaluated(blockNumber: bigint, touched?: ReadonlySet<string>): Promise<void>;
  /** How many contract states (`paused()`, `pause()` simulated, gas) were read, for tests. */
  contractReads(): number;
  /** Stops `warm`. */
  close(): void;
  /**
   * A pending transaction seen in the monitor's stream that reaches `touches` (protected
   * contracts): a competitor of their pauses from now on, and a pause of one of them in flight is
   * re-priced at once (a same-nonce replacement when it no longer outbids), not at the next poll.
   */
  compete(tx: Competitor, touches: readonly Address[]): void;
};

/**
 * The pause responder. Each request: refuse a contract not in `allowed`; take the prepared pause
 * (nonce, gas, a passing simulation of `pause()` from the guardian, `paused()` false: read
 * before, see `prepare`/`warm`) or read it now; price it above every competitor (the trigger and
 * the txpool's transactions to the contract, see `outbidFees`); sign locally and broadcast to
 * every endpoint and relay at once, recording the action in parallel; re-send the same nonce
 * when a block passes without a receipt or a higher-paying competitor appears; once mined check
 * the status and `paused()`, and mark the incident contained. Requests take turns on the key's
 * nonces up to their broadcast, and per contract until settled (see `withTurns`).
 */
export function createPauseResponder(parameters: CreatePauseResponderParameters): PauseResponder {
  const { account, store } = parameters;
  const chainId = parameters.chainId;
  if (!Number.isSafeInteger(chainId) || chainId <= 0)
    throw new ResponderConfigError(`Pause responder: chainId ${chainId} is not a positive integer.`);
  if (account?.type !== 'local')
    throw new ResponderConfigError('Pause responder: `account` must be a local account (see loadGuardianKey).');
  if (!parameters.pool && !parameters.client)
    throw new ResponderConfigError('Pause responder: give the chain’s RPC `pool` (or a viem `client`).');
  const pool = parameters.pool;
  const client = pool ? poolClient(pool) : parameters.client!;
  const fees = resolveFeeOptions(parameters.fees);
  const gasMultiplier = parameters.gasMultiplier ?? 1.3;
  if (!(gasMultiplier >= 1 && gasMultiplier <= 10))
    throw new ResponderConfigError(`Pause responder: gasMultiplier must be between 1 and 10 (got ${gasMultiplier}).`);
  const deadlineMs = parameters.deadlineMs ?? 180_000;
  const pollingIntervalMs = parameters.pollingIntervalMs ?? 500;
  const actor = parameters.actor ?? 'responder';
  const log = parameters.log ?? (() => {});
  const allowed = (parameters.allowed ?? []).map((address, index) => {
    if (!isAddress(address, { strict: false }))
      throw new ResponderConfigError(`Pause responder: allowed[${index}] "${address}" is not an address.`);
    return address.toLowerCase() as Address;
  });
  const relays = (parameters.relays ?? []).map((relay, index) => {
    const method = relay.method ?? 'eth_sendRawTransaction';
    if (method !== 'eth_sendRawTransaction' && method !== 'eth_sendPrivateTransaction')
      throw new ResponderConfigError(`Pause responder: relays[${index}].method "${method}" is not supported.`);
    // A pool of one, for its request code, scrubbing and error kinds; a relay gets one try.
    const relayPool = createRpcPool({
      endpoints: [{ http: relay.url, name: relay.name ?? `relay ${index + 1}` }],
      retryCount: 0,
      timeoutMs: 10_000,
    });
    return { pool: relayPool, name: relayPool.endpointNames[0]!, method };
  });
  const relaysOnly = parameters.relaysOnly === true;
  if (relaysOnly && relays.length === 0)
    throw new ResponderConfigError('Pause responder: `relaysOnly` needs at least one relay.');
  const secrets = [
    ...secretsOfUrl((client?.transport as { url?: unknown } | undefined)?.url as string | undefined),
    ...(parameters.relays ?? []).flatMap((relay) => secretsOfUrl(relay.url)),
    ...(parameters.secrets ?? []),
  ];
  const guardian = account.address;
  const rpcRequest = (method: string, params: unknown[]) =>
    pool ? pool.request(method, params) : client.request({ method, params } as never);
  const watch = createCompetitorWatch({
    request: rpcRequest,
    exclude: [guardian],
    isMethodMissing: (error) =>
      isMethodNotFound(error) ||
      (error instanceof ViemBaseError &&
        /method .*(not found|not supported|does not exist)|-32601/i.test(error.message)),
  });
  /** What a pause of each contract needs, read at the last block `warm` saw; used until the next one. */
  const prepared = new Map<Address, ReadyState>();
  let preparedHead: bigint | undefined;

  /** Wakes the pause of a contract in flight (to re-price it) when a competitor is streamed in. */
  const wakers = new Map<Address, () => void>();

  let sendTail: Promise<void> = Promise.resolve();
  const contractTails = new Map<Address, Promise<void>>();
  /** Nonces of pauses sent and not settled: a pause that starts meanwhile takes the next one. */
  const noncesInFlight = new Set<number>();
  /**
   * Pauses share the key's nonce sequence. They take turns up to their first broadcast (then the
   * next may go, with the next nonce: a second contract's pause does not wait for the first to be
   * mined), and per contract until settled (a second request for it finds it paused instead of
   * sending a duplicate).
   */
  async function withTurns<T>(contract: Address, fn: (turn: Turn) => Promise<T>): Promise<T> {
    const contractBefore = contractTails.get(contract);
    let endContractTurn!: () => void;
    const contractTail = new Promise<void>((resolve) => {
      endContractTurn = resolve;
    });
    contractTails.set(contract, contractTail);
    let endSendTurn!: () => void;
    const sendDone = new Promise<void>((resolve) => {
      endSendTurn = resolve;
    });
    let held: number | undefined;
    const hold = (nonce: number) => {
      if (held !== undefined) noncesInFlight.delete(held);
      held = nonce;
      noncesInFlight.add(nonce);
      return nonce;
    };
    try {
      await contractBefore;
      const sendBefore = sendTail;
      sendTail = sendBefore.then(() => sendDone);
      await sendBefore;
      return await fn({
        releaseSend: endSendTurn,
        nonceFrom: (fromNode) => hold(Math.max(fromNode, ...[...noncesInFlight].map((nonce) => nonce + 1))),
        moveNonce: hold,
      });
    } finally {
      endSendTurn();
      if (held !== undefined) noncesInFlight.delete(held);
      endContractTurn();
      if (contractTails.get(contract) === contractTail) contractTails.delete(contract);
    }
  }

  /** What every contract's pause shares: the node's chain, the latest block, the tip, the guardian's nonce. */
  const readShared = () =>
    Promise.allSettled([
      getChainId(client),
      getBlock(client, { blockTag: 'latest' }),
      estimateMaxPriorityFeePerGas(client),
      getTransactionCount(client, { address: guardian, blockTag: 'pending' }),
    ]);
  type Shared = Awaited<ReturnType<typeof readShared>>;

  /** What only this contract's own state decides: `paused()`, a simulation of `pause()`, its gas. */
  const readOwnState = (contract: Address) =>
    Promise.allSettled([
      readPaused(contract),
      simulateContract(client, { address: contract, abi: pausableAbi, functionName: 'pause', account: guardian }),
      estimateGas(client, { account: guardian, to: contract, data: pauseSelector }),
    ]);
  type ContractRead = Awaited<ReturnType<typeof readOwnState>>;

  /**
   * Everything a pause needs, read at once: the latency is the slowest read, not their sum.
   * `shared` (one read for every contract, see `prepare`) or read here.
   */
  async function readState(contract: Address, shared?: Promise<Shared>): Promise<ReadyState | StateProblem> {
    const [sharedRead, contractRead] = await Promise.all([shared ?? readShared(), readOwnState(contract)]);
    return stateOf(contract, sharedRead, contractRead);
  }

  /** A pause's state from the shared reads and the contract's own. */
  function stateOf(
    contract: Address,
    [nodeChainId, block, suggested, nonce]: Shared,
    [paused, simulation, gasEstimate]: ContractRead,
  ): ReadyState | StateProblem {
    const rpc = (what: string, result: PromiseSettledResult<unknown>): StateProblem => ({
      status: 'failed',
      error: rpcError(what, (result as PromiseRejectedResult).reason),
    });
    if (nodeChainId.status === 'rejected') return rpc('eth_chainId', nodeChainId);
    if (nodeChainId.value !== chainId) {
      return {
        status: 'refused',
        error: new PauseRefusedError(
          `The RPC endpoint serves chain ${nodeChainId.value}, not ${chainId}; nothing was sent.`,
          { metaMessages: ["Point the responder's RPC URL at the chain it is configured for."] },
        ),
      };
    }
    if (paused.status === 'rejected') {
      const revert = revertReason(paused.reason);
      if (revert !== undefined || isNoData(paused.reason)) {
        return {
          status: 'failed',
          error: new PauseSimulationError(
            `${contract} has no working paused() view; it cannot be verified, so it is not paused.`,
            { revertReason: revert ?? 'no data', secrets },
          ),
        };
      }
      return rpc('paused()', paused);
    }
    if (paused.value) {
      return { status: 'already-paused', blockNumber: block.status === 'fulfilled' ? block.value.number : null };
    }
    if (simulation.status === 'rejected') {
      const revert = revertReason(simulation.reason);
      if (revert === undefined) return rpc('eth_call pause()', simulation);
      return {
        status: 'failed',
        revertReason: revert,
        error: new PauseSimulationError(
          `pause() on ${contract} reverts when called by the guardian ${guardian}: ${revert}.`,
          {
            revertReason: revert,
            metaMessages: ['Make the responder key the guardian of the contract (setGuardian), or fix `allowed`.'],
            secrets,
          },
        ),
      };
    }
    if (gasEstimate.status === 'rejected') return rpc('eth_estimateGas', gasEstimate);
    if (block.status === 'rejected') return rpc('eth_getBlockByNumber', block);
    if (nonce.status === 'rejected') return rpc('eth_getTransactionCount', nonce);
    const baseFeePerGas = block.value.baseFeePerGas;
    if (baseFeePerGas === null || baseFeePerGas === undefined) {
      return {
        status: 'failed',
        error: new PauseFailedError(
          `Chain ${chainId} has no base fee (no EIP-1559); the responder sends EIP-1559 transactions only.`,
        ),
      };
    }
    return {
      status: 'ready',
      readAt: Date.now(),
      blockNumber: block.value.number ?? 0n,
      baseFeePerGas,
      // Some nodes lack eth_maxPriorityFeePerGas and a fee history; the floor then decides.
      suggestedPriorityFeePerGas: suggested.status === 'fulfilled' ? suggested.value : 0n,
      gas: (gasEstimate.value * BigInt(Math.round(gasMultiplier * 1000)) + 999n) / 1000n,
      nonce: nonce.value,
    };
  }

  /**
   * The other accounts `paused()` and the guardian's `pause()` read (a pause registry or guardian
   * contract, a role list, a proxy's implementation), from the node's access lists; undefined when
   * the node cannot tell (then the contract is read on every block).
   */
  async function readsFrom(contract: Address): Promise<ReadonlySet<string> | undefined> {
    const accessed = (call: { from?: Address; data: Hex }) =>
      rpcRequest('eth_createAccessList', [{ ...call, to: contract }, 'latest']) as Promise<AccessListResult>;
    const [ofPaused, ofPause] = await Promise.allSettled([
      accessed({ data: pausedSelector }),
      accessed({ from: guardian, data: pauseSelector }),
    ]);
    // Without what paused() reads nothing is known; pause() reverts while paused and then tells nothing.
    if (ofPaused.status === 'rejected' || ofPaused.value.error !== undefined) return undefined;
    const lists = [ofPaused.value, ...(ofPause.status === 'fulfilled' ? [ofPause.value] : [])];
    const addresses = new Set(
      lists.flatMap((list) => (list.accessList ?? []).map((entry) => entry.address.toLowerCase())),
    );
    addresses.delete(contract);
    addresses.delete(guardian.toLowerCase());
    return addresses;
  }

  /**
   * Each contract's own reads, the newest made (`seq`): they hold until a block touches the
   * contract or an account its `paused()` or `pause()` reads (`readsFrom`: only a call reaching an
   * account changes its storage), so a block re-reads only the contracts whose state it may have
   * changed (and those whose read failed); the shared reads are fresh on every block.
   */
  const contractReads = new Map<
    Address,
    { read: ContractRead; seq: number; readsFrom: ReadonlySet<string> | undefined }
  >();
  /** Whether a cached read of `contract` still holds after blocks that touched `touched` (all when undefined). */
  const holds = (
    entry: { readsFrom: ReadonlySet<string> | undefined } | undefined,
    contract: Address,
    touched: ReadonlySet<string> | undefined,
  ) =>
    entry !== undefined &&
    touched !== undefined &&
    entry.readsFrom !== undefined &&
    !touched.has(contract) &&
    ![...entry.readsFrom].some((address) => touched.has(address));
  /** Contract reads made (see `contractReads`); each read's `seq`. */
  let contractReadCount = 0;

  /** `touched` (lowercase addresses): the contracts whose state may have changed since the last prepare; all when undefined. */
  async function prepare(head?: bigint, touched?: ReadonlySet<string>): Promise<void> {
    const shared = readShared();
    const [states] = await Promise.all([
      Promise.all(
        allowed.map(async (contract) => {
          const entry = contractReads.get(contract);
          if (holds(entry, contract, touched)) return [contract, stateOf(contract, await shared, entry!.read)] as const;
          const seq = ++contractReadCount;
          // Only told touches can keep a read: polling for heads re-reads every contract on each one.
          const [read, dependencies] = await Promise.all([
            readOwnState(contract),
            toldHeads ? readsFrom(contract).catch(() => undefined) : undefined,
          ]);
          const state = stateOf(contract, await shared, read);
          // A prepare that started earlier and ended later does not replace a newer read.
          if ((contractReads.get(contract)?.seq ?? 0) < seq) {
            // An RPC failure of its own reads says nothing of the contract: it is read again next time.
            const failed =
              state.status === 'failed' &&
              state.error instanceof ResponderRpcError &&
              read.some((r) => r.status === 'rejected');
            if (failed) contractReads.delete(contract);
            else contractReads.set(contract, { read, seq, readsFrom: dependencies });
          }
          return [contract, state] as const;
        }),
      ),
      watch.refresh(),
    ]);
    for (const [contract, state] of states) {
      // Only a pause ready to go is kept: any problem is read again, and reported, at request time.
      if (state.status === 'ready') prepared.set(contract, state);
      else prepared.delete(contract);
    }
    const ready = states.flatMap(([, state]) => (state.status === 'ready' ? [state.blockNumber] : []));
    preparedHead = head ?? ready.reduce((a, b) => (a > b ? a : b), 0n);
  }

  /**
   * The prepared pause when it was read at the newest block seen or the one before (while the
   * newest is being read: as fresh as reading it now would have been a moment ago); else nothing.
   */
  function preparedFor(contract: Address): ReadyState | undefined {
    const state = prepared.get(contract);
    if (!state || preparedHead === undefined || state.blockNumber + 1n < preparedHead) return undefined;
    // Without `warm` nothing tells of newer blocks: a state read long ago is not trusted either.
    return Date.now() - state.readAt <= preparedMaxAgeMs ? state : undefined;
  }

  let warmTimer: ReturnType<typeof setTimeout> | undefined;
  let warming = false;
  /** Heads told by the caller (`evaluated`): the poll then leaves new blocks to it. */
  let toldHeads = false;
  let lastHead: bigint | undefined;
  /** The prepares running, through the newest head told; settles once it is prepared. */
  let preparing: Promise<void> | undefined;
  /** Contracts touched by the heads told since the last prepare began; undefined: any may have changed. */
  let touchedSince: Set<string> | undefined;
  /**
   * Prepares once per new head (what was read two blocks back or more is stale from then on); heads
   * that come while a prepare runs (a catch-up) are folded into one more prepare at the newest.
   * Settles once the newest head is prepared.
   */
  const onHead = (head: bigint, touched?: ReadonlySet<string>): Promise<void> => {
    if (head === lastHead) return preparing ?? Promise.resolve();
    // Touches are known only head after head: a skipped block (a poll, a catch-up) may hide some.
    const known = touched !== undefined && lastHead !== undefined && head === lastHead + 1n;
    if (!known) touchedSince = undefined;
    else if (!preparing) touchedSince = new Set(touched);
    else for (const address of touched) touchedSince?.add(address);
    lastHead = head;
    watch.newBlock();
    preparedHead = head;
    preparing ??= (async () => {
      try {
        for (let done: bigint | undefined; done !== lastHead; ) {
          done = lastHead;
          const since = touchedSince;
          touchedSince = new Set();
          await prepare(done, since);
        }
      } finally {
        preparing = undefined;
      }
    })();
    return preparing;
  };
  function warm(options: WarmOptions = {}): void {
    if (warming) return;
    warming = true;
    toldHeads = options.heads === 'told';
    // Told of heads: the pauses are prepared once now, then after each block the caller evaluates.
    if (toldHeads) void prepare().catch(() => {});
    const tick = async () => {
      try {
        const head = toldHeads ? lastHead : await getBlockNumber(client, { cacheTime: 0 });
        if (head !== undefined && head !== lastHead) {
          await onHead(head);
        } else {
          // Between blocks only the pool changes: new competitors.
          await watch.refresh();
        }
      } catch {
        // A failed read leaves the last prepared state; a request reads afresh when it is stale.
      }
      if (warming) {
        warmTimer = setTimeout(tick, pollingIntervalMs);
        warmTimer.unref?.();
      }
    };
    void tick();
  }

  function start(request: ResponderRequest): PauseHandle {
    let announce!: (broadcast: PauseBroadcast | undefined) => void;
    const broadcast = new Promise<PauseBroadcast | undefined>((resolve) => {
      announce = resolve;
    });
    const settled = run(request, announce).finally(() => announce(undefined));
    return { broadcast, settled };
  }

  async function run(
    request: ResponderRequest,
    announce: (broadcast: PauseBroadcast | undefined) => void,
  ): Promise<PauseOutcome> {
    const startedAt = performance.now();
    const requestedAt = new Date();
    checkResponderRequest(request, 'Pause request');
    const contract = request.contract.toLowerCase() as Address;
    const dryRun = parameters.dryRun === true || request.dryRun === true;
    const outcome: PauseOutcome = {
      status: 'failed',
      incidentId: request.incidentId,
      chainId: request.chainId,
      contract,
      guardian,
      dryRun,
      actionId: '',
      transaction: undefined,
      txHash: undefined,
      hashes: [],
      attempts: 0,
      requestedAt,
      broadcastAt: undefined,
      msToBroadcast: undefined,
      blockNumber: undefined,
      msToMined: undefined,
      msToVerified: undefined,
      contained: false,
      error: undefined,
      recordErrors: [],
      pricing: undefined,
      acceptedBy: [],
    };
    const elapsed = () => Math.round((performance.now() - startedAt) * 100) / 100;
    const data: Record<string, unknown> = { reason: request.reason, guardian, attempts: 0, hashes: [] };

    const step = (status: PauseStatus, fees?: Fees) => {
      try {
        parameters.onStep?.({
          status,
          actionId: outcome.actionId,
          incidentId: request.incidentId,
          contract,
          attempt: outcome.attempts,
          txHash: outcome.txHash,
          fees,
          at: new Date(),
        });
      } catch {
        // A listener's failure is not the pause's.
      }
    };
    const noteRecordError = (status: PauseStatus, error: unknown) =>
      outcome.recordErrors.push(`${status}: ${scrub(error instanceof Error ? error.message : String(error), secrets)}`);
    /**
     * The first record of the request. The pause does not wait for it: it is written while the
     * transaction is signed and sent, and later updates follow it. A failure is noted in the outcome.
     */
    let recorded: Promise<boolean> | undefined;
    const record = (status: PauseStatus, txHash?: Hex) => {
      const snapshot = { ...data };
      const after = Promise.resolve(request.recordAfter).catch(() => {});
      recorded = after
        .then(() =>
          recordResponderAction(store, {
            incidentId: request.incidentId,
            kind: 'pause',
            chainId: request.chainId,
            address: contract,
            dryRun,
            status,
            txHash,
            data: snapshot,
            actor,
          }),
        )
        .then(
          (action) => {
            outcome.actionId = action.id;
            step(status);
            return true;
          },
          (error) => {
            noteRecordError(status, error);
            step(status);
            return false;
          },
        );
      return recorded;
    };
    /** The `planned` record, once: after the first broadcast is on its way, or before any other step. */
    const recordPlanned = () => recorded ?? record('planned');
    /** Later steps, in order after the first record; a store failure is noted and the pause goes on. */
    let updates: Promise<void> = Promise.resolve();
    const update = (status: PauseStatus, txHash?: Hex, fees?: Fees) => {
      const snapshot = { ...data };
      void recordPlanned();
      updates = updates.then(async () => {
        if (await recorded) {
          try {
            await updateResponderAction(store, { id: outcome.actionId, status, txHash, data: snapshot, actor });
          } catch (error) {
            noteRecordError(status, error);
          }
        }
        step(status, fees);
      });
      return updates;
    };
    const finish = async (status: PauseOutcome['status'], error?: BulwarkError, firstRecord = false) => {
      outcome.status = status;
      outcome.error = error;
      if (error) data.error = { name: error.name, message: error.shortMessage, details: error.details ?? null };
      if (status === 'failed' || status === 'already-paused' || status === 'refused') {
        if (firstRecord) await record(status);
        else await update(status, outcome.txHash);
      }
      await updates;
      return outcome;
    };

    const refusal = refuse(request, contract);
    if (refusal) return finish('refused', refusal, true);

    return withTurns(contract, async (turn) => {
      // 1. The prepared pause and competitors, or everything read now.
      const state = preparedFor(contract) ?? (await Promise.all([readState(contract), watch.refresh()]))[0];
      if (state.status !== 'ready') {
        if (state.status === 'already-paused') data.alreadyPausedAt = state.blockNumber;
        if (state.status === 'failed' && state.revertReason) data.revertReason = state.revertReason;
        return finish(state.status, state.error, true);
      }
      const { baseFeePerGas, suggestedPriorityFeePerGas, gas } = state;
      let txNonce = turn.nonceFrom(state.nonce);
      const price = (baseFee: bigint, suggestedTip: bigint) => {
        const competitors = watch.competitors(contract, request.competitors ?? []);
        const priced = outbidFees(
          { baseFeePerGas: baseFee, suggestedPriorityFeePerGas: suggestedTip, competitors, gas },
          fees,
        );
        const { maxFeePerGas, maxPriorityFeePerGas, ...rest } = priced;
        return {
          fees: { maxFeePerGas, maxPriorityFeePerGas },
          pricing: { ...rest, competitors: competitors.length, source: watch.source },
        };
      };
      let priced = price(baseFeePerGas, suggestedPriorityFeePerGas);
      let currentFees = priced.fees;
      const plan = (): PlannedPauseTransaction => ({
        chainId,
        from: guardian,
        to: contract,
        data: pauseSelector,
        value: 0n,
        nonce: txNonce,
        gas,
        ...currentFees,
      });
      /** The last shortfall logged: a cap that keeps stopping the bid is told once per new demand. */
      let toldShortfall = '';
      const notePricing = (pricing: PausePricing) => {
        outcome.pricing = pricing;
        data.pricing = serializePricing(pricing);
        const shortfall = `${pricing.needed.maxFeePerGas}/${pricing.needed.maxPriorityFeePerGas}`;
        if (!pricing.outbid && shortfall !== toldShortfall) {
          toldShortfall = shortfall;
          log(
            `Pause of ${contract}: the ${pricing.limitedBy} cap stops the fees below what outbids ${pricing.competitors} competitor(s) (needs max fee ${pricing.needed.maxFeePerGas}, tip ${pricing.needed.maxPriorityFeePerGas} wei); sent at the cap.`,
          );
        }
      };
      outcome.transaction = plan();
      data.transaction = serializePlan(outcome.transaction);
      data.market = {
        baseFeePerGas: String(baseFeePerGas),
        suggestedPriorityFeePerGas: String(suggestedPriorityFeePerGas),
        blockNumber: String(state.blockNumber),
      };
      notePricing(priced.pricing);

      if (dryRun) {
        await record('planned');
        outcome.status = 'planned';
        return outcome;
      }
      // 2. The audit record is written once the transaction is out (see `send`), not before.

      // 3. Sign and broadcast; then re-send the same nonce until mined or the deadline.
      const deadline = startedAt + deadlineMs;
      let lastError: BulwarkError | undefined;
      const send = async (status: 'sent' | 'resent'): Promise<boolean> => {
        const transaction = plan();
        const serialized = await signPauseTransaction(account, pauseTransaction(transaction));
        const hash = keccak256(serialized);
        const sentAt = new Date();
        let accepted: string | undefined;
        const broadcasting = broadcastRaw(serialized);
        // Recorded once a node has answered: the store (PGlite runs on this thread) never delays the broadcast.
        void broadcasting.then(recordPlanned, recordPlanned);
        try {
          accepted = await broadcasting;
        } catch (error) {
          lastError = rpcError('eth_sendRawTransaction', error);
          if (/insufficient funds/i.test(errorText(error))) {
            throw new PauseFailedError(
              `The guardian ${guardian} cannot pay for the pause transaction: insufficient funds.`,
              { metaMessages: [`Fund ${guardian} on chain ${chainId}.`] },
            );
          }
          return false;
        }
        const atMs = performance.timeOrigin + performance.now();
        outcome.attempts += 1;
        outcome.hashes.push(hash);
        outcome.txHash = hash;
        outcome.transaction = transaction;
        if (!outcome.acceptedBy.includes(accepted)) outcome.acceptedBy.push(accepted);
        if (outcome.broadcastAt === undefined) {
          outcome.broadcastAt = new Date();
          outcome.msToBroadcast = elapsed();
          data.broadcastAt = outcome.broadcastAt.toISOString();
          data.msToBroadcast = outcome.msToBroadcast;
          announce({ txHash: hash, at: outcome.broadcastAt, atMs });
          turn.releaseSend();
        }
        const sends = (data.sends as unknown[] | undefined) ?? [];
        Object.assign(data, {
          transaction: serializePlan(transaction),
          attempts: outcome.attempts,
          hashes: [...outcome.hashes],
          acceptedBy: [...outcome.acceptedBy],
          // Each broadcast with its fees and pricing: the audit trail of the re-sends.
          sends: [
            ...sends,
            {
              hash,
              nonce: transaction.nonce,
              maxFeePerGas: String(transaction.maxFeePerGas),
              maxPriorityFeePerGas: String(transaction.maxPriorityFeePerGas),
              outbid: outcome.pricing?.outbid ?? true,
              limitedBy: outcome.pricing?.limitedBy ?? null,
              firstAcceptedBy: accepted,
              at: sentAt.toISOString(),
            },
          ],
        });
        void update(status, hash, currentFees);
        return true;
      };
      /** Replaces the sent transaction when `fresh` asks for more than it pays; false when the caps leave no room. */
      const replace = async (fresh: ReturnType<typeof price>, sent: boolean): Promise<boolean> => {
        const ceiling = feeCeiling(fees, gas)?.ceiling;
        const bumped = sent ? bumpFees(currentFees, fresh.fees, { ...fees, maxFeePerGasCap: ceiling }) : fresh.fees;
        if (!bumped) {
          // The caps leave no room for a valid replacement: the sent one stands, and the record says it is outbid.
          if (outbidBy(currentFees, fresh.pricing.needed))
            notePricing({ ...fresh.pricing, outbid: false, limitedBy: feeCeiling(fees, gas)?.by });
          return false;
        }
        currentFees = bumped;
        notePricing({ ...fresh.pricing, outbid: fresh.pricing.outbid && !outbidBy(bumped, fresh.pricing.needed) });
        return send(sent ? 'resent' : 'sent');
      };

      // Between polls the loop sleeps; a competitor streamed in (`compete`) wakes it to re-price now.
      let wake: (() => void) | undefined;
      let woken = false;
      wakers.set(contract, () => {
        if (wake) wake();
        else woken = true;
      });
      const nap = (ms: number) =>
        new Promise<boolean>((resolve) => {
          if (woken) {
            woken = false;
            resolve(true);
            return;
          }
          const timer = setTimeout(() => {
            wake = undefined;
            resolve(false);
          }, ms);
          wake = () => {
            clearTimeout(timer);
            wake = undefined;
            resolve(true);
          };
        });
      try {
        let sent = await send('sent');
        let lastBlock = state.blockNumber;
        let receipt: TransactionReceipt | undefined;
        let latestBaseFee = baseFeePerGas;
        let latestTip = suggestedPriorityFeePerGas;
        while (!receipt) {
          if (performance.now() >= deadline) {
            const what = sent
              ? `not mined within ${deadlineMs} ms`
              : `not accepted by the node within ${deadlineMs} ms`;
            return finish(
              'failed',
              new PauseFailedError(`The pause of ${contract} was ${what} (${outcome.attempts} transaction(s)).`, {
                details: lastError ? lastError.shortMessage : undefined,
                metaMessages: [
                  sent
                    ? `The last transaction (nonce ${txNonce}) may still be mined; pause by hand if it is not.`
                    : 'Check the RPC endpoint; pause by hand.',
                ],
                secrets,
              }),
            );
          }
          if (await nap(Math.min(pollingIntervalMs, Math.max(0, deadline - performance.now())))) {
            // A streamed competitor: priced from memory, replaced if it outbids the pause, no read first.
            priced = price(latestBaseFee, latestTip);
            if (sent && outbidBy(currentFees, priced.pricing.needed)) await replace(priced, sent);
            continue;
          }
          let head: bigint;
          try {
            head = await getBlockNumber(client, { cacheTime: 0 });
          } catch (error) {
            lastError = rpcError('eth_blockNumber', error);
            continue;
          }
          if (head <= lastBlock) {
            // No new block. A broadcast the nodes refused is tried again at once; a competitor
            // that now pays more than the pause is outbid by a replacement before the block.
            if (!sent) {
              sent = await send('sent');
              continue;
            }
            await watch.refresh();
            priced = price(latestBaseFee, latestTip);
            if (outbidBy(currentFees, priced.pricing.needed)) await replace(priced, sent);
            continue;
          }
          lastBlock = head;
          watch.newBlock();
          receipt = await findReceipt(outcome.hashes);
          if (receipt) break;

          const latestNonce = await getTransactionCount(client, { address: guardian, blockTag: 'latest' }).catch(
            () => undefined,
          );
          if (latestNonce !== undefined && latestNonce > txNonce) {
            // The nonce went to a transaction of ours mined meanwhile, or to another one of the key's.
            receipt = await findReceipt(outcome.hashes);
            if (receipt) break;
            if (await readPaused(contract).catch(() => false)) {
              data.pausedByAnother = true;
              return finish('already-paused');
            }
            txNonce = turn.moveNonce(latestNonce);
            data.nonceTakenByAnother = true;
          }
          const [latest] = await Promise.all([
            getBlock(client, { blockNumber: head }).catch(() => undefined),
            watch.refresh(),
          ]);
          latestBaseFee = latest?.baseFeePerGas ?? latestBaseFee;
          latestTip = await estimateMaxPriorityFeePerGas(client).catch(() => latestTip);
          // A block without our receipt: re-send (bumped), priced against the market and competitors now.
          sent = (await replace(price(latestBaseFee, latestTip), sent)) || sent;
        }

        // 4. Mined: the status, then the state.
        outcome.txHash = receipt.transactionHash;
        outcome.blockNumber = receipt.blockNumber;
        outcome.msToMined = elapsed();
        Object.assign(data, {
          minedTxHash: receipt.transactionHash,
          blockNumber: String(receipt.blockNumber),
          transactionIndex: receipt.transactionIndex,
          gasUsed: String(receipt.gasUsed),
          effectiveGasPrice: String(receipt.effectiveGasPrice),
          msToMined: outcome.msToMined,
        });
        void update('mined', receipt.transactionHash);
        const pausedNow = await readPaused(contract, receipt.blockNumber).catch(() => undefined);
        if (receipt.status !== 'success') {
          if (pausedNow === true) {
            data.pausedByAnother = true;
            return finish('already-paused');
          }
          return finish(
            'failed',
            new PauseFailedError(
              `The pause transaction ${receipt.transactionHash} reverted in block ${receipt.blockNumber}.`,
              { metaMessages: ['Check the guardian role of the responder key; pause by hand.'] },
            ),
          );
        }
        if (pausedNow !== true) {
          return finish(
            'failed',
            new PauseFailedError(
              `pause() was mined in ${receipt.transactionHash}, but paused() on ${contract} is ${pausedNow === false ? 'false' : 'unreadable'}.`,
              { metaMessages: ['The contract does not behave as a pausable one; contain the incident by hand.'] },
            ),
          );
        }
        outcome.msToVerified = elapsed();
        data.msToVerified = outcome.msToVerified;
        data.verifiedAt = new Date().toISOString();
        await update('verified', receipt.transactionHash);
        outcome.status = 'verified';
        outcome.contained = await contain(request.incidentId, contract, receipt.transactionHash);
        return outcome;
      } catch (error) {
        if (error instanceof BulwarkError) return finish('failed', error);
        throw error;
      } finally {
        wakers.delete(contract);
        // The nonce moved: the next request reads its pause afresh, and the warm loop re-prepares it
        // (the other contracts' own reads still hold: only the nonce and this contract changed).
        prepared.clear();
        if (warming) void prepare(undefined, new Set([contract])).catch(() => {});
      }
    });
  }

  /**
   * Sends a signed transaction to every endpoint of the pool (or the client) and every relay at
   * once; resolves with the name of the first to accept it, rejects when none does. "Already
   * known" is acceptance: that node has it.
   */
  async function broadcastRaw(serialized: Hex): Promise<string> {
    const attempts: Promise<string>[] = [];
    const known = (error: unknown) => /already known|known transaction|already imported/i.test(errorText(error));
    const accept = (name: string) => (attempt: Promise<unknown>) =>
      attempt.then(
        () => name,
        (error) => {
          if (known(error)) return name;
          throw error;
        },
      );
    if (relaysOnly) {
      // Private submission only: the public endpoints never see the pause.
    } else if (pool) {
      const { first, all } = pool.broadcast<Hex>('eth_sendRawTransaction', [serialized]);
      attempts.push(
        first.then(
          ({ endpoint }) => endpoint,
          async (error) => {
            // Every endpoint refused; one that already had it counts.
            const replies = await all;
            const had = replies.find((reply) => reply.error !== undefined && known(reply.error));
            if (had) return had.endpoint;
            throw error;
          },
        ),
      );
    } else {
      attempts.push(accept('rpc')(sendRawTransaction(client, { serializedTransaction: serialized })));
    }
    for (const relay of relays) {
      const params = relay.method === 'eth_sendPrivateTransaction' ? [{ tx: serialized }] : [serialized];
      attempts.push(accept(relay.name)(relay.pool.request(relay.method, params)));
    }
    return Promise.any(attempts).catch((error: AggregateError) => {
      // Prefer a node's own answer (nonce too low, insufficient funds) to a network failure.
      const errors = error.errors ?? [];
      throw errors.find((e) => e instanceof RpcResponseError || e instanceof ViemBaseError) ?? errors[0];
    });
  }

  function refuse(request: ResponderRequest, contract: Address): PauseRefusedError | undefined {
    if (request.chainId !== chainId) {
      return new PauseRefusedError(
        `The pause responder for chain ${chainId} refused a request for chain ${request.chainId}; nothing was sent.`,
        { metaMessages: ['Route the request to the responder of that chain.'] },
      );
    }
    if (!allowed.includes(contract)) {
      return new PauseRefusedError(
        `The pause responder refused ${contract}: it is not in its \`allowed\` list; nothing was sent.`,
        {
          metaMessages: ['Opt the contract in to automatic pausing in the responder config, if it should be.'],
        },
      );
    }
    return undefined;
  }

  const readPaused = (contract: Address, blockNumber?: bigint) => readPausedOf(client, contract, blockNumber);

  async function findReceipt(hashes: readonly Hex[]): Promise<TransactionReceipt | undefined> {
    for (const hash of [...hashes].reverse()) {
      try {
        return await getTransactionReceipt(client, { hash });
      } catch {
        // Not mined (TransactionReceiptNotFoundError) or the node failed; the next block tells.
      }
    }
    return undefined;
  }

  async function contain(incidentId: string, contract: Address, txHash: Hex): Promise<boolean> {
    try {
      const incident = await getIncident(store, incidentId);
      if (!incident || !incidentTransitions[incident.state].includes('contained')) return false;
      await transitionIncident(store, {
        id: incidentId,
        to: 'contained',
        actor,
        note: `${contract} paused by ${txHash}`,
      });
      return true;
    } catch {
      // Another responder moved it first (InvalidTransitionError), or the store failed: the pause stands.
      return false;
    }
  }

  function rpcError(what: string, error: unknown): ResponderRpcError {
    return new ResponderRpcError(`${what} failed on the responder's RPC endpoint.`, {
      cause: error,
      secrets,
      metaMessages: ['Check the node; the responder retries until its deadline.'],
    });
  }

  return {
    guardian,
    chainId,
    allowed,
    handles: (contract) => allowed.includes(contract.toLowerCase() as Address),
    pause: (request) => start(request).settled,
    start,
    prepare: () => prepare(),
    warm,
    close() {
      warming = false;
      if (warmTimer) clearTimeout(warmTimer);
    },
    evaluated(blockNumber, touched) {
      if (warming && toldHeads && (lastHead === undefined || blockNumber > lastHead))
        return onHead(blockNumber, touched).catch(() => {});
      return Promise.resolve();
    },
    contractReads: () => contractReadCount,
    compete(tx, touches) {
      const mine = touches.map((address) => address.toLowerCase() as Address).filter((a) => allowed.includes(a));
      if (mine.length === 0) return;
      watch.add(tx, mine);
      for (const contract of mine) wakers.get(contract)?.();
    },
  };
}

export type WarmOptions = {
  /**
   * `poll` (default): new blocks are found by polling `eth_blockNumber`. `told`: the caller tells
   * them (`evaluated`), after it fetched and evaluated each: the reads then never compete with it.
   */
  heads?: 'poll' | 'told' | undefined;
};

/** A pause's place in the key's nonce sequence (see `withTurns`). */
type Turn = {
  /** Lets the next pause go: this one is broadcast. */
  releaseSend(): void;
  /** The nonce to use: the node's pending nonce, or past the pauses still in flight. */
  nonceFrom(fromNode: number): number;
  moveNonce(nonce: number): number;
};

/** `eth_createAccessList`'s answer (geth and anvil; `error` when the call reverts). */
type AccessListResult = { accessList?: { address: string }[]; error?: string };

/** How long a prepared pause may be used at most: two mainnet blocks and a half. */
const preparedMaxAgeMs = 30_000;

type ReadyState = {
  status: 'ready';
  /** When it was read (ms since the epoch). */
  readAt: number;
  blockNumber: bigint;
  baseFeePerGas: bigint;
  suggestedPriorityFeePerGas: bigint;
  gas: bigint;
  nonce: number;
};

type StateProblem =
  | { status: 'failed' | 'refused'; error: BulwarkError; revertReason?: string | undefined }
  | { status: 'already-paused'; blockNumber: bigint | null; error?: undefined };

function errorText(error: unknown): string {
  if (error instanceof ViemBaseError) return `${error.details ?? ''} ${error.shortMessage}`;
  if (error instanceof BulwarkError) return `${error.shortMessage} ${error.details ?? ''}`;
  return error instanceof Error ? error.message : String(error);
}

function serializePricing(pricing: PausePricing): Record<string, unknown> {
  return {
    outbid: pricing.outbid,
    limitedBy: pricing.limitedBy ?? null,
    competitors: pricing.competitors,
    source: pricing.source,
    highest: pricing.highest ?? null,
    needed: {
      maxFeePerGas: String(pricing.needed.maxFeePerGas),
      maxPriorityFeePerGas: String(pricing.needed.maxPriorityFeePerGas),
    },
  };
}

function isNoData(error: unknown): boolean {
  return (
    error instanceof ViemBaseError &&
    error.walk((e) => (e as { name?: string }).name === 'ContractFunctionZeroDataError') !== null
  );
}

function serializePlan(plan: PlannedPauseTransaction): Record<string, unknown> {
  return {
    chainId: plan.chainId,
    from: plan.from,
    to: plan.to,
    data: plan.data,
    value: '0',
    nonce: plan.nonce,
    gas: String(plan.gas),
    maxFeePerGas: String(plan.maxFeePerGas),
    maxPriorityFeePerGas: String(plan.maxPriorityFeePerGas),
    type: 'eip1559',
  };
}
