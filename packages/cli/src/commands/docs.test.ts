import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { insertControlEvidence, listContracts, listDeployments, listLog, withTransaction } from '@bulwark/store';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeCli } from '../testing.ts';

const evil = '<script>alert("x")</script>';

const complete = `project:
  name: Demo ${evil}
  description: "Fish & chips <b>bold</b>"
  securityContact: security@example.org
  disclosurePolicy: "https://example.org/disclosure?a=1&b=2"
contacts:
  - name: Alice
    role: "lead \\"><img src=x onerror=alert(1)>"
    email: alice@example.org
contracts:
  - name: Vault
    description: "Holds <ether> & tokens"
    sources: [src/Vault.sol]
    holdsValue: true
    pausable: { breaker: GuardianPausable }
    admin: { kind: multisig, address: "0x1111111111111111111111111111111111111111", threshold: 2, signers: ["0x2222222222222222222222222222222222222222", "0x3333333333333333333333333333333333333333"] }
    documentation:
      specification: docs/spec.md
      behaviour: { text: 'NatSpec ${evil}' }
      accessControl: { path: "javascript:alert(1)", text: roles }
      upgradeability: { kind: immutable }
      externalDependencies:
        - { name: "Oracle <x>", kind: oracle, failureMode: "stale price" }
      procedures:
        recourse: "javascript:alert(2)//x"
        openSourceUse: { url: "https://example.org/oss" }
      knownIssues:
        - { id: K-1, title: 'Reentrancy ${evil}', kind: vulnerability, severity: high, status: mitigated }
      history:
        testReports: [docs/tests.txt]
      contacts: [Alice]
    deployments:
      - { network: mainnet, chainId: 1, address: "0x4444444444444444444444444444444444444444", status: deployed }
`;

describeCli('bulwark docs', (ctx) => {
  let dir: string;
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  };
  const env = { BULWARK_ACTOR: 'docs-bot' };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-docs-cli-'));
    write('bulwark.config.yaml', complete);
    write('src/Vault.sol', 'contract Vault {}\n');
    write('docs/spec.md', '# Spec\n');
    write('docs/tests.txt', 'all green\n');
    write('javascript:alert(1)', 'not a script\n');
    write('javascript:alert(2)//x', '');
    // The documents are newer than the source they document.
    const old = new Date('2024-01-01T00:00:00Z');
    utimesSync(join(dir, 'src/Vault.sol'), old, old);
    write('reports/r.pdf', 'report');
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('default: docs check on complete documentation exits 0', async () => {
    const result = await ctx.run(['docs', 'check'], { cwd: dir });
    expect(result).toEqual({
      code: 0,
      stdout: 'Vault     complete\nDocumentation complete for 1 contract(s).\n',
      stderr: '',
    });
    const json = await ctx.run(['docs', 'check', '--format', 'json'], { cwd: dir });
    expect(JSON.parse(json.stdout)).toMatchObject({
      manifest: { path: join(dir, 'bulwark.config.yaml'), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      contracts: [{ name: 'Vault', missing: [], stale: [], complete: true }],
      complete: true,
    });
  });

  test('behavior: docs check lists missing and stale items; exit 1', async () => {
    write(
      'partial.yaml',
      `project: { name: P }
contracts:
  - name: Token
    sources: [src/Vault.sol]
    holdsValue: false
    documentation:
      specification: docs/gone.md
      nextReview: 2020-01-01
    deployments:
      - { chainId: 10, status: deployed }
`,
    );
    const result = await ctx.run(['docs', 'check', '--manifest', 'partial.yaml'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      [
        'Token     12 missing, 3 stale',
        '  missing  procedures.disclosurePolicy  responsible disclosure policy [advisory]',
        '  missing  procedures.recourse          recourse in case of failure [advisory]',
        '  missing  procedures.openSourceUse     use of open-source code [advisory]',
        '  missing  knownIssues                  known issues (known vulnerabilities, potential attacks; [] if none) [advisory]',
        '  missing  history.testReports          history: test reports [advisory]',
        '  missing  contacts                     contacts (parties to engage for issues) [advisory]',
        '  missing  behaviour                    intended behaviour (NatSpec or logic specification) [ethtrust]',
        '  missing  accessControl                access control: roles and admin powers [ethtrust]',
        '  missing  upgradeability               upgradeability [ethtrust]',
        '  missing  externalDependencies         external dependencies and oracles ([] if none) [ethtrust]',
        '  missing  admin                        admin (kind and address) [design]',
        '  missing  pausable                     pausable / circuit breaker [design]',
        '  stale    specification: docs/gone.md does not exist',
        '  stale    documentation: its review was due on 2020-01-01',
        '  stale    deployments[chain 10]: status deployed without an address (add the address)',
        '1 of 1 contract(s) incomplete. See docs/governance/docs.md for each item.',
        '',
      ].join('\n'),
    );
    // holdsValue: false is declared, so it is not missing.
    expect(result.stdout).not.toContain('missing  holdsValue');
  });

  test('behavior: docs sync records contracts and deployments once, logged; unchanged runs log nothing', async () => {
    const first = await ctx.run(['docs', 'sync'], { cwd: dir, env });
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(
      [
        '  contract    Vault                    added',
        '  deployment  Vault chain 1            0x4444444444444444444444444444444444444444 added',
        'Recorded in the store (log entry 1).',
        '',
      ].join('\n'),
    );
    const [contract] = await listContracts(ctx.store);
    expect(contract).toMatchObject({
      name: 'Vault',
      repoPath: 'src/Vault.sol',
      documentation: { project: `Demo ${evil}`, holdsValue: true, admin: { kind: 'multisig', threshold: 2 } },
    });
    expect(await listDeployments(ctx.store)).toMatchObject([
      {
        contractName: 'Vault',
        network: '1',
        address: '0x4444444444444444444444444444444444444444',
        status: 'deployed',
        bytecodeHash: '',
      },
    ]);
    const again = await ctx.run(['docs', 'sync', '--format', 'json'], { cwd: dir, env });
    expect(JSON.parse(again.stdout)).toMatchObject({
      contracts: [{ name: 'Vault', change: 'unchanged' }],
      logSeq: null,
    });
    const log = await listLog<Record<string, unknown>>(ctx.store, { action: 'manifest.sync' });
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      actor: 'docs-bot',
      payload: { project: `Demo ${evil}`, contracts: [{ name: 'Vault', change: 'added' }] },
    });
  });

  test('behavior: docs build writes a self-contained site with every user string escaped, audits from the store', async () => {
    const added = await ctx.run(
      [
        'audit',
        'add',
        '--auditor',
        '<b>Evil & Co</b>',
        '--competency',
        'a "quoted" <i>claim</i>',
        '--track-record',
        'none',
        '--scope',
        'src/Vault.sol',
        '--report',
        'reports/r.pdf',
        '--date',
        '2025-02-02',
        '--finding',
        `H-1:high:${evil}`,
      ],
      { cwd: dir, env },
    );
    expect(added.code).toBe(0);
    const result = await ctx.run(['docs', 'build', '--out', 'site'], { cwd: dir });
    expect(result).toEqual({ code: 0, stdout: 'Wrote 2 pages to site (open site/index.html).\n', stderr: '' });
    const index = readFileSync(join(dir, 'site/index.html'), 'utf8');
    const page = readFileSync(join(dir, 'site/contracts/Vault.html'), 'utf8');
    for (const html of [index, page]) {
      expect(html).toContain(
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">',
      );
      // The only markup is ours: no script, no injected element or attribute, no external resource.
      expect(html).not.toMatch(/<script|<img|<b>|<i>/i);
      // No event-handler attribute in any tag (the escaped text may still read "onerror=").
      expect(html).not.toMatch(/<[^>]*\son\w+=/i);
      expect(html).not.toMatch(/href="javascript:/i);
      expect(html).not.toMatch(/src="http/i);
    }
    expect(index).toContain('<title>Demo &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</title>');
    expect(index).toContain('Fish &amp; chips &lt;b&gt;bold&lt;/b&gt;');
    expect(index).toContain('<a href="https://example.org/disclosure?a=1&amp;b=2" rel="noopener noreferrer">');
    expect(index).toContain('<a href="contracts/Vault.html">Vault</a>');
    expect(index).toContain('&lt;b&gt;Evil &amp; Co&lt;/b&gt; (2025-02-02)');
    expect(index).toContain('<span class="ok">complete</span>');

    expect(page).toContain('<h1>Vault</h1>');
    expect(page).toContain('Holds &lt;ether&gt; &amp; tokens');
    expect(page).toContain('<td>lead &quot;&gt;&lt;img src=x onerror=alert(1)&gt;</td>');
    // A document path that looks like a scheme is linked as a relative file.
    expect(page).toContain('<a href="../../javascript%3Aalert(1)"><code>javascript:alert(1)</code></a>');
    expect(page).toContain('<a href="../../docs/spec.md"><code>docs/spec.md</code></a>');
    expect(page).toContain('Reentrancy &lt;script&gt;');
    expect(page).toContain('Oracle &lt;x&gt;');
    expect(page).toContain('<code>0x4444444444444444444444444444444444444444</code>');
    expect(page).toContain('<h3>&lt;b&gt;Evil &amp; Co&lt;/b&gt;, 2025-02-02');
    expect(page).toContain('a &quot;quoted&quot; &lt;i&gt;claim&lt;/i&gt;');
    expect(page).toMatch(
      /<td>H-1<\/td><td>&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;<\/td><td>high<\/td><td class="bad">open<\/td>/,
    );
    expect(page).toContain('multisig <code>0x1111111111111111111111111111111111111111</code> (2 of 2)');

    const offline = await ctx.run(['docs', 'build', '--out', 'site2', '--no-store'], { cwd: dir });
    expect(offline.code).toBe(0);
    expect(readFileSync(join(dir, 'site2/contracts/Vault.html'), 'utf8')).toContain('No audit recorded.');
  });

  test('behavior: a disclosure policy given as a file is linked from the index page to that file', async () => {
    write('SECURITY.md', '# Disclosure\n');
    write(
      'local.yaml',
      complete.replace('disclosurePolicy: "https://example.org/disclosure?a=1&b=2"', 'disclosurePolicy: SECURITY.md'),
    );
    const built = await ctx.run(['docs', 'build', '--out', 'out/site', '--manifest', 'local.yaml', '--no-store'], {
      cwd: dir,
    });
    expect(built.code).toBe(0);
    const index = readFileSync(join(dir, 'out/site/index.html'), 'utf8');
    const href = /<th>Disclosure policy<\/th><td><a href="([^"]+)">/.exec(index)?.[1];
    expect(href).toBe('../../SECURITY.md');
    expect(readFileSync(join(dir, 'out/site', href!), 'utf8')).toBe('# Disclosure\n');
  });

  test('behavior: the site shows design claims as declared, beside what the gate found in the code', async () => {
    const build = async (out: string) => {
      expect((await ctx.run(['docs', 'build', '--out', out], { cwd: dir })).code).toBe(0);
      return readFileSync(join(dir, out, 'contracts/Vault.html'), 'utf8');
    };
    const before = await build('site-claims-1');
    expect(before).toContain('<th>Pausable / circuit breaker (declared)</th>');
    expect(before).toContain('Not yet checked against the code by <code>bulwark gate</code>.');
    // What the gate records for its pausable check (see runGate): the site quotes the newest.
    await withTransaction(ctx.store, (tx) =>
      insertControlEvidence(tx, {
        controlId: 'SBD-06',
        kind: 'gate.pausable',
        ref: 'release:abc:production',
        status: 'fail',
        data: { reason: 'Vault holds value but has no pause function' },
        collectedAt: new Date('2026-01-02T00:00:00Z'),
      }),
    );
    const after = await build('site-claims-2');
    expect(after).toContain(
      '<span class="warn">Gate check fail on 2026-01-02: Vault holds value but has no pause function</span>',
    );
  });

  test('error: no manifest, a bad subcommand, build without --out: exit 2 with the fix', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'bulwark-docs-empty-'));
    try {
      const none = await ctx.run(['docs', 'check'], { cwd: empty });
      expect(none.code).toBe(2);
      expect(none.stderr).toContain(`error: No manifest in ${empty}.`);
      expect(none.stderr).toContain('Fix: create bulwark.config.ts');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    const sub = await ctx.run(['docs', 'chek'], { cwd: dir });
    expect(sub).toMatchObject({ code: 2, stdout: '' });
    expect(sub.stderr).toContain('Did you mean `bulwark docs check`?');
    const out = await ctx.run(['docs', 'build'], { cwd: dir });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('docs build needs --out DIR.');
    write('broken.yaml', 'project: { name: P }\ncontracts:\n  - name: V\n    sources: [a.sol]\n    pausible: true\n');
    const broken = await ctx.run(['docs', 'check', '--manifest', 'broken.yaml'], { cwd: dir });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toBe(
      'error: Invalid manifest broken.yaml:5:5: contracts[0].pausible is not a known key (contract V). Fix: did you mean "pausable"?\nDocs: docs/governance/manifest.md\n',
    );
  });
});
