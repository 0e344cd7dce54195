import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bytesToHex } from '@noble/hashes/utils';
import { beforeAll, expect, test } from 'vitest';
import { createReleaseProject, prepareRelease, type ReleaseProject } from '../../../governance/src/gate/testing.ts';
import { describeCli } from '../testing.ts';

type VerifyJson = { ok: boolean; checks: { id: string; ok: boolean; message: string }[]; decision?: string };

describeCli('bulwark verify', (ctx) => {
  let project: ReleaseProject;
  let edKey: string;
  let secpKey: string;

  beforeAll(async () => {
    project = await createReleaseProject();
    await prepareRelease(ctx.store, project);
    const gate = await ctx.run(
      [
        'gate',
        '--test-report',
        'reports/junit-pass.xml',
        '--attestation',
        'pass.json',
        '--sign-key',
        project.keyFile('gate'),
      ],
      { cwd: project.dir },
    );
    expect(gate.code).toBe(0);
    edKey = bytesToHex(project.keys.gate.publicKey);
    secpKey = bytesToHex(project.keys.gateSecp.publicKey);
  });

  /** A copy of the project, to tamper with. */
  const copy = (): string => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-verify-'));
    cpSync(project.dir, dir, { recursive: true });
    return dir;
  };
  const verify = async (args: string[], cwd = project.dir) => {
    const result = await ctx.run(['verify', ...args, '--format', 'json'], { cwd });
    return { ...result, json: JSON.parse(result.stdout || '{}') as VerifyJson };
  };
  const failed = (json: VerifyJson) => json.checks.filter((c) => !c.ok);

  test('behavior: what `approve pubkey` prints (text or JSON, in a file) and a key id are accepted by --key', async () => {
    for (const format of ['text', 'json']) {
      const printed = await ctx.run(['approve', 'pubkey', '--key', project.keyFile('gate'), '--format', format], {
        cwd: project.dir,
      });
      expect(printed.code).toBe(0);
      writeFileSync(path.join(project.dir, `gate.${format}.pub`), printed.stdout);
      expect((await verify(['pass.json', '--key', `gate.${format}.pub`])).json.ok, format).toBe(true);
    }
    expect((await verify(['pass.json', '--key', project.keys.gate.keyId])).json.ok).toBe(true);
  });

  test('default: an attestation of a passing gate verifies against the files on disk', async () => {
    const result = await ctx.run(['verify', 'pass.json', '--key', edKey, '--target', 'production'], {
      cwd: project.dir,
    });
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      'ok   envelope: A DSSE envelope with 1 signature(s).',
      `ok   signature: Signed by ${project.keys.gate.keyId}.`,
      'ok   statement: An in-toto statement (https://bulwark.dev/gate/v1) with 3 subject(s).',
      'ok   target: For target production.',
      'ok   subjects: 3 subject(s) match the files on disk.',
    ]);
    expect(lines[5]).toMatch(
      /^ok {3}log: Decided on governance log head \d+:[0-9a-f]{64} and state digest [0-9a-f]{64}/,
    );
    expect(lines[6]).toMatch(/^ok {3}decision: The gate passed release [0-9a-f]{64} for production on \d{4}-/);
    expect(lines.slice(7)).toEqual(['Verified: pass.json.', '']);
    expect(result.code).toBe(0);
    const envelope = JSON.parse(project.read('pass.json'));
    expect(envelope.payloadType).toBe('application/vnd.in-toto+json');
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    expect(statement._type).toBe('https://in-toto.io/Statement/v1');
    // The artifact and the sources it was built from: a source edited after the gate no longer verifies.
    expect(statement.subject.map((s: { name: string }) => s.name)).toEqual([
      'artifacts/Vault.json',
      'src/Pausable.sol',
      'src/Vault.sol',
    ]);
    expect(statement.predicate).toMatchObject({
      target: 'production',
      decision: 'pass',
      requiredApprovals: 2,
      testReport: { path: 'reports/junit-pass.xml', tests: 3, failed: 0 },
    });
    expect(statement.predicate.approvals.map((a: { approver: string }) => a.approver)).toEqual(['alice', 'bob']);
    expect(statement.predicate.checks).toHaveLength(11);
  });

  test('behavior: a secp256k1 gate key signs and verifies too', async () => {
    const signed = await ctx.run(
      [
        'gate',
        '--test-report',
        'reports/junit-pass.xml',
        '--attestation',
        'secp.json',
        '--sign-key-env',
        'GATE_KEY',
        '--sign-algorithm',
        'secp256k1',
      ],
      { cwd: project.dir, env: { GATE_KEY: bytesToHex(project.keys.gateSecp.privateKey) } },
    );
    expect(signed.code).toBe(0);
    const result = await verify(['secp.json', '--key', secpKey]);
    expect(result.json.ok).toBe(true);
    expect(result.code).toBe(0);
    // Another key does not verify it.
    const wrong = await verify(['secp.json', '--key', edKey]);
    expect(wrong.code).toBe(1);
    expect(failed(wrong.json).map((c) => c.id)).toEqual(['signature']);
  });

  test('error: a tampered envelope signature fails the signature check', async () => {
    const dir = copy();
    const envelope = JSON.parse(project.read('pass.json'));
    const sig = Buffer.from(envelope.signatures[0].sig, 'base64');
    sig[10] = (sig[10] ?? 0) ^ 0xff;
    envelope.signatures[0].sig = sig.toString('base64');
    writeFileSync(path.join(dir, 'pass.json'), JSON.stringify(envelope));
    const result = await verify(['pass.json', '--key', edKey], dir);
    expect(result.code).toBe(1);
    expect(failed(result.json)).toEqual([
      {
        id: 'signature',
        ok: false,
        message: `No signature verifies with key ${project.keys.gate.keyId} (signatures name ${project.keys.gate.keyId}): the envelope was signed by another key, or its payload or signature was changed.`,
      },
    ]);
  });

  test('error: a tampered payload (the target rewritten) or payload type fails', async () => {
    const dir = copy();
    const envelope = JSON.parse(project.read('pass.json'));
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    statement.predicate.target = 'mainnet-v2';
    envelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    writeFileSync(path.join(dir, 'pass.json'), JSON.stringify(envelope));
    const result = await verify(['pass.json', '--key', edKey], dir);
    expect(result.code).toBe(1);
    expect(failed(result.json).map((c) => c.id)).toEqual(['signature']);
    // The payload type is signed too.
    envelope.payload = JSON.parse(project.read('pass.json')).payload;
    envelope.payloadType = 'application/json';
    writeFileSync(path.join(dir, 'type.json'), JSON.stringify(envelope));
    const retyped = await verify(['type.json', '--key', edKey], dir);
    expect(failed(retyped.json)[0]).toMatchObject({ id: 'envelope', message: expect.stringContaining('payload type') });
  });

  test('error: a subject file changed after the gate fails the subjects check', async () => {
    const dir = copy();
    const artifact = path.join(dir, 'artifacts/Vault.json');
    writeFileSync(artifact, readFileSync(artifact, 'utf8').replace('"bytecode": "0x', '"bytecode": "0x00'));
    const result = await verify(['pass.json', '--key', edKey], dir);
    expect(result.code).toBe(1);
    expect(failed(result.json)).toEqual([
      {
        id: 'subjects',
        ok: false,
        message: expect.stringMatching(
          /^1 of 3 subject\(s\) differ from the files in .*: artifacts\/Vault.json has sha256 [0-9a-f]{64}, attested [0-9a-f]{64}\.$/,
        ),
      },
    ]);
    rmSync(artifact);
    const missing = await verify(['pass.json', '--key', edKey], dir);
    expect(failed(missing.json)[0]?.message).toContain('artifacts/Vault.json is missing');

    // A source edited after the gate fails too, though its artifact was not rebuilt.
    const edited = copy();
    writeFileSync(
      path.join(edited, 'src/Vault.sol'),
      `${readFileSync(path.join(edited, 'src/Vault.sol'), 'utf8')}// edited\n`,
    );
    const stale = await verify(['pass.json', '--key', edKey], edited);
    expect(failed(stale.json)[0]?.message).toMatch(
      /^1 of 3 subject\(s\) differ from the files in .*: src\/Vault.sol has sha256/,
    );
  });

  test('error: an attestation of a failed gate, or for another target, does not verify', async () => {
    const dir = copy();
    const gate = await ctx.run(['gate', '--attestation', 'fail.json', '--sign-key', project.keyFile('gate')], {
      cwd: dir,
    });
    expect(gate.code).toBe(1);
    const result = await verify(['fail.json', '--key', edKey], dir);
    expect(result.code).toBe(1);
    expect(result.json.decision).toBe('fail');
    expect(failed(result.json)).toEqual([
      {
        id: 'decision',
        ok: false,
        message:
          'The gate decided "fail" for this release. tests: No test report attached: run the tests and pass --test-report FILE.',
      },
    ]);
    const target = await verify(['pass.json', '--key', edKey, '--target', 'staging']);
    expect(failed(target.json)).toEqual([
      { id: 'target', ok: false, message: 'The attestation is for target "production", not "staging".' },
    ]);
  });

  test('error: not an envelope; unreadable files and keys exit 2', async () => {
    const notEnvelope = await verify(['package-lock.json', '--key', edKey]);
    expect(notEnvelope.code).toBe(1);
    expect(failed(notEnvelope.json)[0]).toMatchObject({ id: 'envelope', message: 'The envelope has no payloadType.' });
    const cases: [string[], string][] = [
      [['verify', 'missing.json', '--key', edKey], 'Cannot read the attestation missing.json'],
      [['verify', 'pass.json'], '--key PUBKEY is required'],
      [
        ['verify', 'pass.json', '--key', 'no-such-file'],
        '--key no-such-file is neither a hex public key nor a readable file',
      ],
      [['verify', 'pass.json', '--key', 'abcd'], 'has 2 bytes; secp256k1 public keys have 33 or 65'],
      [['verify', '--key', edKey], 'Give one attestation file'],
    ];
    for (const [args, message] of cases) {
      const result = await ctx.run(args, { cwd: project.dir });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
    }
  });
});
