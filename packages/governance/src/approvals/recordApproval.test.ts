import { insertApproval, listApprovals, listLog } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { expect, test } from 'vitest';
import type { Approver } from '../gate/gateConfig.ts';
import { newKey } from '../gate/testing.ts';
import { approvalMessage, signApprovalMessage } from './approvalSignature.ts';
import { ApprovalError } from './errors.ts';
import { parsePublicKey, publicKeyHex, type SigningKey } from './keys.ts';
import { recordApproval } from './recordApproval.ts';
import { verifyApprovals } from './verifyApprovals.ts';

const alice = newKey('ed25519');
const bob = newKey('secp256k1');
const carol = newKey('ed25519');
const mallory = newKey('secp256k1');
const registered = (name: string, key: SigningKey): Approver => ({
  name,
  key: parsePublicKey(key.algorithm === 'ed25519' ? publicKeyHex(key) : key.keyId, {
    algorithm: key.algorithm,
    where: 'test',
    allowAddress: true,
  }),
});
const approvers = [registered('alice', alice), registered('bob', bob), registered('carol', carol)];
let n = 0;
/** A fresh digest per test: tests share the suite's store. */
const nextDigest = () => (++n).toString(16).padStart(64, '0');

describeStore('recordApproval', (ctx) => {
  test('default: two approvers sign, each is recorded with a log entry and counts once', async () => {
    const digest = nextDigest();
    const first = await recordApproval(ctx.store, { digest, target: 'production', approvers, key: alice });
    await recordApproval(ctx.store, { digest, target: 'production', approvers, key: bob, approverName: 'bob' });
    expect(first.approver.name).toBe('alice');
    const stored = await listApprovals(ctx.store, { releaseDigest: digest });
    expect(stored.map((a) => a.approverKeyId)).toEqual([alice.keyId, bob.keyId]);
    const verified = verifyApprovals({ digest, target: 'production', approvals: stored, approvers, author: 'carol' });
    expect(verified.approvedBy).toEqual(['alice', 'bob']);
    const log = await listLog(ctx.store, { action: 'gate.approve' });
    const entry = log.find((e) => (e.payload as { releaseDigest: string }).releaseDigest === digest);
    expect(entry).toMatchObject({ actor: alice.keyId, payload: { approver: 'alice', target: 'production' } });
  });

  test('error: an unregistered key, or a key claimed under another name', async () => {
    const digest = nextDigest();
    await expect(recordApproval(ctx.store, { digest, target: 'production', approvers, key: mallory })).rejects.toThrow(
      /The secp256k1 key 0x[0-9a-f]{40} is not a registered approver/,
    );
    await expect(
      recordApproval(ctx.store, { digest, target: 'production', approvers, key: alice, approverName: 'bob' }),
    ).rejects.toThrow("The key is alice's, not bob's.");
    expect(await listApprovals(ctx.store, { releaseDigest: digest })).toEqual([]);
  });

  test('error: the author cannot approve their own release', async () => {
    const digest = nextDigest();
    await expect(
      recordApproval(ctx.store, { digest, target: 'production', approvers, key: carol, author: 'carol' }),
    ).rejects.toThrow(/carol is the author of this release and cannot approve it/);
    // The author may also be named by key id.
    await expect(
      recordApproval(ctx.store, { digest, target: 'production', approvers, key: bob, author: bob.keyId.toUpperCase() }),
    ).rejects.toBeInstanceOf(ApprovalError);
  });

  test('error: a second approval by the same approver', async () => {
    const digest = nextDigest();
    await recordApproval(ctx.store, { digest, target: 'production', approvers, key: alice });
    await expect(recordApproval(ctx.store, { digest, target: 'production', approvers, key: alice })).rejects.toThrow(
      /alice has already approved release/,
    );
    expect(await listApprovals(ctx.store, { releaseDigest: digest })).toHaveLength(1);
  });

  test('error: a signature made elsewhere must be for this digest and target', async () => {
    const digest = nextDigest();
    const other = nextDigest();
    const replayed = signApprovalMessage(bob, approvalMessage(other, 'production'));
    await expect(
      recordApproval(ctx.store, { digest, target: 'production', approvers, approverName: 'bob', signature: replayed }),
    ).rejects.toThrow(/is not bob's approval of release .* for production: the signature does not verify/);
    const forStaging = signApprovalMessage(bob, approvalMessage(digest, 'staging'));
    await expect(
      recordApproval(ctx.store, {
        digest,
        target: 'production',
        approvers,
        approverName: 'bob',
        signature: forStaging,
      }),
    ).rejects.toBeInstanceOf(ApprovalError);
    const good = signApprovalMessage(bob, approvalMessage(digest, 'production'));
    const { approval } = await recordApproval(ctx.store, {
      digest,
      target: 'production',
      approvers,
      approverName: 'bob',
      signature: good,
    });
    expect(approval.signature).toBe(good);
  });

  test('behavior: the gate re-checks stored approvals, so rows written around the checks do not count', async () => {
    const digest = nextDigest();
    const signedAt = new Date();
    // Copied from another release: a valid signature, but not of this digest.
    await insertApproval(ctx.store, {
      releaseDigest: digest,
      approverKeyId: alice.keyId,
      algorithm: 'ed25519',
      signature: signApprovalMessage(alice, approvalMessage(nextDigest(), 'production')),
      signedAt,
    });
    // Forged: bob's id with mallory's signature.
    await insertApproval(ctx.store, {
      releaseDigest: digest,
      approverKeyId: bob.keyId,
      algorithm: 'secp256k1',
      signature: signApprovalMessage(mallory, approvalMessage(digest, 'production')),
      signedAt,
    });
    // Unregistered.
    await insertApproval(ctx.store, {
      releaseDigest: digest,
      approverKeyId: mallory.keyId,
      algorithm: 'secp256k1',
      signature: signApprovalMessage(mallory, approvalMessage(digest, 'production')),
      signedAt,
    });
    // The author.
    await insertApproval(ctx.store, {
      releaseDigest: digest,
      approverKeyId: carol.keyId,
      algorithm: 'ed25519',
      signature: signApprovalMessage(carol, approvalMessage(digest, 'production')),
      signedAt,
    });
    const verified = verifyApprovals({
      digest,
      target: 'production',
      approvals: await listApprovals(ctx.store, { releaseDigest: digest }),
      approvers,
      author: 'carol',
    });
    expect(verified.approvedBy).toEqual([]);
    expect(verified.verdicts.map((v) => [v.approver ?? v.keyId, v.valid, v.reason.split(' for release')[0]])).toEqual([
      ['alice', false, 'the signature does not verify'],
      ['bob', false, 'the signature does not verify'],
      [mallory.keyId, false, 'the key is not a registered approver (gate.approvers)'],
      ['carol', false, 'carol is the release author; an author cannot approve'],
    ]);
    expect(verified.verdicts[0]!.reason).toContain('forged, or signed for another release or target');
  });
});
