import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { scan } from '@bulwark/scanner';
import { describe, expect, test } from 'vitest';
import type { LoadedManifest, ManifestContract } from '../../manifest/types.ts';
import { releaseFixture } from '../testing.ts';
import { adminCheck } from './adminCheck.ts';
import { type CodeFacts, pausableCheck } from './pausableCheck.ts';

const loaded = (contracts: Partial<ManifestContract>[]): LoadedManifest =>
  ({
    manifest: {
      project: { name: 'p' },
      contracts: contracts.map((c, i) => ({ name: `C${i}`, sources: ['src/Vault.sol'], ...c })),
    },
    path: `${releaseFixture}bulwark.config.yaml`,
    dir: releaseFixture,
    format: 'yaml',
    sha256: '0'.repeat(64),
  }) as LoadedManifest;

/** What the scanner says about sources in a temporary folder: the real scanner, its design findings. */
async function codeFactsOf(files: Record<string, string>): Promise<{ dir: string; code: CodeFacts }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-claims-'));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  const result = await scan({ paths: Object.keys(files).map((f) => path.join(dir, f)), cwd: dir });
  const findings = result.findings.map((f) => ({
    detector: f.detector,
    file: f.location.file,
    line: f.location.startLine,
    message: f.message,
  }));
  return { dir, code: { findings, source: 'a test scan' } };
}

const noPauseVault = `// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

contract Escrow {
    address public owner;
    mapping(address => uint256) public balances;

    constructor() { owner = msg.sender; }

    function deposit() external payable { balances[msg.sender] += msg.value; }

    function withdraw(uint256 amount) external {
        balances[msg.sender] -= amount;
        (bool ok, ) = payable(msg.sender).call{value: amount}("");
        require(ok);
    }

    function setOwner(address next) external {
        require(msg.sender == owner);
        owner = next;
    }
}
`;

describe('pausableCheck', () => {
  test('default: a pausable vault the scanner finds no fault with passes, and says what it checked against', async () => {
    const { code } = await codeFactsOf({
      'src/Vault.sol': readFileSync(path.join(releaseFixture, 'src/Vault.sol'), 'utf8'),
      'src/Pausable.sol': readFileSync(path.join(releaseFixture, 'src/Pausable.sol'), 'utf8'),
      'lib/safe-math/src/SafeMathLite.sol': readFileSync(
        path.join(releaseFixture, 'lib/safe-math/src/SafeMathLite.sol'),
        'utf8',
      ),
    });
    expect(code.findings.filter((f) => f.detector === 'missing-circuit-breaker')).toEqual([]);
    const result = pausableCheck(loaded([{ name: 'Vault', holdsValue: true, pausable: true }]), code);
    expect(result).toMatchObject({
      status: 'pass',
      reason:
        '1 contract(s) hold value and all can be paused; the code (a test scan) does not contradict the manifest.',
    });
  });

  test('behavior: pausable claimed on a contract with no pause function fails with both facts', async () => {
    const { dir, code } = await codeFactsOf({ 'src/Escrow.sol': noPauseVault });
    const claims = (c: Partial<ManifestContract>) =>
      ({ ...loaded([{ name: 'Escrow', sources: ['src/Escrow.sol'], ...c }]), dir }) as LoadedManifest;
    const result = pausableCheck(claims({ holdsValue: true, pausable: true }), code);
    expect(result.status).toBe('fail');
    expect(result.reason).toMatch(
      /^Escrow is declared pausable, but the code holds value and has no circuit breaker \(missing-circuit-breaker at src\/Escrow.sol:4\): Escrow holds value \(/,
    );
    // Claiming the contract holds nothing is contradicted too.
    expect(pausableCheck(claims({ holdsValue: false }), code).reason).toMatch(
      /^Escrow is declared holdsValue: false, but the code holds value/,
    );
    // An honest manifest still fails: the contract holds value and cannot be paused.
    expect(pausableCheck(claims({ holdsValue: true, pausable: false }), code).reason).toMatch(
      /^Escrow hold\(s\) value but cannot be paused/,
    );
  });

  test('behavior: a source the scan did not fully analyse leaves the claims unchecked, and the check warns', () => {
    const result = pausableCheck(loaded([{ name: 'Vault', holdsValue: true, pausable: true }]), {
      findings: [],
      analysed: ['src/Other.sol'],
      source: 'a test scan',
    });
    expect(result).toMatchObject({
      status: 'warn',
      reason:
        'The claims of Vault (src/Vault.sol) were not checked against the code (the scan did not fully analyse these sources).',
    });
  });

  test('behavior: without code facts the claims are judged alone, and the check warns that it did', () => {
    const result = pausableCheck(loaded([{ name: 'Vault', pausable: true }]));
    expect(result).toMatchObject({
      status: 'warn',
      reason: 'The claims were not checked against the code (no scan results); holdsValue is not declared for Vault.',
    });
  });
});

describe('adminCheck', () => {
  test('behavior: a 1-of-n multisig fails; a timelock passes; an undeclared admin or address warns', () => {
    expect(adminCheck(loaded([{ admin: { kind: 'multisig', address: '0x1', threshold: 1 } }])).reason).toBe(
      'Admin powers rest with one key: C0 (a 1-of-n multisig: one key acts alone). Move them behind a multisig (2 or more signers) or a timelock.',
    );
    expect(
      adminCheck(loaded([{ admin: { kind: 'timelock', address: '0x1', delay: 86400 } }, { admin: { kind: 'none' } }]))
        .status,
    ).toBe('pass');
    expect(adminCheck(loaded([{}, { admin: { kind: 'multisig' } }]))).toMatchObject({
      status: 'warn',
      reason: 'Admin not declared for C0; no admin address for C1.',
    });
  });
});
