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
  const targets = Object.entries(sources).map(([file, content]) => parseInput(file, content, options.solcVersion));
  const dependencies = Object.entries(options.dependencies ?? {}).map(([file, content]) => parseInput(file, content));
  const result = analyze({ targets, dependencies, detectors: Array.isArray(detectors) ? detectors : [detectors] });
  if (result.detectorErrors.length > 0)
    throw new Error(result.detectorErrors.map((e) => `${e.detector}: ${e.message}`).join('\n'));
  return result.findings;
}

/** Start lines of findings, sorted: the usual thing a detector test asserts. */
export function findingLines(findings: Finding[], detector?: string): number[] {
  return findings
    .filter((f) => !detector || f.detector === detector)
    .map((f) => f.location.startLine)
    .sort((a, b) => a - b);
}
