import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { utf8ToBytes } from '@noble/hashes/utils';
import { describe, expect, test } from 'vitest';
import { sha256Hex } from '../approvals/sha256.ts';
import { newKey } from '../gate/testing.ts';
import { signEnvelope } from './dsse.ts';
import { gatePredicateType, inTotoPayloadType, statementType } from './gateStatement.ts';
import { verifyAttestation } from './verifyAttestation.ts';

const key = newKey('ed25519');

function attest(statement: unknown): string {
  return JSON.stringify(signEnvelope(inTotoPayloadType, utf8ToBytes(JSON.stringify(statement)), key));
}

function statementFor(subject: { name: string; digest: { sha256: string } }[], decision = 'pass') {
  return {
    _type: statementType,
    subject,
    predicateType: gatePredicateType,
    predicate: {
      target: 'production',
      releaseDigest: 'a'.repeat(64),
      decision,
      checks: [],
      finishedOn: 'now',
      log: { head: { seq: 7, hash: 'b'.repeat(64) }, stateDigest: 'c'.repeat(64) },
    },
  };
}

describe('verifyAttestation', () => {
  test('behavior: subjects outside the manifest folder (../) are checked where they are', () => {
    const workspace = mkdtempSync(path.join(tmpdir(), 'bulwark-verify-'));
    mkdirSync(path.join(workspace, 'examples'));
    mkdirSync(path.join(workspace, 'out'));
    writeFileSync(path.join(workspace, 'out/Vault.json'), '{"bytecode":"0x6001"}');
    const text = attest(
      statementFor([{ name: '../out/Vault.json', digest: { sha256: sha256Hex('{"bytecode":"0x6001"}') } }]),
    );
    const result = verifyAttestation({ text, key, root: path.join(workspace, 'examples') });
    expect(result.checks.map((c) => [c.id, c.ok])).toEqual([
      ['envelope', true],
      ['signature', true],
      ['statement', true],
      ['subjects', true],
      ['log', true],
      ['decision', true],
    ]);
    expect(result.ok).toBe(true);
    expect(result.checks.find((c) => c.id === 'log')?.message).toContain(
      `log head 7:${'b'.repeat(64)} and state digest ${'c'.repeat(64)}`,
    );
    // A statement without the log head cannot be tied to the governance state.
    const { log: _log, ...predicate } = statementFor([]).predicate;
    const unanchored = attest({
      ...statementFor([{ name: '../out/Vault.json', digest: { sha256: sha256Hex('{"bytecode":"0x6001"}') } }]),
      predicate,
    });
    expect(verifyAttestation({ text: unanchored, key, root: path.join(workspace, 'examples') }).checks).toContainEqual(
      expect.objectContaining({ id: 'log', ok: false }),
    );
    // An absolute name is never looked up.
    const absolute = attest(
      statementFor([{ name: path.join(workspace, 'out/Vault.json'), digest: { sha256: sha256Hex('x') } }]),
    );
    expect(verifyAttestation({ text: absolute, key, root: workspace }).checks.at(-3)).toMatchObject({
      id: 'subjects',
      ok: false,
    });
  });

  test('error: a correctly signed payload that is not a gate statement', () => {
    const cases: [unknown, string][] = [
      [{ ...statementFor([]), subject: [] }, 'The statement needs a non-empty subject list'],
      [{ ...statementFor([{ name: 'a', digest: { sha256: 'a'.repeat(64) } }]), _type: 'x' }, `not ${statementType}`],
      [
        {
          ...statementFor([{ name: 'a', digest: { sha256: 'a'.repeat(64) } }]),
          predicateType: 'https://slsa.dev/provenance/v1',
        },
        `not ${gatePredicateType}`,
      ],
      [{ ...statementFor([{ name: 'a', digest: { sha256: 'a'.repeat(64) } }]), predicate: {} }, 'The predicate needs'],
    ];
    for (const [statement, message] of cases) {
      const result = verifyAttestation({ text: attest(statement), key, root: tmpdir() });
      expect(result.ok).toBe(false);
      expect(result.checks.at(-1)).toMatchObject({
        id: 'statement',
        ok: false,
        message: expect.stringContaining(message),
      });
    }
    const notJson = JSON.stringify(signEnvelope(inTotoPayloadType, utf8ToBytes('not json'), key));
    expect(verifyAttestation({ text: notJson, key, root: tmpdir() }).checks.at(-1)?.message).toBe(
      'The signed payload is not JSON.',
    );
  });
});
