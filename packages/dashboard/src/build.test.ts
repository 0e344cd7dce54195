import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { dashboardIsFresh, ensureDashboardBuilt } from './build.ts';

// A one-file app in a temporary folder: the same build path as the real dashboard, in a second.
let root: string;
const lines: string[] = [];
const log = (line: string) => lines.push(line);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'bulwark-dash-build-'));
  await mkdir(join(root, 'src/app'), { recursive: true });
  await writeFile(join(root, 'package.json'), '{"name":"fixture","type":"module"}');
  await writeFile(
    join(root, 'index.html'),
    '<!doctype html><html><body><div id="root"></div><script type="module" src="/src/app/main.ts"></script></body></html>',
  );
  await writeFile(join(root, 'src/app/main.ts'), "document.getElementById('root')!.textContent = 'first';\n");
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const builtScript = async () => {
  const html = await readFile(join(root, 'dist/index.html'), 'utf8');
  const src = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
  return readFile(join(root, 'dist', src), 'utf8');
};

test('default: builds when dist is missing, then leaves a fresh dist alone', async () => {
  expect(await dashboardIsFresh(root)).toBe(false);
  expect(await ensureDashboardBuilt({ root, log })).toEqual({ dist: join(root, 'dist'), built: true });
  expect(await builtScript()).toContain('first');
  expect(lines.at(-1)).toMatch(/^dashboard: built \d+ files/);
  expect(await dashboardIsFresh(root)).toBe(true);
  expect((await ensureDashboardBuilt({ root, log })).built).toBe(false);
});

test('behavior: a changed source makes dist stale and the next start rebuilds it', async () => {
  await writeFile(join(root, 'src/app/main.ts'), "document.getElementById('root')!.textContent = 'second';\n");
  expect(await dashboardIsFresh(root)).toBe(false);
  expect((await ensureDashboardBuilt({ root, log })).built).toBe(true);
  expect(await builtScript()).toContain('second');
});

test('behavior: servers starting together build once (the second waits for the lock, then finds dist fresh)', async () => {
  await writeFile(join(root, 'src/app/main.ts'), "document.getElementById('root')!.textContent = 'third';\n");
  const results = await Promise.all([ensureDashboardBuilt({ root, log }), ensureDashboardBuilt({ root, log })]);
  expect(results.map((result) => result.built).sort()).toEqual([false, true]);
  expect(await builtScript()).toContain('third');
});

test('behavior: a lock left by a process that died is taken over', async () => {
  await writeFile(join(root, '.build.lock'), '2147483646');
  await writeFile(join(root, 'src/app/main.ts'), "document.getElementById('root')!.textContent = 'fourth';\n");
  expect((await ensureDashboardBuilt({ root, log })).built).toBe(true);
  expect(await builtScript()).toContain('fourth');
});

test('error: a source that does not compile names the fix and keeps the last good build', async () => {
  await writeFile(join(root, 'src/app/main.ts'), 'const = ;\n');
  await expect(ensureDashboardBuilt({ root, log })).rejects.toThrow(
    /The dashboard could not be built\.\nRun `npm run build -w @bulwark\/dashboard`/,
  );
  expect(await builtScript()).toContain('fourth');
});

test('behavior: the real dashboard built under a test runner (NODE_ENV=test) uses the production JSX runtime', async () => {
  const { dist } = await ensureDashboardBuilt({ log });
  const html = await readFile(join(dist, 'index.html'), 'utf8');
  const script = await readFile(join(dist, /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!), 'utf8');
  // A development JSX call against React's production runtime throws on the first render.
  expect(script).not.toContain('jsxDEV');
}, 120_000);
