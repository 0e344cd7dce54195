import { type ConformanceFacts, isUnavailable } from '../collectFacts.ts';
import type { Assessments } from '../types.ts';
import { assessment, names, plural, ratioStatus } from './judge.ts';

/** Why a manifest-based check has nothing to judge, in the report's words. */
export function manifestGap(facts: ConformanceFacts): string | undefined {
  const m = facts.manifest;
  if ('missing' in m)
    return `${m.missing} Describe the project and its contracts in bulwark.config.yaml to judge this.`;
  if ('invalid' in m) return `The manifest ${m.file} cannot be used: ${m.invalid}`;
  return undefined;
}

/** SBD-04 (each contract documented): `checkDocs` on the manifest, live. */
export function assessDocumentation(facts: ConformanceFacts): Assessments {
  const gap = manifestGap(facts);
  const docs = facts.docs;
  if (gap || !docs)
    return { 'SBD-04': [assessment('documentation', 'no-evidence', gap ?? 'No documentation check ran.', facts.now)] };
  if (isUnavailable(docs))
    return {
      'SBD-04': [
        assessment('documentation', 'no-evidence', `The documentation check could not run: ${docs.error}`, facts.now),
      ],
    };
  const file = 'loaded' in facts.manifest ? facts.manifest.file : '';
  const complete = docs.contracts.filter((c) => c.complete);
  const incomplete = docs.contracts.filter((c) => !c.complete);
  return {
    'SBD-04': [
      assessment(
        'documentation',
        ratioStatus(complete.length, docs.contracts.length),
        docs.contracts.length === 0
          ? `The manifest ${file} lists no contract.`
          : incomplete.length === 0
            ? `The documentation of ${docs.contracts.length === 1 ? 'the contract' : `all ${docs.contracts.length} contracts`} is complete and current.`
            : `${plural(incomplete.length, 'contract')} of ${docs.contracts.length} lack${incomplete.length === 1 ? 's' : ''} documentation or have stale documents: ${names(incomplete.map((c) => c.name))} (\`bulwark docs\`).`,
        facts.now,
        docs.contracts.map((c) => ({
          kind: 'documentation',
          ref: `${file}#${c.name}`,
          summary: c.complete
            ? `${c.name}: complete`
            : `${c.name}: ${[c.missing.length ? `missing ${names(c.missing, 4)}` : '', c.stale.length ? `stale ${names(c.stale, 3)}` : ''].filter(Boolean).join('; ')}`,
          status: c.complete ? 'complete' : 'incomplete',
          href: file,
        })),
      ),
    ],
  };
}
