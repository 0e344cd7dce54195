import { readFileSync } from 'node:fs';
import { InputError } from '@bulwark/core';
import { sha256Hex } from '../approvals/sha256.ts';

export type TestReportFormat = 'junit' | 'jest' | 'forge';

export type TestReport = {
  format: TestReportFormat;
  /** sha256 of the report file, hex: the attestation pins the report it relied on. */
  sha256: string;
  tests: number;
  passed: number;
  failed: number;
  skipped: number;
  /** Names of failed tests (and of suites that failed to run). */
  failures: string[];
};

const docsPath = 'governance/gate.md#test-reports';

/**
 * Reads a test report: JUnit XML (Vitest, Jest, Mocha, Hardhat and most CI tools write it),
 * Vitest/Jest JSON (`--reporter=json`, `--json`), or `forge test --json`.
 */
export function readTestReport(file: string, shownAs = file): TestReport {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new InputError(`Cannot read the test report ${shownAs}.`, {
      cause: error,
      metaMessages: ['Fix: check the path given to --test-report.'],
      docsPath,
    });
  }
  const text = bytes.toString('utf8');
  const sha256 = sha256Hex(bytes);
  const trimmed = text.trimStart();
  if (trimmed.startsWith('<')) return { ...parseJunit(text), sha256 };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`The test report ${shownAs} is neither XML nor JSON.`, {
      cause: error,
      metaMessages: [
        'Fix: write JUnit XML (vitest --reporter=junit) or JSON (vitest --reporter=json, forge test --json).',
      ],
      docsPath,
    });
  }
  const parsed = parseJest(json) ?? parseForge(json);
  if (!parsed)
    throw new InputError(`The test report ${shownAs} is JSON of an unknown shape.`, {
      metaMessages: [
        'Fix: use the Vitest/Jest JSON reporter (numTotalTests, testResults) or `forge test --json`, or JUnit XML.',
      ],
      docsPath,
    });
  return { ...parsed, sha256 };
}

type Counts = Omit<TestReport, 'sha256'>;

function parseJunit(text: string): Counts {
  const failures: string[] = [];
  let tests = 0;
  let failed = 0;
  let skipped = 0;
  const testcase = /<testcase\b((?:[^>"']|"[^"]*"|'[^']*')*?)(\/>|>([\s\S]*?)<\/testcase\s*>)/g;
  for (const match of text.matchAll(testcase)) {
    tests++;
    const attributes = parseAttributes(match[1] ?? '');
    const body = match[3] ?? '';
    if (/<(failure|error)\b/.test(body)) {
      failed++;
      failures.push([attributes.classname, attributes.name].filter(Boolean).join(' › ') || `test ${tests}`);
    } else if (/<skipped\b/.test(body)) skipped++;
  }
  // A suite that failed to load has no test cases, only an error on the suite.
  for (const match of text.matchAll(/<testsuite\b((?:[^>"']|"[^"]*"|'[^']*')*?)>([\s\S]*?)<\/testsuite\s*>/g)) {
    const attributes = parseAttributes(match[1] ?? '');
    const inner = (match[2] ?? '').replace(testcase, '');
    if (/<(failure|error)\b/.test(inner)) {
      failed++;
      failures.push(`${attributes.name ?? 'suite'} (suite failed)`);
    }
  }
  if (tests === 0 && failed === 0 && !/<testsuites?\b/.test(text))
    throw new InputError('The XML test report is not JUnit XML (no <testsuite> or <testcase>).', {
      metaMessages: ['Fix: write the report with a JUnit reporter (vitest --reporter=junit).'],
      docsPath,
    });
  return { format: 'junit', tests, passed: tests - failed - skipped, failed, skipped, failures };
}

function parseAttributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of text.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g))
    out[match[1]!] = decodeEntities(match[2] ?? match[3] ?? '');
  return out;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&amp;/g, '&');
}

type JestJson = {
  numTotalTests?: number;
  numPassedTests?: number;
  numFailedTests?: number;
  numPendingTests?: number;
  numTodoTests?: number;
  testResults?: {
    name?: string;
    status?: string;
    message?: string;
    assertionResults?: { fullName?: string; title?: string; status?: string }[];
  }[];
};

function parseJest(json: unknown): Counts | undefined {
  if (!isObject(json) || typeof json.numTotalTests !== 'number' || !Array.isArray(json.testResults)) return undefined;
  const report = json as JestJson;
  const failures: string[] = [];
  let suiteFailures = 0;
  for (const suite of report.testResults ?? []) {
    const assertions = suite.assertionResults ?? [];
    for (const assertion of assertions)
      if (assertion.status === 'failed') failures.push(assertion.fullName ?? assertion.title ?? 'unnamed test');
    // A file that failed to load reports status "failed" and no failed assertion.
    if (suite.status === 'failed' && !assertions.some((a) => a.status === 'failed')) {
      suiteFailures++;
      failures.push(`${suite.name ?? 'a test file'} (suite failed)`);
    }
  }
  const tests = report.numTotalTests ?? 0;
  const failed = (report.numFailedTests ?? 0) + suiteFailures;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  return { format: 'jest', tests, passed: report.numPassedTests ?? 0, failed, skipped, failures };
}

function parseForge(json: unknown): Counts | undefined {
  if (!isObject(json)) return undefined;
  const suites = Object.entries(json).filter(([, v]) => isObject(v) && isObject(v.test_results));
  if (suites.length === 0) return undefined;
  const failures: string[] = [];
  let tests = 0;
  let passed = 0;
  let skipped = 0;
  for (const [suite, value] of suites) {
    for (const [name, result] of Object.entries((value as { test_results: Record<string, unknown> }).test_results)) {
      tests++;
      const status = isObject(result) ? String(result.status) : '';
      if (status === 'Success') passed++;
      else if (status === 'Skipped') skipped++;
      else failures.push(`${suite} › ${name}`);
    }
  }
  return { format: 'forge', tests, passed, failed: failures.length, skipped, failures };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
