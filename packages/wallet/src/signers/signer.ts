import type { Logger } from '@bulwark/core';
import {
  type Address,
  concat,
  getAddress,
  getTypesForEIP712Domain,
  type Hex,
  hashDomain,
  hashStruct,
  isAddressEqual,
  keccak256,
  recoverAddress,
  serializeSignature,
  serializeTransaction,
  type TransactionSerializable,
  type TypedDataDefinition,
} from 'viem';
import { SignerError, SignRefusedError } from './errors.ts';

/*
 * One Signer interface. A signer's handle exposes only what it is (`kind`, `address`, `name`);
 * the function that signs is kept in a registry private to this module, so the only way to get a
 * signature from any signer is `signAllowed`, which refuses without an `allow` for exactly the
 * payload's digest.
 */

/** What may be signed: a transaction (its EIP-155/1559 signing hash) or EIP-712 typed data. */
export type SignPayload =
  | { kind: 'transaction'; transaction: TransactionSerializable & { chainId: number } }
  | { kind: 'typedData'; typedData: TypedDataDefinition };

/**
 * The decision that lets a payload be signed. Structural on purpose: the policy engine's decision
 * (action plus the digest it was made for) satisfies it.
 */
export type SignAuthorization = {
  action: 'allow' | 'block' | 'approval-required';
  requestDigest: Hex;
};

export type Signer = {
  readonly kind: 'local' | 'keystore' | 'kms' | 'web3signer';
  readonly address: Address;
  /** Safe to show and log: a file name, a KMS key id, a remote signer's host; never a secret. */
  readonly name: string;
};

/** The bytes a signer commits to: `hash` = keccak256(`preimage`). A remote signer that hashes itself is sent the preimage. */
export type PayloadDigest = { hash: Hex; preimage: Hex };

export type Signature = { r: Hex; s: Hex; yParity: 0 | 1 };

/** How a signer implementation signs: it returns (r, s, yParity) for `digest.hash`. */
export type SignDigest = (digest: PayloadDigest) => Promise<Signature>;

const signFunctions = new WeakMap<Signer, SignDigest>();

/** Registers an implementation; for the signer modules of this package only (not exported from the package). */
export function registerSigner(signer: Signer, sign: SignDigest): Signer {
  const frozen = Object.freeze({ kind: signer.kind, address: getAddress(signer.address), name: signer.name });
  signFunctions.set(frozen, sign);
  return frozen;
}

/** The digest an authorization must name for this payload: what the key signs. */
export function payloadDigest(payload: SignPayload): PayloadDigest {
  if (payload.kind === 'transaction') {
    const preimage = serializeTransaction(payload.transaction);
    return { hash: keccak256(preimage), preimage };
  }
  const {
    domain = {},
    types,
    primaryType,
    message,
  } = payload.typedData as TypedDataDefinition & {
    domain?: Record<string, unknown>;
  };
  const domainTypes = getTypesForEIP712Domain({ domain } as never);
  const preimage = concat([
    '0x1901',
    hashDomain({ domain, types: { ...types, EIP712Domain: domainTypes } } as never),
    ...(primaryType === 'EIP712Domain'
      ? []
      : [hashStruct({ data: message as Record<string, unknown>, primaryType, types } as never)]),
  ]);
  return { hash: keccak256(preimage), preimage };
}

export type SignedPayload = {
  digest: Hex;
  signer: Address;
  signature: Signature;
  /** 65 bytes r ‖ s ‖ v (v = 27 + yParity): what typed-data consumers (a Safe, a permit) take. */
  signatureHex: Hex;
  /** For a transaction: the signed raw transaction, ready for `eth_sendRawTransaction`. */
  rawTransaction: Hex | undefined;
};

export type SignAllowedOptions = { logger?: Logger | undefined };

/**
 * Signs `payload` with `signer` if, and only if, `authorization` allows exactly this payload.
 * The signature is checked to recover to the signer's address before it is returned, so a remote
 * signer that used another key (or signed something else) is caught here.
 */
export async function signAllowed(
  authorization: SignAuthorization,
  signer: Signer,
  payload: SignPayload,
  options: SignAllowedOptions = {},
): Promise<SignedPayload> {
  const sign = signFunctions.get(signer);
  if (!sign)
    throw new SignRefusedError('This signer was not created by a wallet signer factory; refusing to sign.', {
      metaMessages: ['Create signers with createKeystoreSigner, createKmsSigner or createWeb3Signer.'],
    });
  if (authorization?.action !== 'allow')
    throw new SignRefusedError(
      `Refused to sign with ${signer.name}: the decision is '${String(authorization?.action)}', not 'allow'.`,
      { metaMessages: ['Only a request the policy allowed (or whose approvals are complete) is signed.'] },
    );
  let digest: PayloadDigest;
  try {
    digest = payloadDigest(payload);
  } catch (error) {
    throw new SignRefusedError(`Refused to sign with ${signer.name}: the payload cannot be encoded.`, {
      cause: error,
      metaMessages: [
        'Give a transaction with chainId, or EIP-712 typed data with domain, types, primaryType, message.',
      ],
    });
  }
  if (typeof authorization.requestDigest !== 'string' || authorization.requestDigest.toLowerCase() !== digest.hash)
    throw new SignRefusedError(
      `Refused to sign with ${signer.name}: the decision was made for digest ${authorization.requestDigest}, but the payload's digest is ${digest.hash}.`,
      { metaMessages: ['The payload changed after the decision; decide again on what is to be signed.'] },
    );
  options.logger?.debug('wallet: signing', { signer: signer.name, address: signer.address, digest: digest.hash });
  let signature: Signature;
  try {
    signature = await sign(digest);
  } catch (error) {
    options.logger?.debug('wallet: signer failed', { signer: signer.name, error: (error as Error).message });
    if (error instanceof SignerError) throw error;
    throw new SignerError(`Signer ${signer.name} failed.`, { cause: error, retryable: true });
  }
  const recovered = await recoverAddress({ hash: digest.hash, signature });
  if (!isAddressEqual(recovered, signer.address))
    throw new SignerError(
      `Signer ${signer.name} returned a signature by ${recovered}, not by ${signer.address}; it was discarded.`,
      { metaMessages: ['Check that the signer is configured with the key of this address.'] },
    );
  options.logger?.debug('wallet: signed', { signer: signer.name, digest: digest.hash });
  return {
    digest: digest.hash,
    signer: signer.address,
    signature,
    signatureHex: serializeSignature({ ...signature, v: BigInt(27 + signature.yParity) }),
    rawTransaction:
      payload.kind === 'transaction' ? serializeTransaction(payload.transaction, { ...signature }) : undefined,
  };
}
