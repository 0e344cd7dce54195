import type { Finding } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { legacyFile, readSource, reentrancyFinding, scanResult, span, vaultFile } from './test/fixture.ts';
import { formatText } from './text.ts';

const escapeCode = '\u001b';
const ansiCode = new RegExp(`${escapeCode}\\[[0-9;]*m`, 'g');

function block(text: string, header: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith(header));
  const end = lines.indexOf('', start);
  return lines.slice(start, end);
}

describe('formatText', () => {
  it('default: header, location, excerpt with carets, message, notes', () => {
    const text = formatText(scanResult(), { color: false, readSource });
    expect(block(text, 'HIGH')).toEqual([
      'HIGH  reentrancy-eth  Reentrancy: ether sent before state update',
      '  --> contracts/Vault.sol:18:23',
      '   |',
      '18 |         (bool ok, ) = msg.sender.call{value: amount}("");',
      '   |                       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
      '   |',
      '  Vault.withdraw() sends ether to msg.sender before it sets balances[msg.sender] to zero.',
      '  = note: contracts/Vault.sol:16:5: in function withdraw()',
      '  = note: contracts/Vault.sol:20:9: state written after the call',
    ]);
  });

  it('behavior: the carets sit exactly under the columns at fault', () => {
    const lines = formatText(scanResult(), { color: false, readSource }).split('\n');
    for (const [number, snippet] of [
      [18, 'msg.sender.call{value: amount}("")'],
      [24, 'tx.origin == owner'],
    ] as const) {
      const codeLine = lines.findIndex((line) => line.startsWith(`${number} | `));
      const carets = lines[codeLine + 1]!;
      const start = lines[codeLine]!.indexOf(snippet);
      expect(carets.indexOf('^')).toBe(start);
      expect(carets.lastIndexOf('^')).toBe(start + snippet.length - 1);
      expect(carets.slice(start)).toBe('^'.repeat(snippet.length));
    }
  });

  it('behavior: findings in report order, then the summary and the degraded files', () => {
    const text = formatText(scanResult(), { color: false, readSource });
    const headers = text.split('\n').filter((line) => /^(HIGH|MEDIUM|LOW|INFO)\b/.test(line));
    expect(headers).toEqual([
      'HIGH  reentrancy-eth  Reentrancy: ether sent before state update',
      'MEDIUM  tx-origin  Authorisation through tx.origin',
    ]);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trimEnd().split('\n').slice(-3)).toEqual([
      '2 findings (1 high, 1 medium, 0 low, 0 informational) in 2 files; 1 file ran degraded',
      `  degraded  ${legacyFile}: solc 0.4.11 is not available; analysed from the parse tree only`,
      '3 findings suppressed (1 inline, 0 by config, 2 by baseline)',
    ]);
  });

  it('behavior: no ANSI codes at all when color is false; coloured by impact when true', () => {
    const plain = formatText(scanResult(), { color: false, readSource, contextLines: 2 });
    expect(plain).not.toContain(escapeCode);
    const colored = formatText(scanResult(), { color: true, readSource });
    expect(colored).toContain('\u001b[1;31mHIGH\u001b[0m');
    expect(colored).toContain('\u001b[1;33mMEDIUM\u001b[0m');
    expect(colored.replace(ansiCode, '')).toBe(formatText(scanResult(), { color: false, readSource }));
  });

  it('behavior: control characters in source and messages never reach the terminal', () => {
    const result = scanResult();
    result.findings[1]!.message = 'call \u001b]0;pwned\u0007here';
    const hostile = (file: string) => readSource(file)?.replace('(bool ok, )', '(bool ok, )\u001b[2J');
    for (const color of [false, true]) {
      const text = formatText(result, { color, readSource: hostile });
      expect(text).not.toContain('\u001b[2J');
      expect(text).not.toContain('\u001b]0;');
      expect(text).not.toContain('\u0007');
    }
    expect(formatText(result, { color: false, readSource: hostile })).toContain('  call ]0;pwnedhere');
  });

  it('behavior: context lines around the line at fault', () => {
    const text = formatText(scanResult(), { color: false, readSource, contextLines: 1 });
    expect(block(text, 'HIGH').slice(2, 8)).toEqual([
      '   |',
      '17 |         uint256 amount = balances[msg.sender];',
      '18 |         (bool ok, ) = msg.sender.call{value: amount}("");',
      '   |                       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
      '19 |         require(ok, "send failed");',
      '   |',
    ]);
  });

  it('behavior: a region over several lines marks each of its lines', () => {
    const result = scanResult();
    result.findings = [{ ...reentrancyFinding, location: span(16, 21) }];
    const text = formatText(result, { color: false, readSource, contextLines: 1 });
    expect(block(text, 'HIGH').slice(1, 11)).toEqual([
      '  --> contracts/Vault.sol:16:5',
      '   |',
      '15 |',
      '16 | >     function withdraw() external {',
      '17 | >         uint256 amount = balances[msg.sender];',
      '18 | >         (bool ok, ) = msg.sender.call{value: amount}("");',
      '19 | >         require(ok, "send failed");',
      '20 | >         balances[msg.sender] = 0;',
      '21 | >     }',
      '22 |',
    ]);
  });

  it('behavior: a long region shows its first and last lines', () => {
    const result = scanResult();
    result.findings = [{ ...reentrancyFinding, location: span(4, 27) }];
    const excerpt = block(formatText(result, { color: false, readSource }), 'HIGH').slice(2, 10);
    expect(excerpt).toEqual([
      '   |',
      ' 4 | > contract Vault {',
      ' 5 | >     mapping(address => uint256) public balances;',
      ' 6 | >     address public owner;',
      '...',
      '26 | >     }',
      '27 | > }',
      '   |',
    ]);
  });

  it('behavior: tabs before the fault are kept so the carets line up', () => {
    const finding: Finding = {
      ...reentrancyFinding,
      location: { file: 'Tabs.sol', startLine: 1, endLine: 1, startColumn: 11, endColumn: 29 },
      related: [],
    };
    const text = formatText(
      { ...scanResult(), findings: [finding] },
      { color: false, readSource: () => '\t\trequire(tx.origin == owner);' },
    );
    expect(text).toContain('1 | \t\trequire(tx.origin == owner);\n  | \t\t        ^^^^^^^^^^^^^^^^^^\n');
  });

  it('behavior: without source, or past its end, the location stands alone', () => {
    const result = scanResult();
    for (const text of [
      formatText(result, { color: false }),
      formatText(result, { color: false, readSource: () => 'pragma solidity ^0.8.20;' }),
      formatText(result, {
        color: false,
        readSource: () => {
          throw new Error('EACCES');
        },
      }),
    ]) {
      expect(block(text, 'HIGH').slice(0, 3)).toEqual([
        'HIGH  reentrancy-eth  Reentrancy: ether sent before state update',
        `  --> ${vaultFile}:18:23`,
        '  Vault.withdraw() sends ether to msg.sender before it sets balances[msg.sender] to zero.',
      ]);
    }
  });

  it('behavior: the summary counts every impact and failed files', () => {
    const result = scanResult();
    result.findings.push(
      { ...reentrancyFinding, impact: 'low' },
      { ...reentrancyFinding, impact: 'informational' },
      { ...reentrancyFinding, impact: 'optimization' },
    );
    result.files.push({
      file: 'contracts/Broken.sol',
      status: 'failed',
      reason: 'ParserError: Expected ";"',
      diagnostics: [],
      findings: 0,
    });
    result.suppressed = { inline: 0, config: 0, baseline: 0 };
    const lines = formatText(result, { color: false }).trimEnd().split('\n');
    expect(lines.slice(-3)).toEqual([
      '5 findings (1 high, 1 medium, 1 low, 1 informational, 1 optimization) in 3 files; 1 file ran degraded; 1 file failed',
      '  failed    contracts/Broken.sol: ParserError: Expected ";"',
      `  degraded  ${legacyFile}: solc 0.4.11 is not available; analysed from the parse tree only`,
    ]);
  });

  it('behavior: a clean scan prints the summary only', () => {
    const result = {
      ...scanResult(),
      findings: [],
      files: [scanResult().files[0]!],
      suppressed: { inline: 0, config: 0, baseline: 0 },
    };
    expect(formatText(result, { color: false })).toBe(
      '0 findings (0 high, 0 medium, 0 low, 0 informational) in 1 file; 0 files ran degraded\n',
    );
  });
});
