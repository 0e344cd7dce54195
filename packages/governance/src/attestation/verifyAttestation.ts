import { existsSync } from 'node:fs';
import path from 'node:path';
import { bytesToUtf8 } from '@noble/hashes/utils';
import type { VerifyingKey } from '../approvals/keys.ts';
import { sha256File } from '../approvals/sha256.ts';
import { decodeBase64, type Envelope, envelopeSignedBy } from './dsse.ts';
import { type GateStatement, gatePredicateType, inTotoPayloadType, statementType } from './gateStatement.ts';

export type AttestationCheckId = 'envelope' | 'signature' | 'statement' | 'target' | 'subjects' | 'log' | 'decision';

export type AttestationCheck = { id: AttestationCheckId; ok: boolean; message: string };

export type SubjectCheck = { name: string; expected: string; actual?: string | undefined; ok: boolean };

export type VerifyAttestationParameters = {
  /** The envelope file's text. */
  text: string;
  key: VerifyingKey;
  /** The folder subject names are relative to (the project root). */
  root: string;
  /** When given, the statement must be for this target. */
  target?: string | undefined;
};

export type VerifyAttestationReturnType = {
  ok: boolean;
  checks: AttestationCheck[];
  statement?: GateStatement | undefined;
  subjects: SubjectCheck[];
};

/**
 * Verifies a gate attestation, in order, stopping at the first step that leaves nothing to trust:
 * the DSSE envelope's shape; its signature by `key` over the PAE (a changed payload or signature
 * fails here); the in-toto statement's shape; the target; each subject's sha256 against the file
 * on disk now (a rebuilt or edited artifact fails); that it names the log head and state digest the
 * gate decided on; and that the decision was `pass`.
 */
export function verifyAttestation(parameters: VerifyAttestationParameters): VerifyAttestationReturnType {
  const checks: AttestationCheck[] = [];
  const done = (statement?: GateStatement, subjects: SubjectCheck[] = []): VerifyAttestationReturnType => ({
    ok: checks.every((c) => c.ok),
    checks,
    statement,
    subjects,
  });
  const pass = (id: AttestationCheckId, message: string) => checks.push({ id, ok: true, message });
  const fail = (id: AttestationCheckId, message: string) => checks.push({ id, ok: false, message });

  const envelope = parseEnvelope(parameters.text);
  if (typeof envelope === 'string') {
    fail('envelope', envelope);
    return done();
  }
  if (envelope.payloadType !== inTotoPayloadType) {
    fail('envelope', `The payload type is "${envelope.payloadType}", not ${inTotoPayloadType}.`);
    return done();
  }
  pass('envelope', `A DSSE envelope with ${envelope.signatures.length} signature(s).`);

  if (!envelopeSignedBy(envelope, parameters.key)) {
    const keyids = envelope.signatures.map((s) => s.keyid || '(none)').join(', ');
    fail(
      'signature',
      `No signature verifies with key ${parameters.key.keyId} (signatures name ${keyids}): the envelope was signed by another key, or its payload or signature was changed.`,
    );
    return done();
  }
  pass('signature', `Signed by ${parameters.key.keyId}.`);

  const statement = parseStatement(decodeBase64(envelope.payload)!);
  if (typeof statement === 'string') {
    fail('statement', statement);
    return done();
  }
  pass('statement', `An in-toto statement (${gatePredicateType}) with ${statement.subject.length} subject(s).`);

  const predicate = statement.predicate;
  if (parameters.target !== undefined) {
    if (predicate.target !== parameters.target) {
      fail('target', `The attestation is for target "${predicate.target}", not "${parameters.target}".`);
      return done(statement);
    }
    pass('target', `For target ${predicate.target}.`);
  }

  const root = path.resolve(parameters.root);
  const subjects = statement.subject.map((subject): SubjectCheck => {
    // Names are signed by the gate, relative to the manifest's folder (`../contracts/out/X.json` is
    // fine); an absolute name would check a file the attestation cannot know the place of.
    const file = path.resolve(root, subject.name);
    const actual = !path.isAbsolute(subject.name) && existsSync(file) ? sha256File(file) : undefined;
    return { name: subject.name, expected: subject.digest.sha256, actual, ok: actual === subject.digest.sha256 };
  });
  const bad = subjects.filter((s) => !s.ok);
  if (bad.length > 0)
    fail(
      'subjects',
      `${bad.length} of ${subjects.length} subject(s) differ from the files in ${root}: ${bad
        .map((s) =>
          s.actual === undefined ? `${s.name} is missing` : `${s.name} has sha256 ${s.actual}, attested ${s.expected}`,
        )
        .join('; ')}.`,
    );
  else pass('subjects', `${subjects.length} subject(s) match the files on disk.`);

  const log = predicate.log;
  if (!log || typeof log.stateDigest !== 'string')
    fail(
      'log',
      'The statement carries no log head or state digest: the decision cannot be tied to the governance log.',
    );
  else
    pass(
      'log',
      `Decided on governance log head ${log.head ? `${log.head.seq}:${log.head.hash}` : '(empty log)'} and state digest ${log.stateDigest}; check the store still extends it with \`bulwark log verify --anchor SEQ:HASH\`.`,
    );

  if (predicate.decision !== 'pass') {
    const failed = predicate.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.reason}`);
    fail('decision', `The gate decided "${predicate.decision}" for this release. ${failed.join(' ')}`.trim());
  } else
    pass(
      'decision',
      `The gate passed release ${predicate.releaseDigest} for ${predicate.target} on ${predicate.finishedOn}.`,
    );
  return done(statement, subjects);
}

function parseEnvelope(text: string): Envelope | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'The attestation is not JSON: it is not a DSSE envelope.';
  }
  if (!isObject(json)) return 'The attestation is not a JSON object: it is not a DSSE envelope.';
  if (typeof json.payloadType !== 'string') return 'The envelope has no payloadType.';
  if (typeof json.payload !== 'string' || !decodeBase64(json.payload)) return 'The envelope payload is not base64.';
  if (
    !Array.isArray(json.signatures) ||
    json.signatures.length === 0 ||
    !json.signatures.every((s) => isObject(s) && typeof s.sig === 'string')
  )
    return 'The envelope has no signatures (each needs "sig").';
  return {
    payloadType: json.payloadType,
    payload: json.payload,
    signatures: (json.signatures as { keyid?: unknown; sig: string }[]).map((s) => ({
      keyid: typeof s.keyid === 'string' ? s.keyid : '',
      sig: s.sig,
    })),
  };
}

function parseStatement(payload: Uint8Array): GateStatement | string {
  let json: unknown;
  try {
    json = JSON.parse(bytesToUtf8(payload));
  } catch {
    return 'The signed payload is not JSON.';
  }
  if (!isObject(json)) return 'The signed payload is not a JSON object.';
  if (json._type !== statementType)
    return `The payload's _type is ${JSON.stringify(json._type)}, not ${statementType}.`;
  if (json.predicateType !== gatePredicateType)
    return `The predicateType is ${JSON.stringify(json.predicateType)}, not ${gatePredicateType}.`;
  const subjects = json.subject;
  if (
    !Array.isArray(subjects) ||
    subjects.length === 0 ||
    !subjects.every(
      (s) =>
        isObject(s) &&
        typeof s.name === 'string' &&
        isObject(s.digest) &&
        typeof s.digest.sha256 === 'string' &&
        /^[0-9a-f]{64}$/.test(s.digest.sha256),
    )
  )
    return 'The statement needs a non-empty subject list, each with a name and a sha256 digest.';
  const predicate = json.predicate;
  if (
    !isObject(predicate) ||
    typeof predicate.target !== 'string' ||
    typeof predicate.releaseDigest !== 'string' ||
    (predicate.decision !== 'pass' && predicate.decision !== 'fail') ||
    !Array.isArray(predicate.checks) ||
    !predicate.checks.every((c) => isObject(c) && typeof c.id === 'string' && typeof c.status === 'string')
  )
    return 'The predicate needs target, releaseDigest, decision (pass or fail) and checks.';
  return json as unknown as GateStatement;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
