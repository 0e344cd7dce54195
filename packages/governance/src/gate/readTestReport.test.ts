import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { sha256Hex } from '../approvals/sha256.ts';
import { readTestReport } from './readTestReport.ts';
import { releaseFixture } from './testing.ts';

function file(content: string): string {
  const target = path.join(mkdtempSync(path.join(tmpdir(), 'bulwark-report-')), 'report');
  writeFileSync(target, content);
  return target;
}

describe('readTestReport', () => {
  test('default: JUnit XML with every test passing', () => {
    const report = readTestReport(path.join(releaseFixture, 'reports/junit-pass.xml'));
    expect(report).toMatchObject({ format: 'junit', tests: 3, passed: 3, failed: 0, skipped: 0, failures: [] });
    expect(report.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test('behavior: JUnit failures are named, skipped tests counted', () => {
    const report = readTestReport(path.join(releaseFixture, 'reports/junit-fail.xml'));
    expect(report).toMatchObject({ tests: 3, passed: 1, failed: 1, skipped: 1 });
    expect(report.failures).toEqual(['test/Vault.test.ts › Vault > pause stops withdrawals']);
  });

  test('behavior: a JUnit suite that failed to load counts as a failure', () => {
    const report = readTestReport(
      file(
        '<testsuites><testsuite name="a.test.ts" tests="0"><error message="Cannot find module"/></testsuite></testsuites>',
      ),
    );
    expect(report).toMatchObject({ tests: 0, failed: 1, failures: ['a.test.ts (suite failed)'] });
  });

  test('behavior: Vitest/Jest JSON', () => {
    const json = {
      numTotalTests: 3,
      numPassedTests: 1,
      numFailedTests: 1,
      numPendingTests: 1,
      success: false,
      testResults: [
        {
          name: '/p/a.test.ts',
          status: 'failed',
          assertionResults: [
            { fullName: 'a works', status: 'passed' },
            { fullName: 'a fails', status: 'failed' },
            { fullName: 'a later', status: 'pending' },
          ],
        },
        { name: '/p/b.test.ts', status: 'failed', message: 'SyntaxError', assertionResults: [] },
      ],
    };
    const content = JSON.stringify(json);
    expect(readTestReport(file(content))).toEqual({
      format: 'jest',
      sha256: sha256Hex(content),
      tests: 3,
      passed: 1,
      failed: 2,
      skipped: 1,
      failures: ['a fails', '/p/b.test.ts (suite failed)'],
    });
  });

  test('behavior: forge test --json', () => {
    const json = {
      'test/Vault.t.sol:VaultTest': {
        duration: '1ms',
        test_results: {
          'test_deposit()': { status: 'Success', reason: null },
          'test_pause()': { status: 'Failure', reason: 'assertion failed' },
          'test_skip()': { status: 'Skipped' },
        },
      },
    };
    expect(readTestReport(file(JSON.stringify(json)))).toMatchObject({
      format: 'forge',
      tests: 3,
      passed: 1,
      failed: 1,
      skipped: 1,
      failures: ['test/Vault.t.sol:VaultTest › test_pause()'],
    });
  });

  test('error: unknown formats and missing files say what is accepted', () => {
    expect(() => readTestReport(file('all good'), 'out.txt')).toThrow(/out.txt is neither XML nor JSON/);
    expect(() => readTestReport(file('{"ok":true}'), 'r.json')).toThrow(/r.json is JSON of an unknown shape/);
    expect(() => readTestReport(file('<html></html>'), 'r.xml')).toThrow(/not JUnit XML/);
    expect(() => readTestReport('/nonexistent/report.xml', 'report.xml')).toThrow(
      /Cannot read the test report report.xml/,
    );
  });
});
