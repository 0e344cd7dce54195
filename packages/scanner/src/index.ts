export { type AnalyzeInput, type AnalyzeOutput, analyze, parseInput } from './analyze.ts';
export { loadBaseline, loadScanConfig, parseScanConfig, type ScanConfig } from './config.ts';
export {
  createFindingFactory,
  type Detector,
  type DetectorContext,
  defineDetector,
  type FindingDraft,
  metadataOf,
} from './detector.ts';
export { allDetectors } from './detectors/index.ts';
export { detectorIndex, detectorPage } from './docs.ts';
export { defaultScanLimits, type ScanLimits } from './isolate.ts';
export { type Format, type FormatOptions, formatResult, formats, isFormat } from './reporters/index.ts';
export type { Diagnostic, FileReport, ScanResult } from './result.ts';
export { globToRegExp, ScanError, type ScanOptions, scan } from './scan.ts';
export { version } from './version.ts';
