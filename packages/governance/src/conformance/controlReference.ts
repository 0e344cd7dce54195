import type { Control, ControlArea } from '@bulwark/core';

/** The advisory's own section for each area (its overview's numbered list). */
export const advisorySections: Record<ControlArea, string> = {
  governance: '1. Governance and risk management',
  'security-by-design': '2. Security-by-design',
  'situational-awareness': '3. Situational awareness',
  wallets: '4. Secure hosted and self-custody wallets',
  resilience: '5. System resilience',
};

/**
 * Where a control stands in the advisory: its section, and its page where the text is at hand
 * (page 17, or pages 16–17). A control summarised from the overview has no page number; one we
 * inferred from the table of contents or kindred guidance says so instead of citing a page.
 */
export type ControlReference = {
  section: string;
  /** `17`, `16–17`; null when no page of the advisory states it. */
  page: string | null;
  basis: 'page-text' | 'overview' | 'inferred';
  /** The catalogue's provenance, as written (ADVISORY.md). */
  provenance: string;
};

export function controlReference(control: Control): ControlReference {
  const page = /\bp(\d+(?:[–-]\d+)?)/.exec(control.provenance)?.[1] ?? null;
  const basis = control.provenance.startsWith('V-sum')
    ? 'overview'
    : control.provenance.startsWith('V')
      ? 'page-text'
      : 'inferred';
  return {
    section: advisorySections[control.area],
    page: basis === 'page-text' ? page : null,
    basis,
    provenance: control.provenance,
  };
}

/** `§2. Security-by-design, p. 17`, `§1. Governance…, overview`, `§5. System resilience (inferred)`. */
export function formatReference(reference: ControlReference): string {
  if (reference.basis === 'page-text') return `§${reference.section}, p. ${reference.page}`;
  if (reference.basis === 'overview') return `§${reference.section}, overview`;
  return `§${reference.section} (inferred from the table of contents)`;
}
