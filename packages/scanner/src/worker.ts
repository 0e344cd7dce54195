import { parentPort, workerData } from 'node:worker_threads';
import { analyzeFiles } from './analyzeFiles.ts';
import { allDetectors } from './detectors/index.ts';
import type { ScanLimits, WorkerAnswer, WorkerRequest } from './isolate.ts';

// One parse cache per worker: imported files are parsed once however many files import them.
const parseCache = new Map();
const limits = (workerData as { limits?: ScanLimits } | undefined)?.limits;

parentPort?.on('message', async (message: WorkerRequest) => {
  let answer: WorkerAnswer;
  try {
    const detectors = allDetectors.filter((d) => message.job.detectorIds.includes(d.id));
    answer = { id: message.id, result: await analyzeFiles(message.job, detectors, parseCache) };
  } catch (error) {
    answer = { id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  // The cache must not use up the heap the next file needs.
  if (limits && process.memoryUsage().heapUsed > (limits.fileMemoryMb * 1024 * 1024) / 2) parseCache.clear();
  parentPort?.postMessage(answer);
});
