import { Worker } from 'node:worker_threads';
import { type FileJob, type FileJobResult, relativeDisplay } from './analyzeFiles.ts';

/** What one file's analysis may use before it is stopped and reported `failed`. */
export type ScanLimits = {
  /** Heap of a worker (V8 old generation), in MB. */
  fileMemoryMb: number;
  /** Wall time per file, in ms (a batch of n files gets n times this). */
  fileTimeoutMs: number;
};

export const defaultScanLimits: ScanLimits = { fileMemoryMb: 2048, fileTimeoutMs: 120_000 };

/** The limits given, the defaults for the rest. */
export function resolveLimits(limits: Partial<ScanLimits> = {}): ScanLimits {
  return {
    fileMemoryMb: limits.fileMemoryMb ?? defaultScanLimits.fileMemoryMb,
    fileTimeoutMs: limits.fileTimeoutMs ?? defaultScanLimits.fileTimeoutMs,
  };
}

/** The message a worker receives, and its answer. */
export type WorkerRequest = { id: number; job: FileJob; limits: ScanLimits };
export type WorkerAnswer = { id: number; result?: FileJobResult; error?: string };

type JobOutcome = { ok: true; result: FileJobResult } | { ok: false; reason: string };

/**
 * Runs jobs on `threads` worker threads, each under the memory limit and a watchdog, so that no
 * input can take the scan down. A batch whose worker runs out of memory, times out, crashes or
 * throws is split and its files run one by one in a fresh worker; a single file that fails so is
 * reported `failed` with the reason, and the rest of the scan goes on. Results come back in job order.
 */
export async function runIsolated(parameters: {
  jobs: readonly FileJob[];
  threads: number;
  limits: ScanLimits;
  workerUrl: URL;
  onResult?: ((result: FileJobResult) => void) | undefined;
}): Promise<FileJobResult[]> {
  const { limits, workerUrl } = parameters;
  // Each job keeps a sort key, so files split out of a batch stay where the batch was.
  const queue = parameters.jobs.map((job, index) => ({ job, order: [index] }));
  const done: { order: number[]; result: FileJobResult }[] = [];
  let nextId = 0;
  const finish = (order: number[], result: FileJobResult) => {
    done.push({ order, result });
    parameters.onResult?.(result);
  };

  // The compiler group each lane works on: a lane stays with its group, and starts on one no other
  // lane holds, so each compiler is loaded by as few workers as possible.
  const threads = Math.max(1, Math.min(parameters.threads, queue.length));
  const laneKeys: (string | undefined | null)[] = Array.from({ length: threads }, () => null);
  const take = (lane: number) => {
    let index = queue.findIndex((entry) => entry.job.compilerKey === laneKeys[lane]);
    if (index < 0) index = queue.findIndex((entry) => !laneKeys.includes(entry.job.compilerKey));
    const [entry] = queue.splice(Math.max(index, 0), 1);
    laneKeys[lane] = entry!.job.compilerKey;
    return entry!;
  };

  const lane = async (_: unknown, laneIndex: number) => {
    let worker: Worker | undefined;
    while (queue.length > 0) {
      const { job, order } = take(laneIndex);
      worker ??= startWorker(workerUrl, limits);
      const outcome = await runJob(worker, { id: nextId++, job, limits });
      if (outcome.ok) {
        finish(order, outcome.result);
        continue;
      }
      // The worker may be out of memory or stuck: never reuse it.
      await worker.terminate().catch(() => {});
      worker = undefined;
      if (job.files.length > 1) {
        queue.unshift(...job.files.map((file, i) => ({ job: { ...job, files: [file] }, order: [...order, i] })));
      } else {
        finish(order, failedResult(job, outcome.reason));
      }
    }
    await worker?.terminate().catch(() => {});
  };
  await Promise.all(Array.from({ length: threads }, lane));
  return done.sort((a, b) => compareOrder(a.order, b.order)).map((entry) => entry.result);
}

function startWorker(url: URL, limits: ScanLimits): Worker {
  const worker = new Worker(url, {
    resourceLimits: { maxOldGenerationSizeMb: limits.fileMemoryMb },
    workerData: { limits },
  });
  // A worker's failure is handled by the job that sees it; an 'error' with no listener would throw here.
  worker.on('error', () => {});
  return worker;
}

function runJob(worker: Worker, request: WorkerRequest): Promise<JobOutcome> {
  const { limits, job } = request;
  return new Promise((resolve) => {
    const timeoutMs = limits.fileTimeoutMs * job.files.length;
    const settle = (outcome: JobOutcome) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      resolve(outcome);
    };
    const timer = setTimeout(
      () =>
        settle({
          ok: false,
          reason: `analysis did not finish within ${formatSeconds(timeoutMs)} (limit per file: --file-timeout)`,
        }),
      timeoutMs,
    );
    const onMessage = (answer: WorkerAnswer) => {
      if (answer.id !== request.id) return;
      if (answer.result) settle({ ok: true, result: answer.result });
      else {
        if (process.env.BULWARK_DEBUG) process.stderr.write(`${answer.error}\n`);
        settle({ ok: false, reason: 'the analyzer hit an internal error on this file and skipped it' });
      }
    };
    const onError = (error: Error & { code?: string }) =>
      settle({
        ok: false,
        reason:
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? `analysis ran out of memory (limit ${limits.fileMemoryMb} MB per file: --file-memory)`
            : 'the analyzer crashed on this file and skipped it',
      });
    const onExit = (code: number) => settle({ ok: false, reason: `the analysis worker stopped (exit code ${code})` });
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
    worker.postMessage(request);
  });
}

function failedResult(job: FileJob, reason: string): FileJobResult {
  const file = relativeDisplay(job.files[0]!, job.cwd);
  return {
    reports: [
      { file, status: 'failed', reason, diagnostics: [{ severity: 'error', file, message: reason }], findings: 0 },
    ],
    findings: [],
    suppressedInline: 0,
  };
}

function compareOrder(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
