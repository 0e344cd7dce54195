import { appendLog, ConflictError, markWalletRequestSigned, type StoreClient, withTransaction } from '@bulwark/store';
import { type Address, encodeFunctionData, erc20Abi, type Hex, isAddress } from 'viem';
import type { WalletRequest } from '../request/request.ts';
import {
  payloadDigest,
  type SignAllowedOptions,
  type SignedPayload,
  type Signer,
  type SignPayload,
  signAllowed,
} from '../signers/signer.ts';
import { authorizedRequest } from './authorizedRequest.ts';
import { WalletRefusedError } from './errors.ts';

/** What the request does not say and the chain decides: the sender's nonce, gas and fees. */
export type TransactionFields = {
  nonce: number;
  gas: bigint;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
};

export type SignRequestParameters = {
  id: string;
  signer: Signer;
  /** For transactions; typed messages need none. */
  transaction?: TransactionFields | undefined;
  actor: string;
  now: Date;
} & SignAllowedOptions;

/**
 * The one payload a request describes: a native or ERC-20 transfer, a contract call, or the typed
 * message itself. A delegatecall cannot be sent from an account; it goes through a Safe.
 */
export function payloadForRequest(request: WalletRequest, fields: TransactionFields | undefined): SignPayload {
  if (request.kind === 'typed-message') {
    if (!request.typedData)
      throw new WalletRefusedError('not-signable', 'The typed-message request has no typed data.');
    return { kind: 'typedData', typedData: request.typedData as never };
  }
  if (!fields)
    throw new WalletRefusedError('not-signable', 'A transaction needs its nonce, gas and fees to be signed.', {
      docsPath: 'wallet/signers.md',
    });
  const base = { chainId: request.chain, type: 'eip1559' as const, ...fields };
  if (request.call) {
    if (request.call.operation === 'delegatecall')
      throw new WalletRefusedError(
        'not-signable',
        'A delegatecall cannot be sent from an account; propose it to a Safe.',
        {
          docsPath: 'wallet/signers.md',
        },
      );
    const value = request.asset === 'native' ? request.amount : 0n;
    return {
      kind: 'transaction',
      transaction: { ...base, to: request.call.target as Address, value, data: request.call.data as Hex },
    };
  }
  if (!request.destination) throw new WalletRefusedError('not-signable', 'The request has no destination.');
  if (request.asset === 'native')
    return { kind: 'transaction', transaction: { ...base, to: request.destination as Address, value: request.amount } };
  if (!isAddress(request.asset))
    throw new WalletRefusedError('not-signable', `Asset '${request.asset}' is not a token address; it cannot be sent.`);
  const data = encodeFunctionData({
    abi: erc20Abi,
    functionName: 'transfer',
    args: [request.destination as Address, request.amount],
  });
  return { kind: 'transaction', transaction: { ...base, to: request.asset, value: 0n, data } };
}

/**
 * Signs a stored request. Only a request the policy allowed or a quorum approved, still hashing to
 * the digest it was decided under (`authorizedRequest`); only the payload that request describes;
 * once (of two signers racing, the second is refused and its signature discarded); one request per
 * account nonce. The signature and every refusal are logged.
 */
export async function signRequest(store: StoreClient, parameters: SignRequestParameters): Promise<SignedPayload> {
  const { id, signer, actor, now } = parameters;
  const signerFacts = { kind: signer.kind, address: signer.address, name: signer.name };
  const refused = async (error: unknown): Promise<never> => {
    const reason = error instanceof WalletRefusedError ? error.reason : 'signer-failed';
    await appendLog(store, {
      actor,
      action: 'wallet.request.sign.refused',
      payload: { id, signer: signerFacts, reason, message: error instanceof Error ? error.message : String(error) },
      at: now,
    });
    throw error;
  };
  let authorized: Awaited<ReturnType<typeof authorizedRequest>>;
  let payload: SignPayload;
  let signed: SignedPayload;
  try {
    authorized = await authorizedRequest(store, id);
    payload = payloadForRequest(authorized.request, parameters.transaction);
    // The decision was made on the request; the signer gate checks the bytes it signs against it.
    signed = await signAllowed(
      { action: 'allow', requestDigest: payloadDigest(payload).hash },
      signer,
      payload,
      parameters,
    );
  } catch (error) {
    return refused(error);
  }
  const nonce = payload.kind === 'transaction' ? payload.transaction.nonce : undefined;
  let kept: boolean;
  try {
    kept = await withTransaction(store, async (tx) => {
      const marked = await markWalletRequestSigned(tx, { id, at: now, signer: signer.address, nonce });
      if (marked)
        await appendLog(tx, {
          actor,
          action: 'wallet.request.signed',
          payload: {
            id,
            requestDigest: authorized.digest,
            payloadDigest: signed.digest,
            nonce,
            signer: signerFacts,
            // Kept so the transaction can be broadcast again if its sender dies first (it goes public anyway).
            ...(signed.rawTransaction ? { rawTransaction: signed.rawTransaction } : {}),
          },
          at: now,
        });
      return marked;
    });
  } catch (error) {
    // The signature is discarded: it would race another transaction of the same nonce.
    if (error instanceof ConflictError)
      return refused(new WalletRefusedError('nonce-taken', `${error.message} Request ${id} was not signed.`));
    throw error;
  }
  if (!kept)
    return refused(
      new WalletRefusedError('already-signed', `Request ${id} was signed already; this signature was discarded.`),
    );
  return signed;
}
