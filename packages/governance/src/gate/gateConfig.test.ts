import { describe, expect, test } from 'vitest';
import { publicKeyHex } from '../approvals/keys.ts';
import type { LoadedManifest } from '../manifest/types.ts';
import { readGateConfig } from './gateConfig.ts';
import { newKey } from './testing.ts';

const loaded = (gate: unknown): LoadedManifest =>
  ({
    manifest: { project: { name: 'p' }, contracts: [], gate },
    path: '/p/bulwark.config.yaml',
    dir: '/p',
    format: 'yaml',
    sha256: '0'.repeat(64),
  }) as unknown as LoadedManifest;

const alice = newKey('ed25519');
const bob = newKey('secp256k1');

describe('readGateConfig', () => {
  test('default: approvers by public key or address', () => {
    const config = readGateConfig(
      loaded({
        requiredApprovals: 3,
        author: 'alice',
        dependencyScope: 'imported',
        approvers: [
          { name: 'alice', algorithm: 'ed25519', publicKey: publicKeyHex(alice) },
          { name: 'bob', algorithm: 'secp256k1', address: bob.keyId },
          { name: 'bob-hw', algorithm: 'secp256k1', publicKey: publicKeyHex(newKey('secp256k1')) },
        ],
      }),
    );
    expect(config.requiredApprovals).toBe(3);
    expect(config.author).toBe('alice');
    expect(config.dependencyScope).toBe('imported');
    expect(config.exceptionApprovals).toBe(3);
    expect(config.approvers.map((a) => [a.name, a.key.keyId])).toEqual([
      ['alice', alice.keyId],
      ['bob', bob.keyId],
      ['bob-hw', expect.stringMatching(/^0x[0-9a-f]{40}$/)],
    ]);
  });

  test('behavior: without a gate section, 2 approvals are required and nobody can give them', () => {
    expect(readGateConfig(loaded(undefined))).toEqual({
      requiredApprovals: 2,
      approvers: [],
      dependencyScope: 'all',
      exceptionApprovals: 2,
    });
  });

  test('error: each mistake names its place and the fix', () => {
    const cases: [unknown, RegExp][] = [
      [
        { requiredApprovls: 2 },
        /gate.requiredApprovls is not a known key.\nFix: did you mean gate.requiredApprovals\?/,
      ],
      [{ requiredApprovals: 0 }, /gate.requiredApprovals is 0/],
      [{ approvers: [{ name: 'a', algorithm: 'rsa', publicKey: 'ab' }] }, /gate.approvers\[0\].algorithm is "rsa"/],
      [
        { approvers: [{ name: 'a', algorithm: 'ed25519' }] },
        /gate.approvers\[0\] needs exactly one of publicKey and address/,
      ],
      [{ approvers: [{ name: 'a', algorithm: 'ed25519', address: bob.keyId }] }, /address is only for secp256k1 keys/],
      [{ approvers: [{ name: 'a', algorithm: 'ed25519', publicKey: 'abcd' }] }, /gate.approvers\[0\] has a bad key/],
      [
        {
          approvers: [
            { name: 'a', algorithm: 'ed25519', publicKey: publicKeyHex(alice) },
            { name: 'b', algorithm: 'ed25519', publicKey: publicKeyHex(alice) },
          ],
        },
        /gate.approvers\[1\] has the same key as "a"/,
      ],
      [
        {
          approvers: [
            { name: 'a', algorithm: 'ed25519', publicKey: publicKeyHex(alice) },
            { name: 'a', algorithm: 'secp256k1', address: bob.keyId },
          ],
        },
        /gate.approvers\[1\].name repeats "a"/,
      ],
      [{ dependencyScope: 'some' }, /gate.dependencyScope is "some".\nFix: use "all" or "imported"/],
      [{ exceptionApprovals: 0 }, /gate.exceptionApprovals is 0.\nFix: give a whole number of at least 1/],
    ];
    for (const [gate, message] of cases) expect(() => readGateConfig(loaded(gate))).toThrow(message);
  });
});
