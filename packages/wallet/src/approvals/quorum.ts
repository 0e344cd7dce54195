import type { Quorum } from '../policy/policy.ts';

export type QuorumGroups = Record<string, { members: string[]; threshold: number }>;

export type QuorumResult = { met: boolean /** What is still missing, in words; empty when met. */; missing: string };

/**
 * Whether `approvers` satisfy `quorum`. Only members of a group count for it, and `excluded` (the
 * initiator of a request, the proposer of a change) never counts, even when a member.
 */
export function evaluateQuorum(
  quorum: Quorum,
  groups: QuorumGroups,
  approvers: ReadonlySet<string>,
  excluded?: string,
): QuorumResult {
  if ('group' in quorum) {
    const group = groups[quorum.group];
    const threshold = quorum.threshold ?? group?.threshold ?? 1;
    const votes = (group?.members ?? []).filter((m) => m !== excluded && approvers.has(m)).length;
    return votes >= threshold
      ? { met: true, missing: '' }
      : { met: false, missing: `${threshold - votes} more of group '${quorum.group}' (${votes}/${threshold})` };
  }
  const parts = ('allOf' in quorum ? quorum.allOf : quorum.anyOf).map((q) =>
    evaluateQuorum(q, groups, approvers, excluded),
  );
  if ('allOf' in quorum) {
    const missing = parts.filter((p) => !p.met).map((p) => p.missing);
    return { met: missing.length === 0, missing: missing.join(' and ') };
  }
  return parts.some((p) => p.met)
    ? { met: true, missing: '' }
    : { met: false, missing: `one of: ${parts.map((p) => p.missing).join(' | ')}` };
}

/** Everyone who could take part in a quorum: the members of the groups it names. */
export function quorumMembers(quorum: Quorum, groups: QuorumGroups): Set<string> {
  if ('group' in quorum) return new Set(groups[quorum.group]?.members ?? []);
  const members = new Set<string>();
  for (const q of 'allOf' in quorum ? quorum.allOf : quorum.anyOf)
    for (const m of quorumMembers(q, groups)) members.add(m);
  return members;
}
