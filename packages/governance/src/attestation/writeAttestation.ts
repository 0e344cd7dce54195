import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { appendLog, canonicalJson, type StoreClient } from '@bulwark/store';
import { utf8ToBytes } from '@noble/hashes/utils';
import type { SigningKey } from '../approvals/keys.ts';
import { sha256Hex } from '../approvals/sha256.ts';
import type { GateResult } from '../gate/runGate.ts';
import { type Envelope, signEnvelope } from './dsse.ts';
import { type GateStatement, gateStatement, inTotoPayloadType } from './gateStatement.ts';

export type WriteAttestationParameters = {
  result: GateResult;
  key: SigningKey;
  /** Where to write the envelope (absolute). */
  file: string;
  /** The file as shown and logged. */
  shownAs?: string | undefined;
  actor?: string | undefined;
};

export type WriteAttestationReturnType = { envelope: Envelope; statement: GateStatement; sha256: string };

/**
 * Signs the gate's in-toto statement into a DSSE envelope, writes it (atomically) and logs it.
 * The statement is serialised as canonical JSON, so the same decision gives the same payload.
 */
export async function writeAttestation(
  store: StoreClient,
  parameters: WriteAttestationParameters,
): Promise<WriteAttestationReturnType> {
  const statement = gateStatement(parameters.result);
  const envelope = signEnvelope(inTotoPayloadType, utf8ToBytes(canonicalJson(statement)), parameters.key);
  const text = `${JSON.stringify(envelope, null, 2)}\n`;
  mkdirSync(path.dirname(parameters.file), { recursive: true });
  const temporary = `${parameters.file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, parameters.file);
  const sha256 = sha256Hex(text);
  await appendLog(store, {
    actor: parameters.actor ?? parameters.key.keyId,
    action: 'gate.attest',
    payload: {
      file: parameters.shownAs ?? parameters.file,
      sha256,
      keyId: parameters.key.keyId,
      algorithm: parameters.key.algorithm,
      target: parameters.result.target,
      releaseDigest: parameters.result.releaseDigest,
      decision: parameters.result.decision,
      subjects: statement.subject,
    },
  });
  return { envelope, statement, sha256 };
}
