import { statSync } from 'node:fs';
import path from 'node:path';
import { bytesToHex } from '@noble/hashes/utils';
import { privateKeyToAccount } from 'viem/accounts';
import { expect, test } from 'vitest';
import { approvalMessage, signApprovalMessage } from '../../../governance/src/approvals/approvalSignature.ts';
import { createReleaseProject } from '../../../governance/src/gate/testing.ts';
import { describeCli } from '../testing.ts';

describeCli('bulwark approve', (ctx) => {
  test('default: two registered approvers sign this release', async () => {
    const project = await createReleaseProject();
    const digestRun = await ctx.run(['approve', 'digest', '--format', 'json'], { cwd: project.dir });
    const { releaseDigest, message } = JSON.parse(digestRun.stdout);
    expect(message).toBe(`bulwark-release-approval:v1:${releaseDigest}:production`);

    const alice = await ctx.run(['approve', '--key', project.keyFile('alice'), '--approver', 'alice'], {
      cwd: project.dir,
    });
    expect(alice.stderr).toBe('');
    expect(alice.stdout).toBe(`alice approved release ${releaseDigest} for production (1 of 2 required approvals).\n`);
    expect(alice.code).toBe(0);
    // bob's key comes from the environment; he is registered by address.
    const bob = await ctx.run(['approve', '--key-env', 'BOB_KEY', '--algorithm', 'secp256k1', '--format', 'json'], {
      cwd: project.dir,
      env: { BOB_KEY: bytesToHex(project.keys.bob.privateKey) },
    });
    expect(bob.code).toBe(0);
    expect(JSON.parse(bob.stdout)).toMatchObject({
      releaseDigest,
      target: 'production',
      approver: 'bob',
      keyId: project.keys.bob.keyId,
      algorithm: 'secp256k1',
      approvals: 2,
      required: 2,
    });

    const list = await ctx.run(['approve', 'list'], { cwd: project.dir });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      new RegExp(
        `^Release ${releaseDigest} \\(production\\): 2 of 2 required approvals.\\n  valid   alice .*\\n  valid   bob `,
      ),
    );
  });

  test('behavior: a signature made by an Ethereum wallet is recorded after it is verified', async () => {
    const project = await createReleaseProject();
    const { message } = JSON.parse(
      (await ctx.run(['approve', 'digest', '--format', 'json'], { cwd: project.dir })).stdout,
    );
    const wallet = privateKeyToAccount(`0x${bytesToHex(project.keys.bob.privateKey)}`);
    const signature = await wallet.signMessage({ message });
    const result = await ctx.run(['approve', '--signature', signature, '--approver', 'bob'], { cwd: project.dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('bob approved release');
  });

  test('error: a forged signature is refused', async () => {
    const project = await createReleaseProject();
    const { releaseDigest } = JSON.parse(
      (await ctx.run(['approve', 'digest', '--format', 'json'], { cwd: project.dir })).stdout,
    );
    // mallory signs and claims to be alice.
    const forged = signApprovalMessage(project.keys.mallory, approvalMessage(releaseDigest, 'production'));
    const result = await ctx.run(['approve', '--signature', forged, '--approver', 'alice'], { cwd: project.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `error: The signature is not alice's approval of release ${releaseDigest} for production: the signature does not verify.`,
    );
    expect((await ctx.run(['approve', 'list', '--format', 'json'], { cwd: project.dir })).stdout).toContain(
      '"approvals": []',
    );
  });

  test('error: a signature replayed from another release or another target is refused', async () => {
    const project = await createReleaseProject();
    const json = async (args: string[]) => JSON.parse((await ctx.run(args, { cwd: project.dir })).stdout);
    const before = await json(['approve', 'digest', '--format', 'json']);
    const staging = await json(['approve', 'digest', '--target', 'staging', '--format', 'json']);
    expect(staging.releaseDigest).not.toBe(before.releaseDigest);
    const forStaging = signApprovalMessage(project.keys.alice, staging.message);
    const otherTarget = await ctx.run(['approve', '--signature', forStaging, '--approver', 'alice'], {
      cwd: project.dir,
    });
    expect(otherTarget.code).toBe(1);
    expect(otherTarget.stderr).toContain("is not alice's approval of release");

    // alice approved the release before the source changed; her old signature does not carry over.
    const old = signApprovalMessage(project.keys.alice, before.message);
    project.write('src/Vault.sol', `${project.read('src/Vault.sol')}// changed after approval\n`);
    const after = await json(['approve', 'digest', '--format', 'json']);
    expect(after.releaseDigest).not.toBe(before.releaseDigest);
    const replayed = await ctx.run(['approve', '--signature', old, '--approver', 'alice'], { cwd: project.dir });
    expect(replayed.code).toBe(1);
    expect(replayed.stderr).toContain(`release ${after.releaseDigest} for production: the signature does not verify.`);
    expect(replayed.stderr).toContain(
      'A signature made for another release or target, or by another key, does not count.',
    );
  });

  test('error: the author cannot approve', async () => {
    const project = await createReleaseProject();
    const carol = await ctx.run(['approve', '--key', project.keyFile('carol')], { cwd: project.dir });
    expect(carol.code).toBe(1);
    expect(carol.stderr).toContain('error: carol is the author of this release and cannot approve it.');
    const alice = await ctx.run(['approve', '--key', project.keyFile('alice'), '--author', 'alice'], {
      cwd: project.dir,
    });
    expect(alice.code).toBe(1);
    expect(alice.stderr).toContain('alice is the author of this release');
  });

  test('error: an approver approves once', async () => {
    const project = await createReleaseProject();
    const args = ['approve', '--key', project.keyFile('alice')];
    expect((await ctx.run(args, { cwd: project.dir })).code).toBe(0);
    const again = await ctx.run(args, { cwd: project.dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/error: alice has already approved release [0-9a-f]{64}\./);
  });

  test('error: an unregistered key is refused', async () => {
    const project = await createReleaseProject();
    const result = await ctx.run(['approve', '--key', project.keyFile('mallory')], { cwd: project.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `error: The ed25519 key ${project.keys.mallory.keyId} is not a registered approver.`,
    );
    expect(result.stderr).toContain('Registered approvers: alice, bob, carol.');
    // The wrong algorithm for a key gives another key id: also unregistered.
    const wrongAlgorithm = await ctx.run(['approve', '--key', project.keyFile('alice'), '--algorithm', 'secp256k1'], {
      cwd: project.dir,
    });
    expect(wrongAlgorithm.code).toBe(1);
  });

  test('behavior: keygen writes a private key readable only by its owner, and pubkey prints the entry to register', async () => {
    const project = await createReleaseProject();
    const created = await ctx.run(['approve', 'keygen', '--out', 'new.key', '--format', 'json'], { cwd: project.dir });
    expect(created.code).toBe(0);
    const entry = JSON.parse(created.stdout);
    expect(entry).toMatchObject({
      file: 'new.key',
      algorithm: 'ed25519',
      publicKey: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(statSync(path.join(project.dir, 'new.key')).mode & 0o777).toBe(0o600);
    const shown = await ctx.run(['approve', 'pubkey', '--key', 'new.key', '--format', 'json'], { cwd: project.dir });
    expect(JSON.parse(shown.stdout)).toEqual({ algorithm: 'ed25519', publicKey: entry.publicKey, keyId: entry.keyId });
    expect(created.stdout).not.toContain(project.read('new.key').trim());
    const again = await ctx.run(['approve', 'keygen', '--out', 'new.key'], { cwd: project.dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('new.key exists; keygen never overwrites a key.');
  });

  test('error: usage mistakes exit 2', async () => {
    const project = await createReleaseProject();
    const cases: [string[], string][] = [
      [['approve'], 'No key: pass --key FILE or --key-env VAR.'],
      [['approve', '--algorithm', 'rsa'], '--algorithm rsa is not supported'],
      [['approve', 'sign'], "Unexpected argument 'sign'"],
      [['approve', '--key', 'k', '--signature', '00'], 'Give either --signature (made elsewhere) or --key'],
      [['approve', '--signature', '00'], 'A signature made elsewhere needs --approver NAME'],
    ];
    for (const [args, message] of cases) {
      const result = await ctx.run(args, { cwd: project.dir });
      expect(result.code, args.join(' ')).toBeGreaterThan(0);
      expect(result.stderr).toContain(message);
    }
    expect((await ctx.run(['approve', '--help'])).stdout).toContain('Usage: bulwark approve');
  });
});
