import { controls, owaspSc2025 } from '@bulwark/core';
import type { Detector } from './detector.ts';

/** The docs page of a detector, generated from its metadata (docs/detectors/<id>.md). */
export function detectorPage(detector: Detector): string {
  const control = controls.find((c) => c.id === detector.control);
  const owasp = detector.owasp.map((id) => `${id} ${owaspSc2025[id]}`).join('; ') || '—';
  return `# ${detector.id}

**${detector.title}**

| | |
|---|---|
| Impact | ${detector.impact} |
| Confidence | ${detector.confidence} |
| Category | ${detector.category} |
| SWC | ${detector.swc.join(', ') || '—'} |
| OWASP SC Top 10 (2025) | ${owasp} |
| Advisory control | ${detector.control}${control ? ` — ${control.text}` : ''} |

## What it finds
${detector.description}

## Attack scenario
${detector.scenario}

## Recommendation
${detector.recommendation}

## Silencing it
Inline: \`// bulwark-disable-next-line ${detector.id}\` on the line above the finding.
In \`bulwark.config.json\`: \`{ "scan": { "suppress": [{ "detector": "${detector.id}", "file": "src/X.sol", "reason": "..." }] } }\`.
`;
}

/** docs/detectors/README.md: every detector in one table. */
export function detectorIndex(detectors: Detector[]): string {
  const rows = [...detectors]
    .sort((a, b) => a.category.localeCompare(b.category) || a.id.localeCompare(b.id))
    .map((d) => `| [${d.id}](${d.id}.md) | ${d.category} | ${d.impact} | ${d.confidence} | ${d.title} |`);
  return `# Detectors

Generated from the detectors' metadata by \`npm run docs\`; do not edit by hand.

Where a finding is reported: at the statement at fault. When that statement sits in an internal
or private helper (an ether call followed by state writes, an unchecked \`send\` or low-level
call, a call in a loop, a payment whose failure blocks others, a \`tx.origin\` check, a
\`selfdestruct\` or payout), the finding is placed at the call to the helper in the public or
external function that exposes it, and the helper's statement (with up to two more entry points
that reach it) is a related location (SARIF \`relatedLocations\`). One bug gives one finding; a
check in a modifier stays in the modifier.

| Id | Category | Impact | Confidence | Title |
|---|---|---|---|---|
${rows.join('\n')}
`;
}
