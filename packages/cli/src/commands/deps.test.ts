import { rmSync } from 'node:fs';
import path from 'node:path';
import { listLog } from '@bulwark/store';
import { expect, test } from 'vitest';
import { createReleaseProject, type ReleaseProject } from '../../../governance/src/gate/testing.ts';
import { describeCli } from '../testing.ts';

type StatusJson = {
  counts: Record<string, number>;
  dependencies: {
    ecosystem: string;
    name: string;
    version: string;
    integrity: string;
    state: string;
    changes?: string[];
    imported: string[];
  }[];
};

/** The fixture's library, made unique per test: the suite's tests share one store, and reviews are by name. */
function uniqueLibrary(project: ReleaseProject, n: number): void {
  project.write('package-lock.json', project.read('package-lock.json').replaceAll('left-pad', `left-pad-${n}`));
  project.write('lib/safe-math/src/SafeMathLite.sol', `${project.read('lib/safe-math/src/SafeMathLite.sol')}// ${n}\n`);
}

let n = 0;

describeCli('bulwark deps', (ctx) => {
  const status = async (project: ReleaseProject) => {
    const result = await ctx.run(['deps', 'status', '--format', 'json'], { cwd: project.dir });
    return { code: result.code, json: JSON.parse(result.stdout) as StatusJson };
  };

  test('default: status lists new dependencies; a review of the exact version makes it reviewed', async () => {
    const project = await createReleaseProject();
    uniqueLibrary(project, ++n);
    const before = await ctx.run(['deps'], { cwd: project.dir });
    expect(before.code).toBe(1);
    expect(before.stdout).toMatch(/^2 dependencies \(package-lock.json, lock digest [0-9a-f]{12}…\): 2 new\.\n/);
    expect(before.stdout).toMatch(
      /STATE +ECOSYSTEM +NAME +VERSION +IMPORTED +NOTE\nnew +foundry +safe-math +unversioned +1 file\(s\)\n/,
    );

    const reviewed = await ctx.run(
      ['deps', 'review', `left-pad-${n}@1.3.0`, '--reviewer', 'dana', '--notes', 'diffed against 1.2.0'],
      { cwd: project.dir },
    );
    expect(reviewed.stderr).toBe('');
    expect(reviewed.stdout).toBe(
      `dana reviewed 1 dependency:\n  npm:left-pad-${n}@1.3.0 sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQEB9fcsnvvN+/DAoGdGopMnWVeXvTdpjl5NKxVtuwZFPzE9Q==\n`,
    );
    const after = await status(project);
    expect(after.json.dependencies.map((d) => [d.name, d.state])).toEqual([
      ['safe-math', 'unreviewed'],
      [`left-pad-${n}`, 'reviewed'],
    ]);
    expect(after.code).toBe(1);
    const all = await ctx.run(['deps', 'review', '--all-new', '--reviewer', 'erin'], { cwd: project.dir });
    expect(all.stdout).toContain('erin reviewed 1 dependency:\n  foundry:safe-math@unversioned sha256-');
    expect((await status(project)).code).toBe(0);
    const text = await ctx.run(['deps', '--all'], { cwd: project.dir });
    expect(text.stdout).toMatch(new RegExp(`reviewed +npm +left-pad-${n} +1.3.0 +- +by dana \\d{4}-\\d{2}-\\d{2}`));
    const log = await listLog<{ name: string }>(ctx.store, { action: 'deps.review' });
    expect(log.filter((e) => e.payload.name === `left-pad-${n}`).map((e) => e.actor)).toEqual(['dana']);
  });

  test('behavior: a dependency changed after its review shows as changed (version, integrity, lib content)', async () => {
    const project = await createReleaseProject();
    uniqueLibrary(project, ++n);
    await ctx.run(['deps', 'review', '--all-new', '--reviewer', 'dana'], { cwd: project.dir });
    expect((await status(project)).code).toBe(0);

    project.write(
      'package-lock.json',
      project.read('package-lock.json').replace('"version": "1.3.0"', '"version": "1.3.1"'),
    );
    project.write(
      'lib/safe-math/src/SafeMathLite.sol',
      `${project.read('lib/safe-math/src/SafeMathLite.sol')}// patched\n`,
    );
    const bumped = await status(project);
    expect(bumped.code).toBe(1);
    expect(bumped.json.dependencies.map((d) => [d.name, d.state, d.changes])).toEqual([
      ['safe-math', 'changed', ['integrity']],
      [`left-pad-${n}`, 'changed', ['version']],
    ]);
    const text = await ctx.run(['deps'], { cwd: project.dir });
    expect(text.stdout).toContain('2 changed');
    expect(text.stdout).toMatch(new RegExp(`changed +npm +left-pad-${n} +1.3.1 +- +reviewed at 1.3.0, by dana`));

    // Same version, other bytes.
    project.write(
      'package-lock.json',
      project.read('package-lock.json').replace('"version": "1.3.1"', '"version": "1.3.0"'),
    );
    project.write(
      'package-lock.json',
      project.read('package-lock.json').replace(/"integrity": "sha512-[^"]+"/, '"integrity": "sha512-republished"'),
    );
    const tampered = await status(project);
    expect(tampered.json.dependencies.find((d) => d.ecosystem === 'npm')).toMatchObject({
      state: 'changed',
      changes: ['integrity'],
    });
  });

  test('error: a review must match what is installed', async () => {
    const project = await createReleaseProject();
    uniqueLibrary(project, ++n);
    const cases: [string[], string][] = [
      [
        ['deps', 'review', `left-pad-${n}@1.3.0`, '--reviewer', 'dana', '--integrity', 'sha512-other'],
        'has integrity sha512-XI5M',
      ],
      [['deps', 'review', `left-pad-${n}@9.9.9`, '--reviewer', 'dana'], `Fix: the project has left-pad-${n}@1.3.0`],
      [['deps', 'review', `left-pad-${n}@1.3.0`], 'A review needs --reviewer NAME.'],
      [['deps', 'review', '--reviewer', 'dana'], 'Name what you reviewed (NAME@VERSION), or pass --all-new.'],
      [['deps', 'review', 'x@1', '--ecosystem', 'pypi', '--reviewer', 'dana'], '--ecosystem pypi is not an ecosystem'],
      [['deps', 'audit'], "Unknown deps action 'audit'."],
    ];
    for (const [args, message] of cases) {
      const result = await ctx.run(args, { cwd: project.dir });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
    }
    expect((await status(project)).json.counts.reviewed).toBe(0);
  });

  test('behavior: without a manifest, the folder’s lockfile and Solidity project make the inventory', async () => {
    const project = await createReleaseProject();
    uniqueLibrary(project, ++n);
    rmSync(path.join(project.dir, 'bulwark.config.yaml'));
    const result = await status(project);
    expect(result.json.dependencies.map((d) => [d.name, d.imported])).toEqual([
      ['safe-math', ['lib/safe-math/src/SafeMathLite.sol']],
      [`left-pad-${n}`, []],
    ]);
  });
});
