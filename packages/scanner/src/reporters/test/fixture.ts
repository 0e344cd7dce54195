import {
  type Finding,
  fingerprint,
  type RelatedLocation,
  type RuleMetadata,
  type SourceLocation,
  validateMetadata,
} from '@bulwark/core';
import type { ScanResult } from '../../result.ts';

/** A small vault with a reentrancy and a tx.origin check; line numbers matter to the tests. */
export const vaultSource = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract Vault {
    mapping(address => uint256) public balances;
    address public owner;

    constructor() {
        owner = msg.sender;
    }

    function deposit() external payable {
        balances[msg.sender] += msg.value;
    }

    function withdraw() external {
        uint256 amount = balances[msg.sender];
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "send failed");
        balances[msg.sender] = 0;
    }

    function sweep(address payable to) external {
        require(tx.origin == owner, "not owner");
        to.transfer(address(this).balance);
    }
}
`;

export const vaultFile = 'contracts/Vault.sol';
export const legacyFile = 'contracts/legacy/OldToken.sol';

/** Reads the fixture's sources, as the CLI's readSource would read the disk. */
export function readSource(file: string): string | undefined {
  return file === vaultFile ? vaultSource : undefined;
}

/** The location of the first `snippet` on a 1-based line of the vault. */
export function at(line: number, snippet: string): SourceLocation {
  const text = vaultSource.split('\n')[line - 1] ?? '';
  const index = text.indexOf(snippet);
  if (index < 0) throw new Error(`fixture: '${snippet}' is not on line ${line}`);
  return {
    file: vaultFile,
    startLine: line,
    endLine: line,
    startColumn: index + 1,
    endColumn: index + 1 + snippet.length,
  };
}

/** Lines `from`..`to` of the vault, from the first non-blank column to the end of the last line. */
export function span(from: number, to: number): SourceLocation {
  const lines = vaultSource.split('\n');
  const first = lines[from - 1]!;
  return {
    file: vaultFile,
    startLine: from,
    endLine: to,
    startColumn: first.length - first.trimStart().length + 1,
    endColumn: lines[to - 1]!.length + 1,
  };
}

export const reentrancyEth: RuleMetadata = validateMetadata({
  id: 'reentrancy-eth',
  title: 'Reentrancy: ether sent before state update',
  impact: 'high',
  confidence: 'medium',
  description: 'A function sends ether with a low-level call and writes contract state only after the call returns.',
  scenario:
    'The attacker deposits, then calls withdraw() from a contract whose receive() calls withdraw() again; each nested call still sees the old balance and is paid again until the vault is empty.',
  recommendation:
    'Apply checks-effects-interactions: set the balance to zero before the call, or guard the function with a reentrancy lock.',
  swc: ['SWC-107'],
  owasp: ['SC05:2025'],
  control: 'SBD-07',
});

export const txOrigin: RuleMetadata = validateMetadata({
  id: 'tx-origin',
  title: 'Authorisation through tx.origin',
  impact: 'medium',
  confidence: 'high',
  description:
    'Access control compares tx.origin, the account that started the transaction, with a privileged address.',
  scenario:
    'The owner is lured into calling a malicious contract, which then calls sweep(); tx.origin is still the owner, so the check passes and the funds go to the attacker.',
  recommendation: 'Compare msg.sender instead of tx.origin, or use a role-based access-control contract.',
  swc: ['SWC-115'],
  owasp: ['SC01:2025'],
  control: 'SBD-08',
});

/** Ran and found nothing: its rule still belongs in SARIF. */
export const lockedEther: RuleMetadata = validateMetadata({
  id: 'locked-ether',
  title: 'Contract can receive ether but never send it',
  impact: 'low',
  confidence: 'high',
  description: 'A contract has a payable function but no path that transfers ether out.',
  scenario: 'Users send ether that stays in the contract forever, because no function can move it.',
  recommendation: 'Add a withdrawal path guarded by access control, or remove payable.',
  swc: [],
  owasp: [],
  control: 'SBD-07',
});

function related(location: SourceLocation, message: string): RelatedLocation {
  return { ...location, message };
}

function finding(
  meta: RuleMetadata,
  location: SourceLocation,
  message: string,
  related: RelatedLocation[],
  fn: string,
): Finding {
  const snippet = vaultSource
    .split('\n')
    [location.startLine - 1]!.slice(location.startColumn - 1, location.endColumn - 1);
  return {
    detector: meta.id,
    title: meta.title,
    impact: meta.impact,
    confidence: meta.confidence,
    swc: meta.swc,
    owasp: meta.owasp,
    control: meta.control,
    location,
    related,
    message,
    fingerprint: fingerprint({ detector: meta.id, file: location.file, contract: 'Vault', function: fn, snippet }),
  };
}

export const reentrancyFinding: Finding = finding(
  reentrancyEth,
  at(18, 'msg.sender.call{value: amount}("")'),
  'Vault.withdraw() sends ether to msg.sender before it sets balances[msg.sender] to zero.',
  [
    related(span(16, 21), 'in function withdraw()'),
    related(at(20, 'balances[msg.sender] = 0'), 'state written after the call'),
  ],
  'withdraw',
);

export const txOriginFinding: Finding = finding(
  txOrigin,
  at(24, 'tx.origin == owner'),
  'Vault.sweep() authorises the caller with tx.origin.',
  [related(span(23, 26), 'in function sweep(address)'), related(at(6, 'address public owner'), 'owner declared here')],
  'sweep',
);

/**
 * A scan of two files: the vault (two findings) and a legacy token that ran degraded. Findings,
 * files and detectors are deliberately out of report order.
 */
export function scanResult(): ScanResult {
  return {
    schemaVersion: 1,
    tool: { name: 'bulwark', version: '0.1.0' },
    findings: [structuredClone(txOriginFinding), structuredClone(reentrancyFinding)],
    files: [
      {
        file: vaultFile,
        solcVersion: '0.8.20',
        status: 'full',
        diagnostics: [],
        findings: 2,
      },
      {
        file: legacyFile,
        status: 'degraded',
        reason: 'solc 0.4.11 is not available; analysed from the parse tree only',
        diagnostics: [
          {
            severity: 'warning',
            file: legacyFile,
            line: 1,
            column: 1,
            message: 'pragma solidity 0.4.11 has no compiler here',
          },
        ],
        findings: 0,
      },
    ],
    detectors: [txOrigin, reentrancyEth, lockedEther],
    suppressed: { inline: 1, config: 0, baseline: 2 },
    durationMs: 1234,
  };
}
