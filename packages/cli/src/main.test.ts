import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { type Io, main } from './main.ts';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const examples = path.join(repo, 'examples/contracts');

function capture(cwd = repo): Io & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    stdoutIsTty: false,
    stderrIsTty: false,
    cwd,
    env: {},
    out: () => out,
    err: () => err,
  };
}

function tempProject(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-cli-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}

const reentrant = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Bank {
    mapping(address => uint256) balances;
    function withdrawAll() external {
        uint256 amount = balances[msg.sender];
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok);
        balances[msg.sender] = 0;
    }
}
`;

describe('bulwark scan', () => {
  test('default: JSON on stdout is the documented schema, and high findings exit 1', async () => {
    const io = capture();
    const code = await main(['scan', examples, '--format', 'json'], io);
    expect(code).toBe(1);
    const result = JSON.parse(io.out());
    expect(result.schemaVersion).toBe(1);
    expect(result.tool.name).toBe('bulwark');
    expect(result.files).toHaveLength(4);
    expect(result.files.every((f: { status: string }) => f.status === 'full')).toBe(true);
    const reentrancy = result.findings.find((f: { detector: string }) => f.detector === 'reentrancy-eth');
    expect(reentrancy.location).toMatchObject({
      file: 'examples/contracts/VulnerableVault.sol',
      startLine: 22,
      endLine: 22,
    });
    expect(reentrancy.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    // The fixed vault has no high finding.
    expect(
      result.findings.filter(
        (f: { location: { file: string }; impact: string }) =>
          f.location.file.endsWith('SafeVault.sol') && f.impact === 'high',
      ),
    ).toEqual([]);
  });

  test('behavior: --fail-on sets the exit code; a clean file exits 0', async () => {
    const dir = tempProject({ 'Clean.sol': 'pragma solidity ^0.8.0;\ncontract Clean { uint256 public x; }\n' });
    expect(await main(['scan', dir, '--format', 'json'], capture(dir))).toBe(0);
    const bank = tempProject({ 'Bank.sol': reentrant });
    expect(await main(['scan', bank, '--format', 'json', '--fail-on', 'high'], capture(bank))).toBe(1);
  });

  test('behavior: --baseline reports only new findings', async () => {
    const dir = tempProject({ 'Bank.sol': reentrant });
    const first = capture(dir);
    await main(['scan', '.', '--format', 'json', '--output', 'baseline.json'], first);
    expect(first.err()).toMatch(/Wrote baseline.json/);
    const baseline = JSON.parse(readFileSync(path.join(dir, 'baseline.json'), 'utf8'));
    expect(baseline.findings.length).toBeGreaterThan(0);
    // Lines shift: fingerprints must survive.
    writeFileSync(path.join(dir, 'Bank.sol'), `// a new comment\n\n${reentrant}`);
    const second = capture(dir);
    const code = await main(['scan', '.', '--format', 'json', '--baseline', 'baseline.json'], second);
    const result = JSON.parse(second.out());
    expect(result.findings).toEqual([]);
    expect(result.suppressed.baseline).toBe(baseline.findings.length);
    expect(code).toBe(0);
  });

  test('behavior: inline and config suppression', async () => {
    const suppressed = reentrant.replace(
      '        (bool ok, ) = msg.sender.call',
      '        // bulwark-disable-next-line reentrancy-eth\n        (bool ok, ) = msg.sender.call',
    );
    const dir = tempProject({ 'Bank.sol': suppressed });
    const io = capture(dir);
    await main(['scan', '.', '--format', 'json'], io);
    const result = JSON.parse(io.out());
    expect(result.findings.map((f: { detector: string }) => f.detector)).not.toContain('reentrancy-eth');
    expect(result.suppressed.inline).toBeGreaterThanOrEqual(1);

    const configured = tempProject({
      'Bank.sol': reentrant,
      'bulwark.config.json': JSON.stringify({
        scan: { suppress: [{ detector: 'reentrancy-eth', file: 'Bank.sol', reason: 'accepted: test' }] },
      }),
    });
    const io2 = capture(configured);
    await main(['scan', '.', '--format', 'json'], io2);
    const result2 = JSON.parse(io2.out());
    expect(result2.findings.map((f: { detector: string }) => f.detector)).not.toContain('reentrancy-eth');
    expect(result2.suppressed.config).toBeGreaterThanOrEqual(1);
  });

  test('behavior: a file that does not compile is analysed degraded, the others fully', async () => {
    const dir = tempProject({
      'Bank.sol': reentrant,
      'Broken.sol': `pragma solidity ^0.8.0;\ncontract Broken {\n  function f() public { uint x = ; }\n  function g() public { require(tx.origin == address(1)); }\n}\n`,
    });
    const io = capture(dir);
    await main(['scan', '.', '--format', 'json'], io);
    const result = JSON.parse(io.out());
    const broken = result.files.find((f: { file: string }) => f.file === 'Broken.sol');
    const bank = result.files.find((f: { file: string }) => f.file === 'Bank.sol');
    expect(bank.status).toBe('full');
    expect(broken.status).not.toBe('full');
    expect(broken.reason).toMatch(/line 3/i);
  });

  test('behavior: text output names the place, SARIF is 2.1.0, markdown has sections', async () => {
    const dir = tempProject({ 'Bank.sol': reentrant });
    const text = capture(dir);
    await main(['scan', '.'], text);
    expect(text.out()).toMatch(/reentrancy-eth/);
    expect(text.out()).toMatch(/--> Bank\.sol:7:/);
    expect(text.out()).not.toContain('\u001b[');
    const sarif = capture(dir);
    await main(['scan', '.', '-f', 'sarif'], sarif);
    const log = JSON.parse(sarif.out());
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].results.some((r: { ruleId: string }) => r.ruleId === 'reentrancy-eth')).toBe(true);
    const markdown = capture(dir);
    await main(['scan', '.', '-f', 'markdown'], markdown);
    expect(markdown.out()).toMatch(/^#/m);
  });

  test('behavior: worker threads give the same findings as one thread', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 6; i++) files[`Bank${i}.sol`] = reentrant.replace('contract Bank', `contract Bank${i}`);
    const dir = tempProject(files);
    const one = capture(dir);
    const two = capture(dir);
    await main(['scan', '.', '-f', 'json', '--jobs', '0'], one);
    await main(['scan', '.', '-f', 'json', '--jobs', '2'], two);
    const strip = (out: string) =>
      JSON.parse(out)
        .findings.map((f: { fingerprint: string }) => f.fingerprint)
        .sort();
    expect(strip(two.out())).toEqual(strip(one.out()));
    expect(strip(one.out()).length).toBeGreaterThanOrEqual(6);
  });

  test('behavior: --print ir shows linearisation, calls and flags', async () => {
    const dir = tempProject({ 'Bank.sol': reentrant });
    const io = capture(dir);
    expect(await main(['scan', '.', '--print', 'ir'], io)).toBe(0);
    expect(io.out()).toMatch(/contract Bank/);
    expect(io.out()).toMatch(/call low-level-call call/);
    const cfg = capture(dir);
    await main(['scan', '.', '--print', 'cfg'], cfg);
    expect(cfg.out()).toMatch(/digraph "Bank\.withdrawAll\(\)"/);
  });

  test('error: bad flags, unknown detectors, missing paths and config typos exit 2 with the fix', async () => {
    const io = capture();
    expect(await main(['scan', examples, '--format', 'xml'], io)).toBe(2);
    expect(io.err()).toMatch(/--format xml is not a format/);
    const io2 = capture();
    expect(await main(['scan', examples, '--detectors', 'reentrancy-ethh'], io2)).toBe(2);
    expect(io2.err()).toMatch(/Did you mean 'reentrancy-eth'/);
    const io3 = capture();
    expect(await main(['scan', '/no/such/place.sol'], io3)).toBe(2);
    expect(io3.err()).toMatch(/Cannot find/);
    const dir = tempProject({ 'Bank.sol': reentrant, 'bulwark.config.json': '{"scan": {"exlude": ["x"]}}' });
    const io4 = capture(dir);
    expect(await main(['scan', '.'], io4)).toBe(2);
    expect(io4.err()).toMatch(/did you mean "scan.exclude"/);
    const io5 = capture(dir);
    expect(await main(['scan', '.', '--baseline', 'nope.json', '--config', 'bulwark.config.json'], io5)).toBe(2);
  });

  test('error: a gate never passes on work not done: a file that could not be analysed, or no Solidity at all, exits 2', async () => {
    const dir = tempProject({ 'Bank.sol': reentrant, 'Broken.sol': 'contract {{{ garbage' });
    const io = capture(dir);
    expect(await main(['scan', '.', '--format', 'json', '--fail-on', 'low'], io)).toBe(2);
    // The report for the rest is still written.
    const result = JSON.parse(io.out());
    expect(result.files.map((f: { file: string; status: string }) => `${f.file} ${f.status}`).sort()).toEqual([
      'Bank.sol full',
      'Broken.sol failed',
    ]);
    expect(result.findings.some((f: { detector: string }) => f.detector === 'reentrancy-eth')).toBe(true);
    expect(io.err()).toMatch(/1 file\(s\) could not be analysed:\n {2}Broken\.sol: /);
    expect(io.err()).not.toMatch(/TypeError|Cannot read properties/);
    const empty = capture(tempProject({ 'README.md': '# no contracts here' }));
    expect(await main(['scan', '.'], empty)).toBe(2);
    expect(empty.err()).toMatch(/no Solidity file found/);
    const limits = capture(dir);
    expect(await main(['scan', '.', '--file-memory', 'lots'], limits)).toBe(2);
    expect(limits.err()).toMatch(/--file-memory lots is not a positive number/);
  });

  test('behavior: recursive and mutually recursive internal functions are analysed (once took the process down)', async () => {
    const dir = tempProject({
      'Recursive.sol': `pragma solidity 0.8.20;
contract Recursive {
    mapping(address => uint256) public balances;
    uint256 public total;
    function fact(uint256 n) internal returns (uint256) { if (n == 0) return 1; total += n; return n * fact(n - 1); }
    function a(uint256 n) internal returns (uint256) { if (n == 0) return 0; balances[msg.sender] += 1; return b(n - 1); }
    function b(uint256 n) internal returns (uint256) {
        if (n == 0) return 0;
        (bool ok, ) = msg.sender.call{value: 1}("");
        require(ok);
        return a(n - 1);
    }
    function run(uint256 n) external returns (uint256) { return fact(n) + a(n); }
}
`,
    });
    const io = capture(dir);
    const code = await main(['scan', '.', '--format', 'json', '--file-timeout', '300'], io);
    expect(code).not.toBe(2);
    const result = JSON.parse(io.out());
    expect(result.files[0].status).toBe('full');
  });
});

describe('bulwark binary', () => {
  test('behavior: worker threads load from the installed binary', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 6; i++) files[`Bank${i}.sol`] = reentrant.replace('contract Bank', `contract Bank${i}`);
    const dir = tempProject(files);
    const child = spawnSync(path.join(repo, 'node_modules/.bin/bulwark'), ['scan', '.', '-f', 'json', '--jobs', '2'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(child.stderr).not.toMatch(/worker/i);
    expect(child.status).toBe(1);
    const result = JSON.parse(child.stdout);
    expect(result.files).toHaveLength(6);
    expect(result.findings.filter((f: { detector: string }) => f.detector === 'reentrancy-eth')).toHaveLength(6);
  });

  test('default: npx bulwark --help works from the repo root', () => {
    const out = execFileSync(path.join(repo, 'node_modules/.bin/bulwark'), ['--help'], { cwd: repo, encoding: 'utf8' });
    expect(out).toMatch(/Usage: bulwark <command>/);
    expect(out).toMatch(/scan/);
  });
});

describe('unknown options', () => {
  // Every command (with a subcommand where it needs one): one message naming the option and --help.
  const invocations = [
    ['scan'],
    ['detectors'],
    ['docs-gen'],
    ['demo'],
    ['monitor'],
    ['baseline'],
    ['docs', 'check'],
    ['verify-deployment'],
    ['audit', 'status'],
    ['approve', 'digest'],
    ['deps'],
    ['gate'],
    ['verify'],
    ['risk', 'list'],
    ['incident', 'list'],
    ['report'],
    ['log', 'verify'],
    ['identity', 'list'],
    ['init'],
    ['serve'],
  ];
  test.each(invocations)('error: bulwark %s … --no-such-option', async (...argv) => {
    const io = capture(tempProject({}));
    const code = await main([...argv, '--no-such-option'], io);
    expect(code).toBe(2);
    expect(io.err()).toBe(
      `error: unknown option '--no-such-option' for bulwark ${argv[0]}. Run \`bulwark ${argv[0]} --help\` for the options.\n`,
    );
  });

  test('error: an option without its value, and an argument a command does not take', async () => {
    const io = capture(tempProject({}));
    expect(await main(['log', 'verify', '--anchor'], io)).toBe(2);
    expect(io.err()).toBe(
      "error: option '--anchor' for bulwark log needs a value. Run `bulwark log --help` for the options.\n",
    );
  });
});
