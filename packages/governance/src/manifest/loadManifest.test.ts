import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { ManifestError } from './errors.ts';
import { loadManifest } from './loadManifest.ts';
import { manifestSchema } from './validateManifest.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-manifest-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

async function failure(promise: Promise<unknown>): Promise<ManifestError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ManifestError);
  return error as ManifestError;
}

const yamlManifest = `project:
  name: Demo
  securityContact: security@example.org
contacts:
  - name: Alice
    role: lead
    email: alice@example.org
contracts:
  - name: Vault
    sources: [src/Vault.sol]
    admin: { kind: multisig, address: "0x1111111111111111111111111111111111111111", threshold: 2 }
    documentation:
      contacts: [Alice]
    deployments:
      - chainId: 1
        rpc: MAINNET_RPC_URL
        address: "0x2222222222222222222222222222222222222222"
        status: deployed
scan:
  failOn: medium
  anything: [1, 2]
monitor:
  whatever: true
`;

const examples = fileURLToPath(new URL('../../../../examples/', import.meta.url));

describe('loadManifest', () => {
  test('default: reads bulwark.config.yaml with its path, folder and sha256', async () => {
    const dir = project({ 'bulwark.config.yaml': yamlManifest });
    const loaded = await loadManifest({ cwd: dir });
    expect(loaded.path).toBe(join(dir, 'bulwark.config.yaml'));
    expect(loaded.dir).toBe(dir);
    expect(loaded.format).toBe('yaml');
    expect(loaded.sha256).toBe(createHash('sha256').update(yamlManifest).digest('hex'));
    expect(loaded.manifest.contracts[0]).toMatchObject({
      name: 'Vault',
      admin: { kind: 'multisig', threshold: 2 },
      deployments: [{ chainId: 1, rpc: 'MAINNET_RPC_URL', status: 'deployed' }],
    });
    // The scanner's and the monitor's sections pass through unvalidated.
    expect(loaded.manifest.scan).toEqual({ failOn: 'medium', anything: [1, 2] });
    expect(loaded.manifest.monitor).toEqual({ whatever: true });
  });

  test('behavior: reads bulwark.config.json', async () => {
    const json = JSON.stringify(parse(yamlManifest), null, 2);
    const dir = project({ 'bulwark.config.json': json });
    const loaded = await loadManifest({ cwd: dir });
    expect(loaded.format).toBe('json');
    expect(loaded.manifest.project.name).toBe('Demo');
    expect(loaded.sha256).toBe(createHash('sha256').update(json).digest('hex'));
  });

  test('behavior: imports bulwark.config.ts (default export, an object or a function)', async () => {
    const dir = project({
      'bulwark.config.ts': `type M = { project: { name: string }; contracts: { name: string; sources: string[] }[] };
const manifest: M = { project: { name: 'From TS' }, contracts: [{ name: 'Token', sources: ['Token.sol'] }] };
export default manifest;
`,
    });
    const loaded = await loadManifest({ cwd: dir });
    expect(loaded.format).toBe('ts');
    expect(loaded.manifest).toEqual({
      project: { name: 'From TS' },
      contracts: [{ name: 'Token', sources: ['Token.sol'] }],
    });

    const other = project({
      'manifest.ts': `export default async () => ({ project: { name: 'Async' }, contracts: [] });\n`,
    });
    expect((await loadManifest({ cwd: other, file: 'manifest.ts' })).manifest.project.name).toBe('Async');
  });

  test('behavior: a YAML manifest is preferred to a bulwark.config.json that holds only the scan section', async () => {
    const dir = project({
      'bulwark.config.json': '{ "scan": { "failOn": "high" } }',
      'bulwark.config.yaml': yamlManifest,
    });
    expect((await loadManifest({ cwd: dir })).format).toBe('yaml');
  });

  test('behavior: the example manifest of the demo protocol is valid, and so under the published schema', async () => {
    const loaded = await loadManifest({ cwd: examples });
    expect(loaded.manifest.contracts.map((c) => c.name)).toEqual([
      'DemoVault',
      'DemoLendingMarket',
      'DemoPriceOracle',
      'DemoAmm',
      'DemoFlashLender',
      'DemoToken',
    ]);
    const ajv = new Ajv2020({ allowUnionTypes: true });
    const validate = ajv.compile(manifestSchema());
    expect(validate(parse(readFileSync(loaded.path, 'utf8')))).toBe(true);
    expect(validate({ project: { name: 'x' }, contracts: [], extra: 1 })).toBe(false);
  });

  test('error: YAML that does not parse names the line and column', async () => {
    const dir = project({ 'bulwark.config.yaml': 'project:\n  name: Demo\ncontracts:\n  - name: [Vault\n' });
    const error = await failure(loadManifest({ cwd: dir }));
    expect(error.shortMessage).toMatch(/^Invalid YAML in the manifest bulwark\.config\.yaml:\d+:\d+: /);
    expect(error.message).toContain('Fix: correct the YAML at line');
    expect(error.message).toContain('Docs: docs/governance/manifest.md');
  });

  test('error: JSON that does not parse names the line and column', async () => {
    const dir = project({ 'bulwark.config.json': '{\n  "project": { "name": "x" },\n  "contracts": [,]\n}\n' });
    const error = await failure(loadManifest({ cwd: dir }));
    expect(error.shortMessage).toBe('Invalid JSON in the manifest bulwark.config.json:3:17: unexpected ",".');
    expect(error.message).toContain('Fix: correct the JSON syntax there (no comments, no trailing commas).');
    const cut = project({ 'bulwark.config.json': '{ "project": { "name": "x" ' });
    expect((await failure(loadManifest({ cwd: cut }))).shortMessage).toBe(
      'Invalid JSON in the manifest bulwark.config.json:1:28: the text ends too early.',
    );
  });

  test('error: a wrong type names the file, line, column and JSON path', async () => {
    const dir = project({
      'bulwark.config.yaml': yamlManifest.replace('threshold: 2', 'threshold: two'),
    });
    const error = await failure(loadManifest({ cwd: dir }));
    expect(error.shortMessage).toBe(
      'Invalid manifest bulwark.config.yaml:11:96: contracts[0].admin.threshold must be an integer, not the string "two" (contract Vault). Fix: write an integer at contracts[0].admin.threshold.',
    );
    expect(error.issues).toEqual([
      expect.objectContaining({ path: 'contracts[0].admin.threshold', line: 11, column: 96 }),
    ]);
  });

  test('error: an unknown key suggests the closest valid key, at the key', async () => {
    const dir = project({
      'bulwark.config.yaml': yamlManifest.replace(
        '    sources: [src/Vault.sol]',
        '    sources: [src/Vault.sol]\n    holdValue: true',
      ),
    });
    const error = await failure(loadManifest({ cwd: dir }));
    expect(error.shortMessage).toBe(
      'Invalid manifest bulwark.config.yaml:11:5: contracts[0].holdValue is not a known key (contract Vault). Fix: did you mean "holdsValue"?',
    );
  });

  test('error: several problems are listed in file order; a missing required key and a bad enum', async () => {
    const dir = project({
      'bulwark.config.yaml': `project: {}
contracts:
  - name: Vault
    sources: []
    deployments:
      - chainId: 1
        status: deployd
`,
    });
    const error = await failure(loadManifest({ cwd: dir }));
    expect(error.shortMessage).toContain('Invalid manifest bulwark.config.yaml (3 problems):');
    const lines = error.shortMessage.split('\n').slice(1);
    expect(lines[0]).toBe('  bulwark.config.yaml:1:10: project.name is required but missing. Fix: add "name".');
    expect(lines[1]).toBe(
      '  bulwark.config.yaml:4:14: contracts[0].sources must list at least one item (contract Vault). Fix: add an entry to contracts[0].sources.',
    );
    expect(lines[2]).toBe(
      '  bulwark.config.yaml:7:17: contracts[0].deployments[0].status must be one of planned, deployed, paused, deprecated, not the string "deployd" (contract Vault). Fix: did you mean "deployed"?',
    );
  });

  test('error: an RPC URL in place of a variable name is refused and never repeated', async () => {
    const dir = project({
      'bulwark.config.yaml': yamlManifest.replace(
        'rpc: MAINNET_RPC_URL',
        'rpc: https://eth-mainnet.g.alchemy.com/v2/SECRETKEY0123456789abcdef',
      ),
    });
    const error = await failure(loadManifest({ cwd: dir }));
    expect(error.message).toContain('contracts[0].deployments[0].rpc must be the name of an environment variable');
    expect(error.message).not.toContain('SECRETKEY');
    expect(error.message).not.toContain('alchemy');
  });

  test('error: a contact that is not listed, and a repeated contract name', async () => {
    const dir = project({
      'bulwark.config.yaml': yamlManifest
        .replace('contacts: [Alice]', 'contacts: [Alcie]')
        .replace('scan:', '  - name: Vault\n    sources: [b.sol]\nscan:'),
    });
    const error = await failure(loadManifest({ cwd: dir }));
    expect(error.issues.map((issue) => `${issue.path}: ${issue.message} / ${issue.fix}`)).toEqual([
      'contracts[0].documentation.contacts[0]: names "Alcie", who is not in contacts (contract Vault) / did you mean "Alice"?',
      'contracts[1].name: repeats the name Vault of contracts[0] / give each contract its own name.',
    ]);
  });

  test('error: no manifest, a missing file, an unknown extension, a TS module without default export', async () => {
    const empty = project({});
    expect((await failure(loadManifest({ cwd: empty }))).message).toContain(
      'Fix: create bulwark.config.ts, bulwark.config.yaml, bulwark.config.yml, bulwark.config.json',
    );
    expect((await failure(loadManifest({ cwd: empty, file: 'nope.yaml' }))).shortMessage).toBe(
      `The manifest nope.yaml does not exist (looked in ${empty}).`,
    );
    const odd = project({ 'manifest.toml': 'x = 1' });
    expect((await failure(loadManifest({ cwd: odd, file: 'manifest.toml' }))).shortMessage).toBe(
      'The manifest manifest.toml has an unknown extension .toml.',
    );
    const ts = project({ 'bulwark.config.ts': 'export const manifest = {};\n' });
    expect((await failure(loadManifest({ cwd: ts }))).shortMessage).toBe(
      'The manifest bulwark.config.ts has no default export.',
    );
  });

  test('error: the top level is not an object', async () => {
    const dir = project({ 'bulwark.config.yaml': '- a\n- b\n' });
    const error = await failure(loadManifest({ cwd: dir }));
    expect(error.shortMessage).toBe(
      'Invalid manifest bulwark.config.yaml:1:1: must be an object, not a list. Fix: write an object at the top level.',
    );
  });
});
