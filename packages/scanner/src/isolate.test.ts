import { describe, expect, test } from 'vitest';
import type { FileJob } from './analyzeFiles.ts';
import { runIsolated } from './isolate.ts';

const workerUrl = new URL('./testdata/misbehavingWorker.mjs', import.meta.url);
const job = (...files: string[]): FileJob => ({ files, root: '/p', remappings: [], detectorIds: [], cwd: '/p' });
const statuses = (results: Awaited<ReturnType<typeof runIsolated>>) =>
  results.flatMap((r) => r.reports.map((report) => `${report.file} ${report.status}`));

describe('runIsolated', () => {
  test('default: every file analysed, in job order, whatever the thread count', async () => {
    const results = await runIsolated({
      jobs: [job('/p/a.sol', '/p/b.sol'), job('/p/c.sol'), job('/p/d.sol')],
      threads: 2,
      limits: { fileMemoryMb: 64, fileTimeoutMs: 60_000 },
      workerUrl,
    });
    expect(statuses(results)).toEqual(['a.sol full', 'b.sol full', 'c.sol full', 'd.sol full']);
  });

  test('behavior: a thread finishes its compiler group before starting another', async () => {
    const keyed = (key: string, file: string): FileJob => ({ ...job(file), compilerKey: key });
    const order: string[] = [];
    const results = await runIsolated({
      jobs: [
        keyed('0.4.26', '/p/a.sol'),
        keyed('0.8.30', '/p/b.sol'),
        keyed('0.4.26', '/p/c.sol'),
        keyed('0.8.30', '/p/d.sol'),
      ],
      threads: 1,
      limits: { fileMemoryMb: 64, fileTimeoutMs: 60_000 },
      workerUrl,
      onResult: (result) => order.push(...result.reports.map((report) => report.file)),
    });
    expect(order).toEqual(['a.sol', 'c.sol', 'b.sol', 'd.sol']);
    // Results still come back in job order.
    expect(statuses(results)).toEqual(['a.sol full', 'b.sol full', 'c.sol full', 'd.sol full']);
  });

  test('behavior: threads start on different compiler groups', async () => {
    const keyed = (key: string, file: string): FileJob => ({ ...job(file), compilerKey: key });
    const results = await runIsolated({
      jobs: [keyed('0.4.26', '/p/a.sol'), keyed('0.4.26', '/p/b.sol'), keyed('0.8.30', '/p/c.sol')],
      threads: 2,
      limits: { fileMemoryMb: 64, fileTimeoutMs: 60_000 },
      workerUrl,
    });
    const threadOf = results.flatMap((r) => r.reports).map((report) => report.reason);
    expect(threadOf[0]).not.toBe(threadOf[2]);
  });

  test('behavior: a file that runs out of memory is failed; the rest of its batch and the scan go on', async () => {
    const seen: string[] = [];
    const results = await runIsolated({
      jobs: [job('/p/a.sol', '/p/oom.sol', '/p/b.sol'), job('/p/c.sol')],
      threads: 1,
      limits: { fileMemoryMb: 32, fileTimeoutMs: 600_000 },
      workerUrl,
      onResult: (result) => seen.push(...result.reports.map((report) => report.file)),
    });
    expect(statuses(results)).toEqual(['a.sol full', 'oom.sol failed', 'b.sol full', 'c.sol full']);
    const failed = results.flatMap((r) => r.reports).find((report) => report.status === 'failed')!;
    expect(failed.reason).toMatch(/ran out of memory \(limit 32 MB per file: --file-memory\)/);
    expect(seen.sort()).toEqual(['a.sol', 'b.sol', 'c.sol', 'oom.sol']);
  });

  test('behavior: a file that never finishes is stopped by the watchdog', async () => {
    const results = await runIsolated({
      jobs: [job('/p/hang.sol'), job('/p/a.sol')],
      threads: 1,
      limits: { fileMemoryMb: 64, fileTimeoutMs: 3_000 },
      workerUrl,
    });
    expect(statuses(results)).toEqual(['hang.sol failed', 'a.sol full']);
    expect(results[0]!.reports[0]!.reason).toMatch(/did not finish within 3 s/);
  });

  test('error: an internal error or a dying worker fails only that file, and never shows its internals', async () => {
    const results = await runIsolated({
      jobs: [job('/p/throw.sol', '/p/a.sol'), job('/p/exit.sol'), job('/p/b.sol')],
      threads: 1,
      limits: { fileMemoryMb: 64, fileTimeoutMs: 60_000 },
      workerUrl,
    });
    expect(statuses(results)).toEqual(['throw.sol failed', 'a.sol full', 'exit.sol failed', 'b.sol full']);
    const reasons = results.flatMap((r) => r.reports).map((report) => report.reason ?? '');
    expect(reasons.join('\n')).not.toMatch(/TypeError|internals/);
    expect(reasons[0]).toMatch(/internal error/);
    expect(reasons[2]).toMatch(/exit code 7/);
  });
});
