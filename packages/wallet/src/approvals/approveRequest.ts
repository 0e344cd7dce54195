import {
  addWalletRequestApproval,
  appendLog,
  closeWalletRequest,
  getWalletRequest,
  type LogEntry,
  listWalletRequestApprovals,
  releaseVelocity,
  type StoreClient,
  type WalletRequestRecord,
} from '@bulwark/store';
import { storedPolicy } from '../guard/activePolicy.ts';
import { refuseLogged } from '../guard/refuseLogged.ts';
import type { Quorum } from '../policy/policy.ts';
import { requestDigest, requestFromJson } from '../request/request.ts';
import { evaluateQuorum, type QuorumResult, quorumMembers } from './quorum.ts';

export type ApproveRequestParameters = {
  id: string;
  approver: string;
  /** The request digest the approver reviewed; the vote counts only for that exact request. */
  digest: string;
  now?: Date | undefined;
};

export type ApproveRequestReturnType = { record: WalletRequestRecord; quorum: QuorumResult; log: LogEntry };

/** Expires a pending request whose approval window has passed; returns whether it did. */
async function expireIfDue(tx: StoreClient, record: WalletRequestRecord, now: Date, actor: string): Promise<boolean> {
  if (record.state !== 'pending' || !record.expiresAt || record.expiresAt > now) return false;
  await closeWalletRequest(tx, { id: record.id, state: 'expired', at: now });
  await releaseVelocity(tx, { requestId: record.id, at: now });
  await appendLog(tx, {
    actor,
    action: 'wallet.request.expire',
    payload: { id: record.id, digest: record.digest },
    at: now,
  });
  return true;
}

/**
 * One approver's vote on a held request. Refused (and logged): an unknown or closed request, an
 * expired one (it is expired and its reservation released), a digest other than the request's,
 * a stored request that no longer hashes to its digest, the initiator approving their own, an
 * approver outside the quorum's groups, a second vote. When the quorum is met the request is approved.
 */
export async function approveRequest(
  store: StoreClient,
  parameters: ApproveRequestParameters,
): Promise<ApproveRequestReturnType> {
  const now = parameters.now ?? new Date();
  const { id, approver, digest } = parameters;
  return refuseLogged<ApproveRequestReturnType>(
    store,
    async (tx, refuse) => {
      const at = { id, digest, approver };
      const record = await getWalletRequest(tx, id, { forUpdate: true });
      if (!record) return refuse('not-found', `There is no wallet request ${id}.`, at);
      if (await expireIfDue(tx, record, now, approver))
        return refuse('expired', `Request ${id} expired at ${record.expiresAt!.toISOString()}; submit it again.`, at);
      if (record.state !== 'pending')
        return refuse('not-pending', `Request ${id} is ${record.state}; only a pending request takes approvals.`, at);
      if (requestDigest(requestFromJson(record.request)) !== record.digest)
        return refuse(
          'tampered',
          `Request ${id} as stored no longer hashes to its digest ${record.digest}; it was changed after it was decided.`,
          at,
        );
      if (digest.toLowerCase() !== record.digest)
        return refuse(
          'digest-mismatch',
          `The approval is for digest ${digest}, but request ${id} has digest ${record.digest}: an approval counts only for the exact request reviewed.`,
          at,
        );
      if (approver === record.initiator)
        return refuse('self-approval', `${approver} initiated request ${id} and cannot approve it.`, at);
      const quorum = record.decision.quorum as Quorum;
      const policy = record.policyId ? await storedPolicy(tx, record.policyId) : undefined;
      const groups = policy?.groups ?? {};
      if (!quorumMembers(quorum, groups).has(approver))
        return refuse(
          'not-an-approver',
          `${approver} is not in the groups that approve request ${id} (rule ${String(record.decision.rule)}).`,
          at,
        );
      const votes = await listWalletRequestApprovals(tx, id);
      if (votes.some((v) => v.approver === approver))
        return refuse('already-voted', `${approver} has already approved request ${id}; one vote per approver.`, at);
      await addWalletRequestApproval(tx, { requestId: id, approver, digest: record.digest, at: now });
      const result = evaluateQuorum(
        quorum,
        groups,
        new Set([...votes.map((v) => v.approver), approver]),
        record.initiator,
      );
      if (result.met) await closeWalletRequest(tx, { id, state: 'approved', at: now });
      const log = await appendLog(tx, {
        actor: approver,
        action: 'wallet.approve',
        payload: { id, digest: record.digest, approver, quorumMet: result.met, missing: result.missing },
        at: now,
      });
      return { record: (await getWalletRequest(tx, id))!, quorum: result, log };
    },
    { actor: approver, action: 'wallet.approve', at: now },
  );
}

/** Rejects a held request (an approver of its quorum, or its initiator withdrawing it) and releases its reservation. */
export async function rejectRequest(
  store: StoreClient,
  parameters: { id: string; actor: string; reason?: string | undefined; now?: Date | undefined },
): Promise<{ record: WalletRequestRecord; log: LogEntry }> {
  const now = parameters.now ?? new Date();
  const { id, actor } = parameters;
  return refuseLogged(
    store,
    async (tx, refuse) => {
      const at = { id, actor };
      const record = await getWalletRequest(tx, id, { forUpdate: true });
      if (!record) return refuse('not-found', `There is no wallet request ${id}.`, at);
      if (await expireIfDue(tx, record, now, actor)) return refuse('expired', `Request ${id} had already expired.`, at);
      if (record.state !== 'pending')
        return refuse('not-pending', `Request ${id} is ${record.state}; only a pending request can be rejected.`, at);
      const policy = record.policyId ? await storedPolicy(tx, record.policyId) : undefined;
      if (
        actor !== record.initiator &&
        !quorumMembers(record.decision.quorum as Quorum, policy?.groups ?? {}).has(actor)
      )
        return refuse('not-an-approver', `${actor} is neither the initiator nor an approver of request ${id}.`, at);
      await closeWalletRequest(tx, { id, state: 'rejected', at: now });
      await releaseVelocity(tx, { requestId: id, at: now });
      const log = await appendLog(tx, {
        actor,
        action: 'wallet.reject',
        payload: { id, digest: record.digest, reason: parameters.reason ?? null },
        at: now,
      });
      return { record: (await getWalletRequest(tx, id))!, log };
    },
    { actor, action: 'wallet.reject', at: now },
  );
}
