/**
 * Times one posture evaluation (evaluateConformance) on a seeded store, the cost behind
 * `GET /api/v1/posture`: `tsx bench/server/profilePosture.ts DIR [runs]` seeds DIR once (as
 * bench:serve does) and reuses it; add `--cpu-prof` to node to see where the time goes.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { evaluateConformance } from '@bulwark/governance';
import { openStore } from '@bulwark/store';
import { seedStore, seedVolume } from './seed.ts';

const dir = path.resolve(process.argv[2] ?? 'posture-bench');
const runs = Number(process.argv[3] ?? 3);
const fresh = !existsSync(path.join(dir, 'db'));
const store = await openStore({ dataDir: path.join(dir, 'db') });
if (fresh) await seedStore(store, dir, seedVolume(), (line) => process.stderr.write(`${line}\n`));
for (let i = 0; i < runs; i++) {
  const started = performance.now();
  const report = await evaluateConformance(store, { cwd: dir });
  const ms = performance.now() - started;
  process.stdout.write(`evaluation ${i + 1}: ${ms.toFixed(0)} ms (${report.controls.length} controls)\n`);
}
await store.close();
