import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../result.ts';
import { artifactLocation, formatSarif, pascalCase } from './sarif.ts';
import { legacyFile, reentrancyFinding, scanResult, txOriginFinding, vaultFile } from './test/fixture.ts';
import { type Schema, validate } from './test/json-schema.ts';

/**
 * The OASIS SARIF 2.1.0 schema as published on SchemaStore (2.1.0-rtm.5), taken from the npm
 * package @microsoft/jest-sarif@1.0.0-beta.0 (lib/schemas/sarif-2.1.0-rtm.5.json).
 */
const sarifSchema = JSON.parse(
  readFileSync(new URL('./test/sarif-2.1.0-rtm.5.schema.json', import.meta.url), 'utf8'),
) as Schema;

// biome-ignore lint/suspicious/noExplicitAny: SARIF is read as plain JSON in these assertions.
type Json = any;

function sarif(result: ScanResult = scanResult()): Json {
  return JSON.parse(formatSarif(result));
}

describe('formatSarif', () => {
  it('default: validates against the official SARIF 2.1.0 schema', () => {
    expect(sarifSchema.title).toMatch(/SARIF\) Version 2\.1\.0/);
    expect(validate(sarifSchema, sarif())).toEqual([]);
  });

  it('behavior: one run of the bulwark driver', () => {
    const log = sarif();
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const { driver } = log.runs[0].tool;
    expect(driver.name).toBe('bulwark');
    expect(driver.version).toBe('0.1.0');
    expect(driver.informationUri).toMatch(/^https:\/\//);
  });

  it('behavior: one rule per detector that ran, sorted by id, with its metadata', () => {
    const { rules } = sarif().runs[0].tool.driver;
    expect(rules.map((rule: Json) => rule.id)).toEqual(['locked-ether', 'reentrancy-eth', 'tx-origin']);
    const rule = rules[1];
    expect(rule).toMatchObject({
      id: 'reentrancy-eth',
      name: 'ReentrancyEth',
      shortDescription: { text: 'Reentrancy: ether sent before state update' },
      fullDescription: { text: expect.stringContaining('low-level call') },
      helpUri: 'https://github.com/bulwark-dlt/bulwark/blob/main/docs/detectors/reentrancy-eth.md',
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['security', 'SWC-107', 'SC05:2025'], 'security-severity': '8.0', precision: 'medium' },
    });
    expect(rule.help.text).toContain('checks-effects-interactions');
    expect(rule.help.markdown).toContain('**Attack scenario.** The attacker deposits');
    expect(rule.help.markdown).toContain('**Recommendation.** Apply checks-effects-interactions');
    expect(rules[2].properties).toEqual({
      tags: ['security', 'SWC-115', 'SC01:2025'],
      'security-severity': '5.5',
      precision: 'high',
    });
    expect(rules[0].properties['security-severity']).toBe('3.0');
    expect(rules[0].defaultConfiguration.level).toBe('note');
  });

  it('behavior: helpUri follows docsBaseUri and informationUri', () => {
    const log = JSON.parse(
      formatSarif(scanResult(), {
        informationUri: 'https://bulwark.example/',
        docsBaseUri: 'https://docs.example/v1/',
      }),
    );
    expect(log.runs[0].tool.driver.informationUri).toBe('https://bulwark.example/');
    expect(log.runs[0].tool.driver.rules[1].helpUri).toBe('https://docs.example/v1/docs/detectors/reentrancy-eth.md');
  });

  it('behavior: results in report order; ruleIndex points at the rule of the same id', () => {
    const run = sarif().runs[0];
    expect(run.results.map((result: Json) => result.ruleId)).toEqual(['reentrancy-eth', 'tx-origin']);
    for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
    expect(run.results.map((result: Json) => result.ruleIndex)).toEqual([1, 2]);
  });

  it('behavior: level by impact', () => {
    const result = scanResult();
    result.findings.push({ ...reentrancyFinding, impact: 'low' }, { ...reentrancyFinding, impact: 'informational' });
    const levels = sarif(result).runs[0].results.map((entry: Json) => entry.level);
    expect(levels).toEqual(['error', 'note', 'note', 'warning']);
  });

  it('behavior: the ruleId and ruleIndex do not change when a severity does', () => {
    const before = sarif().runs[0];
    const result = scanResult();
    result.detectors = result.detectors.map((detector) =>
      detector.id === 'reentrancy-eth' ? { ...detector, impact: 'medium' } : detector,
    );
    result.findings = result.findings.map((finding) =>
      finding.detector === 'reentrancy-eth' ? { ...finding, impact: 'medium' } : finding,
    );
    const after = sarif(result).runs[0];
    expect(after.results[0].ruleId).toBe(before.results[0].ruleId);
    expect(after.results[0].ruleIndex).toBe(before.results[0].ruleIndex);
    expect(after.results[0].partialFingerprints).toEqual(before.results[0].partialFingerprints);
    expect(after.results[0].level).toBe('warning');
    expect(after.tool.driver.rules[1].properties['security-severity']).toBe('5.5');
  });

  it('behavior: the location is the region at fault, relative to %SRCROOT%', () => {
    const [first] = sarif().runs[0].results;
    const { location } = reentrancyFinding;
    expect(first.message.text).toBe(reentrancyFinding.message);
    expect(first.locations).toEqual([
      {
        physicalLocation: {
          artifactLocation: { uri: vaultFile, uriBaseId: '%SRCROOT%' },
          region: { startLine: 18, startColumn: location.startColumn, endLine: 18, endColumn: location.endColumn },
        },
      },
    ]);
    expect(location.startColumn).toBe(23);
  });

  it('behavior: related locations carry ids and messages; fingerprints are partialFingerprints', () => {
    const [first, second] = sarif().runs[0].results;
    expect(first.relatedLocations).toEqual([
      {
        id: 1,
        physicalLocation: {
          artifactLocation: { uri: vaultFile, uriBaseId: '%SRCROOT%' },
          region: { startLine: 16, startColumn: 5, endLine: 21, endColumn: 6 },
        },
        message: { text: 'in function withdraw()' },
      },
      {
        id: 2,
        physicalLocation: {
          artifactLocation: { uri: vaultFile, uriBaseId: '%SRCROOT%' },
          region: { startLine: 20, startColumn: 9, endLine: 20, endColumn: 33 },
        },
        message: { text: 'state written after the call' },
      },
    ]);
    expect(first.partialFingerprints).toEqual({ 'bulwark/v1': reentrancyFinding.fingerprint });
    expect(second.partialFingerprints).toEqual({ 'bulwark/v1': txOriginFinding.fingerprint });
    expect(reentrancyFinding.fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });

  it('behavior: URIs use forward slashes and stay relative; absolute paths become file URIs', () => {
    expect(artifactLocation('contracts\\lib\\Math.sol')).toEqual({
      uri: 'contracts/lib/Math.sol',
      uriBaseId: '%SRCROOT%',
    });
    expect(artifactLocation('./contracts/Vault.sol')).toEqual({ uri: 'contracts/Vault.sol', uriBaseId: '%SRCROOT%' });
    expect(artifactLocation('node_modules/@oz/My Token#2.sol')).toEqual({
      uri: 'node_modules/@oz/My%20Token%232.sol',
      uriBaseId: '%SRCROOT%',
    });
    expect(artifactLocation('/srv/app/Vault.sol')).toEqual({ uri: 'file:///srv/app/Vault.sol' });
    expect(artifactLocation('C:\\work\\Vault.sol')).toEqual({ uri: 'file:///C:/work/Vault.sol' });

    const result = scanResult();
    result.findings[0]!.location.file = 'contracts\\Vault.sol';
    const log = sarif(result);
    expect(log.runs[0].results[1].locations[0].physicalLocation.artifactLocation.uri).toBe('contracts/Vault.sol');
    expect(validate(sarifSchema, log)).toEqual([]);
  });

  it('behavior: files outside the working directory still map into the repository', () => {
    // Scanning from /repo/packages/app: one file below it, one above it (shown absolute), one outside the repository.
    const result = scanResult();
    result.findings[0]!.location.file = '/repo/lib/Math.sol';
    result.findings[0]!.related[0]!.file = '/opt/vendor/Ext.sol';
    result.files.push({ file: '/repo/lib/Broken.sol', status: 'failed', reason: 'x', diagnostics: [], findings: 0 });
    const log = JSON.parse(formatSarif(result, { cwd: '/repo/packages/app', srcRoot: '/repo', category: 'contracts' }));
    const run = log.runs[0];
    expect(run.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///repo/' } });
    expect(run.automationDetails).toEqual({ id: 'contracts/' });
    const uris = (results: Json[]) => results.map((r: Json) => r.locations[0].physicalLocation.artifactLocation);
    expect(uris(run.results)).toEqual([
      { uri: 'lib/Math.sol', uriBaseId: '%SRCROOT%' },
      { uri: `packages/app/${vaultFile}`, uriBaseId: '%SRCROOT%' },
    ]);
    expect(run.results[0].relatedLocations[0].physicalLocation.artifactLocation).toEqual({
      uri: 'file:///opt/vendor/Ext.sol',
    });
    expect(uris(run.invocations[0].toolExecutionNotifications)).toEqual([
      { uri: 'lib/Broken.sol', uriBaseId: '%SRCROOT%' },
      { uri: `packages/app/${legacyFile}`, uriBaseId: '%SRCROOT%' },
    ]);
    expect(validate(sarifSchema, log)).toEqual([]);
    // Without a working directory the report stays as it was, under the default category.
    expect(sarif().runs[0].automationDetails).toEqual({ id: 'bulwark/' });
    expect(sarif().runs[0].originalUriBaseIds).toBeUndefined();
  });

  it('behavior: degraded files become warnings; a failed file makes the execution unsuccessful', () => {
    const [invocation] = sarif().runs[0].invocations;
    expect(invocation).toEqual({
      executionSuccessful: true,
      toolExecutionNotifications: [
        {
          level: 'warning',
          message: {
            text: `${legacyFile} was analysed from its parse tree only: solc 0.4.11 is not available; analysed from the parse tree only`,
          },
          locations: [{ physicalLocation: { artifactLocation: { uri: legacyFile, uriBaseId: '%SRCROOT%' } } }],
          descriptor: { id: 'file-degraded' },
        },
      ],
    });

    const result = scanResult();
    result.files.push({
      file: 'contracts/Broken.sol',
      status: 'failed',
      diagnostics: [{ severity: 'error', file: 'contracts/Broken.sol', line: 3, message: 'ParserError: Expected ";"' }],
      findings: 0,
    });
    const log = sarif(result);
    const failed = log.runs[0].invocations[0];
    expect(failed.executionSuccessful).toBe(false);
    expect(failed.toolExecutionNotifications.map((entry: Json) => [entry.level, entry.descriptor.id])).toEqual([
      ['error', 'file-failed'],
      ['warning', 'file-degraded'],
    ]);
    expect(failed.toolExecutionNotifications[0].message.text).toBe(
      'contracts/Broken.sol was not analysed: ParserError: Expected ";"',
    );
    expect(validate(sarifSchema, log)).toEqual([]);
  });

  it('behavior: a finding from a detector missing in detectors still gets a rule', () => {
    const result = scanResult();
    result.detectors = result.detectors.filter((detector) => detector.id !== 'tx-origin');
    const log = sarif(result);
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((rule: Json) => rule.id)).toEqual(['locked-ether', 'reentrancy-eth', 'tx-origin']);
    expect(run.tool.driver.rules[run.results[1].ruleIndex].id).toBe('tx-origin');
    expect(validate(sarifSchema, log)).toEqual([]);
  });

  it('behavior: an empty scan is a valid log', () => {
    const log = sarif({ ...scanResult(), findings: [], files: [], detectors: [] });
    expect(log.runs[0].results).toEqual([]);
    expect(validate(sarifSchema, log)).toEqual([]);
  });

  it('behavior: the schema check catches a broken log', () => {
    const log = sarif();
    log.runs[0].results[0].level = 'fatal';
    log.runs[0].tool.driver.rules[0].helpUri = 'docs/detectors/locked-ether.md';
    expect(validate(sarifSchema, log)).toEqual([
      expect.stringMatching(/^\/runs\/0\/tool\/driver\/rules\/0\/helpUri: .* is not a valid uri/),
      expect.stringMatching(/^\/runs\/0\/results\/0\/level: expected one of/),
    ]);
  });

  it('behavior: pascalCase', () => {
    expect(pascalCase('reentrancy-eth')).toBe('ReentrancyEth');
    expect(pascalCase('tx-origin')).toBe('TxOrigin');
    expect(pascalCase('erc20-interface')).toBe('Erc20Interface');
  });
});
