import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { artifactsDir } from '@bulwark/contracts';
import { listAuditFindings, listAudits, listLog } from '@bulwark/store';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeCli } from '../testing.ts';

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

describeCli('bulwark audit', (ctx) => {
  let dir: string;
  let head: string;
  const env = { BULWARK_ACTOR: 'alice' };
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  };
  const run = (args: string[], options: { cwd?: string } = {}) =>
    ctx.run(['audit', ...args], { cwd: options.cwd ?? dir, env });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-audit-'));
    write(
      'bulwark.config.yaml',
      `project: { name: Audited }
contracts:
  - name: Vault
    sources: [src/Vault.sol]
  - name: Token
    sources: [src/Token.sol]
    artifact: ${join(artifactsDir, 'DemoToken.json')}
  - name: Lib
    sources: [src/Lib.sol]
`,
    );
    write('src/Vault.sol', 'contract Vault { function withdraw() external {} }\n');
    write('src/Token.sol', 'contract Token {}\n');
    write('src/Lib.sol', 'library Lib {}\n');
    write('reports/acme-2025-01.pdf', '%PDF-1.7 the audit report of Acme\n');
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.email=t@example.org', '-c', 'user.name=t', ...args], {
        cwd: dir,
        encoding: 'utf8',
      }).trim();
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'initial');
    head = git('rev-parse', 'HEAD');
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('default: add an audit from flags: scope hashes, commit, artifact code hash, report hash, findings, log', async () => {
    const added = await run([
      'add',
      '--auditor',
      'Acme Security',
      '--competency',
      'CertiK-certified auditors',
      '--competency',
      'specialised in lending protocols',
      '--track-record',
      '40 public reports since 2019',
      '--date',
      '2025-01-31',
      '--scope',
      'src/Vault.sol',
      '--contracts',
      'Token',
      '--report',
      'reports/acme-2025-01.pdf',
      '--finding',
      'H-01:high:Reentrancy in withdraw',
      '--finding',
      'low:Missing event: Withdrawn',
    ]);
    // Vault is in scope but has no artifact: its code hash cannot be recorded, which is said.
    expect(added.stderr).toBe(
      'warning: No code hash for Vault: No artifact for contract Vault: no Vault.json under out/ or artifacts/.\n',
    );
    expect(added.code).toBe(0);
    expect(added.stdout).toBe(
      [
        'Recorded audit 2025-01-31-acme-security: Acme Security, 2025-01-31.',
        `  scope     2 file(s) at commit ${head.slice(0, 12)}, 1 contract code hash(es)`,
        `  report    reports/acme-2025-01.pdf sha256 ${sha256(readFileSync(join(dir, 'reports/acme-2025-01.pdf')))}`,
        '  findings  2 (2 open)',
        '',
      ].join('\n'),
    );
    const [audit] = await listAudits(ctx.store);
    expect(audit).toMatchObject({
      id: '2025-01-31-acme-security',
      auditor: 'Acme Security',
      auditorProfile: {
        firm: 'Acme Security',
        competency: ['CertiK-certified auditors', 'specialised in lending protocols'],
        trackRecord: ['40 public reports since 2019'],
      },
      commit: head,
      reportPath: 'reports/acme-2025-01.pdf',
      auditDate: '2025-01-31',
    });
    expect(audit.scope.files).toEqual([
      { path: 'src/Vault.sol', hash: sha256(readFileSync(join(dir, 'src/Vault.sol'))) },
      { path: 'src/Token.sol', hash: sha256(readFileSync(join(dir, 'src/Token.sol'))) },
    ]);
    expect(audit.scope.bytecodeHashes).toEqual([expect.stringMatching(/^0x[0-9a-f]{64}$/)]);
    expect(audit.scope).toMatchObject({ contractNames: ['Token', 'Vault'] });
    const findings = await listAuditFindings(ctx.store, { auditId: audit.id });
    expect(findings.map((f) => [f.id, f.severity, f.status, f.title])).toEqual([
      ['2025-01-31-acme-security:F-2', 'low', 'open', 'Missing event: Withdrawn'],
      ['2025-01-31-acme-security:H-01', 'high', 'open', 'Reentrancy in withdraw'],
    ]);
    const [entry] = await listLog<Record<string, unknown>>(ctx.store, { action: 'audit.add' });
    expect(entry).toMatchObject({
      actor: 'alice',
      payload: { auditId: audit.id, report: { path: 'reports/acme-2025-01.pdf' }, commit: head },
    });
  });

  test('behavior: status lists audited, unaudited and changed-after-audit files and open high findings; exit 1', async () => {
    const before = await run(['status']);
    expect(before.code).toBe(1);
    expect(before.stdout).toBe(
      [
        'audited              src/Vault.sol  audit 2025-01-31-acme-security',
        'audited              src/Token.sol  audit 2025-01-31-acme-security',
        'unaudited            src/Lib.sol',
        'Open high or critical findings:',
        '  2025-01-31-acme-security H-01  Reentrancy in withdraw',
        '2 of 3 file(s) audited at their current content; 1 open high or critical finding(s).',
        '',
      ].join('\n'),
    );

    write('src/Vault.sol', 'contract Vault { function withdraw() external { /* changed */ } }\n');
    const after = await run(['status', '--format', 'json']);
    expect(after.code).toBe(1);
    const coverage = JSON.parse(after.stdout);
    expect(coverage).toEqual({
      files: [
        {
          path: 'src/Vault.sol',
          sha256: sha256(readFileSync(join(dir, 'src/Vault.sol'))),
          auditId: '2025-01-31-acme-security',
          status: 'changed-after-audit',
        },
        {
          path: 'src/Token.sol',
          sha256: sha256(readFileSync(join(dir, 'src/Token.sol'))),
          auditId: '2025-01-31-acme-security',
          status: 'audited',
        },
        { path: 'src/Lib.sol', sha256: sha256(readFileSync(join(dir, 'src/Lib.sol'))), status: 'unaudited' },
      ],
      unresolvedHigh: [
        {
          auditId: '2025-01-31-acme-security',
          findingId: '2025-01-31-acme-security:H-01',
          title: 'Reentrancy in withdraw',
        },
      ],
      covered: false,
    });
    const text = await run(['status']);
    expect(text.stdout).toMatch(
      /^changed-after-audit {2}src\/Vault\.sol {2}changed since audit 2025-01-31-acme-security; sha256 now [0-9a-f]{16}…$/m,
    );
  });

  test('behavior: resolve a finding (logged); a wrong id gets a suggestion; accepted risk needs a note', async () => {
    const typo = await run(['resolve', '2025-01-31-acme-security', 'H-1', '--status', 'fixed']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Audit 2025-01-31-acme-security has no finding H-1.');
    expect(typo.stderr).toContain('Did you mean H-01?');

    const noNote = await run(['resolve', '2025-01-31-acme-security', 'F-2', '--status', 'wont-fix']);
    expect(noNote.code).toBe(2);
    expect(noNote.stderr).toContain('A finding marked wont-fix needs a --note');

    const badStatus = await run(['resolve', '2025-01-31-acme-security', 'F-2', '--status', 'fxed']);
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toContain('Fix: did you mean fixed?');

    const wrongAudit = await run(['resolve', '2025-01-31-acme', 'H-01', '--status', 'fixed']);
    expect(wrongAudit.stderr).toContain('No audit with id 2025-01-31-acme.');

    const fixed = await run([
      'resolve',
      '2025-01-31-acme-security',
      'H-01',
      '--status',
      'fixed',
      '--note',
      'fixed in 9f1c2e0',
    ]);
    expect(fixed).toMatchObject({
      code: 0,
      stdout: 'Finding H-01 of audit 2025-01-31-acme-security: open → fixed (fixed in 9f1c2e0).\n',
    });
    const accepted = await run([
      'resolve',
      '2025-01-31-acme-security',
      '2025-01-31-acme-security:F-2',
      '--status',
      'acknowledged',
      '--note',
      'event added later',
      '--format',
      'json',
    ]);
    expect(JSON.parse(accepted.stdout)).toMatchObject({ finding: { status: 'acknowledged' }, previousStatus: 'open' });
    const log = await listLog<Record<string, unknown>>(ctx.store, { action: 'audit.resolve' });
    expect(log.map((e) => e.payload)).toEqual([
      {
        auditId: '2025-01-31-acme-security',
        findingId: '2025-01-31-acme-security:H-01',
        severity: 'high',
        from: 'open',
        to: 'fixed',
        note: 'fixed in 9f1c2e0',
      },
      {
        auditId: '2025-01-31-acme-security',
        findingId: '2025-01-31-acme-security:F-2',
        severity: 'low',
        from: 'open',
        to: 'acknowledged',
        note: 'event added later',
      },
    ]);
    const status = await run(['status', '--format', 'json']);
    expect(JSON.parse(status.stdout).unresolvedHigh).toEqual([]);
  });

  test('behavior: verify re-hashes the report; a tampered or missing report fails with exit 1', async () => {
    const ok = await run(['verify']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ok {7}2025-01-31-acme-security {2}reports\/acme-2025-01\.pdf sha256 [0-9a-f]{64}\n$/);

    const recorded = sha256(readFileSync(join(dir, 'reports/acme-2025-01.pdf')));
    write('reports/acme-2025-01.pdf', '%PDF-1.7 the audit report of Acme, with the critical finding removed\n');
    const tampered = await run(['verify', '2025-01-31-acme-security']);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain(
      `CHANGED  2025-01-31-acme-security  reports/acme-2025-01.pdf: sha256 is ${sha256(readFileSync(join(dir, 'reports/acme-2025-01.pdf')))}, recorded ${recorded}.`,
    );
    expect(tampered.stderr).toBe('error: an audit report does not match its recorded sha256.\n');

    unlinkSync(join(dir, 'reports/acme-2025-01.pdf'));
    const missing = await run(['verify', '--format', 'json']);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({
      ok: false,
      checks: [{ auditId: '2025-01-31-acme-security', result: 'missing', recordedHash: recorded }],
    });
    const log = await listLog<{ ok: boolean }>(ctx.store, { action: 'audit.verify' });
    expect(log.map((e) => e.payload.ok)).toEqual([true, false, false]);

    const unknown = await run(['verify', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No audit with id nope.');
  });

  test('behavior: add from a YAML file, paths relative to it; list shows both audits', async () => {
    write('audits/report-2.md', '# Second audit\n');
    write(
      'audits/second.yaml',
      `auditor:
  firm: Beta Audits
  competency: formal verification
  trackRecord: [Uniswap v4 hooks review, 12 public reports]
date: 2025-03-01
scope:
  files: [../src/Lib.sol]
  contracts: [Vault]
report: report-2.md
findings:
  - { id: M-1, title: Unchecked return value, severity: medium }
  - { title: Gas, severity: informational, status: acknowledged, resolution: by design }
`,
    );
    const added = await run(['add', '--file', 'audits/second.yaml', '--format', 'json']);
    expect(added.code).toBe(0);
    const json = JSON.parse(added.stdout);
    expect(json.audit).toMatchObject({ id: '2025-03-01-beta-audits', reportPath: 'audits/report-2.md' });
    expect(json.audit.scope.files.map((f: { path: string }) => f.path)).toEqual(['src/Lib.sol', 'src/Vault.sol']);
    expect(json.findings.map((f: { id: string; status: string }) => [f.id, f.status])).toEqual([
      ['2025-03-01-beta-audits:M-1', 'open'],
      ['2025-03-01-beta-audits:F-2', 'acknowledged'],
    ]);

    const status = await run(['status']);
    expect(status.stdout).toMatch(/^audited {14}src\/Vault\.sol {2}audit 2025-03-01-beta-audits$/m);
    expect(status.stdout).toMatch(/^audited {14}src\/Lib\.sol {4}audit 2025-03-01-beta-audits$/m);
    expect(status.code).toBe(0);

    const list = await run(['list']);
    expect(list.stdout).toContain('2025-03-01-beta-audits  Beta Audits  2025-03-01  2 file(s)  2 finding(s), 1 open');
    expect(list.stdout).toContain(
      '2025-01-31-acme-security  Acme Security  2025-01-31  2 file(s)  2 finding(s), 0 open',
    );
    // Findings by severity, most severe first.
    expect(list.stdout).toContain(
      [
        '  M-1      medium        open         Unchecked return value',
        '  F-2      informational acknowledged Gas',
        '2025-01-31-acme-security',
      ].join('\n'),
    );
  });

  test('error: bad audit input names the field and the fix; nothing is recorded', async () => {
    const count = (await listAudits(ctx.store)).length;
    const base = ['add', '--auditor', 'Gamma', '--track-record', 'x', '--report', 'audits/report-2.md'];
    const noCompetency = await run([...base, '--scope', 'src/Lib.sol']);
    expect(noCompetency.code).toBe(2);
    expect(noCompetency.stderr).toContain('The audit does not say how the auditor is competent.');
    expect(noCompetency.stderr).toContain('advisory (SBD-02)');

    const full = [...base, '--competency', 'y'];
    const noReport = await run([
      'add',
      '--auditor',
      'G',
      '--competency',
      'y',
      '--track-record',
      'x',
      '--report',
      'nope.pdf',
      '--scope',
      'src/Lib.sol',
    ]);
    expect(noReport.stderr).toContain(`The audit report nope.pdf does not exist (relative to ${dir}).`);
    const unknownContract = await run([...full, '--contracts', 'Valt']);
    expect(unknownContract.stderr).toContain('The scope names contract Valt, which is not in the manifest.');
    expect(unknownContract.stderr).toContain('Fix: did you mean Vault?');
    const noFile = await run([...full, '--scope', 'src/Missing.sol']);
    expect(noFile.stderr).toContain('The scoped file src/Missing.sol does not exist');
    const badFinding = await run([...full, '--scope', 'src/Lib.sol', '--finding', 'hihg:Oops']);
    expect(badFinding.stderr).toContain('--finding #1 "hihg:Oops" is not [ID:]SEVERITY:TITLE.');
    expect(badFinding.stderr).toContain('Did you mean high?');
    const duplicate = await run([...full, '--scope', 'src/Lib.sol', '--id', '2025-03-01-beta-audits']);
    expect(duplicate.stderr).toContain('An audit with id 2025-03-01-beta-audits is already recorded.');

    write(
      'audits/bad.yaml',
      'auditor: { firm: X, competency: y, trackRecord: z }\ndate: 2025-01-01\nreport: report-2.md\nscope: { files: [../src/Lib.sol] }\nfindings:\n  - { title: T, severity: severe }\n',
    );
    const badFile = await run(['add', '--file', 'audits/bad.yaml']);
    expect(badFile.code).toBe(2);
    expect(badFile.stderr).toContain('The audit finding 1 has severity "severe".');
    write('audits/typo.yaml', 'auditor: { firm: X, competence: y }\n');
    expect((await run(['add', '--file', 'audits/typo.yaml'])).stderr).toContain(
      'auditor.competence is not a known key.',
    );
    const mixed = await run(['add', '--file', 'audits/bad.yaml', '--auditor', 'X']);
    expect(mixed.stderr).toContain('--file cannot be combined with --auditor.');
    expect((await listAudits(ctx.store)).length).toBe(count);
    expect((await run(['frobnicate'])).stderr).toContain("'frobnicate' is not an audit subcommand.");
  });
});
