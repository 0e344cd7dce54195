import {
  BaseError,
  type Confidence,
  type Finding,
  fingerprint,
  type Impact,
  type RelatedLocation,
  type RuleMetadata,
  validateMetadata,
} from '@bulwark/core';
import type { Analysis, Contract, FunctionIR, Node, Program, SourceUnit } from '@bulwark/solidity';

/** What a detector reports; the runner turns it into a Finding with location and fingerprint. */
export type FindingDraft = {
  /** The statement or expression at fault. */
  node: Node;
  /** Unit holding `node`; defaults to the function's or contract's unit. */
  unit?: SourceUnit | undefined;
  fn?: FunctionIR | undefined;
  contract?: Contract | undefined;
  message: string;
  related?: { node: Node; unit?: SourceUnit | undefined; message: string }[];
  /** Lower (never raise) the declared impact or confidence for this one finding. */
  impact?: Impact | undefined;
  confidence?: Confidence | undefined;
  /**
   * The finding holds only if this contract is deployed as it is (ether locked in it, no pause
   * switch in it): dropped when another scanned file inherits from it (see deployedOnly.ts).
   */
  onlyIfDeployed?: Contract | undefined;
};

export type DetectorContext = {
  program: Program;
  analysis: Analysis;
  /** Contracts defined in the files being scanned (imported dependencies excluded). */
  contracts: Contract[];
  /** Functions and modifiers declared in those contracts, plus free functions, each once. */
  functions: FunctionIR[];
  report(draft: FindingDraft): void;
};

export type Detector = RuleMetadata & {
  /** Folder the detector lives in (reentrancy, access-control, ...). */
  category: string;
  detect(context: DetectorContext): void;
};

export class DetectorError extends BaseError {
  override name = 'DetectorError';
}

/** Validates metadata when the module loads, so a detector missing a field never ships. */
export function defineDetector(detector: Detector): Detector {
  validateMetadata(detector);
  if (!detector.category || typeof detector.detect !== 'function') {
    throw new DetectorError(`Detector '${detector.id}' needs a category and a detect function.`, {
      docsPath: 'contributing.md#detectors',
    });
  }
  return detector;
}

/** Builds findings from drafts: location, related places, stable fingerprint. */
export function createFindingFactory(detector: Detector, displayPath: (file: string) => string) {
  const occurrences = new Map<string, number>();
  return (draft: FindingDraft): Finding => {
    const unit = draft.unit ?? draft.fn?.contract.unit ?? draft.contract?.unit;
    if (!unit) throw new DetectorError(`Detector '${detector.id}' reported a finding without a unit.`);
    const location = { ...unit.source.locationOf(draft.node), file: displayPath(unit.file) };
    const related: RelatedLocation[] = (draft.related ?? []).map((r) => {
      const relatedUnit = r.unit ?? unit;
      return { ...relatedUnit.source.locationOf(r.node), file: displayPath(relatedUnit.file), message: r.message };
    });
    if (draft.fn?.node && draft.fn.kind !== 'modifier' && draft.fn.node !== draft.node) {
      related.push({
        ...unit.source.locationOf(draft.fn.node),
        file: displayPath(unit.file),
        message: `in ${draft.fn.kind === 'function' ? 'function' : draft.fn.kind} ${draft.fn.contract.name}.${draft.fn.name}`,
      });
    }
    const contractName = draft.contract?.name ?? draft.fn?.contract.name;
    const snippet = unit.source.textOf(draft.node);
    const key = [location.file, contractName, draft.fn?.signature, snippet.replace(/\s+/g, ' ')].join('|');
    const occurrence = occurrences.get(key) ?? 0;
    occurrences.set(key, occurrence + 1);
    return {
      detector: detector.id,
      title: detector.title,
      impact: draft.impact ?? detector.impact,
      confidence: draft.confidence ?? detector.confidence,
      swc: detector.swc,
      owasp: detector.owasp,
      control: detector.control,
      location,
      related,
      message: draft.message,
      fingerprint: fingerprint({
        detector: detector.id,
        file: location.file,
        contract: contractName,
        function: draft.fn?.signature,
        snippet,
        occurrence,
      }),
    };
  };
}

/** Metadata only (what reporters and docs need). */
export function metadataOf(detector: Detector): RuleMetadata {
  const { category: _category, detect: _detect, ...metadata } = detector;
  return metadata;
}
