import { setTimeout as sleep } from 'node:timers/promises';
import { endpointName, hashSafeTransaction, type SafeTransaction, safeAbi, safeTransactionArgs } from '@bulwark/chain';
import type { BaseError as BulwarkError } from '@bulwark/core';
import { recordResponderAction, type StoreClient, updateResponderAction } from '@bulwark/store';
import {
  type Address,
  type Chain,
  type Client,
  getAddress,
  type Hex,
  isAddress,
  recoverAddress,
  type Transport,
  zeroAddress,
} from 'viem';
import type { LocalAccount } from 'viem/accounts';
import { getChainId, readContract, simulateContract } from 'viem/actions';
import {
  PauseRefusedError,
  PauseSimulationError,
  ResponderConfigError,
  ResponderRpcError,
  SafeProposalError,
  scrub,
  secretsOfUrl,
} from './errors.ts';
import { assertPauseCalldata, pausableAbi, pauseSelector, revertReason } from './pauseCall.ts';
import { checkResponderRequest, type ResponderRequest } from './types.ts';

// The Safe transaction and its hash live in the chain package (the wallet guard uses them too).
export {
  hashSafeTransaction,
  type SafeTransaction,
  safeAbi,
  safeDomainTypehash,
  safeTxTypehash,
} from '@bulwark/chain';

/** The Safe transaction that calls `pause()` on `contract`: no value, a plain call, no gas refund. */
export function safePauseTransaction(parameters: { contract: Address; nonce: bigint }): SafeTransaction {
  return {
    to: getAddress(parameters.contract),
    value: 0n,
    data: pauseSelector,
    operation: 0,
    safeTxGas: 0n,
    baseGas: 0n,
    gasPrice: 0n,
    gasToken: zeroAddress,
    refundReceiver: zeroAddress,
    nonce: parameters.nonce,
  };
}

/** What signers are told: enough to find, check and sign the proposal. */
export type SafeProposalNotice = {
  title: string;
  summary: string;
  incidentId: string;
  chainId: number;
  contract: Address;
  safe: Address;
  safeTxHash: Hex;
  nonce: string;
  threshold: number;
  owners: Address[];
  reason: string;
  /** Whether the proposal is on the Safe Transaction Service (`service`, a name safe to show). */
  posted: boolean;
  service: string | undefined;
};

export type CreateSafeProposerParameters = {
  client: Client<Transport, Chain | undefined>;
  store: StoreClient;
  chainId: number;
  /** The contracts whose guardian is a Safe, and that Safe. Anything else is refused. */
  allowed: readonly { contract: Address; safe: Address }[];
  /** An owner (or delegate) key to sign the proposal with; without it the proposal is only recorded and announced. */
  proposer?: LocalAccount | undefined;
  /** A Safe Transaction Service base URL (e.g. `https://safe-transaction-mainnet.safe.global`); needs `proposer`. */
  serviceUrl?: string | undefined;
  /** Sent as `Authorization: Bearer …` (api.safe.global wants one). */
  serviceApiKey?: string | undefined;
  /** Default 10 s per attempt; three attempts on a 5xx or a network error. */
  serviceTimeoutMs?: number | undefined;
  /** Tells the signers; the monitor routes it to its alert sinks. */
  notify?: ((notice: SafeProposalNotice) => void | Promise<void>) | undefined;
  /** Default `globalThis.fetch`. */
  fetch?: typeof fetch | undefined;
  /** Shown in the Safe app as the proposal's origin; default `Bulwark`. */
  origin?: string | undefined;
  /** Force every request to be a dry run. */
  dryRun?: boolean | undefined;
  /** Default `responder`. */
  actor?: string | undefined;
  secrets?: readonly string[] | undefined;
};

export type SafeProposalOutcome = {
  /** `proposed`: recorded (and signed, posted, announced as configured). `planned`: dry run. */
  status: 'proposed' | 'planned' | 'already-paused' | 'failed' | 'refused';
  incidentId: string;
  chainId: number;
  contract: Address;
  safe: Address | undefined;
  dryRun: boolean;
  actionId: string;
  transaction: SafeTransaction | undefined;
  safeTxHash: Hex | undefined;
  threshold: number | undefined;
  owners: Address[];
  /** The proposer's signature of `safeTxHash` (65 bytes, v = 27/28), when there is a proposer. */
  signature: Hex | undefined;
  posted: boolean;
  notified: boolean;
  error: BulwarkError | undefined;
  /** The Safe Transaction Service failed; the proposal stands (recorded, announced). */
  serviceError: BulwarkError | undefined;
  notifyError: string | undefined;
};

export type SafeProposer = {
  readonly chainId: number;
  readonly allowed: readonly { contract: Address; safe: Address }[];
  /** Whether `contract` is one this proposer handles. */
  handles(contract: Address): boolean;
  /** Proposes `pause()` on `request.contract` to its Safe's owners. Never executes anything. */
  propose(request: ResponderRequest): Promise<SafeProposalOutcome>;
};

/**
 * The Safe proposer, for contracts whose guardian is a Safe: it cannot pause alone, so it prepares
 * the pause for the owners. Each request: refuse a contract not in `allowed`; read `paused()`
 * (already paused: done), simulate `pause()` from the Safe, read its nonce, version, owners and
 * threshold; build the Safe transaction and its EIP-712 hash, checked against the Safe's own
 * `getTransactionHash`; record it (`safe-proposal`, `proposed`); sign it with the proposer key,
 * post it to the Transaction Service, and notify the signers, as configured.
 */
export function createSafeProposer(parameters: CreateSafeProposerParameters): SafeProposer {
  const { client, store, proposer } = parameters;
  const chainId = parameters.chainId;
  if (!Number.isSafeInteger(chainId) || chainId <= 0)
    throw new ResponderConfigError(`Safe proposer: chainId ${chainId} is not a positive integer.`);
  const allowed = (parameters.allowed ?? []).map((entry, index) => {
    if (!isAddress(entry?.contract ?? '', { strict: false }) || !isAddress(entry?.safe ?? '', { strict: false }))
      throw new ResponderConfigError(`Safe proposer: allowed[${index}] needs a \`contract\` and a \`safe\` address.`);
    return { contract: getAddress(entry.contract), safe: getAddress(entry.safe) };
  });
  if (parameters.serviceUrl !== undefined) {
    if (!proposer)
      throw new ResponderConfigError(
        'Safe proposer: `serviceUrl` needs `proposer`, an owner key to sign the proposal.',
        {
          secrets: secretsOfUrl(parameters.serviceUrl),
        },
      );
    if (!/^https?:\/\//.test(parameters.serviceUrl))
      throw new ResponderConfigError('Safe proposer: `serviceUrl` must be an http(s) URL.', {
        secrets: [...secretsOfUrl(parameters.serviceUrl), parameters.serviceUrl],
      });
  }
  if (proposer && (proposer.type !== 'local' || typeof proposer.sign !== 'function'))
    throw new ResponderConfigError('Safe proposer: `proposer` must be a local account that can sign a hash.');
  const fetcher = parameters.fetch ?? globalThis.fetch;
  const actor = parameters.actor ?? 'responder';
  const timeoutMs = parameters.serviceTimeoutMs ?? 10_000;
  const service = parameters.serviceUrl ? endpointName(parameters.serviceUrl) : undefined;
  const secrets = [
    ...secretsOfUrl((client?.transport as { url?: unknown } | undefined)?.url as string | undefined),
    ...secretsOfUrl(parameters.serviceUrl),
    parameters.serviceApiKey,
    ...(parameters.secrets ?? []),
  ].filter((s): s is string => typeof s === 'string');
  const safeOf = (contract: Address) => allowed.find((entry) => entry.contract === getAddress(contract))?.safe;

  async function propose(request: ResponderRequest): Promise<SafeProposalOutcome> {
    checkResponderRequest(request, 'Safe proposal request');
    const contract = getAddress(request.contract);
    const safe = safeOf(contract);
    const dryRun = parameters.dryRun === true || request.dryRun === true;
    const outcome: SafeProposalOutcome = {
      status: 'failed',
      incidentId: request.incidentId,
      chainId: request.chainId,
      contract,
      safe,
      dryRun,
      actionId: '',
      transaction: undefined,
      safeTxHash: undefined,
      threshold: undefined,
      owners: [],
      signature: undefined,
      posted: false,
      notified: false,
      error: undefined,
      serviceError: undefined,
      notifyError: undefined,
    };
    const data: Record<string, unknown> = { reason: request.reason, safe: safe ?? null };
    const record = async (status: string) => {
      const action = await recordResponderAction(store, {
        incidentId: request.incidentId,
        kind: 'safe-proposal',
        chainId: request.chainId,
        address: contract,
        dryRun,
        status,
        data,
        actor,
      });
      outcome.actionId = action.id;
    };
    const stop = async (status: SafeProposalOutcome['status'], error?: BulwarkError) => {
      outcome.status = status;
      outcome.error = error;
      if (error) data.error = { name: error.name, message: error.shortMessage, details: error.details ?? null };
      await record(status);
      return outcome;
    };

    if (request.chainId !== chainId)
      return stop(
        'refused',
        new PauseRefusedError(
          `The Safe proposer for chain ${chainId} refused a request for chain ${request.chainId}; nothing was proposed.`,
        ),
      );
    if (!safe)
      return stop(
        'refused',
        new PauseRefusedError(
          `The Safe proposer refused ${contract}: it is not in its \`allowed\` list; nothing was proposed.`,
          {
            metaMessages: ['Add `{ contract, safe }` to the Safe proposer config, if its guardian is a Safe.'],
          },
        ),
      );

    const [nodeChainId, paused, simulation, nonce, version, threshold, owners] = await Promise.allSettled([
      getChainId(client),
      readContract(client, { address: contract, abi: pausableAbi, functionName: 'paused' }),
      simulateContract(client, { address: contract, abi: pausableAbi, functionName: 'pause', account: safe }),
      readContract(client, { address: safe, abi: safeAbi, functionName: 'nonce' }),
      readContract(client, { address: safe, abi: safeAbi, functionName: 'VERSION' }),
      readContract(client, { address: safe, abi: safeAbi, functionName: 'getThreshold' }),
      readContract(client, { address: safe, abi: safeAbi, functionName: 'getOwners' }),
    ]);
    const rpcFailure = (what: string, result: PromiseSettledResult<unknown>) =>
      stop(
        'failed',
        new ResponderRpcError(`${what} failed on the responder's RPC endpoint.`, {
          cause: (result as PromiseRejectedResult).reason,
          secrets,
        }),
      );
    if (nodeChainId.status === 'rejected') return rpcFailure('eth_chainId', nodeChainId);
    if (nodeChainId.value !== chainId)
      return stop(
        'refused',
        new PauseRefusedError(`The RPC endpoint serves chain ${nodeChainId.value}, not ${chainId}.`),
      );
    if (paused.status === 'rejected') return rpcFailure(`paused() on ${contract}`, paused);
    if (paused.value) return stop('already-paused');
    for (const [what, result] of [
      ['nonce()', nonce],
      ['VERSION()', version],
      ['getThreshold()', threshold],
      ['getOwners()', owners],
    ] as const) {
      if (result.status === 'rejected') {
        if (revertReason(result.reason) !== undefined || /returned no data|zero data/i.test(String(result.reason)))
          return stop(
            'failed',
            new SafeProposalError(
              `${safe} does not answer ${what} as a Safe does; is it the Safe guarding ${contract}?`,
              {
                secrets,
                metaMessages: ['Check `safe` for this contract in the Safe proposer config.'],
              },
            ),
          );
        return rpcFailure(`${what} on the Safe ${safe}`, result);
      }
    }
    const safeVersion = (version as PromiseFulfilledResult<string>).value;
    data.safeVersion = safeVersion;
    if (!/^1\.(3|4)\.\d+/.test(safeVersion))
      return stop(
        'failed',
        new SafeProposalError(`The Safe ${safe} is version ${safeVersion}; proposals support Safe 1.3.x and 1.4.x.`, {
          metaMessages: ['Older Safes hash transactions differently: propose the pause in the Safe app.'],
        }),
      );
    if (simulation.status === 'rejected') {
      const revert = revertReason(simulation.reason);
      if (revert === undefined) return rpcFailure('eth_call pause()', simulation);
      data.revertReason = revert;
      return stop(
        'failed',
        new PauseSimulationError(`pause() on ${contract} reverts when called by the Safe ${safe}: ${revert}.`, {
          revertReason: revert,
          metaMessages: ['Make the Safe the guardian of the contract, or fix `safe` in the config.'],
        }),
      );
    }

    // The proposal, and its hash checked against the Safe's own.
    const transaction = safePauseTransaction({ contract, nonce: (nonce as PromiseFulfilledResult<bigint>).value });
    assertPauseCalldata(transaction.data, 'The Safe proposer');
    const safeTxHash = hashSafeTransaction({ chainId, safe, transaction });
    outcome.transaction = transaction;
    outcome.safeTxHash = safeTxHash;
    outcome.threshold = Number((threshold as PromiseFulfilledResult<bigint>).value);
    outcome.owners = [...(owners as PromiseFulfilledResult<readonly Address[]>).value];
    Object.assign(data, {
      safeTxHash,
      transaction: serializeSafeTransaction(transaction),
      threshold: outcome.threshold,
      owners: outcome.owners,
    });
    try {
      const onChain = await readContract(client, {
        address: safe,
        abi: safeAbi,
        functionName: 'getTransactionHash',
        args: safeTransactionArgs(transaction),
      });
      if (onChain !== safeTxHash)
        return stop(
          'failed',
          new SafeProposalError(
            `The Safe ${safe} hashes the pause as ${onChain}, not ${safeTxHash}; nothing was proposed.`,
            {
              metaMessages: ['The Safe is not a standard 1.3/1.4 Safe; propose the pause in the Safe app.'],
            },
          ),
        );
    } catch (error) {
      return rpcFailure(`getTransactionHash() on the Safe ${safe}`, { status: 'rejected', reason: error });
    }

    if (dryRun) {
      outcome.status = 'planned';
      await record('planned');
      return outcome;
    }
    outcome.status = 'proposed';
    await record('proposed');

    // Sign, post, announce; a failure of one is recorded and the others go on.
    if (proposer) {
      // Checked when the proposer was created.
      const signature = await proposer.sign!({ hash: safeTxHash });
      const signer = await recoverAddress({ hash: safeTxHash, signature });
      outcome.signature = signature;
      data.signatures = [{ signer, signature }];
      data.proposer = proposer.address;
      data.proposerIsOwner = outcome.owners.some((owner) => owner.toLowerCase() === proposer.address.toLowerCase());
    }
    if (parameters.serviceUrl && proposer && outcome.signature) {
      try {
        await post(parameters.serviceUrl, safe, transaction, safeTxHash, proposer.address, outcome.signature);
        outcome.posted = true;
        data.service = { name: service, posted: true };
      } catch (error) {
        outcome.serviceError = error as BulwarkError;
        data.service = { name: service, posted: false, error: (error as BulwarkError).shortMessage };
      }
    }
    if (proposer || parameters.serviceUrl) await updateAction('proposed');

    if (parameters.notify) {
      const notice = noticeOf(request, outcome, safe, transaction.nonce, service);
      let status = 'sent';
      try {
        await parameters.notify(notice);
        outcome.notified = true;
      } catch (error) {
        status = 'failed';
        outcome.notifyError = scrub(error instanceof Error ? error.message : String(error), secrets);
      }
      try {
        await recordResponderAction(store, {
          incidentId: request.incidentId,
          kind: 'notify',
          chainId,
          address: contract,
          dryRun: false,
          status,
          data: { proposalId: outcome.actionId, safeTxHash, title: notice.title, error: outcome.notifyError ?? null },
          actor,
        });
      } catch {
        // The proposal is recorded; a lost notify record does not undo the notice.
      }
    }
    return outcome;

    async function updateAction(status: string) {
      try {
        await updateResponderAction(store, { id: outcome.actionId, status, data, actor });
      } catch {
        // Recorded as proposed already; the signature and service result stay in the outcome.
      }
    }
  }

  async function post(
    baseUrl: string,
    safe: Address,
    tx: SafeTransaction,
    safeTxHash: Hex,
    sender: Address,
    signature: Hex,
  ): Promise<void> {
    const url = `${baseUrl.replace(/\/+$/, '')}/api/v1/safes/${getAddress(safe)}/multisig-transactions/`;
    const body = JSON.stringify({
      safe: getAddress(safe),
      to: getAddress(tx.to),
      value: tx.value.toString(),
      data: tx.data,
      operation: tx.operation,
      safeTxGas: tx.safeTxGas.toString(),
      baseGas: tx.baseGas.toString(),
      gasPrice: tx.gasPrice.toString(),
      gasToken: tx.gasToken,
      refundReceiver: tx.refundReceiver,
      nonce: tx.nonce.toString(),
      contractTransactionHash: safeTxHash,
      sender: getAddress(sender),
      signature,
      origin: parameters.origin ?? 'Bulwark',
    });
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (parameters.serviceApiKey) headers.authorization = `Bearer ${parameters.serviceApiKey}`;
    let lastError: SafeProposalError | undefined;
    for (let attempt = 1; attempt <= 3; attempt++) {
      if (attempt > 1) await sleep(250 * 4 ** (attempt - 2));
      let response: Response;
      try {
        response = await fetcher(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      } catch (cause) {
        lastError = new SafeProposalError(`The Safe Transaction Service ${service} could not be reached.`, {
          cause,
          secrets,
          retryable: true,
        });
        continue;
      }
      if (response.ok) return;
      const text = (await response.text().catch(() => '')).slice(0, 500);
      lastError = new SafeProposalError(
        `The Safe Transaction Service ${service} refused the proposal (HTTP ${response.status}).`,
        {
          details: text || undefined,
          secrets,
          status: response.status,
          retryable: response.status >= 500 || response.status === 429,
          metaMessages:
            response.status === 401 || response.status === 403
              ? ['Check `serviceApiKey`.']
              : response.status === 422 || response.status === 400
                ? [
                    'The service checks that the sender is an owner or delegate of the Safe and the signature is theirs.',
                  ]
                : undefined,
        },
      );
      if (!lastError.retryable) break;
    }
    throw lastError;
  }

  return { chainId, allowed, handles: (contract) => safeOf(contract) !== undefined, propose };
}

function noticeOf(
  request: ResponderRequest,
  outcome: SafeProposalOutcome,
  safe: Address,
  nonce: bigint,
  service: string | undefined,
): SafeProposalNotice {
  const threshold = outcome.threshold ?? 0;
  return {
    title: `Sign to pause ${outcome.contract}: Safe proposal for incident ${request.incidentId}`,
    summary:
      `${threshold} of ${outcome.owners.length} owners of the Safe ${safe} must sign the Safe transaction ${outcome.safeTxHash} ` +
      `(nonce ${nonce}) calling pause() on ${outcome.contract} (chain ${request.chainId}). Reason: ${request.reason}` +
      (outcome.posted ? ' It is queued on the Safe Transaction Service.' : ''),
    incidentId: request.incidentId,
    chainId: request.chainId,
    contract: outcome.contract,
    safe,
    safeTxHash: outcome.safeTxHash!,
    nonce: nonce.toString(),
    threshold,
    owners: outcome.owners,
    reason: request.reason,
    posted: outcome.posted,
    service: outcome.posted ? service : undefined,
  };
}

function serializeSafeTransaction(tx: SafeTransaction): Record<string, unknown> {
  return {
    to: tx.to,
    value: tx.value.toString(),
    data: tx.data,
    operation: tx.operation,
    safeTxGas: tx.safeTxGas.toString(),
    baseGas: tx.baseGas.toString(),
    gasPrice: tx.gasPrice.toString(),
    gasToken: tx.gasToken,
    refundReceiver: tx.refundReceiver,
    nonce: tx.nonce.toString(),
  };
}
