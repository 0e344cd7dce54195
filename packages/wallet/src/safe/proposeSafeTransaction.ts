import {
  hashSafeTransaction,
  type SafeTransaction,
  safeAbi,
  safeTransactionArgs,
  safeTransactionTypedData,
} from '@bulwark/chain';
import { BaseError, redactSecrets } from '@bulwark/core';
import {
  type Address,
  type Client,
  concat,
  getAddress,
  type Hex,
  isAddress,
  isHex,
  type TypedDataDefinition,
  zeroAddress,
} from 'viem';
import { getChainId, readContract } from 'viem/actions';
import type { SignedPayload, SignPayload } from '../signers/signer.ts';

/*
 * The Safe as a signer: the guard proposes, the owners sign. A proposal is the SafeTx built from
 * the intended parameters, its hash computed here (what owners compare with their hardware
 * wallet's screen) and checked against the Safe's own `getTransactionHash`, and the typed data
 * each owner's signer signs through `signAllowed` (the authorization's digest is the safeTxHash).
 */

export class SafeTransactionError extends BaseError {
  override name = 'SafeTransactionError' as const;
  constructor(message: string, parameters: { cause?: unknown; metaMessages?: string[]; retryable?: boolean } = {}) {
    super(redactSecrets(message), {
      details:
        parameters.cause instanceof Error ? redactSecrets(parameters.cause.message.split('\n')[0] ?? '') : undefined,
      metaMessages: parameters.metaMessages,
      retryable: parameters.retryable,
      docsPath: 'wallet/signers.md#safe',
    });
  }
}

/** What the business system wants the Safe to do; gas and refund fields default to none, the nonce to the Safe's next. */
export type SafeIntent = {
  to: Address;
  value?: bigint | undefined;
  data?: Hex | undefined;
  /** 0 call (default), 1 delegatecall (flagged by the preview). */
  operation?: 0 | 1 | undefined;
  safeTxGas?: bigint | undefined;
  baseGas?: bigint | undefined;
  gasPrice?: bigint | undefined;
  gasToken?: Address | undefined;
  refundReceiver?: Address | undefined;
  nonce?: bigint | undefined;
};

export type SafeProposal = {
  chainId: number;
  safe: Address;
  version: string;
  transaction: SafeTransaction;
  /** Computed here from the parameters; equal to the Safe's `getTransactionHash` (checked). */
  safeTxHash: Hex;
  threshold: number;
  owners: Address[];
  /** What each owner signs (`signAllowed` with an authorization for `safeTxHash`). */
  payload: SignPayload & { kind: 'typedData'; typedData: TypedDataDefinition };
};

/** The SafeTx with defaults filled in; no chain access. */
export function safeTransactionOf(intent: SafeIntent, nonce: bigint): SafeTransaction {
  if (!isAddress(intent.to))
    throw new SafeTransactionError(`Safe transaction: \`to\` ${String(intent.to)} is not an address.`);
  if (intent.data !== undefined && !isHex(intent.data))
    throw new SafeTransactionError('Safe transaction: `data` is not hex.');
  if (intent.operation !== undefined && intent.operation !== 0 && intent.operation !== 1)
    throw new SafeTransactionError('Safe transaction: `operation` must be 0 (call) or 1 (delegatecall).');
  return {
    to: getAddress(intent.to),
    value: intent.value ?? 0n,
    data: intent.data ?? '0x',
    operation: intent.operation ?? 0,
    safeTxGas: intent.safeTxGas ?? 0n,
    baseGas: intent.baseGas ?? 0n,
    gasPrice: intent.gasPrice ?? 0n,
    gasToken: intent.gasToken ?? zeroAddress,
    refundReceiver: intent.refundReceiver ?? zeroAddress,
    nonce,
  };
}

/** Reads the Safe (version, nonce, owners, threshold), builds the SafeTx and checks its hash against the contract. */
export async function proposeSafeTransaction(
  client: Client,
  parameters: { safe: Address; intent: SafeIntent },
): Promise<SafeProposal> {
  const safe = getAddress(parameters.safe);
  const read = async <T>(functionName: 'VERSION' | 'nonce' | 'getThreshold' | 'getOwners') => {
    try {
      return (await readContract(client, { address: safe, abi: safeAbi, functionName })) as T;
    } catch (cause) {
      throw new SafeTransactionError(`Cannot read ${functionName}() of the Safe ${safe}.`, {
        cause,
        retryable: true,
        metaMessages: ['Check that the address is a Safe on this chain and that the RPC endpoint answers.'],
      });
    }
  };
  const [chainId, version, nonce, threshold, owners] = await Promise.all([
    getChainId(client),
    read<string>('VERSION'),
    parameters.intent.nonce === undefined ? read<bigint>('nonce') : Promise.resolve(parameters.intent.nonce),
    read<bigint>('getThreshold'),
    read<Address[]>('getOwners'),
  ]);
  const transaction = safeTransactionOf(parameters.intent, nonce);
  const safeTxHash = hashSafeTransaction({ chainId, safe, transaction, version });
  const onChain = await readContract(client, {
    address: safe,
    abi: safeAbi,
    functionName: 'getTransactionHash',
    args: safeTransactionArgs(transaction),
  }).catch((cause: unknown) => {
    throw new SafeTransactionError(`Cannot read getTransactionHash() of the Safe ${safe}.`, { cause, retryable: true });
  });
  if (onChain !== safeTxHash)
    throw new SafeTransactionError(
      `The Safe ${safe} (version ${version}) hashes this transaction as ${onChain}, not ${safeTxHash}; nothing is proposed.`,
      { metaMessages: ['The contract is not a Safe of the version it claims, or the RPC lies; check both.'] },
    );
  return {
    chainId,
    safe,
    version,
    transaction,
    safeTxHash,
    threshold: Number(threshold),
    owners: owners.map((owner) => getAddress(owner)),
    payload: { kind: 'typedData', typedData: safeTransactionTypedData({ chainId, safe, transaction, version }) },
  };
}

/**
 * The `signatures` argument of `execTransaction`: owners' 65-byte ECDSA signatures of the
 * safeTxHash, ordered by owner address (the Safe requires ascending owners), each from an owner.
 */
export function safeSignatures(proposal: SafeProposal, signed: readonly SignedPayload[]): Hex {
  const owners = new Set(proposal.owners.map((owner) => owner.toLowerCase()));
  const seen = new Set<string>();
  for (const entry of signed) {
    if (entry.digest !== proposal.safeTxHash)
      throw new SafeTransactionError(
        `A signature by ${entry.signer} is for ${entry.digest}, not for ${proposal.safeTxHash}.`,
      );
    if (!owners.has(entry.signer.toLowerCase()))
      throw new SafeTransactionError(`${entry.signer} is not an owner of the Safe ${proposal.safe}.`);
    if (seen.has(entry.signer.toLowerCase())) throw new SafeTransactionError(`${entry.signer} signed twice.`);
    seen.add(entry.signer.toLowerCase());
  }
  if (seen.size < proposal.threshold)
    throw new SafeTransactionError(
      `${seen.size} of the ${proposal.threshold} owner signatures the Safe ${proposal.safe} needs.`,
    );
  const ordered = [...signed].sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
  return concat(ordered.map((entry) => entry.signatureHex));
}
