import { getWalletRequest, type StoreClient } from '@bulwark/store';
import type { Decision } from '../policy/decide.ts';
import { requestDigest, requestFromJson, type WalletRequest } from '../request/request.ts';
import { WalletRefusedError } from './errors.ts';

export type AuthorizedRequest = { id: string; request: WalletRequest; digest: `0x${string}`; decision: Decision };

/**
 * What a signer may sign: a stored request that the policy allowed or a quorum approved, and
 * that still hashes to the digest it was decided and approved under. Anything else is refused,
 * so a signer that asks here first never signs what a policy did not allow.
 */
export async function authorizedRequest(store: StoreClient, id: string): Promise<AuthorizedRequest> {
  const record = await getWalletRequest(store, id);
  if (!record) throw new WalletRefusedError('not-found', `There is no wallet request ${id}.`);
  if (record.state !== 'allowed' && record.state !== 'approved')
    throw new WalletRefusedError(
      'not-pending',
      `Request ${id} is ${record.state}; only allowed or approved requests are signed.`,
    );
  const request = requestFromJson(record.request);
  const digest = requestDigest(request);
  if (digest !== record.digest)
    throw new WalletRefusedError(
      'tampered',
      `Request ${id} as stored no longer hashes to its digest ${record.digest}; it is not signed.`,
    );
  return { id, request, digest, decision: record.decision as unknown as Decision };
}
