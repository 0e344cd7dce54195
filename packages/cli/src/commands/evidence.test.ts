import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listLog } from '@bulwark/store';
import { expect, test } from 'vitest';
import { describeCli } from '../testing.ts';

describeCli('bulwark evidence', (ctx) => {
  const env = { BULWARK_ACTOR: 'alice' };
  const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-evidence-'));
  const run = (args: string[]) => ctx.run(['evidence', ...args], { cwd: dir, env });

  test('default: add hashes the file; a re-add is a new version; list and show name each', async () => {
    writeFileSync(path.join(dir, 'dr-test.md'), '# DR test 2026\nRestored from backup in 42 minutes.\n');
    const added = await run([
      'add',
      '--control',
      'res-03',
      '--file',
      path.join(dir, 'dr-test.md'),
      '--owner',
      'ops-lead',
      '--expires',
      '2999-12-31',
      '--kind',
      'dr-test',
    ]);
    expect(added.stderr).toBe('');
    expect(added.stdout).toMatch(
      /^Added evidence (\d+) for RES-03: dr-test\.md version 1, sha256 [0-9a-f]{64}, expires 2999-12-31\. Logged as entry \d+\.\n$/,
    );
    writeFileSync(path.join(dir, 'dr-test.md'), '# DR test 2026 (re-run)\nRestored in 30 minutes.\n');
    const again = await run([
      'add',
      '--control',
      'RES-03',
      '--file',
      'dr-test.md',
      '--owner',
      'ops-lead',
      '--expires',
      '+365d',
      '--kind',
      'dr-test',
      '--format',
      'json',
    ]);
    const second = JSON.parse(again.stdout).evidence;
    expect(second).toMatchObject({ controlId: 'RES-03', file: 'dr-test.md', version: 2, kind: 'dr-test' });

    const list = await run(['list', '--format', 'json']);
    expect(
      JSON.parse(list.stdout).evidence.map((e: { version: number; state: string }) => [e.version, e.state]),
    ).toEqual([[2, 'current']]);
    const versions = await run(['list', '--all-versions', '--format', 'json']);
    const [newest, oldest] = JSON.parse(versions.stdout).evidence;
    // The first version's file was overwritten by the second: its recorded hash no longer matches.
    expect([newest.state, oldest.state]).toEqual(['current', 'changed']);

    const shown = await run(['show', String(second.id)]);
    expect(shown.stdout).toContain(`for RES-03\n  file      dr-test.md, version 2,`);
    expect(shown.stdout).toContain('(matches the recorded hash)');
    const logged = await listLog<{ controlId: string; version: number; sha256: string }>(ctx.store, {
      action: 'evidence.add',
    });
    expect(logged.map((e) => [e.actor, e.payload.controlId, e.payload.version])).toEqual([
      ['alice', 'RES-03', 1],
      ['alice', 'RES-03', 2],
    ]);
    expect(logged[1]!.payload.sha256).toBe(second.sha256);
  });

  test('behavior: expired evidence shows as such, and --expired exits 1', async () => {
    writeFileSync(path.join(dir, 'pentest-2020.pdf'), 'not really a pdf');
    await run([
      'add',
      '--control',
      'SBD-03',
      '--file',
      'pentest-2020.pdf',
      '--owner',
      'ciso',
      '--expires',
      '2021-01-31',
      '--kind',
      'pentest',
    ]);
    const list = await run(['list', '--control', 'sbd-03']);
    expect(list.stdout).toMatch(/SBD-03\s+pentest\s+1\s+ciso\s+2021-01-31\s+EXPIRED\s+pentest-2020\.pdf\n/);
    const expired = await run(['list', '--expired', '--format', 'json']);
    expect(expired.code).toBe(1);
    expect(JSON.parse(expired.stdout).evidence.map((e: { file: string }) => e.file)).toEqual(['pentest-2020.pdf']);
  });

  test('error: an unknown control or kind, a missing file or field is refused with the fix', async () => {
    const base = ['add', '--file', 'dr-test.md', '--owner', 'o', '--expires', '+1d'];
    expect((await run([...base, '--control', 'RES-99'])).stderr).toContain('RES-99 is not in the advisory catalogue');
    expect((await run([...base, '--control', 'RES-03', '--kind', 'audit'])).stderr).toContain(
      '"audit" is not an evidence kind.',
    );
    const missing = await run(['add', '--control', 'RES-03', '--file', 'nope.pdf', '--owner', 'o', '--expires', '+1d']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Cannot read the evidence file nope.pdf.');
    expect((await run(['add', '--control', 'RES-03'])).stderr).toContain(
      'evidence add needs --file, --owner, --expires.',
    );
    expect((await run(['show', 'x'])).stderr).toContain("'x' is not one evidence id.");
    expect((await run(['--help'])).stdout.startsWith('Usage: bulwark evidence <add|list|show> [options]')).toBe(true);
  });
});
