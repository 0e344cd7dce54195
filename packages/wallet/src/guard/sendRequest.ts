import { appendLog, listLog, lockNextSignedNonce, type StoreClient, withTransaction } from '@bulwark/store';
import { createPublicClient, type Hex, http, keccak256, type PublicClient } from 'viem';
import type { Signer } from '../signers/signer.ts';
import { authorizedRequest } from './authorizedRequest.ts';
import { WalletRefusedError } from './errors.ts';
import { payloadForRequest, signRequest } from './signRequest.ts';

/** What sending needs from the chain's node. */
export type SendingClient = Pick<
  PublicClient,
  'estimateGas' | 'estimateFeesPerGas' | 'getChainId' | 'getTransaction' | 'getTransactionCount' | 'sendRawTransaction'
>;

/** A client of the node at `rpcUrl` (HTTP) for `sendRequest`. */
export const sendingClient = (rpcUrl: string): SendingClient => createPublicClient({ transport: http(rpcUrl) });

export type SendRequestParameters = {
  id: string;
  signer: Signer;
  /** A client of the request's chain. */
  client: SendingClient;
  actor: string;
  now?: Date | undefined;
};

export type SendRequestReturnType = { hash: Hex; nonce: number };

/**
 * Signs an allowed or approved transaction request and broadcasts it, once: the nonce is chosen
 * and the request marked signed while the account's nonces are locked in the store, so servers
 * sharing the database never sign two requests with one nonce, and a request signed by one is
 * refused to the others (`already-signed`, `not-pending`). The broadcast is logged
 * (`wallet.request.broadcast`, with the transaction hash) after the signature is committed.
 */
export async function sendRequest(
  store: StoreClient,
  parameters: SendRequestParameters,
): Promise<SendRequestReturnType> {
  const { id, signer, client, actor } = parameters;
  const now = parameters.now ?? new Date();
  const { request } = await authorizedRequest(store, id);
  if (request.kind === 'typed-message')
    throw new WalletRefusedError('not-signable', `Request ${id} is a typed message; it is signed, not sent.`);
  const fees = await client.estimateFeesPerGas();
  const probe = payloadForRequest(request, {
    nonce: 0,
    gas: 0n,
    maxFeePerGas: fees.maxFeePerGas,
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
  });
  if (probe.kind !== 'transaction') throw new WalletRefusedError('not-signable', `Request ${id} is not a transaction.`);
  const { to, value, data } = probe.transaction;
  const gas = await client.estimateGas({ account: signer.address, to, value, data });
  // A refusal inside the transaction is returned, not thrown, so its log entry commits.
  const outcome = await withTransaction(store, async (tx) => {
    const stored = await lockNextSignedNonce(tx, { chainId: request.chain, signer: signer.address });
    const pending = await client.getTransactionCount({ address: signer.address, blockTag: 'pending' });
    const nonce = Math.max(stored, pending);
    try {
      const signed = await signRequest(tx, {
        id,
        signer,
        actor,
        now,
        transaction: { nonce, gas, maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas },
      });
      return { signed, nonce };
    } catch (error) {
      if (error instanceof WalletRefusedError) return { refused: error };
      throw error;
    }
  });
  if ('refused' in outcome) throw outcome.refused;
  const hash = await client.sendRawTransaction({ serializedTransaction: outcome.signed.rawTransaction! });
  await appendLog(store, {
    actor,
    action: 'wallet.request.broadcast',
    payload: { id, hash, nonce: outcome.nonce, signer: signer.address },
    at: now,
  });
  return { hash, nonce: outcome.nonce };
}

/**
 * Broadcasts again a request that was signed but whose broadcast is not on record (its sender
 * died or the node failed in between): the transaction signed then, kept in the
 * `wallet.request.signed` entry, never a new one. A transaction the node already knows is not
 * sent twice. Logged as `wallet.request.broadcast` with `again: true`.
 */
export async function broadcastSignedAgain(
  store: StoreClient,
  parameters: { id: string; client: SendingClient; actor: string; now?: Date | undefined },
): Promise<SendRequestReturnType> {
  const { id, client, actor } = parameters;
  const signed = (
    await listLog<{ id: string; nonce: number; rawTransaction?: Hex; signer: { address: string } }>(store, {
      action: 'wallet.request.signed',
    })
  ).find((entry) => entry.payload.id === id);
  const raw = signed?.payload.rawTransaction;
  if (!signed || !raw)
    throw new WalletRefusedError('not-signable', `Request ${id} has no signed transaction on record to broadcast.`);
  const hash = keccak256(raw);
  const { nonce } = signed.payload;
  // Died after logging the broadcast, before finishing its claim: nothing left to do.
  const logged = await listLog<{ id: string }>(store, { action: 'wallet.request.broadcast', afterSeq: signed.seq });
  if (logged.some((entry) => entry.payload.id === id)) return { hash, nonce };
  const known = await client.getTransaction({ hash }).catch(() => undefined);
  if (!known) await client.sendRawTransaction({ serializedTransaction: raw });
  await appendLog(store, {
    actor,
    action: 'wallet.request.broadcast',
    payload: { id, hash, nonce, signer: signed.payload.signer.address, again: true },
    at: parameters.now ?? new Date(),
  });
  return { hash, nonce };
}
