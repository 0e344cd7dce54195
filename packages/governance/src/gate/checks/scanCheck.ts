import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Finding, type Impact, InputError, impactAtLeast, isImpact } from '@bulwark/core';
import { loadScanConfig, parseScanConfig, type ScanResult, scan } from '@bulwark/scanner';
import { insertScanRun, listScanFindings, type StoreClient } from '@bulwark/store';
import { sha256Hex } from '../../approvals/sha256.ts';
import type { LoadedManifest } from '../../manifest/types.ts';
import { check, type GateCheck, listNames } from '../gateCheck.ts';
import type { DesignFinding } from './pausableCheck.ts';

/** Scanner results handed in (`--scan-results`), instead of a scan run by the gate. */
export type ScanResultsFile = { path: string; sha256: string; result: ScanResult };

export type ScanCheckParameters = {
  loaded: LoadedManifest;
  threshold: Impact;
  /** Results of `bulwark scan --format json`; default: the gate scans the manifest's sources. */
  results?: ScanResultsFile | undefined;
  /** Fingerprints accepted by an earlier result (`--baseline`). */
  baseline?: Set<string> | undefined;
};

export type ScanCheckReturnType = {
  check: GateCheck;
  /** The scan run recorded in the store (its findings can then be accepted there). */
  scanRunId: string;
  source: { kind: 'scan' } | { kind: 'file'; path: string; sha256: string };
  /** Every finding of the scan (accepted ones too): the design checks read the code's facts from them. */
  findings: DesignFinding[];
  /** The files the scan analysed fully. */
  analysed: string[];
};

/**
 * Fails on a finding at or above the threshold that nobody accepted. Accepted means: suppressed in
 * the scan config (with a reason), in the baseline, or accepted in the store (`acceptScanFinding`,
 * on any earlier run). The run is recorded in the store with the accepted findings marked.
 */
export async function scanCheck(store: StoreClient, parameters: ScanCheckParameters): Promise<ScanCheckReturnType> {
  const { loaded } = parameters;
  const startedAt = new Date();
  const result = parameters.results?.result ?? (await runScan(loaded));
  const accepted = new Map<string, string>();
  for (const finding of await listScanFindings(store, { status: 'accepted' }))
    accepted.set(finding.fingerprint, finding.acceptedReason ?? 'accepted');
  for (const fingerprint of parameters.baseline ?? [])
    if (!accepted.has(fingerprint)) accepted.set(fingerprint, 'in the baseline');

  const run = await insertScanRun(store, {
    toolVersion: result.tool.version,
    startedAt,
    finishedAt: new Date(),
    config: {
      source: parameters.results ? 'file' : 'gate',
      ...(parameters.results ? { file: parameters.results.path, sha256: parameters.results.sha256 } : {}),
      threshold: parameters.threshold,
    },
    summary: { findings: result.findings.length, suppressed: result.suppressed },
    findings: result.findings.map((f) => ({
      fingerprint: f.fingerprint,
      detector: f.detector,
      impact: f.impact,
      confidence: f.confidence,
      file: f.location.file,
      line: f.location.startLine,
      ...(accepted.has(f.fingerprint)
        ? { status: 'accepted' as const, acceptedReason: accepted.get(f.fingerprint) }
        : {}),
      data: { title: f.title, message: f.message, endLine: f.location.endLine },
    })),
  });

  const atThreshold = result.findings.filter((f) => impactAtLeast(f.impact, parameters.threshold));
  const blocking = atThreshold.filter((f) => !accepted.has(f.fingerprint));
  const acceptedHere = atThreshold.length - blocking.length;
  const partial = result.files.filter((f) => f.status !== 'full');
  const suppressed = result.suppressed.config + result.suppressed.baseline + result.suppressed.inline;
  const details = {
    threshold: parameters.threshold,
    findings: result.findings.length,
    blocking: blocking.map(describe),
    accepted: acceptedHere,
    suppressed,
    partial: partial.map((f) => ({ file: f.file, status: f.status, reason: f.reason })),
  };
  const findings = result.findings.map((f) => ({
    detector: f.detector,
    file: f.location.file,
    line: f.location.startLine,
    message: f.message,
  }));
  const analysed = result.files.filter((f) => f.status === 'full').map((f) => f.file);
  const source = parameters.results
    ? { kind: 'file' as const, path: parameters.results.path, sha256: parameters.results.sha256 }
    : { kind: 'scan' as const };
  const acceptedNote =
    acceptedHere + suppressed > 0 ? ` (${acceptedHere + suppressed} accepted or suppressed with a reason)` : '';
  if (blocking.length > 0)
    return {
      check: check(
        'scan',
        'fail',
        `${blocking.length} unaccepted finding(s) at or above ${parameters.threshold}: ${listNames(blocking.map(label), 3)}. Fix them, or accept each with a reason.`,
        details,
      ),
      scanRunId: run.run.id,
      source,
      findings,
      analysed,
    };
  if (partial.length > 0)
    return {
      check: check(
        'scan',
        'warn',
        `No unaccepted finding at or above ${parameters.threshold}${acceptedNote}, but ${partial.length} file(s) were only partly analysed: ${listNames(
          partial.map((f) => `${f.file} (${f.status})`),
          3,
        )}.`,
        details,
      ),
      scanRunId: run.run.id,
      source,
      findings,
      analysed,
    };
  return {
    check: check(
      'scan',
      'pass',
      `No unaccepted finding at or above ${parameters.threshold} in ${result.files.length} file(s)${acceptedNote}.`,
      details,
    ),
    scanRunId: run.run.id,
    source,
    findings,
    analysed,
  };
}

async function runScan(loaded: LoadedManifest): Promise<ScanResult> {
  const sources = [...new Set(loaded.manifest.contracts.flatMap((c) => c.sources))].map((s) =>
    path.resolve(loaded.dir, s),
  );
  // The manifest's `scan` section is the scanner's config (suppressions with reasons, ignores).
  const config = loaded.manifest.scan
    ? parseScanConfig({ scan: loaded.manifest.scan }, loaded.path)
    : loadScanConfig(undefined, loaded.dir);
  return scan({ paths: sources, cwd: loaded.dir, config });
}

/** Reads `bulwark scan --format json` output, checking it is one. */
export function readScanResults(file: string, shownAs = file): ScanResultsFile {
  let bytes: Buffer;
  let json: unknown;
  try {
    bytes = readFileSync(file);
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new InputError(`Cannot read the scan results ${shownAs}.`, {
      cause: error,
      metaMessages: ['Fix: write them with `bulwark scan --format json --output FILE`.'],
      docsPath: 'governance/gate.md#scan',
    });
  }
  const result = json as Partial<ScanResult>;
  const valid =
    typeof json === 'object' &&
    json !== null &&
    result.schemaVersion === 1 &&
    Array.isArray(result.findings) &&
    Array.isArray(result.files) &&
    result.findings.every(
      (f: Partial<Finding>) =>
        typeof f?.fingerprint === 'string' &&
        typeof f.detector === 'string' &&
        typeof f.impact === 'string' &&
        isImpact(f.impact) &&
        typeof f.location?.file === 'string',
    );
  if (!valid)
    throw new InputError(`The scan results ${shownAs} are not a bulwark JSON result (schemaVersion 1).`, {
      metaMessages: ['Fix: write them with `bulwark scan --format json --output FILE`.'],
      docsPath: 'governance/gate.md#scan',
    });
  const full = result as ScanResult;
  full.suppressed ??= { inline: 0, config: 0, baseline: 0 };
  full.tool ??= { name: 'bulwark', version: 'unknown' };
  return { path: shownAs, sha256: sha256Hex(bytes!), result: full };
}

function describe(f: Finding) {
  return {
    detector: f.detector,
    impact: f.impact,
    file: f.location.file,
    line: f.location.startLine,
    fingerprint: f.fingerprint,
    title: f.title,
  };
}

function label(f: Finding): string {
  return `${f.detector} at ${f.location.file}:${f.location.startLine}`;
}
