import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { type Evidence, insertEvidence, type LogEntry, type StoreClient } from '@bulwark/store';
import { sha256Hex } from '../approvals/sha256.ts';
import { withLogEntry } from '../log/withLogEntry.ts';
import { displayPath } from '../manifest/displayPath.ts';
import { checkControlIds } from '../risks/checkControlIds.ts';
import { parseReviewDate } from '../risks/reviewDate.ts';
import { EvidenceInputError } from './errors.ts';

export const evidenceKinds = ['policy', 'bcp-test', 'dr-test', 'pentest', 'training', 'threat-model', 'other'] as const;
export type EvidenceKind = (typeof evidenceKinds)[number];

export type AddEvidenceParameters = {
  controlId: string;
  /** The file, absolute or relative to `cwd`. */
  file: string;
  owner: string;
  /** 'YYYY-MM-DD' or `+365d`: after this day the evidence shows as expired. */
  expires: string;
  kind?: EvidenceKind | string | undefined;
  /** A short title; default: the file's name. */
  title?: string | undefined;
  /** The project folder: the file is recorded relative to it. */
  cwd: string;
  actor: string;
  now?: Date | undefined;
};

export type AddEvidenceReturnType = { evidence: Evidence; entry: LogEntry };

/**
 * Records a file as evidence for a control: its sha256 and size, its owner and expiry. Adding the
 * same control and file again records a new version; both are kept, and the log has each.
 */
export async function addEvidence(
  store: StoreClient,
  parameters: AddEvidenceParameters,
): Promise<AddEvidenceReturnType> {
  const now = parameters.now ?? new Date();
  const [controlId] = checkControlIds([parameters.controlId]);
  if (!controlId)
    throw new EvidenceInputError('Evidence needs a control id.', { docsPath: 'governance/evidence.md#adding' });
  const kind = parameters.kind ?? 'other';
  if (!(evidenceKinds as readonly string[]).includes(kind))
    throw new EvidenceInputError(`"${kind}" is not an evidence kind.`, {
      metaMessages: [`Use one of: ${evidenceKinds.join(', ')}.`],
      docsPath: 'governance/evidence.md#kinds',
    });
  const owner = parameters.owner.trim();
  if (!owner)
    throw new EvidenceInputError('Evidence needs an owner: the person accountable for keeping it current.', {
      docsPath: 'governance/evidence.md#adding',
    });
  let expiresOn: string;
  try {
    expiresOn = parseReviewDate(parameters.expires, now);
  } catch {
    throw new EvidenceInputError(`The expiry "${parameters.expires}" is not a day written YYYY-MM-DD.`, {
      metaMessages: ['Write it like 2027-03-31, or +365d for a year from today.'],
      docsPath: 'governance/evidence.md#adding',
    });
  }
  const absolute = path.resolve(parameters.cwd, parameters.file);
  let bytes: Buffer;
  try {
    if (!statSync(absolute).isFile()) throw new Error('not a file');
    bytes = readFileSync(absolute);
  } catch (error) {
    throw new EvidenceInputError(`Cannot read the evidence file ${parameters.file}.`, {
      cause: error,
      metaMessages: ['Give the path of a readable file (a PDF, a Markdown record, a signed report).'],
      docsPath: 'governance/evidence.md#adding',
    });
  }
  const file = displayPath(parameters.cwd, absolute);
  const { result, entry } = await withLogEntry(
    store,
    (tx) =>
      insertEvidence(tx, {
        controlId,
        kind,
        title: parameters.title?.trim() || path.basename(absolute),
        file,
        sha256: sha256Hex(bytes),
        size: bytes.length,
        owner,
        expiresOn,
        addedBy: parameters.actor,
      }),
    (evidence) => ({
      actor: parameters.actor,
      action: 'evidence.add',
      payload: {
        id: evidence.id.toString(),
        controlId: evidence.controlId,
        kind: evidence.kind,
        title: evidence.title,
        file: evidence.file,
        sha256: evidence.sha256,
        size: evidence.size.toString(),
        version: evidence.version,
        owner: evidence.owner,
        expiresOn: evidence.expiresOn,
      },
    }),
  );
  return { evidence: result, entry };
}
