import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  acceptScanFinding,
  insertAudit,
  listControlEvidence,
  listLog,
  listScanFindings,
  updateAuditFinding,
  withTransaction,
} from '@bulwark/store';
import { expect, test } from 'vitest';
import { createReleaseProject, prepareRelease, type ReleaseProject } from '../../../governance/src/gate/testing.ts';
import { describeCli } from '../testing.ts';

type Check = { id: string; status: string; reason: string };
type GateJson = { decision: string; releaseDigest: string; checks: Check[]; attestation?: { file: string } };

const passingReport = 'reports/junit-pass.xml';

describeCli('bulwark gate', (ctx) => {
  const gate = async (project: ReleaseProject, args: string[] = []) => {
    const result = await ctx.run(['gate', '--format', 'json', ...args], { cwd: project.dir });
    if (result.code === 2) throw new Error(result.stderr);
    const json = JSON.parse(result.stdout) as GateJson;
    const check = (id: string) => json.checks.find((c) => c.id === id)!;
    return { ...result, json, check };
  };

  test('default: a ready release passes every check, is logged and evidenced, and can be attested', async () => {
    const project = await createReleaseProject();
    const digest = await prepareRelease(ctx.store, project);
    const result = await gate(project, [
      '--test-report',
      passingReport,
      '--attestation',
      'out/gate.json',
      '--sign-key',
      project.keyFile('gate'),
    ]);
    expect(result.json.checks.map((c) => [c.id, c.status])).toEqual([
      ['state', 'pass'],
      ['scan', 'pass'],
      ['audit', 'pass'],
      ['audit-report', 'pass'],
      ['tests', 'pass'],
      ['approvals', 'pass'],
      ['dependencies', 'pass'],
      ['documentation', 'pass'],
      ['pausable', 'pass'],
      ['admin', 'pass'],
      ['artifacts', 'pass'],
    ]);
    expect(result.code).toBe(0);
    expect(result.json.decision).toBe('pass');
    expect(result.json.releaseDigest).toBe(digest);
    expect(result.check('approvals').reason).toBe('2 of 2 required approvals: alice, bob.');
    expect(result.check('tests').reason).toBe('3 test(s) passed (reports/junit-pass.xml, junit).');
    expect(result.check('pausable').reason).toBe(
      '1 contract(s) hold value and all can be paused; the code (the gate’s scan) does not contradict the manifest.',
    );

    const log = await listLog<{ releaseDigest: string; decision: string }>(ctx.store, { action: 'gate.decision' });
    expect(log.find((e) => e.payload.releaseDigest === digest)?.payload.decision).toBe('pass');
    const attested = await listLog<{ releaseDigest: string; keyId: string }>(ctx.store, { action: 'gate.attest' });
    expect(attested.find((e) => e.payload.releaseDigest === digest)?.payload.keyId).toBe(project.keys.gate.keyId);
    const ref = `release:${digest}:production`;
    for (const [controlId, kind] of [
      ['GOV-05', 'gate'],
      ['GOV-02', 'gate'],
      ['GOV-04', 'gate.dependencies'],
      ['SBD-02', 'gate.audit'],
      ['SBD-04', 'gate.documentation'],
      ['SBD-06', 'gate.pausable'],
      ['SBD-07', 'gate.scan'],
      ['SBD-08', 'gate.admin'],
    ]) {
      const evidence = await listControlEvidence(ctx.store, { controlId });
      expect(evidence.find((e) => e.kind === kind && e.ref === ref)?.status, `${controlId} ${kind}`).toBe('pass');
    }

    const verified = await ctx.run(
      ['verify', 'out/gate.json', '--key', project.keys.gate.keyId.slice('ed25519:'.length)],
      {
        cwd: project.dir,
      },
    );
    expect(verified.stdout).toContain('Verified: out/gate.json.');
    expect(verified.code).toBe(0);
    // The statement names the log head and state the gate decided on, and verify shows them.
    const envelope = JSON.parse(readFileSync(path.join(project.dir, 'out/gate.json'), 'utf8'));
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    expect(statement.predicate.log).toEqual({
      head: { seq: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      stateDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const { head, stateDigest } = statement.predicate.log;
    expect(verified.stdout).toContain(`governance log head ${head.seq}:${head.hash} and state digest ${stateDigest}`);
  });

  test('error: the gate refuses to decide when a governance row was changed outside Bulwark', async () => {
    const project = await createReleaseProject();
    await prepareRelease(ctx.store, project);
    const { findings } = await withTransaction(ctx.store, (tx) =>
      insertAudit(tx, {
        auditor: 'Third Opinion',
        auditDate: '2025-03-01',
        scope: { files: [] },
        findings: [{ severity: 'high', title: 'Anyone can drain' }],
      }),
    );
    const id = findings[0]!.id;
    // What an insider with database access would do: mark the high finding fixed by hand.
    await ctx.store.db.updateTable('audit_findings').set({ status: 'fixed' }).where('id', '=', id).execute();
    try {
      const result = await ctx.run(['gate', '--test-report', passingReport], { cwd: project.dir });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(
        'The gate refuses to decide: the governance state does not verify against the log.',
      );
      expect(result.stderr).toMatch(
        new RegExp(
          `audit_findings ${id} was edited outside Bulwark: it no longer matches what entry \\d+ \\(store\\.write`,
        ),
      );
    } finally {
      await withTransaction(ctx.store, (tx) =>
        updateAuditFinding(tx, { id, status: 'fixed', resolution: 'fixed in test' }),
      );
    }
    expect((await ctx.run(['gate', '--test-report', passingReport], { cwd: project.dir })).code).toBe(0);
  });

  test('behavior: the text output is a table with the decision', async () => {
    const project = await createReleaseProject();
    await prepareRelease(ctx.store, project);
    const result = await ctx.run(['gate', '--test-report', passingReport], { cwd: project.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Release gate: production, release [0-9a-f]{64}\n\nCHECK {10}STATUS {2}REASON\nstate/,
    );
    expect(result.stdout).toContain('approvals      PASS    2 of 2 required approvals: alice, bob.');
    expect(result.stdout).toContain('Decision: PASS. The release may go out.');
  });

  test('error: a finding at or above the threshold fails, until it is accepted with a reason', async () => {
    const project = await createReleaseProject();
    await prepareRelease(ctx.store, project);
    // The Vault's admin is an immutable address: the design detector reports it (medium).
    const first = await gate(project, ['--test-report', passingReport, '--threshold', 'medium']);
    expect(first.code).toBe(1);
    expect(first.check('scan')).toMatchObject({ status: 'fail' });
    expect(first.check('scan').reason).toMatch(
      /^1 unaccepted finding\(s\) at or above medium: single-eoa-owner at src\/Vault.sol:\d+. Fix them, or accept each with a reason.$/,
    );
    const [finding] = await listScanFindings(ctx.store, { status: 'open' }).then((all) =>
      all.filter((f) => f.detector === 'single-eoa-owner'),
    );
    // Recorded with the statement's last line, for the excerpt the API shows.
    expect(finding!.data.endLine).toBeGreaterThanOrEqual(finding!.line);
    // In a transaction, as the store's writers are meant to be called: its rows are bound to the log.
    await withTransaction(ctx.store, (tx) =>
      acceptScanFinding(tx, {
        scanRunId: finding!.scanRunId,
        fingerprint: finding!.fingerprint,
        reason: 'the admin is the multisig, set at deployment',
      }),
    );
    const second = await gate(project, ['--test-report', passingReport, '--threshold', 'medium']);
    expect(second.check('scan').status).toBe('pass');
    expect(second.check('scan').reason).toMatch(/\(1 accepted or suppressed with a reason\)/);
    expect(second.code).toBe(0);
  });

  test('error: a high finding in changed code fails the scan, and the changed code is no longer audited', async () => {
    const project = await createReleaseProject();
    await prepareRelease(ctx.store, project);
    project.write(
      'src/Vault.sol',
      project.read('src/Vault.sol').replace(
        /function withdraw\(uint256 amount\)[\s\S]*?\n {4}}\n/,
        `function withdrawAll() external whenNotPaused {
        uint256 amount = balances[msg.sender];
        (bool ok, ) = payable(msg.sender).call{value: amount}("");
        if (!ok) revert TransferFailed();
        balances[msg.sender] = 0;
    }
`,
      ),
    );
    const result = await gate(project, ['--test-report', passingReport]);
    expect(result.code).toBe(1);
    expect(result.check('scan').status).toBe('fail');
    expect(result.check('scan').reason).toMatch(
      /^1 unaccepted finding\(s\) at or above high: reentrancy-eth at src\/Vault.sol:\d+\./,
    );
    expect(result.check('audit')).toMatchObject({ status: 'fail' });
    expect(result.check('audit').reason).toMatch(/^changed after their audit: src\/Vault.sol\. /);
    // The approvals were for the code before the change.
    expect(result.check('approvals').status).toBe('fail');
  });

  test('error: an open high finding of an audit fails the audit check', async () => {
    const project = await createReleaseProject();
    await prepareRelease(ctx.store, project);
    const { findings } = await insertAudit(ctx.store, {
      auditor: 'Second Opinion',
      auditDate: '2025-02-01',
      scope: { files: [] },
      findings: [{ severity: 'high', title: 'Withdrawals can be front-run' }],
    });
    try {
      const result = await gate(project, ['--test-report', passingReport]);
      expect(result.code).toBe(1);
      expect(result.check('audit').status).toBe('fail');
      expect(result.check('audit').reason).toContain('open high finding(s): "Withdrawals can be front-run"');
    } finally {
      // The suite's store is shared: leave no open high finding behind.
      await withTransaction(ctx.store, (tx) =>
        updateAuditFinding(tx, { id: findings[0]!.id, status: 'fixed', resolution: 'fixed in test' }),
      );
    }
  });

  test('error: no test report, or a failing one', async () => {
    const project = await createReleaseProject();
    await prepareRelease(ctx.store, project);
    const none = await gate(project);
    expect(none.code).toBe(1);
    expect(none.check('tests')).toMatchObject({
      status: 'fail',
      reason: 'No test report attached: run the tests and pass --test-report FILE.',
    });
    const failing = await gate(project, ['--test-report', 'reports/junit-fail.xml']);
    expect(failing.check('tests')).toMatchObject({
      status: 'fail',
      reason: '1 of 3 test(s) failed in reports/junit-fail.xml: test/Vault.test.ts › Vault > pause stops withdrawals.',
    });
    const unreadable = await ctx.run(['gate', '--test-report', 'reports/missing.xml'], { cwd: project.dir });
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toContain('Cannot read the test report reports/missing.xml');
  });

  test('error: too few approvals; the author’s approval does not count', async () => {
    const project = await createReleaseProject();
    await prepareRelease(ctx.store, project, { approvers: ['alice'] });
    const one = await gate(project, ['--test-report', passingReport]);
    expect(one.code).toBe(1);
    expect(one.check('approvals').status).toBe('fail');
    expect(one.check('approvals').reason).toMatch(
      /^1 of 2 required approvals of release [0-9a-f]{12}… for production \(alice\)\./,
    );
    // carol approved before she became the author: her approval is stored but does not count.
    const other = await createReleaseProject();
    other.editManifest((m) => {
      (m.gate as Record<string, unknown>).author = undefined;
    });
    await prepareRelease(ctx.store, other, { approvers: ['alice', 'carol'] });
    const withAuthor = await gate(other, ['--test-report', passingReport, '--author', 'carol']);
    expect(withAuthor.check('approvals').status).toBe('fail');
    expect(withAuthor.check('approvals').reason).toContain(
      'Not counted: carol: carol is the release author; an author cannot approve.',
    );
    const withoutAuthor = await gate(other, ['--test-report', passingReport]);
    expect(withoutAuthor.check('approvals').status).toBe('pass');
  });

  test('error: a dependency changed after its review fails the dependencies check', async () => {
    const project = await createReleaseProject();
    await prepareRelease(ctx.store, project, { approvers: [] });
    // After the review, the lockfile pins other bytes for the same version, and lib/ is edited.
    project.write(
      'package-lock.json',
      project.read('package-lock.json').replace(/"integrity": "sha512-[^"]+"/, '"integrity": "sha512-tampered"'),
    );
    project.write(
      'lib/safe-math/src/SafeMathLite.sol',
      `${project.read('lib/safe-math/src/SafeMathLite.sol')}// edited\n`,
    );
    // Approved as it is now, so that only the dependencies check fails.
    await prepareRelease(ctx.store, project, { reviewDependencies: false, audit: false });
    const result = await gate(project, ['--test-report', passingReport]);
    expect(result.code).toBe(1);
    expect(result.json.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['dependencies']);
    expect(result.check('dependencies').reason).toBe(
      '2 of 2 dependencies not reviewed at their exact version and integrity: ' +
        'foundry:safe-math@unversioned (changed: other integrity than reviewed), ' +
        'npm:left-pad@1.3.0 (changed: other integrity than reviewed). Review them with `bulwark deps review`.',
    );
  });

  test('error: incomplete documentation, a value-holding contract that cannot pause, an EOA admin', async () => {
    const project = await createReleaseProject();
    project.editManifest((m) => {
      const vault = (m.contracts as Record<string, unknown>[])[0]!;
      (vault.documentation as Record<string, unknown>).knownIssues = undefined;
      vault.pausable = false;
      vault.admin = { kind: 'eoa', address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' };
    });
    await prepareRelease(ctx.store, project);
    const result = await gate(project, ['--test-report', passingReport]);
    expect(result.code).toBe(1);
    expect(result.check('documentation')).toMatchObject({ status: 'fail' });
    expect(result.check('documentation').reason).toMatch(/^Vault lacks knownIssues\. Complete it in the manifest/);
    expect(result.check('pausable')).toMatchObject({
      status: 'fail',
      reason:
        'Vault hold(s) value but cannot be paused. Add a circuit breaker (e.g. GuardianPausable) and set pausable in the manifest, or request an exception (`bulwark exception request --check pausable`).',
    });
    expect(result.check('admin')).toMatchObject({
      status: 'fail',
      reason:
        'Admin powers rest with one key: Vault (a single EOA 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266). Move them behind a multisig (2 or more signers) or a timelock.',
    });
    expect(result.stderr).toBe('');
  });

  test('behavior: --scan-results uses a scan made elsewhere, and pins its hash in the attestation', async () => {
    const project = await createReleaseProject();
    await prepareRelease(ctx.store, project);
    const scanned = await ctx.run(
      ['scan', 'src/Vault.sol', 'src/Pausable.sol', '--format', 'json', '--output', 'scan.json'],
      {
        cwd: project.dir,
      },
    );
    expect(scanned.code).toBe(0);
    const result = await gate(project, [
      '--test-report',
      passingReport,
      '--scan-results',
      'scan.json',
      '--attestation',
      'gate.json',
      '--sign-key',
      project.keyFile('gate'),
    ]);
    expect(result.check('scan').status).toBe('pass');
    const envelope = JSON.parse(project.read('gate.json'));
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    expect(statement.predicate.scan).toMatchObject({ source: 'file', file: 'scan.json', threshold: 'high' });
    expect(statement.predicate.scan.sha256).toMatch(/^[0-9a-f]{64}$/);
    const bad = await ctx.run(['gate', '--scan-results', 'package-lock.json'], { cwd: project.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('The scan results package-lock.json are not a bulwark JSON result');
  });

  test('error: usage mistakes exit 2 with the fix', async () => {
    const project = await createReleaseProject();
    const cases: [string[], string][] = [
      [['--attestation', 'a.json'], '--attestation needs a key to sign it'],
      [['--sign-key', 'k'], '--sign-key signs the attestation: pass --attestation FILE'],
      [['--threshold', 'critical'], '--threshold critical is not an impact'],
      [['--target', 'prod:1'], '--target prod:1 is not a target name'],
      [['--attestation', 'a.json', '--sign-key', 'missing.key'], 'Cannot read the key file missing.key'],
    ];
    for (const [args, message] of cases) {
      const result = await ctx.run(['gate', ...args], { cwd: project.dir });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
    }
    const help = await ctx.run(['gate', '--help']);
    expect(help.stdout).toContain('Usage: bulwark gate');
  });
  // Last: the shared store keeps this audit, whose report is relative to this project only.
  test('error: an audit report changed since it was recorded fails the audit-report check', async () => {
    const project = await createReleaseProject();
    await prepareRelease(ctx.store, project);
    writeFileSync(path.join(project.dir, 'audit-report.pdf'), '%PDF delivered by the auditor');
    const added = await ctx.run(
      [
        'audit',
        'add',
        '--auditor',
        'Report Firm',
        '--competency',
        'Solidity audits since 2018',
        '--track-record',
        '40 audits',
        '--report',
        'audit-report.pdf',
        '--scope',
        'src/Vault.sol',
        '--date',
        '2025-04-01',
      ],
      { cwd: project.dir },
    );
    expect(added.stderr).toBe('');
    expect((await gate(project, ['--test-report', passingReport])).check('audit-report')).toMatchObject({
      status: 'pass',
      reason: expect.stringMatching(/audit report\(s\) match their recorded sha256/),
    });
    writeFileSync(path.join(project.dir, 'audit-report.pdf'), '%PDF with the high finding removed');
    const result = await gate(project, ['--test-report', passingReport]);
    expect(result.code).toBe(1);
    expect(result.check('audit-report')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(
        /^1 audit report\(s\) differ from what was recorded: audit-report\.pdf \(audit \S+\) has sha256 [0-9a-f]{12}…, recorded [0-9a-f]{12}…\./,
      ),
    });
  });
});
