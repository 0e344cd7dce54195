import type { Assessment, ControlStatus } from './types.ts';

/**
 * A control's status from its assessments: per aspect the newest counts; then all met → met,
 * all not-met → not-met, a mix → partial. Aspects without evidence do not count; when none
 * counts, the control is not-applicable if an aspect says so, else no-evidence.
 */
export function combineAssessments(assessments: readonly Assessment[]): {
  status: ControlStatus;
  counted: Assessment[];
} {
  const byAspect = new Map<string, Assessment>();
  for (const a of assessments) {
    const current = byAspect.get(a.aspect);
    if (!current || a.at.getTime() >= current.at.getTime()) byAspect.set(a.aspect, a);
  }
  const counted = [...byAspect.values()];
  const judged = counted.filter((a) => a.status !== 'no-evidence' && a.status !== 'not-applicable');
  let status: ControlStatus;
  if (judged.length === 0)
    status = counted.some((a) => a.status === 'not-applicable') ? 'not-applicable' : 'no-evidence';
  else if (judged.every((a) => a.status === 'met')) status = 'met';
  else if (judged.every((a) => a.status === 'not-met')) status = 'not-met';
  else status = 'partial';
  return { status, counted };
}
