import {
  addWalletPolicyApproval,
  appendLog,
  canonicalJson,
  getActiveWalletPolicy,
  getWalletPolicy,
  insertWalletPolicy,
  type LogEntry,
  listWalletPolicyApprovals,
  markWalletPolicyApproved,
  type StoreClient,
  type WalletPolicyRecord,
  withTransaction,
} from '@bulwark/store';
import { refuseLogged } from '../guard/refuseLogged.ts';
import { compilePolicy } from '../policy/compilePolicy.ts';
import { type ListedAddress, policyDigest, type WalletPolicy } from '../policy/policy.ts';
import { evaluateQuorum, type QuorumResult, quorumMembers } from './quorum.ts';

/**
 * Whether `next` could switch off a protection `current` gives. Conservative: only changes that
 * keep every setting, group, role, price source and call target, keep every rule unchanged and
 * in order, and add nothing but `block` rules count as tightening. Allowlist changes are not
 * counted here: a new entry has its own cool-down, and a removal only tightens.
 */
export function policyLoosens(current: WalletPolicy, next: WalletPolicy): boolean {
  const frame = (p: WalletPolicy) =>
    canonicalJson({ ...p, $schema: undefined, allowlist: undefined, rules: undefined });
  if (frame(current) !== frame(next)) return true;
  const old = current.rules.map((r) => canonicalJson(r));
  let kept = 0;
  for (const rule of next.rules) {
    if (kept < old.length && canonicalJson(rule) === old[kept]) kept++;
    else if (rule.action !== 'block') return true;
  }
  return kept < old.length;
}

/**
 * The document as it will apply: each allowlist entry keeps the time it was first added, and an
 * entry new in this change is stamped `now`, so its cool-down runs from the approval. A time
 * written in the proposal is ignored (it could be backdated).
 */
function stampAllowlist(next: WalletPolicy, current: WalletPolicy | undefined, now: Date): WalletPolicy {
  const added = new Map((current?.allowlist ?? []).map((e) => [`${e.chain}:${e.address.toLowerCase()}`, e.addedAt]));
  const allowlist = (next.allowlist ?? []).map(
    (entry): ListedAddress => ({
      ...entry,
      addedAt: added.get(`${entry.chain}:${entry.address.toLowerCase()}`) ?? now.toISOString(),
    }),
  );
  return { ...next, allowlist };
}

/** Records a proposed policy (validated by the caller with parsePolicy); it applies once an admin quorum approves it. */
export async function proposePolicy(
  store: StoreClient,
  parameters: { policy: WalletPolicy; proposer: string; now?: Date | undefined },
): Promise<{ record: WalletPolicyRecord; log: LogEntry }> {
  const now = parameters.now ?? new Date();
  const id = policyDigest(parameters.policy);
  return withTransaction(store, async (tx) => {
    const record = await insertWalletPolicy(tx, {
      id,
      document: parameters.policy as unknown as Record<string, unknown>,
      proposedBy: parameters.proposer,
      proposedAt: now,
    });
    const log = await appendLog(tx, {
      actor: parameters.proposer,
      action: 'wallet.policy.propose',
      payload: { id, rules: parameters.policy.rules.length, document: parameters.policy },
      at: now,
    });
    return { record, log };
  });
}

export type ApprovePolicyReturnType = {
  record: WalletPolicyRecord;
  quorum: QuorumResult;
  /** When the change applies: now, or after the loosen delay when it could switch a protection off. */
  appliesAt: Date | null;
  loosens: boolean;
  log: LogEntry;
};

/**
 * An admin's vote on a proposed policy. The admin quorum is the one of the policy in force (the
 * proposal's own only for the first policy); the proposer's vote never counts. Once met, the
 * policy applies now, or after the current policy's loosen delay when it could switch a
 * protection off; its new allowlist entries start their cool-down.
 */
export async function approvePolicy(
  store: StoreClient,
  parameters: { id: string; approver: string; now?: Date | undefined },
): Promise<ApprovePolicyReturnType> {
  const now = parameters.now ?? new Date();
  const { id, approver } = parameters;
  return refuseLogged<ApprovePolicyReturnType>(
    store,
    async (tx, refuse) => {
      const at = { id, approver };
      const record = await getWalletPolicy(tx, id, { forUpdate: true });
      if (!record) return refuse('not-found', `There is no proposed wallet policy ${id}.`, at);
      if (record.state !== 'proposed') return refuse('already-approved', `Policy ${id} was already approved.`, at);
      if (policyDigest(record.document as unknown as WalletPolicy) !== id)
        return refuse(
          'tampered',
          `Policy ${id} as stored no longer hashes to its digest; it was changed after it was proposed.`,
          at,
        );
      const active = await getActiveWalletPolicy(tx, now);
      const current = active ? ((active.effective ?? active.document) as unknown as WalletPolicy) : undefined;
      const governing = current ?? (record.document as unknown as WalletPolicy);
      const groups = governing.groups ?? {};
      if (approver === record.proposedBy)
        return refuse('self-approval', `${approver} proposed policy ${id} and cannot approve it.`, at);
      if (!quorumMembers(governing.admin, groups).has(approver))
        return refuse(
          'not-an-approver',
          `${approver} is not in the admin quorum of the policy in force${current ? '' : ' (the first policy: its own admin quorum)'}.`,
          at,
        );
      const votes = await listWalletPolicyApprovals(tx, id);
      if (votes.some((v) => v.approver === approver))
        return refuse('already-voted', `${approver} has already approved policy ${id}; one vote per approver.`, at);
      await addWalletPolicyApproval(tx, { policyId: id, approver, at: now });
      const quorum = evaluateQuorum(
        governing.admin,
        groups,
        new Set([...votes.map((v) => v.approver), approver]),
        record.proposedBy,
      );
      const next = record.document as unknown as WalletPolicy;
      const loosens = current !== undefined && policyLoosens(current, next);
      let appliesAt: Date | null = null;
      if (quorum.met) {
        appliesAt = loosens ? new Date(now.getTime() + compilePolicy(current!).loosenDelayMs) : now;
        await markWalletPolicyApproved(tx, {
          id,
          effective: stampAllowlist(next, current, now) as unknown as Record<string, unknown>,
          approvedAt: now,
          appliesAt,
        });
      }
      const log = await appendLog(tx, {
        actor: approver,
        action: 'wallet.policy.approve',
        payload: {
          id,
          approver,
          quorumMet: quorum.met,
          missing: quorum.missing,
          loosens,
          appliesAt: appliesAt?.toISOString() ?? null,
        },
        at: now,
      });
      return { record: (await getWalletPolicy(tx, id))!, quorum, appliesAt, loosens, log };
    },
    { actor: approver, action: 'wallet.policy.approve', at: now },
  );
}
