import { parentPort } from 'node:worker_threads';
import { analyzeFiles, type FileJob } from './analyzeFiles.ts';
import { allDetectors } from './detectors/index.ts';

// One parse cache per worker: imported files are parsed once however many files import them.
const parseCache = new Map();

parentPort?.on('message', async (message: { id: number; job: FileJob }) => {
  try {
    const detectors = allDetectors.filter((d) => message.job.detectorIds.includes(d.id));
    const result = await analyzeFiles(message.job, detectors, parseCache);
    parentPort?.postMessage({ id: message.id, result });
  } catch (error) {
    parentPort?.postMessage({
      id: message.id,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
});
