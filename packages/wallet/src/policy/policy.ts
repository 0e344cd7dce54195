import { readFileSync } from 'node:fs';
import { BaseError } from '@bulwark/core';
import { canonicalJson } from '@bulwark/store';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { keccak256, stringToBytes } from 'viem';
import schema from '../../wallet.policy.schema.json' with { type: 'json' };
import type { RequestKind } from '../request/request.ts';
import { schemaProblems } from '../request/schemaProblems.ts';

export class WalletPolicyError extends BaseError {
  override name = 'WalletPolicyError' as const;
}

export type Quorum = { group: string; threshold?: number } | { allOf: Quorum[] } | { anyOf: Quorum[] };

export type Threshold = { above?: string; atMost?: string; unit: 'native' | 'usd' };
export type VelocityLimit = {
  window: string;
  per: 'initiator' | 'source' | 'destination';
  above: string;
  unit: 'native' | 'usd';
};
export type ListedAddress = { chain: number; address: string; label?: string; addedAt?: string };

export type RuleMatch = {
  kind?: RequestKind[];
  initiator?: string[];
  role?: string[];
  source?: string[];
  destination?: 'allowlisted' | 'one-time' | 'any' | string[];
  asset?: string[];
  chain?: number[];
  amount?: Threshold;
  velocity?: VelocityLimit;
  call?: { target?: string[]; selector?: string[]; operation?: 'call' | 'delegatecall' };
  typedData?: { primaryType?: string[] };
};

export type RuleAction = 'allow' | 'block' | { requireApproval: Quorum };

export type PolicyRule = { id: string; description?: string; match: RuleMatch; action: RuleAction };

/** A policy document as written (see wallet.policy.schema.json). */
export type WalletPolicy = {
  version: 1;
  settings?: { approvalTtl?: string; allowlistCooldown?: string; loosenDelay?: string };
  prices?: { table?: string; http?: string };
  roles?: Record<string, string[]>;
  groups?: Record<string, { members: string[]; threshold: number }>;
  admin: Quorum;
  allowlist?: ListedAddress[];
  callTargets?: ListedAddress[];
  rules: PolicyRule[];
};

export const defaultSettings = { approvalTtl: '2h', allowlistCooldown: '48h', loosenDelay: '48h' } as const;

const docsPath = 'wallet/policy.md';

/** Milliseconds in a duration written as 90s, 30m, 2h or 7d. */
export function parseDuration(text: string): number {
  const match = /^([1-9][0-9]*)(s|m|h|d)$/.exec(text);
  if (!match)
    throw new WalletPolicyError(`'${text}' is not a duration.`, { details: 'Write 90s, 30m, 2h or 7d.', docsPath });
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

let validate: ReturnType<Ajv2020['compile']> | undefined;

/** Reads a policy file and validates it; `parsePolicy` says what is checked. */
export function loadPolicy(file: string): WalletPolicy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new WalletPolicyError(`Cannot read the policy file ${file}.`, {
      cause: error,
      details: 'Give the path of a JSON file written against wallet.policy.schema.json.',
      docsPath,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new WalletPolicyError(`${file} is not valid JSON: ${(error as Error).message}.`, { docsPath });
  }
  return parsePolicy(raw, file);
}

/**
 * Validates a policy against its JSON Schema, then what a schema cannot say: rule ids are unique,
 * groups named exist and can reach their thresholds, amounts in native units are integers, and
 * the last rule matches every request and blocks (the explicit deny). Every problem is reported
 * at once, each with its JSON path.
 */
export function parsePolicy(raw: unknown, where = 'policy'): WalletPolicy {
  validate ??= new Ajv2020({ allErrors: true, strict: false, verbose: true }).compile(schema);
  if (!validate(raw)) throw invalid(where, schemaProblems(validate.errors ?? []));
  const policy = raw as WalletPolicy;
  const problems: string[] = [];
  const groups = policy.groups ?? {};
  for (const [name, group] of Object.entries(groups))
    if (group.threshold > group.members.length)
      problems.push(
        `/groups/${name}/threshold: ${group.threshold} is more than the group's ${group.members.length} members; lower it or add members.`,
      );
  const checkQuorum = (quorum: Quorum, path: string) => {
    if ('group' in quorum) {
      const group = groups[quorum.group];
      if (!group)
        problems.push(
          `${path}/group: no group '${quorum.group}'. Define it under /groups (known: ${Object.keys(groups).join(', ') || 'none'}).`,
        );
      else if (quorum.threshold !== undefined && quorum.threshold > group.members.length)
        problems.push(
          `${path}/threshold: ${quorum.threshold} is more than the ${group.members.length} members of '${quorum.group}'.`,
        );
    } else {
      const [key, parts] = 'allOf' in quorum ? ['allOf', quorum.allOf] : ['anyOf', quorum.anyOf];
      for (const [i, q] of parts.entries()) checkQuorum(q, `${path}/${key}/${i}`);
    }
  };
  checkQuorum(policy.admin, '/admin');
  const checkNative = (threshold: { above?: string; atMost?: string; unit: string }, path: string) => {
    if (threshold.unit !== 'native') return;
    for (const key of ['above', 'atMost'] as const)
      if (threshold[key]?.includes('.'))
        problems.push(
          `${path}/${key}: native amounts are integers in the asset's smallest unit; write ${threshold[key]!.split('.')[0]} or use unit usd.`,
        );
  };
  const seen = new Map<string, number>();
  policy.rules.forEach((rule, i) => {
    const path = `/rules/${i}`;
    const earlier = seen.get(rule.id);
    if (earlier !== undefined)
      problems.push(`${path}/id: '${rule.id}' is already the id of /rules/${earlier}; rule ids are unique.`);
    seen.set(rule.id, i);
    if (rule.match.amount) checkNative(rule.match.amount, `${path}/match/amount`);
    if (rule.match.velocity) checkNative(rule.match.velocity, `${path}/match/velocity`);
    if ((rule.match.amount?.unit === 'usd' || rule.match.velocity?.unit === 'usd') && !policy.prices)
      problems.push(`${path}/match: a usd amount needs a price source; add /prices { "table": "prices.json" }.`);
    if (typeof rule.action === 'object') checkQuorum(rule.action.requireApproval, `${path}/action/requireApproval`);
  });
  const last = policy.rules[policy.rules.length - 1]!;
  if (Object.keys(last.match).length > 0 || last.action !== 'block')
    problems.push(
      `/rules/${policy.rules.length - 1}: the last rule must be the explicit deny; add { "id": "default-deny", "match": {}, "action": "block" } at the end.`,
    );
  if (problems.length > 0) throw invalid(where, problems);
  return policy;
}

function invalid(where: string, problems: string[]): WalletPolicyError {
  return new WalletPolicyError(
    `${where} is not a valid wallet policy:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    {
      docsPath,
    },
  );
}

/** keccak256 of the policy's canonical JSON: the id under which a policy is proposed, approved and applied. */
export function policyDigest(policy: WalletPolicy): `0x${string}` {
  return keccak256(stringToBytes(canonicalJson(['bulwark.wallet.policy.v1', policy])));
}
