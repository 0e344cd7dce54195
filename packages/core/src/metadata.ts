import { controlIds } from './controls.ts';
import { BaseError } from './errors.ts';
import { type Confidence, confidences, type Impact, impacts } from './severity.ts';

/** OWASP Smart Contract Top 10 (2025). */
export const owaspSc2025 = {
  'SC01:2025': 'Access Control Vulnerabilities',
  'SC02:2025': 'Price Oracle Manipulation',
  'SC03:2025': 'Logic Errors',
  'SC04:2025': 'Lack of Input Validation',
  'SC05:2025': 'Reentrancy Attacks',
  'SC06:2025': 'Unchecked External Calls',
  'SC07:2025': 'Flash Loan Attacks',
  'SC08:2025': 'Integer Overflow and Underflow',
  'SC09:2025': 'Insecure Randomness',
  'SC10:2025': 'Denial of Service (DoS) Attacks',
} as const;
export type OwaspId = keyof typeof owaspSc2025;

/** Metadata every detector, monitor rule and wallet policy declares. Validated at construction. */
export type RuleMetadata = {
  /** Stable kebab-case id: file name, CLI name, SARIF ruleId and docs slug. */
  id: string;
  title: string;
  impact: Impact;
  confidence: Confidence;
  description: string;
  /** How an attacker exploits it. */
  scenario: string;
  recommendation: string;
  swc: string[];
  owasp: OwaspId[];
  /** Advisory control id from the catalogue (e.g. SBD-07). */
  control: string;
};

export class MetadataError extends BaseError {
  override name = 'MetadataError';
}

const idPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function validateMetadata<T extends RuleMetadata>(metadata: T): T {
  const where = `rule '${metadata.id ?? '(no id)'}'`;
  const fail = (problem: string) => {
    throw new MetadataError(`Invalid metadata in ${where}: ${problem}.`, {
      docsPath: 'contributing.md#metadata',
    });
  };
  if (!metadata.id || !idPattern.test(metadata.id)) fail('id must be kebab-case');
  for (const field of ['title', 'description', 'scenario', 'recommendation'] as const) {
    if (typeof metadata[field] !== 'string' || metadata[field].trim().length < 3) fail(`'${field}' is required`);
  }
  if (!impacts.includes(metadata.impact)) fail(`impact must be one of ${impacts.join(', ')}`);
  if (!confidences.includes(metadata.confidence)) fail(`confidence must be one of ${confidences.join(', ')}`);
  if (!Array.isArray(metadata.swc) || metadata.swc.some((swc) => !/^SWC-1\d\d$/.test(swc)))
    fail('swc must list ids like SWC-107');
  if (!Array.isArray(metadata.owasp) || metadata.owasp.some((id) => !(id in owaspSc2025)))
    fail('owasp must list ids like SC05:2025');
  if (!controlIds.has(metadata.control)) fail(`control '${metadata.control}' is not in the advisory catalogue`);
  return metadata;
}
