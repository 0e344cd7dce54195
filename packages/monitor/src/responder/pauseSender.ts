import { setTimeout as sleep } from 'node:timers/promises';
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
  readContract,
  sendRawTransaction,
  simulateContract,
} from 'viem/actions';
import {
  PauseFailedError,
  PauseRefusedError,
  PauseSimulationError,
  ResponderConfigError,
  ResponderRpcError,
  scrub,
  secretsOfUrl,
} from './errors.ts';
import { bumpFees, type Fees, type PauseFeeOptions, pauseFees, resolveFeeOptions } from './fees.ts';
import { pausableAbi, pauseSelector, pauseTransaction, revertReason, signPauseTransaction } from './pauseCall.ts';
import { checkResponderRequest, type ResponderRequest } from './types.ts';

export type CreatePauseResponderParameters = {
  /** A viem client on the chain (public actions are used as plain functions). */
  client: Client<Transport, Chain | undefined>;
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
  /** Updates of the action that the store refused after the transaction left; the pause went on. */
  recordErrors: string[];
};

export type PauseResponder = {
  readonly guardian: Address;
  readonly chainId: number;
  readonly allowed: readonly Address[];
  /** Whether `contract` is in `allowed`. */
  handles(contract: Address): boolean;
  /** Pauses `request.contract`: check, send, re-send each block until mined, verify, record. Never unpauses. */
  pause(request: ResponderRequest): Promise<PauseOutcome>;
};

/**
 * The pause responder. Each request: refuse a contract not in `allowed`; read `paused()` (already
 * paused: done) and simulate `pause()` from the guardian (a revert: failed, with the reason); sign
 * an EIP-1559 `pause()` with a priority fee well above the node's and broadcast it; on each new
 * block without a receipt re-send the same nonce with both fees bumped; once mined check the
 * status and that `paused()` is true, and mark the incident contained. Each step updates one
 * responder action on the incident. Requests run one at a time (one nonce sequence).
 */
export function createPauseResponder(parameters: CreatePauseResponderParameters): PauseResponder {
  const { client, account, store } = parameters;
  const chainId = parameters.chainId;
  if (!Number.isSafeInteger(chainId) || chainId <= 0)
    throw new ResponderConfigError(`Pause responder: chainId ${chainId} is not a positive integer.`);
  if (account?.type !== 'local')
    throw new ResponderConfigError('Pause responder: `account` must be a local account (see loadGuardianKey).');
  const fees = resolveFeeOptions(parameters.fees);
  const gasMultiplier = parameters.gasMultiplier ?? 1.3;
  if (!(gasMultiplier >= 1 && gasMultiplier <= 10))
    throw new ResponderConfigError(`Pause responder: gasMultiplier must be between 1 and 10 (got ${gasMultiplier}).`);
  const deadlineMs = parameters.deadlineMs ?? 180_000;
  const pollingIntervalMs = parameters.pollingIntervalMs ?? 500;
  const actor = parameters.actor ?? 'responder';
  const allowed = (parameters.allowed ?? []).map((address, index) => {
    if (!isAddress(address, { strict: false }))
      throw new ResponderConfigError(`Pause responder: allowed[${index}] "${address}" is not an address.`);
    return address.toLowerCase() as Address;
  });
  const secrets = [
    ...secretsOfUrl((client?.transport as { url?: unknown } | undefined)?.url as string | undefined),
    ...(parameters.secrets ?? []),
  ];
  const guardian = account.address;

  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  };

  async function pause(request: ResponderRequest): Promise<PauseOutcome> {
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
    /** The first record of the request; a failure here throws before anything is sent. */
    const record = async (status: PauseStatus, txHash?: Hex) => {
      const action = await recordResponderAction(store, {
        incidentId: request.incidentId,
        kind: 'pause',
        chainId: request.chainId,
        address: contract,
        dryRun,
        status,
        txHash,
        data,
        actor,
      });
      outcome.actionId = action.id;
      step(status);
    };
    /** Later steps: a store failure is noted and the pause goes on. */
    const update = async (status: PauseStatus, txHash?: Hex, fees?: Fees) => {
      try {
        await updateResponderAction(store, { id: outcome.actionId, status, txHash, data, actor });
      } catch (error) {
        outcome.recordErrors.push(
          `${status}: ${scrub(error instanceof Error ? error.message : String(error), secrets)}`,
        );
      }
      step(status, fees);
    };
    const finish = async (status: PauseOutcome['status'], error?: BulwarkError, recorded = true) => {
      outcome.status = status;
      outcome.error = error;
      if (error) data.error = { name: error.name, message: error.shortMessage, details: error.details ?? null };
      if (status === 'failed' || status === 'already-paused' || status === 'refused') {
        if (recorded) await update(status, outcome.txHash);
        else await record(status);
      }
      return outcome;
    };

    const refusal = refuse(request, contract);
    if (refusal) return finish('refused', refusal, false);

    return exclusive(async () => {
      // 1. Read everything at once: the pause's latency is the slowest of these, not their sum.
      const [nodeChainId, paused, simulation, gasEstimate, block, suggested, nonce] = await Promise.allSettled([
        getChainId(client),
        readPaused(contract),
        simulateContract(client, { address: contract, abi: pausableAbi, functionName: 'pause', account: guardian }),
        estimateGas(client, { account: guardian, to: contract, data: pauseSelector }),
        getBlock(client, { blockTag: 'latest' }),
        estimateMaxPriorityFeePerGas(client),
        getTransactionCount(client, { address: guardian, blockTag: 'pending' }),
      ]);
      const rpcFailure = (what: string, result: PromiseSettledResult<unknown>) =>
        finish('failed', rpcError(what, (result as PromiseRejectedResult).reason), false);

      if (nodeChainId.status === 'rejected') return rpcFailure('eth_chainId', nodeChainId);
      if (nodeChainId.value !== chainId) {
        return finish(
          'refused',
          new PauseRefusedError(
            `The RPC endpoint serves chain ${nodeChainId.value}, not ${chainId}; nothing was sent.`,
            {
              metaMessages: ["Point the responder's RPC URL at the chain it is configured for."],
            },
          ),
          false,
        );
      }
      if (paused.status === 'rejected') {
        const revert = revertReason(paused.reason);
        if (revert !== undefined || isNoData(paused.reason)) {
          return finish(
            'failed',
            new PauseSimulationError(
              `${contract} has no working paused() view; it cannot be verified, so it is not paused.`,
              {
                revertReason: revert ?? 'no data',
                secrets,
              },
            ),
            false,
          );
        }
        return rpcFailure('paused()', paused);
      }
      if (paused.value) {
        data.alreadyPausedAt = block.status === 'fulfilled' ? block.value.number : null;
        return finish('already-paused', undefined, false);
      }
      if (simulation.status === 'rejected') {
        const revert = revertReason(simulation.reason);
        if (revert === undefined) return rpcFailure('eth_call pause()', simulation);
        data.revertReason = revert;
        return finish(
          'failed',
          new PauseSimulationError(
            `pause() on ${contract} reverts when called by the guardian ${guardian}: ${revert}.`,
            {
              revertReason: revert,
              metaMessages: ['Make the responder key the guardian of the contract (setGuardian), or fix `allowed`.'],
              secrets,
            },
          ),
          false,
        );
      }
      if (gasEstimate.status === 'rejected') return rpcFailure('eth_estimateGas', gasEstimate);
      if (block.status === 'rejected') return rpcFailure('eth_getBlockByNumber', block);
      if (nonce.status === 'rejected') return rpcFailure('eth_getTransactionCount', nonce);
      const baseFeePerGas = block.value.baseFeePerGas;
      if (baseFeePerGas === null || baseFeePerGas === undefined) {
        return finish(
          'failed',
          new PauseFailedError(
            `Chain ${chainId} has no base fee (no EIP-1559); the responder sends EIP-1559 transactions only.`,
          ),
          false,
        );
      }
      // Some nodes lack eth_maxPriorityFeePerGas and a fee history; the floor then decides.
      const suggestedPriorityFeePerGas = suggested.status === 'fulfilled' ? suggested.value : 0n;
      let currentFees = pauseFees({ baseFeePerGas, suggestedPriorityFeePerGas }, fees);
      const gas = (gasEstimate.value * BigInt(Math.round(gasMultiplier * 1000)) + 999n) / 1000n;
      let txNonce = nonce.value;
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
      outcome.transaction = plan();
      data.transaction = serializePlan(outcome.transaction);
      data.market = {
        baseFeePerGas: String(baseFeePerGas),
        suggestedPriorityFeePerGas: String(suggestedPriorityFeePerGas),
        blockNumber: String(block.value.number),
      };

      // 2. The audit record comes before the transaction; without it nothing is sent.
      await record('planned');
      if (dryRun) {
        outcome.status = 'planned';
        return outcome;
      }

      // 3. Sign and broadcast; then one re-send per block until mined or the deadline.
      const deadline = startedAt + deadlineMs;
      let lastError: BulwarkError | undefined;
      const send = async (status: 'sent' | 'resent'): Promise<boolean> => {
        const transaction = plan();
        const serialized = await signPauseTransaction(account, pauseTransaction(transaction));
        const hash = keccak256(serialized);
        try {
          await sendRawTransaction(client, { serializedTransaction: serialized });
        } catch (error) {
          const message = (error instanceof ViemBaseError ? error.details || error.shortMessage : String(error)) ?? '';
          // The node has it already (a retried request): as good as sent.
          if (!/already known|known transaction|already imported/i.test(message)) {
            lastError = rpcError('eth_sendRawTransaction', error);
            if (/insufficient funds/i.test(message)) {
              throw new PauseFailedError(
                `The guardian ${guardian} cannot pay for the pause transaction: insufficient funds.`,
                {
                  metaMessages: [`Fund ${guardian} on chain ${chainId}.`],
                },
              );
            }
            return false;
          }
        }
        outcome.attempts += 1;
        outcome.hashes.push(hash);
        outcome.txHash = hash;
        outcome.transaction = transaction;
        if (outcome.broadcastAt === undefined) {
          outcome.broadcastAt = new Date();
          outcome.msToBroadcast = elapsed();
          data.broadcastAt = outcome.broadcastAt.toISOString();
          data.msToBroadcast = outcome.msToBroadcast;
        }
        const sends = (data.sends as unknown[] | undefined) ?? [];
        Object.assign(data, {
          transaction: serializePlan(transaction),
          attempts: outcome.attempts,
          hashes: [...outcome.hashes],
          // Each broadcast with its fees: the audit trail of the re-sends.
          sends: [
            ...sends,
            {
              hash,
              nonce: transaction.nonce,
              maxFeePerGas: String(transaction.maxFeePerGas),
              maxPriorityFeePerGas: String(transaction.maxPriorityFeePerGas),
              at: new Date().toISOString(),
            },
          ],
        });
        await update(status, hash, currentFees);
        return true;
      };

      try {
        let sent = await send('sent');
        let lastBlock = block.value.number ?? 0n;
        let receipt: TransactionReceipt | undefined;
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
          await sleep(Math.min(pollingIntervalMs, Math.max(0, deadline - performance.now())));
          let head: bigint;
          try {
            head = await getBlockNumber(client, { cacheTime: 0 });
          } catch (error) {
            lastError = rpcError('eth_blockNumber', error);
            continue;
          }
          if (head <= lastBlock) {
            // No new block; a broadcast the node refused is tried again at once.
            if (!sent) sent = await send('sent');
            continue;
          }
          lastBlock = head;
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
            txNonce = latestNonce;
            data.nonceTakenByAnother = true;
          }
          const latest = await getBlock(client, { blockNumber: head }).catch(() => undefined);
          const fresh = pauseFees(
            {
              baseFeePerGas: latest?.baseFeePerGas ?? baseFeePerGas,
              suggestedPriorityFeePerGas: await estimateMaxPriorityFeePerGas(client).catch(
                () => suggestedPriorityFeePerGas,
              ),
            },
            fees,
          );
          const bumped = sent ? bumpFees(currentFees, fresh, fees) : fresh;
          if (!bumped) continue; // At the cap: wait for the sent one.
          currentFees = bumped;
          sent = (await send(sent ? 'resent' : 'sent')) || sent;
        }

        // 4. Mined: the status, then the state.
        outcome.txHash = receipt.transactionHash;
        outcome.blockNumber = receipt.blockNumber;
        outcome.msToMined = elapsed();
        Object.assign(data, {
          minedTxHash: receipt.transactionHash,
          blockNumber: String(receipt.blockNumber),
          gasUsed: String(receipt.gasUsed),
          effectiveGasPrice: String(receipt.effectiveGasPrice),
          msToMined: outcome.msToMined,
        });
        await update('mined', receipt.transactionHash);
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
              {
                metaMessages: ['Check the guardian role of the responder key; pause by hand.'],
              },
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
      }
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

  async function readPaused(contract: Address, blockNumber?: bigint): Promise<boolean> {
    return readContract(client, { address: contract, abi: pausableAbi, functionName: 'paused', blockNumber });
  }

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
    pause,
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
