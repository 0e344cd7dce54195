// A stand-in for the analysis worker that misbehaves on purpose, by file name: it runs out of
// memory, hangs, throws or dies. Everything else gets a plain `full` report whose reason names
// the thread that ran it.
import { parentPort, threadId } from 'node:worker_threads';

parentPort.on('message', ({ id, job }) => {
  const [file] = job.files;
  if (job.files.some((f) => f.includes('oom'))) {
    if (job.files.length > 1 || file.includes('oom')) {
      const hog = [];
      for (;;) hog.push(new Array(1_000_000).fill(hog.length));
    }
  }
  if (job.files.some((f) => f.includes('hang'))) for (;;);
  if (job.files.some((f) => f.includes('throw'))) {
    parentPort.postMessage({ id, error: 'TypeError: x is undefined\n    at secret internals' });
    return;
  }
  if (job.files.some((f) => f.includes('exit'))) process.exit(7);
  parentPort.postMessage({
    id,
    result: {
      reports: job.files.map((f) => ({
        file: f.replace(`${job.cwd}/`, ''),
        status: 'full',
        reason: `thread ${threadId}`,
        diagnostics: [],
        findings: 0,
      })),
      findings: [],
      suppressedInline: 0,
    },
  });
});
