import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, test } from 'vitest';
import { workerBundle } from './workerBundle.ts';

// Inside the package, so that the sources resolve npm packages as the real worker's do.
const folder = mkdtempSync(join(import.meta.dirname, '.worker-bundle-test-'));
const sources = join(folder, 'src');
const cacheDir = join(folder, 'cache');
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A worker that answers with a value from another TypeScript file, an npm package and its own URL. */
function writeSources(answer: string) {
  rmSync(sources, { recursive: true, force: true });
  mkdirSync(sources, { recursive: true });
  writeFileSync(join(sources, 'answer.ts'), `export const answer: string = ${JSON.stringify(answer)};\n`);
  writeFileSync(
    join(sources, 'entry.ts'),
    [
      "import { parentPort } from 'node:worker_threads';",
      "import { parse } from '@solidity-parser/parser';",
      "import { answer } from './answer.ts';",
      "const contract: string = parse('contract C {}').children[0].name;",
      'parentPort!.postMessage({ answer, contract, url: import.meta.url });',
    ].join('\n'),
  );
}

function run(url: URL): Promise<{ answer: string; contract: string; url: string }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(url);
    worker.once('message', (message) => {
      void worker.terminate();
      resolve(message);
    });
    worker.once('error', reject);
  });
}

describe('workerBundle', () => {
  test('default: one plain JavaScript file that runs the worker, npm packages imported from their place', async () => {
    writeSources('first');
    const url = await workerBundle({ entry: join(sources, 'entry.ts'), cacheDir });
    expect(url).toBeDefined();
    expect(url!.pathname.endsWith('.mjs')).toBe(true);
    const code = readFileSync(url!, 'utf8');
    expect(code).not.toContain('export const answer: string');
    const answer = await run(url!);
    expect(answer.answer).toBe('first');
    expect(answer.contract).toBe('C');
    // `import.meta.url` still names the source file, so paths relative to it resolve as before.
    expect(fileURLToPath(answer.url)).toBe(join(sources, 'entry.ts'));
  });

  test('behavior: reused while no source changed, rebuilt when one did', async () => {
    writeSources('first');
    const first = await workerBundle({ entry: join(sources, 'entry.ts'), cacheDir });
    const builtAt = statSync(first!).mtimeMs;
    const again = await workerBundle({ entry: join(sources, 'entry.ts'), cacheDir });
    expect(again!.href).toBe(first!.href);
    expect(statSync(again!).mtimeMs).toBe(builtAt);

    writeFileSync(join(sources, 'answer.ts'), 'export const answer: string = "second";\n');
    utimesSync(join(sources, 'answer.ts'), new Date(), new Date(Date.now() + 5000));
    const rebuilt = await workerBundle({ entry: join(sources, 'entry.ts'), cacheDir });
    expect(rebuilt!.href).not.toBe(first!.href);
    expect((await run(rebuilt!)).answer).toBe('second');
  });

  test('error: sources that do not build give undefined (the caller falls back to tsx)', async () => {
    writeSources('first');
    writeFileSync(join(sources, 'entry.ts'), "import { missing } from './nowhere.ts';\nconsole.log(missing);\n");
    expect(await workerBundle({ entry: join(sources, 'entry.ts'), cacheDir: join(folder, 'other-cache') })).toBe(
      undefined,
    );
  });
});
