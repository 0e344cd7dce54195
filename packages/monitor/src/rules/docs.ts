import { controls, owaspSc2025 } from '@bulwark/core';
import type { Rule, RuleParameter } from './types.ts';

/** The docs page of a monitor rule, generated from its metadata (docs/monitor/rules/<id>.md). */
export function rulePage(rule: Rule): string {
  const control = controls.find((c) => c.id === rule.control);
  const owasp = rule.owasp.map((id) => `${id} ${owaspSc2025[id]}`).join('; ') || '—';
  const parameters = Object.entries(rule.parameters);
  const family = rule.family ? `| Family | ${rule.family} (its rules count once in the composite score) |\n` : '';
  const table =
    parameters.length === 0
      ? 'None.\n'
      : `| Name | Default | Range | Description |
|---|---|---|---|
${parameters.map(([name, parameter]) => `| \`${name}\` | ${parameter.default} | ${rangeOf(parameter)} | ${cell(parameter.description)} |`).join('\n')}
`;
  // The first parameter, at its default, stands for any in the examples.
  const [name, parameter] = parameters[0] ?? [];
  const override =
    name && parameter
      ? `- For every contract, \`rules.${rule.id}.${name}\`: \`{ "rules": { "${rule.id}": { "${name}": ${parameter.default} } } }\`.
- For one contract, \`contracts[].rules.${rule.id}.${name}\` (it wins over the value for every contract): \`{ "contracts": [{ "address": "0x…", "rules": { "${rule.id}": { "${name}": ${parameter.default} } } }] }\`.
`
      : '';
  return `# ${rule.id}

**${rule.title}**

| | |
|---|---|
| Impact | ${rule.impact} |
| Confidence | ${rule.confidence} |
| Category | ${rule.category} |
| Stage | ${rule.stage} |
${family}| Needs | ${rule.needs.join(', ') || '—'} |
| SWC | ${rule.swc.join(', ') || '—'} |
| OWASP SC Top 10 (2025) | ${owasp} |
| Advisory control | ${rule.control}${control ? ` — ${control.text}` : ''} |

## What it detects
${rule.description}

## Attack scenario
${rule.scenario}

## Recommendation
${rule.recommendation}

## Parameters
${table}
## Tuning it
In the monitor config ([config.md](../config.md#rules)), which is checked against these names and ranges at start:

${override}- Off for every contract, \`rules.${rule.id}.enabled\`: \`{ "rules": { "${rule.id}": { "enabled": false } } }\`.
`;
}

/** docs/monitor/rules/README.md: every rule in one table. */
export function ruleIndex(rules: readonly Rule[]): string {
  const rows = [...rules]
    .sort((a, b) => a.category.localeCompare(b.category) || a.id.localeCompare(b.id))
    .map(
      (r) =>
        `| [${r.id}](${r.id}.md) | ${r.category} | ${r.stage} | ${r.impact} | ${r.confidence} | ${cell(r.title)} |`,
    );
  return `# Monitor rules

Generated from the rules' metadata by \`bulwark docs-gen\`; do not edit by hand.

Each rule raises signals on one transaction; a signal alerts, and only the composite score of
several rules pauses a contract (see [config.md](../config.md#composite)). The stage says where a
signal sits in an attack: \`preparation\` alone never pauses.

| Id | Category | Stage | Impact | Confidence | Title |
|---|---|---|---|---|---|
${rows.join('\n')}
`;
}

function rangeOf(parameter: RuleParameter): string {
  const { minimum, maximum } = parameter;
  if (minimum !== undefined && maximum !== undefined) return `${minimum} to ${maximum}`;
  if (minimum !== undefined) return `≥ ${minimum}`;
  if (maximum !== undefined) return `≤ ${maximum}`;
  return 'any';
}

/** Text for a table cell: a `|` would end it. */
const cell = (text: string) => text.replaceAll('|', '\\|');
