import type { LoadedManifest, ManifestContract } from '../../manifest/types.ts';
import { check, type GateCheck, listNames } from '../gateCheck.ts';
import { type PauseFacts, pauseContradiction } from './readPauseFacts.ts';

/** A scanner finding as the design checks read it: from a scan run by the gate, a results file or the store. */
export type DesignFinding = { detector: string; file: string; line: number; message: string };

/** What the code says, from the scanner's design findings on the manifest's sources. */
export type CodeFacts = {
  findings: DesignFinding[];
  /** Files the scan analysed fully; a contract whose source is not among them cannot be checked. Undefined: not known. */
  analysed?: readonly string[] | undefined;
  /** Where the findings come from, for the reason: `the gate's scan`, `scan run <id>`. */
  source: string;
};

/** The scanner's detector for a value-holding contract with no circuit breaker (see docs/detectors). */
const noBreakerDetector = 'missing-circuit-breaker';

/** The contract's own finding: in one of its sources, about it by name. */
function codeFinding(contract: ManifestContract, code: CodeFacts | undefined): DesignFinding | undefined {
  const name = contract.contract ?? contract.name;
  const sources = new Set(contract.sources.map((s) => s.replace(/^\.\//, '')));
  return code?.findings.find(
    (f) => f.detector === noBreakerDetector && sources.has(f.file) && f.message.startsWith(`${name} `),
  );
}

/**
 * Passes when every contract that holds value can be paused (advisory p17: contracts that can be
 * paused or terminated). The manifest's claims (`pausable`, `holdsValue`) are checked against the
 * scanner's design findings on the sources: a claim the code contradicts fails, with both facts.
 * Without code facts (no scan) the claims alone are judged, and the check says so.
 */
export function pausableCheck(
  loaded: LoadedManifest,
  code?: CodeFacts | undefined,
  chain?: readonly PauseFacts[] | undefined,
): GateCheck {
  const notPausable: string[] = [];
  const undeclared: string[] = [];
  const contradicted: string[] = [];
  const unchecked: string[] = [];
  const unread: string[] = [];
  const contracts = loaded.manifest.contracts.map((contract) => {
    const pausable = Boolean(contract.pausable);
    const onChain = chain?.find((facts) => facts.contract === contract.name);
    const chainSays = onChain && pausable ? pauseContradiction(onChain) : undefined;
    if (chainSays) contradicted.push(`${contract.name} is declared pausable, but ${chainSays}`);
    if (onChain?.error) unread.push(`${contract.name} (${onChain.error})`);
    const finding = codeFinding(contract, code);
    const codeSays = finding
      ? `holds value and has no circuit breaker (${finding.detector} at ${finding.file}:${finding.line})`
      : undefined;
    const says = finding?.message.replace(/\.$/, '');
    if (finding && pausable)
      contradicted.push(`${contract.name} is declared pausable, but the code ${codeSays}: ${says}`);
    else if (finding && contract.holdsValue === false)
      contradicted.push(`${contract.name} is declared holdsValue: false, but the code ${codeSays}: ${says}`);
    else if ((contract.holdsValue || finding) && !pausable) notPausable.push(contract.name);
    if (contract.holdsValue === undefined && !finding) undeclared.push(contract.name);
    const notAnalysed =
      code?.analysed && contract.sources.filter((f) => !code.analysed!.includes(f.replace(/^\.\//, '')));
    if (!finding && notAnalysed && notAnalysed.length > 0)
      unchecked.push(`${contract.name} (${notAnalysed.join(', ')})`);
    return {
      name: contract.name,
      claimed: { holdsValue: contract.holdsValue, pausable },
      code: code ? (finding ? { holdsValue: true, circuitBreaker: false, finding } : { contradicts: false }) : null,
      ...(onChain ? { chain: onChain } : {}),
    };
  });
  const details = { contracts, codeFacts: code?.source ?? null };
  if (contradicted.length > 0 || notPausable.length > 0) {
    const parts = [
      ...contradicted,
      ...(notPausable.length > 0
        ? [
            `${listNames(notPausable)} hold(s) value but cannot be paused. Add a circuit breaker (e.g. GuardianPausable) and set pausable in the manifest, or request an exception (\`bulwark exception request --check pausable\`)`,
          ]
        : []),
    ];
    return check('pausable', 'fail', `${parts.join('. ')}.`, details);
  }
  const warnings = [
    code ? undefined : 'the claims were not checked against the code (no scan results)',
    unchecked.length > 0
      ? `the claims of ${listNames(unchecked)} were not checked against the code (the scan did not fully analyse these sources)`
      : undefined,
    undeclared.length > 0 ? `holdsValue is not declared for ${listNames(undeclared)}` : undefined,
    unread.length > 0 ? `the chain could not be read for ${listNames(unread)}` : undefined,
  ].filter(Boolean);
  if (warnings.length > 0) {
    const text = warnings.join('; ');
    return check('pausable', 'warn', `${text.charAt(0).toUpperCase()}${text.slice(1)}.`, details);
  }
  const holding = loaded.manifest.contracts.filter((c) => c.holdsValue).length;
  return check(
    'pausable',
    'pass',
    `${holding} contract(s) hold value and all can be paused; the code (${code!.source}) does not contradict the manifest${chain && chain.length > 0 ? `, nor does the chain (${listNames(chain.map((facts) => facts.contract))})` : ''}.`,
    details,
  );
}
