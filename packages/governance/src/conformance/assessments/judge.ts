import type { Assessment, ControlStatus, EvidenceLink } from '../types.ts';

/** All good → met, none → not-met, some → partial; nothing to judge → no-evidence. */
export function ratioStatus(good: number, total: number): ControlStatus {
  if (total === 0) return 'no-evidence';
  if (good === total) return 'met';
  if (good === 0) return 'not-met';
  return 'partial';
}

export function assessment(
  aspect: string,
  status: ControlStatus,
  reason: string,
  at: Date,
  evidence: EvidenceLink[] = [],
): Assessment {
  return { aspect, status, reason, evidence, at };
}

export const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

/** `The risk is` / `All 3 risks are`: a sentence's subject and verb for n things. */
export function allOf(n: number, word: string, many = `${word}s`): string {
  return n === 1 ? `The ${word} is` : `All ${n} ${many} are`;
}

export function names(items: readonly string[], max = 5): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
