import { insertException, insertExceptionApproval, listLog, withTransaction } from '@bulwark/store';
import { expect, test } from 'vitest';
import { createReleaseProject, prepareRelease, type ReleaseProject } from '../../../governance/src/gate/testing.ts';
import { describeCli } from '../testing.ts';

type Check = { id: string; status: string; reason: string; exception?: { id: string; state: string } };

describeCli('bulwark exception', (ctx) => {
  const as = (actor: string) => ({ BULWARK_ACTOR: actor });
  const gate = async (project: ReleaseProject) => {
    const result = await ctx.run(['gate', '--format', 'json', '--test-report', 'reports/junit-pass.xml'], {
      cwd: project.dir,
    });
    if (result.code === 2) throw new Error(result.stderr);
    const json = JSON.parse(result.stdout) as { decision: string; checks: Check[] };
    return { code: result.code, json, check: (id: string) => json.checks.find((c) => c.id === id)! };
  };

  test('default: an exception approved by its quorum (never the requester) lets a failed check through, named', async () => {
    const project = await createReleaseProject();
    project.editManifest((m) => {
      (m.contracts as Record<string, unknown>[])[0]!.pausable = false;
    });
    await prepareRelease(ctx.store, project);
    const before = await gate(project);
    expect(before.code).toBe(1);
    expect(before.check('pausable').status).toBe('fail');

    const requested = await ctx.run(
      [
        'exception',
        'request',
        '--check',
        'pausable',
        '--reason',
        'Vault is immutable by design',
        '--compensating',
        'bulwark monitor with alerts to the on-call',
        '--expires',
        '+30d',
      ],
      { cwd: project.dir, env: as('carol') },
    );
    expect(requested.stderr).toBe('');
    expect(requested.stdout).toMatch(
      /^Requested EX-1 for check pausable until \d{4}-\d{2}-\d{2}: it needs 2 approval\(s\) from others \(`bulwark exception approve EX-1`\)\. Logged as entry \d+\.\n$/,
    );

    const self = await ctx.run(['exception', 'approve', 'EX-1'], { cwd: project.dir, env: as('carol') });
    expect(self.code).toBe(2);
    expect(self.stderr).toContain('carol requested EX-1 and cannot approve it.');
    const stranger = await ctx.run(['exception', 'approve', 'EX-1'], { cwd: project.dir, env: as('mallory') });
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toContain('mallory is not an approver of this project.');

    const first = await ctx.run(['exception', 'approve', 'ex-1'], { cwd: project.dir, env: as('alice') });
    expect(first.stdout).toMatch(/^Approved EX-1; 1 more approval\(s\) needed \(alice\)\./);
    const pending = await gate(project);
    expect(pending.code).toBe(1);
    expect(pending.check('pausable').reason).toMatch(/\(exception EX-1 awaits 1 more approval\(s\)\.\)$/);

    const second = await ctx.run(['exception', 'approve', 'EX-1'], { cwd: project.dir, env: as('bob') });
    expect(second.stdout).toMatch(/^Accepted EX-1 \(alice, bob\)\./);
    const after = await gate(project);
    expect(after.code).toBe(0);
    expect(after.json.decision).toBe('pass');
    expect(after.check('pausable')).toMatchObject({ status: 'warn', exception: { id: 'EX-1', state: 'accepted' } });
    expect(after.check('pausable').reason).toMatch(
      /^Accepted by exception EX-1 until \d{4}-\d{2}-\d{2} \(approved by alice, bob; compensating: bulwark monitor with alerts to the on-call\): Vault hold\(s\) value but cannot be paused/,
    );

    const list = await ctx.run(['exception', 'list'], { cwd: project.dir });
    expect(list.stdout).toMatch(/^ID\s+TARGET\s+STATE\s+APPROVALS\s+EXPIRES\s+REQUESTED BY\s+REASON\n/);
    expect(list.stdout).toMatch(
      /EX-1\s+check pausable\s+accepted\s+2\/2\s+\S+\s+carol\s+Vault is immutable by design\n/,
    );
    const shown = await ctx.run(['exception', 'show', 'EX-1', '--format', 'json'], { cwd: project.dir });
    expect(JSON.parse(shown.stdout).exception).toMatchObject({
      state: 'accepted',
      requestedBy: 'carol',
      approvals: [{ approver: 'alice' }, { approver: 'bob' }],
    });
    const logged = await listLog(ctx.store);
    expect(logged.filter((e) => e.action.startsWith('exception.')).map((e) => [e.action, e.actor])).toEqual([
      ['exception.request', 'carol'],
      ['exception.approve', 'alice'],
      ['exception.approve', 'bob'],
    ]);
  });

  test('behavior: an expired exception leaves the check failing, and says so', async () => {
    const project = await createReleaseProject();
    project.editManifest((m) => {
      (m.contracts as Record<string, unknown>[])[0]!.admin = {
        kind: 'eoa',
        address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
      };
    });
    await prepareRelease(ctx.store, project);
    // Written straight to the store (an expiry in the past cannot be requested), in a transaction
    // so that its rows are bound to the log like any other write.
    const expired = await withTransaction(ctx.store, async (tx) => {
      const exception = await insertException(tx, {
        targetKind: 'control',
        target: 'SBD-08',
        reason: 'migrating to a Safe',
        compensating: 'key in an HSM',
        expiresOn: '2020-01-31',
        requiredApprovals: 1,
        requestedBy: 'carol',
      });
      await insertExceptionApproval(tx, { exceptionId: exception.id, approver: 'alice' });
      return exception;
    });
    const result = await gate(project);
    expect(result.code).toBe(1);
    expect(result.check('admin')).toMatchObject({ status: 'fail', exception: { id: expired.id, state: 'expired' } });
    expect(result.check('admin').reason).toMatch(new RegExp(`\\(exception ${expired.id} expired on 2020-01-31\\.\\)$`));
    const list = await ctx.run(['exception', 'list', '--state', 'expired', '--format', 'json'], { cwd: project.dir });
    expect(JSON.parse(list.stdout).exceptions.map((e: { id: string }) => e.id)).toEqual([expired.id]);
    const late = await ctx.run(['exception', 'approve', expired.id], { cwd: project.dir, env: as('bob') });
    expect(late.stderr).toContain(`${expired.id} expired on 2020-01-31 and can no longer be approved.`);
  });

  test('error: a request names one known check or control, a reason, a compensating control and a future expiry', async () => {
    const run = (args: string[]) => ctx.run(['exception', 'request', ...args], { env: as('carol') });
    const fields = ['--reason', 'r', '--compensating', 'c', '--expires', '+10d'];
    expect((await run(fields)).stderr).toContain('An exception is for one gate check or one control');
    expect((await run(['--check', 'pausable', '--control', 'SBD-06', ...fields])).code).toBe(2);
    const unknown = await run(['--check', 'pausible', ...fields]);
    expect(unknown.stderr).toContain('"pausible" is not a gate check.');
    expect((await run(['--control', 'SBD-99', ...fields])).stderr).toContain('SBD-99 is not in the advisory catalogue');
    const past = await run(['--check', 'admin', '--reason', 'r', '--compensating', 'c', '--expires', '2020-01-01']);
    expect(past.stderr).toContain('The expiry 2020-01-01 is in the past.');
    expect((await run(['--check', 'admin', '--reason', 'r'])).stderr).toContain(
      'exception request needs --compensating, --expires.',
    );
    const help = await ctx.run(['exception', '--help']);
    expect(help.stdout.startsWith('Usage: bulwark exception <request|approve|list|show> [options]')).toBe(true);
  });
  // Last: registered identities stay in the suite's store and would bind the tests after it.
  test('error: once identities are registered, only a holder of accept-exceptions approves', async () => {
    const project = await createReleaseProject();
    await prepareRelease(ctx.store, project);
    const request = ['exception', 'request', '--check', 'pausable', '--reason', 'r', '--compensating', 'c'];
    const requested = await ctx.run([...request, '--expires', '+30d'], { cwd: project.dir, env: as('carol') });
    const id = /^Requested (EX-\d+)/.exec(requested.stdout)![1]!;
    for (const [name, role] of [
      ['carol', 'admin'],
      ['alice', 'resolve-findings'],
      ['bob', 'accept-exceptions'],
    ] as const)
      expect((await ctx.run(['identity', 'add', name, '--role', role], { env: as('carol') })).code).toBe(0);
    const withoutRole = await ctx.run(['exception', 'approve', id], { cwd: project.dir, env: as('alice') });
    expect(withoutRole.code).toBe(2);
    expect(withoutRole.stderr).toContain('alice may not do this: it needs the role accept-exceptions.');
    const withRole = await ctx.run(['exception', 'approve', id], { cwd: project.dir, env: as('bob') });
    expect(withRole.stderr).toBe('');
    expect(withRole.stdout).toMatch(new RegExp(`^Approved ${id}; 1 more approval\\(s\\) needed \\(bob\\)\\.`));
  });
});
