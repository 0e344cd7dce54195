import type { ControlArea } from '@bulwark/core';
import type { AppliedException } from '../exceptions/applyExceptions.ts';
import type { ControlReference } from './controlReference.ts';

/**
 * - `met`: the evidence shows the control in force;
 * - `partial`: some of the evidence does, some does not (or it covers part of the control);
 * - `not-met`: the evidence shows the control is not in force;
 * - `not-applicable`: the evidence shows the control does not apply (declared, with a reason);
 * - `no-evidence`: nothing in the system says either way.
 */
export type ControlStatus = 'met' | 'partial' | 'not-met' | 'not-applicable' | 'no-evidence';
export const controlStatuses = [
  'met',
  'partial',
  'not-met',
  'not-applicable',
  'no-evidence',
] as const satisfies ControlStatus[];

/** A pointer to one piece of evidence, and what it says. */
export type EvidenceLink = {
  /** `risk`, `incident`, `audit`, `gate`, `log`, `manifest`, `baseline`, `checkpoint`, `responder-action`… */
  kind: string;
  /** A stable reference: `risk:R-1`, `incident:<id>`, `audit:<id>`, `log:12`, a file path. */
  ref: string;
  summary: string;
  /** The evidence's own verdict, when it has one (`pass`, `fail`, `verified`…). */
  status?: string | undefined;
  /** ISO 8601 time of the evidence. */
  at?: string | undefined;
  /** Where to look: an anchor in the HTML report (`#incident-…`) or a file path relative to the working folder. */
  href?: string | undefined;
};

/** One judgement on one aspect of a control, by one assessment. */
export type Assessment = {
  /** What is judged (`risk-register-review`, `documentation`…): per control the newest of an aspect counts. */
  aspect: string;
  status: ControlStatus;
  reason: string;
  evidence: EvidenceLink[];
  /** When the evidence was collected (live checks: the report's time). */
  at: Date;
};

/** What one assessment function returns: assessments per control id. */
export type Assessments = Partial<Record<string, Assessment[]>>;

export type ControlResult = {
  id: string;
  area: ControlArea;
  text: string;
  status: ControlStatus;
  /** One line per aspect that counted, with its status. */
  reasons: string[];
  evidence: EvidenceLink[];
  /** Risks of the register that name this control as a treatment. */
  risks: string[];
  aspects: { aspect: string; status: ControlStatus; reason: string; at: string }[];
  /** The advisory's section and page for this control. */
  reference: ControlReference;
  /** Exceptions that name this control (accepted, awaiting approval or expired). */
  exceptions: AppliedException[];
};
