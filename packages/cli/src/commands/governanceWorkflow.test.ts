import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { controls } from '@bulwark/core';
import { pdfText } from '@bulwark/governance';
import { expect, test } from 'vitest';
import { describeCli } from '../testing.ts';

/**
 * The whole governance workflow on a real third-party project, Uniswap v2 core from npm, as a
 * security lead preparing for a regulator would run it: docs, audit, approvals, gate (whose
 * pausable claim the code contradicts, then an exception), attestation and verify, evidence, the
 * period's sign-off, and the PDF report, whose printed text names every control.
 */
const uniswap = path.dirname(createRequire(import.meta.url).resolve('@uniswap/v2-core/package.json'));
const chromium = process.env.BULWARK_CHROMIUM ?? '/usr/bin/chromium';

describeCli('governance workflow on Uniswap v2 core', (ctx) => {
  test('default: docs, audit, approvals, gate, exception, verify, evidence, sign-off and report', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-uniswap-'));
    cpSync(path.join(uniswap, 'contracts'), path.join(dir, 'contracts'), { recursive: true });
    mkdirSync(path.join(dir, 'build'));
    cpSync(path.join(uniswap, 'build/UniswapV2Pair.json'), path.join(dir, 'build/UniswapV2Pair.json'));
    const write = (file: string, content: string) => {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), content);
    };
    const run = async (args: string[], actor = 'dana') => {
      const result = await ctx.run(args, { cwd: dir, env: { BULWARK_ACTOR: actor } });
      if (result.code === 2) throw new Error(`bulwark ${args.join(' ')}: ${result.stderr}`);
      return result;
    };
    const keys: Record<string, string> = {};
    for (const name of ['alice', 'bob', 'gate']) {
      const created = await run(['approve', 'keygen', '--out', `${name}.key`, '--format', 'json']);
      keys[name] = JSON.parse(created.stdout).publicKey;
    }
    write('audits/report.md', '# Audit of Uniswap V2 core\nNo high findings.\n');
    write(
      'reports/junit.xml',
      readFileSync(
        new URL('../../../governance/src/gate/fixtures/release/reports/junit-pass.xml', import.meta.url),
        'utf8',
      ),
    );
    write('policies/security-policy.md', '# Security policy\nRevised for DLT risks: keys, bridges, oracles.\n');
    const doc = (text: string) => `{ text: "${text}" }`;
    write(
      'bulwark.config.yaml',
      `version: 1
project:
  name: Uniswap V2 core
  securityContact: security@example.org
  disclosurePolicy: ${doc('Report vulnerabilities privately to security@example.org.')}
contacts:
  - { name: Security, role: first contact, email: security@example.org }
contracts:
  - name: UniswapV2Pair
    description: Constant-product AMM pair.
    sources: [contracts/UniswapV2Pair.sol]
    artifact: build/UniswapV2Pair.json
    holdsValue: true
    pausable: true
    admin: { kind: none }
    documentation:
      specification: ${doc('The Uniswap V2 whitepaper.')}
      behaviour: ${doc('NatSpec and the whitepaper.')}
      accessControl: ${doc('No admin; the factory initialises each pair once.')}
      upgradeability: { kind: immutable }
      externalDependencies: []
      procedures:
        recourse: ${doc('None: the pair is immutable.')}
        openSourceUse: ${doc('No third-party code.')}
      knownIssues: []
      history:
        testReports: [${doc('CI on every change.')}]
      contacts: [Security]
    deployments:
      - { network: mainnet, chainId: 1, status: planned }
gate:
  requiredApprovals: 2
  exceptionApprovals: 1
  approvers:
    - { name: alice, algorithm: ed25519, publicKey: "${keys.alice}" }
    - { name: bob, algorithm: ed25519, publicKey: "${keys.bob}" }
`,
    );

    const docs = await run(['docs', 'check']);
    expect(docs.code, docs.stdout).toBe(0);
    const scope = ['UniswapV2Pair.sol', 'UniswapV2ERC20.sol', 'libraries/Math.sol', 'libraries/SafeMath.sol']
      .concat(['libraries/UQ112x112.sol', 'interfaces/IERC20.sol', 'interfaces/IUniswapV2Callee.sol'])
      .concat(['interfaces/IUniswapV2ERC20.sol', 'interfaces/IUniswapV2Factory.sol', 'interfaces/IUniswapV2Pair.sol'])
      .flatMap((file) => ['--scope', `contracts/${file}`]);
    const audit = await run([
      'audit',
      'add',
      '--auditor',
      'Example Audits',
      '--competency',
      'EVM specialists, 30 AMM audits',
      '--track-record',
      'public reports since 2018',
      '--date',
      '2020-03-01',
      '--report',
      'audits/report.md',
      ...scope,
    ]);
    expect(audit.code).toBe(0);
    for (const name of ['alice', 'bob'])
      expect((await run(['approve', '--key', `${name}.key`, '--approver', name], name)).code).toBe(0);

    const gate = async (extra: string[] = []) => {
      const result = await run(['gate', '--format', 'json', '--test-report', 'reports/junit.xml', ...extra]);
      const json = JSON.parse(result.stdout) as {
        decision: string;
        checks: { id: string; status: string; reason: string }[];
      };
      return { code: result.code, check: (id: string) => json.checks.find((c) => c.id === id)!, json };
    };
    // The manifest claims pausable; the scanner finds no circuit breaker in the pair: both facts are shown.
    const refused = await gate();
    expect(refused.code).toBe(1);
    expect(refused.json.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['pausable']);
    expect(refused.check('pausable').reason).toMatch(
      /^UniswapV2Pair is declared pausable, but the code holds value and has no circuit breaker \(missing-circuit-breaker at contracts\/UniswapV2Pair\.sol:11\): UniswapV2Pair holds value/,
    );
    // The npm build's solc metadata matches the sources in the package.
    expect(refused.check('artifacts')).toMatchObject({ status: 'pass' });

    await run([
      'exception',
      'request',
      '--check',
      'pausable',
      '--reason',
      'The pair is immutable by design',
      '--compensating',
      'bulwark monitor alerts on abnormal outflows',
      '--expires',
      '+90d',
    ]);
    await run(['exception', 'approve', 'EX-1'], 'alice');
    const passed = await gate(['--attestation', 'out/gate.json', '--sign-key', 'gate.key']);
    expect(passed.code).toBe(0);
    expect(passed.check('pausable')).toMatchObject({ status: 'warn' });
    expect(passed.check('pausable').reason).toMatch(/^Accepted by exception EX-1 until /);
    const verified = await run(['verify', 'out/gate.json', '--key', keys.gate!]);
    expect(verified.stdout).toContain('Verified: out/gate.json.');

    await run(
      ['evidence', 'add', '--control', 'GOV-03', '--file', 'policies/security-policy.md'].concat([
        '--owner',
        'ciso',
        '--expires',
        '+365d',
        '--kind',
        'policy',
      ]),
    );
    const today = new Date().toISOString().slice(0, 10);
    const period = ['--from', '2020-01-01', '--to', today];
    expect((await run(['report', 'sign', ...period, '--key', 'alice.key', '--signer', 'alice'], 'alice')).code).toBe(0);

    const json = JSON.parse((await run(['report', '--format', 'json', ...period])).stdout);
    const control = (id: string) => json.controls.find((c: { id: string }) => c.id === id);
    expect(control('GOV-03')).toMatchObject({
      status: 'met',
      evidence: [expect.objectContaining({ kind: 'evidence.policy' })],
    });
    expect(control('SBD-06').reasons.join('\n')).toContain('Accepted by exception EX-1');
    expect(control('SBD-06').reference).toEqual({
      section: '2. Security-by-design',
      page: '17',
      basis: 'page-text',
      provenance: 'V (p17, truncated) + I',
    });
    expect(json.signOffs).toMatchObject([{ signer: 'alice', valid: true, registered: true }]);
    expect(json.audits).toMatchObject([
      {
        auditor: 'Example Audits',
        competency: ['EVM specialists, 30 AMM audits'],
        report: { path: 'audits/report.md' },
      },
    ]);
    expect(json.audits[0].report.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(json.period).toEqual({ from: '2020-01-01', to: today });
    expect(json.integrity.logHead.seq).toBeGreaterThan(0);

    // The PDF needs Chromium (CI installs it; BULWARK_REQUIRE_CHROMIUM=1 makes its absence a failure).
    if (!existsSync(chromium) && process.env.BULWARK_REQUIRE_CHROMIUM !== '1') return;
    const pdf = await ctx.run(['report', '--out', 'report.pdf', ...period, '--chromium', chromium], { cwd: dir });
    expect(pdf.code).toBe(0);
    const printed = pdfText(readFileSync(path.join(dir, 'report.pdf'))).join(' ');
    for (const c of controls) expect(printed, c.id).toContain(c.id);
    // Lines wrap anywhere in print: compare without spaces.
    expect(printed.replace(/\s+/g, '')).toContain(`fortheperiod2020-01-01to${today}`);
    expect(printed).toContain('Accepted by exception EX-1');
    expect(printed).toContain('Example Audits');
    expect(printed).not.toMatch(/breaks off|text at hand|our reading/i);
  }, 300_000);
});
