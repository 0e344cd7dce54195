import { listControlEvidence, listLog } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { expect, test } from 'vitest';
import type { Dependency } from './dependency.ts';
import { dependencyStatus } from './dependencyStatus.ts';
import { lockDigestOf } from './readDependencyInventory.ts';
import { resolveSelection, reviewDependencies } from './reviewDependencies.ts';

let n = 0;
/** Unique names per test: the suite's tests share one store. */
function inventory(entries: Partial<Dependency>[]) {
  const dependencies = entries.map(
    (e): Dependency => ({ ecosystem: 'npm', name: 'x', version: '1.0.0', integrity: 'sha512-x', imported: [], ...e }),
  );
  return {
    root: '/p',
    lockfile: 'package-lock.json',
    dependencies,
    lockDigest: lockDigestOf(dependencies),
    localSources: [],
    unresolvedImports: [],
  };
}
const states = async (store: Parameters<typeof dependencyStatus>[0], inv: ReturnType<typeof inventory>) =>
  Object.fromEntries((await dependencyStatus(store, inv)).entries.map((e) => [e.name, e.state]));

describeStore('reviewDependencies', (ctx) => {
  test('default: a reviewed dependency is reviewed at its exact version and integrity, with a log entry', async () => {
    const name = `lib-${++n}`;
    const inv = inventory([{ name }]);
    expect(await states(ctx.store, inv)).toEqual({ [name]: 'new' });
    const { reviews } = await reviewDependencies(ctx.store, {
      inventory: inv,
      select: [{ name, version: '1.0.0' }],
      reviewer: 'dana',
      notes: 'read the diff, ran the tests',
    });
    expect(reviews).toHaveLength(1);
    expect(reviews[0]).toMatchObject({
      name,
      version: '1.0.0',
      integrity: 'sha512-x',
      reviewer: 'dana',
      verdict: 'approved',
    });
    const status = await dependencyStatus(ctx.store, inv);
    expect(status.entries[0]).toMatchObject({
      state: 'reviewed',
      review: { reviewer: 'dana', notes: 'read the diff, ran the tests' },
    });
    const log = await listLog(ctx.store, { action: 'deps.review' });
    expect(log.some((e) => e.actor === 'dana' && (e.payload as { name: string }).name === name)).toBe(true);
    const evidence = await listControlEvidence(ctx.store, { controlId: 'GOV-04', latest: true });
    expect(evidence.find((e) => e.kind === 'dependency-inventory')).toMatchObject({
      status: 'pass',
      ref: `lock:${inv.lockDigest}`,
    });
  });

  test('behavior: a dependency changed after its review (version or integrity) shows as changed', async () => {
    const name = `lib-${++n}`;
    await reviewDependencies(ctx.store, { inventory: inventory([{ name }]), select: [{ name }], reviewer: 'dana' });
    const bumped = await dependencyStatus(ctx.store, inventory([{ name, version: '1.0.1', integrity: 'sha512-y' }]));
    expect(bumped.entries[0]).toMatchObject({
      state: 'changed',
      changes: ['version', 'integrity'],
      review: { version: '1.0.0' },
    });
    // Same version, other bytes: a republished or tampered package.
    const tampered = await dependencyStatus(ctx.store, inventory([{ name, integrity: 'sha512-tampered' }]));
    expect(tampered.entries[0]).toMatchObject({ state: 'changed', changes: ['integrity'] });
    expect(tampered.counts).toMatchObject({ changed: 1, reviewed: 0 });
  });

  test('behavior: unreviewed (there at the last review round) differs from new (added since)', async () => {
    const [a, b, c] = [`a-${++n}`, `b-${n}`, `c-${n}`];
    const round = inventory([{ name: a }, { name: b }]);
    await reviewDependencies(ctx.store, { inventory: round, select: [{ name: a }], reviewer: 'dana' });
    const later = inventory([{ name: a }, { name: b }, { name: c }]);
    expect(await states(ctx.store, later)).toEqual({ [a]: 'reviewed', [b]: 'unreviewed', [c]: 'new' });
    const evidence = await listControlEvidence(ctx.store, { controlId: 'GOV-04', latest: true });
    expect(evidence.find((e) => e.kind === 'dependency-inventory')?.status).toBe('fail');
  });

  test('behavior: --all-new reviews every pending one; a rejected one stays rejected', async () => {
    const [a, b, c] = [`a-${++n}`, `b-${n}`, `c-${n}`];
    const inv = inventory([{ name: a }, { name: b }, { name: c }]);
    await reviewDependencies(ctx.store, {
      inventory: inv,
      select: [{ name: c }],
      reviewer: 'dana',
      verdict: 'rejected',
    });
    const { reviews } = await reviewDependencies(ctx.store, { inventory: inv, select: 'pending', reviewer: 'erin' });
    expect(reviews.map((r) => r.name)).toEqual([a, b]);
    expect(await states(ctx.store, inv)).toEqual({ [a]: 'reviewed', [b]: 'reviewed', [c]: 'rejected' });
  });

  test('error: reviewing what is not installed, or with another integrity, or ambiguously', () => {
    const deps = inventory([
      { name: 'one', version: '1.0.0' },
      { name: 'one', version: '2.0.0' },
      { name: 'two', ecosystem: 'foundry', version: 'unversioned' },
      { name: 'two', ecosystem: 'npm', version: 'unversioned' },
    ]).dependencies;
    expect(() => resolveSelection(deps, { name: 'one', version: '3.0.0' })).toThrow(
      /one@3.0.0 is not in the project's dependencies.\nFix: the project has one@1.0.0, one@2.0.0/,
    );
    expect(() => resolveSelection(deps, { name: 'one', version: '1.0.0', integrity: 'sha512-other' })).toThrow(
      /has integrity sha512-x, not sha512-other.\nFix: the code you reviewed is not the code installed/,
    );
    expect(() => resolveSelection(deps, { name: 'two' })).toThrow(/two matches 2 dependencies/);
    expect(resolveSelection(deps, { name: 'two', ecosystem: 'foundry' }).ecosystem).toBe('foundry');
    // Reviewed before it is added: allowed with an exact version and integrity.
    expect(resolveSelection(deps, { name: 'three', version: '1.0.0', integrity: 'sha512-3' })).toMatchObject({
      name: 'three',
      integrity: 'sha512-3',
    });
  });
});
