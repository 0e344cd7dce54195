import type { Finding } from '@bulwark/core';
import { buildProgram, type FunctionIR, type Node, type ProgramInput, parseSolidity } from '@bulwark/solidity';
import { analysisOf } from './analysis/guards.ts';
import { contractKey, type InheritanceFacts, inheritedContracts } from './deployedOnly.ts';
import { createFindingFactory, type Detector, type DetectorContext } from './detector.ts';
import { applyInlineSuppressions } from './suppress.ts';

export type AnalyzeInput = {
  /** Files to report on. */
  targets: ProgramInput[];
  /** Imported files: parsed for inheritance and callees, never reported on. */
  dependencies?: ProgramInput[];
  detectors: Detector[];
  displayPath?: (file: string) => string;
};

export type AnalyzeOutput = InheritanceFacts & {
  findings: Finding[];
  suppressedInline: number;
  /** Detectors that threw, with the message: the run goes on without them. */
  detectorErrors: { detector: string; file: string; message: string }[];
};

/** Runs detectors over already-parsed files in this thread. */
export function analyze(input: AnalyzeInput): AnalyzeOutput {
  const displayPath = input.displayPath ?? ((file: string) => file);
  const program = buildProgram([...input.targets, ...(input.dependencies ?? [])]);
  const analysis = analysisOf(program);
  const targetFiles = new Set(input.targets.map((t) => t.file));
  const contracts = program.contracts.filter((c) => targetFiles.has(c.unit.file));
  const functions: FunctionIR[] = [
    ...contracts.flatMap((c) => [...c.functions, ...c.modifiers]),
    ...program.units.filter((u) => targetFiles.has(u.file)).flatMap((u) => u.freeFunctions),
  ];
  const findings: Finding[] = [];
  const deployedOnly = new Map<Finding, string>();
  const detectorErrors: AnalyzeOutput['detectorErrors'] = [];
  for (const detector of input.detectors) {
    const create = createFindingFactory(detector, displayPath);
    const context: DetectorContext = {
      program,
      analysis,
      contracts,
      functions,
      report: (draft) => {
        const finding = create(draft);
        findings.push(finding);
        if (draft.onlyIfDeployed) deployedOnly.set(finding, contractKey(draft.onlyIfDeployed, displayPath));
      },
    };
    try {
      detector.detect(context);
    } catch (error) {
      detectorErrors.push({
        detector: detector.id,
        file: [...targetFiles].map(displayPath).join(', '),
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
  const sources = new Map(input.targets.map((t) => [displayPath(t.file), t.content]));
  const kept = applyInlineSuppressions(dedupe(findings), sources);
  return {
    findings: kept.findings,
    suppressedInline: kept.suppressed,
    detectorErrors,
    inherited: inheritedContracts(program, displayPath),
    deployedOnly: kept.findings.flatMap((f) => {
      const contract = deployedOnly.get(f);
      return contract ? [{ fingerprint: f.fingerprint, contract }] : [];
    }),
  };
}

/** One finding per detector and exact location: two paths to the same statement are one problem. */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.detector}|${f.location.file}|${f.location.startLine}:${f.location.startColumn}-${f.location.endLine}:${f.location.endColumn}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Parses a source string into a ProgramInput, for tests and degraded files. */
export function parseInput(
  file: string,
  content: string,
  solcVersion?: string,
): ProgramInput & { errors: string[]; legacy?: string | undefined } {
  const { ast, errors, legacy } = parseSolidity(content);
  return {
    file,
    content,
    ast: ast ?? ({ type: 'SourceUnit', children: [] } as Node),
    solcVersion,
    errors: errors.map((e) => (e.line ? `line ${e.line}: ${e.message}` : e.message)),
    legacy,
  };
}
