import { readFileSync } from 'node:fs';
import { confidences, impacts } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../result.ts';
import { formatJson } from './json.ts';
import { legacyFile, reentrancyFinding, scanResult, txOriginFinding, vaultFile } from './test/fixture.ts';
import { type Schema, validate } from './test/json-schema.ts';

const schema = JSON.parse(readFileSync(new URL('./scan-result.schema.json', import.meta.url), 'utf8')) as Schema;

describe('formatJson', () => {
  it('default: prints the ScanResult in report order', () => {
    const result = scanResult();
    const printed = JSON.parse(formatJson(result)) as ScanResult;
    expect(printed).toEqual({
      ...result,
      findings: [reentrancyFinding, txOriginFinding],
      files: [...result.files].sort((a, b) => (a.file < b.file ? -1 : 1)),
      detectors: [...result.detectors].sort((a, b) => (a.id < b.id ? -1 : 1)),
    });
    expect(printed.findings.map((finding) => `${finding.location.file}:${finding.location.startLine}`)).toEqual([
      `${vaultFile}:18`,
      `${vaultFile}:24`,
    ]);
    // Code-unit order: upper case sorts before lower case, the same on every machine.
    expect(printed.files.map((file) => file.file)).toEqual([vaultFile, legacyFile]);
    expect(printed.detectors.map((detector) => detector.id)).toEqual(['locked-ether', 'reentrancy-eth', 'tx-origin']);
  });

  it('behavior: validates against scan-result.schema.json', () => {
    expect(validate(schema, JSON.parse(formatJson(scanResult())))).toEqual([]);
  });

  it('behavior: round-trips; printing the parsed output again gives the same text', () => {
    const text = formatJson(scanResult());
    expect(formatJson(JSON.parse(text) as ScanResult)).toBe(text);
  });

  it('behavior: the same output whatever the input order', () => {
    const result = scanResult();
    const shuffled: ScanResult = {
      ...result,
      findings: [...result.findings].reverse(),
      files: [...result.files].reverse(),
      detectors: [...result.detectors].reverse(),
    };
    expect(formatJson(shuffled)).toBe(formatJson(result));
  });

  it('behavior: orders by file, line, column, then detector', () => {
    const result = scanResult();
    const base = reentrancyFinding;
    const variant = (detector: string, file: string, startLine: number, startColumn: number) => ({
      ...base,
      detector,
      location: { ...base.location, file, startLine, endLine: startLine, startColumn },
    });
    result.findings = [
      variant('b', 'b.sol', 1, 1),
      variant('z', 'a.sol', 2, 1),
      variant('b', 'a.sol', 1, 5),
      variant('c', 'a.sol', 1, 1),
      variant('a', 'a.sol', 1, 5),
    ];
    const order = (JSON.parse(formatJson(result)) as ScanResult).findings.map(
      (finding) =>
        `${finding.location.file}:${finding.location.startLine}:${finding.location.startColumn}:${finding.detector}`,
    );
    expect(order).toEqual(['a.sol:1:1:c', 'a.sol:1:5:a', 'a.sol:1:5:b', 'a.sol:2:1:z', 'b.sol:1:1:b']);
  });

  it('behavior: properties outside the schema do not leak into the output', () => {
    const result = scanResult() as ScanResult & { debug?: unknown };
    result.debug = { ast: 'huge' };
    (result.findings[0] as unknown as Record<string, unknown>).internal = 1;
    const printed = JSON.parse(formatJson(result));
    expect(printed.debug).toBeUndefined();
    expect(validate(schema, printed)).toEqual([]);
  });

  it('behavior: the schema rejects what is not a ScanResult', () => {
    const printed = JSON.parse(formatJson(scanResult()));
    printed.findings[0].impact = 'critical';
    printed.files[0].extra = true;
    delete printed.suppressed.inline;
    expect(validate(schema, printed)).toEqual([
      expect.stringMatching(/^\/findings\/0\/impact: expected one of/),
      expect.stringMatching(/^\/files\/0\/extra: not allowed/),
      expect.stringMatching(/^\/suppressed: missing required property 'inline'/),
    ]);
  });

  it('behavior: the schema lists the impacts and confidences of @bulwark/core', () => {
    const defs = schema.$defs as Record<string, { enum: string[] }>;
    expect(defs.impact!.enum).toEqual([...impacts]);
    expect(defs.confidence!.enum).toEqual([...confidences]);
  });

  it('behavior: indent 0 prints one line', () => {
    expect(formatJson(scanResult(), { indent: 0 }).trimEnd()).not.toContain('\n');
  });
});
