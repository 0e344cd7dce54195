import type { Finding } from '@bulwark/core';
import { describe, expect, test } from 'vitest';
import { applyInlineSuppressions } from './suppress.ts';

const finding = (detector: string, line: number): Finding => ({
  detector,
  title: detector,
  impact: 'high',
  confidence: 'high',
  swc: [],
  owasp: [],
  control: 'SBD-07',
  location: { file: 'A.sol', startLine: line, endLine: line, startColumn: 1, endColumn: 2 },
  related: [],
  message: '',
  fingerprint: `${detector}${line}`,
});

describe('applyInlineSuppressions', () => {
  test('default: next-line with ids silences only those detectors on the next line', () => {
    const source = [
      'contract A {',
      '  // bulwark-disable-next-line reentrancy-eth, unchecked-send',
      '  x();',
      '  y();',
      '}',
    ].join('\n');
    const result = applyInlineSuppressions(
      [
        finding('reentrancy-eth', 3),
        finding('unchecked-send', 3),
        finding('tx-origin-auth', 3),
        finding('reentrancy-eth', 4),
      ],
      new Map([['A.sol', source]]),
    );
    expect(result.findings.map((f) => `${f.detector}:${f.location.startLine}`)).toEqual([
      'tx-origin-auth:3',
      'reentrancy-eth:4',
    ]);
    expect(result.suppressed).toBe(2);
  });

  test('behavior: no ids silences every detector; disable-line works on its own line', () => {
    const source = ['// bulwark-disable-next-line', 'x();', 'y(); // bulwark-disable-line tx-origin-auth'].join('\n');
    const result = applyInlineSuppressions(
      [finding('reentrancy-eth', 2), finding('tx-origin-auth', 3), finding('reentrancy-eth', 3)],
      new Map([['A.sol', source]]),
    );
    expect(result.findings.map((f) => `${f.detector}:${f.location.startLine}`)).toEqual(['reentrancy-eth:3']);
  });
});
