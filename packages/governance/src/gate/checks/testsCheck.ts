import { check, type GateCheck, listNames } from '../gateCheck.ts';
import type { TestReport } from '../readTestReport.ts';

/** Passes when a test report is attached, holds tests, and none failed. */
export function testsCheck(report: (TestReport & { path: string }) | undefined): GateCheck {
  if (!report) return check('tests', 'fail', 'No test report attached: run the tests and pass --test-report FILE.');
  const details = {
    path: report.path,
    sha256: report.sha256,
    format: report.format,
    tests: report.tests,
    passed: report.passed,
    failed: report.failed,
    skipped: report.skipped,
    failures: report.failures.slice(0, 20),
  };
  if (report.failed > 0)
    return check(
      'tests',
      'fail',
      `${report.failed} of ${report.tests} test(s) failed in ${report.path}: ${listNames(report.failures, 3)}.`,
      details,
    );
  if (report.passed === 0)
    return check(
      'tests',
      'fail',
      `The test report ${report.path} holds no passing test (${report.tests} in all).`,
      details,
    );
  const skipped = report.skipped > 0 ? `, ${report.skipped} skipped` : '';
  return check(
    'tests',
    'pass',
    `${report.passed} test(s) passed${skipped} (${report.path}, ${report.format}).`,
    details,
  );
}
