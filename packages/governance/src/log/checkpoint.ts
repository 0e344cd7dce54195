import { canonicalJson, listIdentities, type StoreClient, verifyBoundRows, verifyLog } from '@bulwark/store';
import { bytesToUtf8, utf8ToBytes } from '@noble/hashes/utils';
import { parsePublicKey, type SigningKey, type VerifyingKey } from '../approvals/keys.ts';
import { decodeBase64, type Envelope, envelopeSignedBy, signEnvelope } from '../attestation/dsse.ts';
import { LogCheckpointError } from './errors.ts';

export const checkpointPayloadType = 'application/vnd.bulwark.log-checkpoint+json';
const checkpointType = 'https://bulwark.dev/log-checkpoint/v1';

/** What a checkpoint vouches for: the log up to `head`, and the governance state it left. */
export type LogCheckpoint = {
  _type: typeof checkpointType;
  head: { seq: number; hash: string };
  stateDigest: string;
  /** When it was signed (ISO 8601). */
  at: string;
};

/**
 * Signs the log's head and state digest as a DSSE envelope, after checking both: a checkpoint of
 * a log or state that does not verify would vouch for tampering. Keep it outside the database
 * (another system, a ticket, a transparency log); `verifyCheckpoint` later shows the log extends it.
 */
export async function signCheckpoint(
  store: StoreClient,
  parameters: { key: SigningKey; now?: Date | undefined },
): Promise<{ envelope: Envelope; checkpoint: LogCheckpoint }> {
  const log = await verifyLog(store);
  if (!log.ok)
    throw new LogCheckpointError(
      `The log does not verify (entry ${log.seq}, ${log.reason}): it cannot be checkpointed.`,
      {
        metaMessages: [log.message],
        docsPath: 'governance/log.md#checkpoints',
      },
    );
  if (!log.head)
    throw new LogCheckpointError('The log is empty: there is nothing to checkpoint yet.', {
      docsPath: 'governance/log.md#checkpoints',
    });
  const rows = await verifyBoundRows(store);
  if (!rows.ok)
    throw new LogCheckpointError('Governance rows were changed outside Bulwark: the state cannot be checkpointed.', {
      metaMessages: rows.problems.map((p) => p.message),
      docsPath: 'governance/log.md#bound-rows',
    });
  const checkpoint: LogCheckpoint = {
    _type: checkpointType,
    head: log.head,
    stateDigest: rows.stateDigest,
    at: (parameters.now ?? new Date()).toISOString(),
  };
  const envelope = signEnvelope(checkpointPayloadType, utf8ToBytes(canonicalJson(checkpoint)), parameters.key);
  return { envelope, checkpoint };
}

/**
 * Reads a checkpoint envelope and checks its signature: by `key` when given, else by the key of a
 * registered identity (an ed25519 key id names its public key; a secp256k1 signer must be given
 * or registered). Returns the checkpoint and who signed it; throws when it cannot be trusted.
 */
export async function readCheckpoint(
  store: StoreClient,
  text: string,
  parameters: { key?: VerifyingKey | undefined; file: string },
): Promise<{ checkpoint: LogCheckpoint; signer: string }> {
  const bad = (problem: string, fix = 'Write checkpoints with `bulwark log checkpoint --key FILE --out FILE`.') =>
    new LogCheckpointError(`${parameters.file} ${problem}`, {
      metaMessages: [fix],
      docsPath: 'governance/log.md#checkpoints',
    });
  let envelope: Envelope;
  try {
    envelope = JSON.parse(text) as Envelope;
  } catch {
    throw bad('is not JSON: it is not a checkpoint.');
  }
  if (envelope?.payloadType !== checkpointPayloadType || typeof envelope.payload !== 'string')
    throw bad(`is not a log checkpoint (payload type ${JSON.stringify(envelope?.payloadType)}).`);
  const keyIds = (envelope.signatures ?? []).map((s) => s.keyid);
  const identities = await listIdentities(store);
  const candidates: { key: VerifyingKey; signer: string }[] = [];
  if (parameters.key) candidates.push({ key: parameters.key, signer: parameters.key.keyId });
  else
    for (const identity of identities)
      if (identity.publicKey && identity.keyId && keyIds.includes(identity.keyId))
        candidates.push({
          key: parsePublicKey(identity.publicKey, { where: `identity ${identity.name}` }),
          signer: `${identity.name} (${identity.keyId})`,
        });
  const signed = candidates.find((c) => envelopeSignedBy(envelope, c.key));
  if (!signed)
    throw bad(
      `is not signed by ${parameters.key ? `key ${parameters.key.keyId}` : 'the key of any registered identity'} (signatures name ${keyIds.join(', ') || 'no key'}).`,
      'Pass the signer’s public key with --key, or register it: bulwark identity add NAME --key PUBKEY.',
    );
  const payload = decodeBase64(envelope.payload);
  let checkpoint: LogCheckpoint;
  try {
    checkpoint = JSON.parse(bytesToUtf8(payload!)) as LogCheckpoint;
  } catch {
    throw bad('has a payload that is not JSON.');
  }
  if (
    checkpoint?._type !== checkpointType ||
    !Number.isSafeInteger(checkpoint.head?.seq) ||
    !/^[0-9a-f]{64}$/.test(checkpoint.head?.hash ?? '') ||
    typeof checkpoint.stateDigest !== 'string'
  )
    throw bad('has a payload that is not a log checkpoint (head, stateDigest).');
  return { checkpoint, signer: signed.signer };
}
