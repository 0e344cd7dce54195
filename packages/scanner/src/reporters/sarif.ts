import { isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Confidence, Finding, Impact, RuleMetadata, SourceLocation } from '@bulwark/core';
import type { FileReport, ScanResult } from '../result.ts';
import { compareText, sortFindings } from './order.ts';
import { fileProblem, filesNotFullyAnalysed } from './summary.ts';

/** Bulwark's home page until the project has a published one; override with `informationUri`. */
export const defaultInformationUri = 'https://github.com/bulwark-dlt/bulwark';

export type SarifOptions = {
  /** The tool's home page (`tool.driver.informationUri`). */
  informationUri?: string | undefined;
  /**
   * Base that `docs/detectors/<id>.md` is resolved against for each rule's helpUri. SARIF wants an
   * absolute URI there. Default: `<informationUri>/blob/main/`.
   */
  docsBaseUri?: string | undefined;
  /**
   * The folder the report's relative paths start from (the scan's working directory). With it,
   * paths become URIs relative to `srcRoot`, and the run names both in `originalUriBaseIds`.
   */
  cwd?: string | undefined;
  /** The repository root (%SRCROOT%), which code scanning resolves URIs against. Default: `cwd`. */
  srcRoot?: string | undefined;
  /**
   * `automationDetails.id` category: code scanning keeps one set of alerts per category, so two
   * scans of one repository (two packages) need two. Default `bulwark`.
   */
  category?: string | undefined;
};

export type SarifLevel = 'error' | 'warning' | 'note';

/** Level by impact. The ruleId never depends on it: raising a severity must not orphan alerts. */
export const sarifLevel: Record<Impact, SarifLevel> = {
  high: 'error',
  medium: 'warning',
  low: 'note',
  informational: 'note',
  optimization: 'note',
};

/** GitHub code scanning reads this score: ≥7 high, ≥4 medium, >0 low. */
export const securitySeverity: Record<Impact, string> = {
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  informational: '1.0',
  optimization: '0.0',
};

const precision: Record<Confidence, 'high' | 'medium' | 'low'> = { high: 'high', medium: 'medium', low: 'low' };

const sarifSchema = 'https://json.schemastore.org/sarif-2.1.0.json';
const srcRoot = '%SRCROOT%';

/** SARIF 2.1.0, one run. Rules come from the detectors that ran, sorted by id; results in report order. */
export function formatSarif(result: ScanResult, options: SarifOptions = {}): string {
  const informationUri = options.informationUri ?? defaultInformationUri;
  const docsBaseUri = options.docsBaseUri ?? `${informationUri.replace(/\/+$/, '')}/blob/main/`;
  const findings = sortFindings(result.findings);

  const metadata = new Map<string, RuleMetadata | Finding>();
  for (const detector of result.detectors) metadata.set(detector.id, detector);
  // A finding from a detector missing in `detectors` still gets a rule, so its ruleIndex is valid.
  for (const finding of findings) if (!metadata.has(finding.detector)) metadata.set(finding.detector, finding);
  const ruleIds = [...metadata.keys()].sort(compareText);
  const ruleIndex = new Map(ruleIds.map((id, index) => [id, index]));

  const notFull = filesNotFullyAnalysed(result.files);
  const roots = options.cwd === undefined ? undefined : { cwd: options.cwd, srcRoot: options.srcRoot ?? options.cwd };
  const location = (file: string) => artifactLocation(file, roots);
  const physicalLocation = (at: SourceLocation) => ({
    artifactLocation: location(at.file),
    region: { startLine: at.startLine, startColumn: at.startColumn, endLine: at.endLine, endColumn: at.endColumn },
  });
  const log = {
    $schema: sarifSchema,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'bulwark',
            version: result.tool.version,
            informationUri,
            rules: ruleIds.map((id) => rule(id, metadata.get(id)!, docsBaseUri)),
            notifications: notificationDescriptors,
          },
        },
        automationDetails: { id: `${(options.category ?? 'bulwark').replace(/\/+$/, '')}/` },
        ...(roots && { originalUriBaseIds: { [srcRoot]: { uri: folderUri(roots.srcRoot) } } }),
        invocations: [
          {
            executionSuccessful: notFull.every((file) => file.status !== 'failed'),
            toolExecutionNotifications: notFull.map((report) => notification(report, location)),
          },
        ],
        results: findings.map((finding) => ({
          ruleId: finding.detector,
          ruleIndex: ruleIndex.get(finding.detector)!,
          level: sarifLevel[finding.impact],
          message: { text: finding.message },
          locations: [{ physicalLocation: physicalLocation(finding.location) }],
          ...(finding.related.length > 0 && {
            relatedLocations: finding.related.map((related, index) => ({
              id: index + 1,
              physicalLocation: physicalLocation(related),
              message: { text: related.message },
            })),
          }),
          partialFingerprints: { 'bulwark/v1': finding.fingerprint },
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function rule(id: string, source: RuleMetadata | Finding, docsBaseUri: string) {
  const meta = 'description' in source ? source : undefined;
  const docsPath = `docs/detectors/${id}.md`;
  const helpUri = new URL(docsPath, docsBaseUri).href;
  const description = meta?.description ?? source.title;
  const help = meta
    ? {
        text: `${meta.description}\n\nAttack scenario: ${meta.scenario}\n\nRecommendation: ${meta.recommendation}`,
        markdown: [
          meta.description,
          `**Attack scenario.** ${meta.scenario}`,
          `**Recommendation.** ${meta.recommendation}`,
          `More: [${docsPath}](${helpUri})`,
        ].join('\n\n'),
      }
    : { text: `${source.title}. See ${helpUri}.` };
  return {
    id,
    name: pascalCase(id),
    shortDescription: { text: source.title },
    fullDescription: { text: description },
    help,
    helpUri,
    defaultConfiguration: { level: sarifLevel[source.impact] },
    properties: {
      tags: [...new Set(['security', ...source.swc, ...source.owasp])],
      'security-severity': securitySeverity[source.impact],
      precision: precision[source.confidence],
    },
  };
}

/** What `toolExecutionNotifications` refer to: a file analysed partly, or not at all. */
const notificationDescriptors = [
  {
    id: 'file-degraded',
    shortDescription: { text: 'File analysed from its parse tree only; detectors that need the compiler skipped it.' },
  },
  { id: 'file-failed', shortDescription: { text: 'File not analysed.' } },
];

function notification(report: FileReport, location: (file: string) => ReturnType<typeof artifactLocation>) {
  const what = report.status === 'failed' ? 'was not analysed' : 'was analysed from its parse tree only';
  return {
    level: report.status === 'failed' ? 'error' : 'warning',
    message: { text: `${report.file} ${what}: ${fileProblem(report)}` },
    locations: [{ physicalLocation: { artifactLocation: location(report.file) } }],
    descriptor: { id: report.status === 'failed' ? 'file-failed' : 'file-degraded' },
  };
}

/**
 * A report path as a SARIF artifact location. Without `roots`: relative paths are relative to
 * %SRCROOT%, absolute ones become file: URIs. With them, any path (relative to `cwd`, or absolute,
 * e.g. a file above the working directory) inside `srcRoot` becomes a URI relative to %SRCROOT%;
 * only files outside the repository keep a file: URI.
 */
export function artifactLocation(
  file: string,
  roots?: { cwd: string; srcRoot: string },
): { uri: string; uriBaseId?: string } {
  if (roots) {
    const absolute = resolve(roots.cwd, file);
    const inRoot = relative(resolve(roots.srcRoot), absolute);
    if (inRoot !== '' && !inRoot.startsWith('..') && !isAbsolute(inRoot)) return artifactLocation(inRoot);
    return artifactLocation(absolute);
  }
  const path = file.replace(/\\/g, '/');
  if (/^[A-Za-z]:\//.test(path)) return { uri: `file:///${path.slice(0, 2)}${encodePath(path.slice(2))}` };
  if (path.startsWith('/')) return { uri: `file://${encodePath(path)}` };
  return { uri: encodePath(path.replace(/^(\.\/)+/, '')), uriBaseId: srcRoot };
}

/** A folder as the file: URI SARIF wants for a base (with a trailing slash). */
function folderUri(folder: string): string {
  const href = pathToFileURL(resolve(folder)).href;
  return href.endsWith('/') ? href : `${href}/`;
}

/** Percent-encodes each segment, keeping `/` and the `@` of npm scopes readable. */
function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%40/g, '@'))
    .join('/');
}

/** `reentrancy-eth` → `ReentrancyEth`. */
export function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
