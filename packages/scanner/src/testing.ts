import type { Finding } from '@bulwark/core';
import { analyze, parseInput } from './analyze.ts';
import type { Detector } from './detector.ts';

/**
 * Runs detectors over Solidity source text, for detector tests. Pass several sources as
 * `{ 'A.sol': '...', 'B.sol': '...' }`; the first ones are targets, `dependencies` are not reported.
 */
export function scanSource(
  source: string | Record<string, string>,
  detectors: Detector | Detector[],
  options: { dependencies?: Record<string, string>; solcVersion?: string } = {},
): Finding[] {
  const sources = typeof source === 'string' ? { 'Test.sol': source } : source;
  const targets = Object.entries(sources).map(([file, content]) => parseStrictly(file, content, options.solcVersion));
  const dependencies = Object.entries(options.dependencies ?? {}).map(([file, content]) =>
    parseStrictly(file, content),
  );
  const result = analyze({ targets, dependencies, detectors: Array.isArray(detectors) ? detectors : [detectors] });
  if (result.detectorErrors.length > 0)
    throw new Error(result.detectorErrors.map((e) => `${e.detector}: ${e.message}`).join('\n'));
  return result.findings;
}

/**
 * Parses a test source and throws on any syntax error: a typo in a fixture would otherwise yield a
 * partial tree, and a test expecting no finding would pass on code that was never read. Pre-0.4
 * syntax read by the legacy front end is accepted: that is real code, not a typo.
 */
function parseStrictly(file: string, content: string, solcVersion?: string) {
  const parsed = parseInput(file, content, solcVersion);
  if (parsed.errors.length > 0) {
    throw new Error(`scanSource: ${file} does not parse: ${parsed.errors.join('; ')}`);
  }
  return parsed;
}

/** Start lines of findings, sorted: the usual thing a detector test asserts. */
export function findingLines(findings: Finding[], detector?: string): number[] {
  return findings
    .filter((f) => !detector || f.detector === detector)
    .map((f) => f.location.startLine)
    .sort((a, b) => a - b);
}
