import { describe, expect, it } from 'vitest';
import { formatMarkdown } from './markdown.ts';
import { legacyFile, readSource, reentrancyFinding, scanResult, vaultFile } from './test/fixture.ts';

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`${heading}\n`);
  expect(start, `missing section '${heading}'`).toBeGreaterThanOrEqual(0);
  const level = heading.split(' ')[0]!;
  const next = markdown.slice(start + heading.length).search(new RegExp(`\\n#{1,${level.length}} `));
  return next < 0 ? markdown.slice(start) : markdown.slice(start, start + heading.length + next);
}

describe('formatMarkdown', () => {
  it('default: summary, files not fully analysed, findings by impact, in that order', () => {
    const markdown = formatMarkdown(scanResult(), { readSource });
    const headings = markdown.split('\n').filter((line) => line.startsWith('#'));
    expect(headings).toEqual([
      '# Bulwark scan report',
      '## Summary',
      '## Files not fully analysed',
      '## Findings',
      '### High (1)',
      '#### `reentrancy-eth` Reentrancy: ether sent before state update',
      '### Medium (1)',
      '#### `tx-origin` Authorisation through tx.origin',
    ]);
    expect(markdown).toContain('bulwark 0.1.0 scanned 2 files in 1234 ms: 2 findings, 1 file not fully analysed.');
  });

  it('behavior: the summary table counts findings by impact', () => {
    expect(section(formatMarkdown(scanResult()), '## Summary')).toBe(
      [
        '## Summary',
        '',
        '| Impact | Findings |',
        '| --- | ---: |',
        '| High | 1 |',
        '| Medium | 1 |',
        '| Low | 0 |',
        '| Informational | 0 |',
        '| **Total** | **2** |',
        '',
        '3 findings suppressed: 1 inline, 0 by config, 2 by baseline.',
        '',
      ].join('\n'),
    );
  });

  it('behavior: degraded and failed files are listed with their reasons', () => {
    const result = scanResult();
    result.files.push({
      file: 'contracts/Broken.sol',
      status: 'failed',
      diagnostics: [
        { severity: 'error', file: 'contracts/Broken.sol', message: 'ParserError: Expected ";" but got "}"' },
      ],
      findings: 0,
    });
    expect(section(formatMarkdown(result), '## Files not fully analysed')).toBe(
      [
        '## Files not fully analysed',
        '',
        '| File | Status | Reason |',
        '| --- | --- | --- |',
        '| `contracts/Broken.sol` | failed | ParserError: Expected ";" but got "}" |',
        `| \`${legacyFile}\` | degraded | solc 0.4.11 is not available; analysed from the parse tree only |`,
        '',
      ].join('\n'),
    );
  });

  it('behavior: a finding shows its place, message, code, related places and recommendation', () => {
    const finding = section(
      formatMarkdown(scanResult(), { readSource }),
      '#### `reentrancy-eth` Reentrancy: ether sent before state update',
    );
    expect(finding).toBe(
      [
        '#### `reentrancy-eth` Reentrancy: ether sent before state update',
        '',
        `\`${vaultFile}:18\` · confidence medium · SWC-107 · SC05:2025 · control SBD-07`,
        '',
        'Vault.withdraw() sends ether to msg.sender before it sets balances\\[msg.sender\\] to zero.',
        '',
        '```solidity',
        '(bool ok, ) = msg.sender.call{value: amount}("");',
        '```',
        '',
        'Related:',
        '',
        `- \`${vaultFile}:16\`: in function withdraw()`,
        `- \`${vaultFile}:20\`: state written after the call`,
        '',
        '**Recommendation:** Apply checks-effects-interactions: set the balance to zero before the call, or guard the function with a reentrancy lock.',
        '',
      ].join('\n'),
    );
  });

  it('behavior: excerpts keep relative indentation and take context lines', () => {
    const markdown = formatMarkdown(scanResult(), { readSource, contextLines: 1 });
    expect(markdown).toContain(
      [
        '```solidity',
        'function sweep(address payable to) external {',
        '    require(tx.origin == owner, "not owner");',
        '    to.transfer(address(this).balance);',
        '```',
      ].join('\n'),
    );
  });

  it('behavior: without source there is no code block', () => {
    expect(formatMarkdown(scanResult())).not.toContain('```');
  });

  it('behavior: untrusted text cannot inject markup', () => {
    const result = scanResult();
    result.findings[1]!.message = '# <img src=x onerror=alert(1)> [click](https://evil.example) | `x`';
    result.files[1]!.reason = 'a | b';
    const markdown = formatMarkdown(result);
    expect(markdown).toContain('\\# \\<img src=x onerror=alert(1)\\> \\[click\\](https://evil.example) \\| \\`x\\`');
    expect(markdown).toContain('| degraded | a \\| b |');
    expect(markdown).not.toMatch(/^# <img/m);
  });

  it('behavior: a fence longer than any backtick run in the source', () => {
    const result = { ...scanResult(), findings: [{ ...reentrancyFinding, related: [] }] };
    const markdown = formatMarkdown(result, {
      readSource: () =>
        Array.from({ length: 18 }, (_, index) => (index === 17 ? '    /// ```ts ``` */' : '    x;')).join('\n'),
    });
    expect(markdown).toContain('````solidity\n/// ```ts ``` */\n````');
  });

  it('behavior: a clean scan says so', () => {
    const result = {
      ...scanResult(),
      findings: [],
      files: [scanResult().files[0]!],
      suppressed: { inline: 0, config: 0, baseline: 0 },
    };
    const markdown = formatMarkdown(result);
    expect(markdown).toContain('All 1 file compiled and fully analysed.');
    expect(markdown).toContain('## Findings\n\nNo findings.\n');
    expect(markdown).not.toContain('suppressed');
  });
});
