import { appendLog, getLogHead, type LogEntry, listLog, type StoreClient, withTransaction } from '@bulwark/store';
import { signApprovalMessage, verifyApprovalSignature } from '../approvals/approvalSignature.ts';
import { parsePublicKey, type SigningKey } from '../approvals/keys.ts';
import type { Approver } from '../gate/gateConfig.ts';
import { ConformanceInputError } from './errors.ts';

/** Bump when the signed text changes; a v1 sign-off never verifies as another version's. */
export const signOffDomain = 'bulwark-conformance-signoff:v1';

export type ReportPeriod = { from: string; to: string };

/** What an accountable person signs: the project, the period and the log head the report stands on. */
export type SignOffStatement = {
  project: string;
  period: ReportPeriod;
  logHead: { seq: number; hash: string };
};

export function signOffMessage(statement: SignOffStatement): string {
  const { project, period, logHead } = statement;
  return `${signOffDomain}:${JSON.stringify([project, period.from, period.to, logHead.seq, logHead.hash])}`;
}

const isDay = (text: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(text) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);

/** Checks a reporting period given on the command line: two days, in order. */
export function parseReportPeriod(from: string | undefined, to: string | undefined): ReportPeriod | undefined {
  if (from === undefined && to === undefined) return undefined;
  if (from === undefined || to === undefined || !isDay(from) || !isDay(to) || from > to)
    throw new ConformanceInputError(`The reporting period ${from ?? '?'} to ${to ?? '?'} is not two days in order.`, {
      metaMessages: ['Give both, written YYYY-MM-DD, e.g. --from 2026-01-01 --to 2026-06-30.'],
      docsPath: 'governance/report.md#period',
    });
  return { from, to };
}

/**
 * Signs the report of a period with an approver's key and logs the sign-off (`report.signoff`):
 * the signature covers the project, the period and the log head at the time of signing, so a
 * log edited afterwards no longer matches what was signed.
 */
export async function signOffReport(
  store: StoreClient,
  parameters: { project: string; period: ReportPeriod; key: SigningKey; signer: string; actor: string },
): Promise<{ entry: LogEntry; statement: SignOffStatement; signature: string }> {
  return withTransaction(store, async (tx) => {
    const head = await getLogHead(tx);
    if (!head)
      throw new ConformanceInputError('The log is empty: there is nothing to sign off yet.', {
        docsPath: 'governance/report.md#sign-off',
      });
    const statement: SignOffStatement = { project: parameters.project, period: parameters.period, logHead: head };
    const signature = signApprovalMessage(parameters.key, signOffMessage(statement));
    const entry = await appendLog(tx, {
      actor: parameters.actor,
      action: 'report.signoff',
      payload: {
        statement,
        signer: parameters.signer,
        algorithm: parameters.key.algorithm,
        keyId: parameters.key.keyId,
        signature,
      },
    });
    return { entry, statement, signature };
  });
}

export type SignOff = {
  signer: string;
  keyId: string;
  algorithm: string;
  signedAt: string;
  logSeq: number;
  statement: SignOffStatement;
  signature: string;
  /** The signature verifies over the statement with the key it names. */
  valid: boolean;
  /** The key belongs to an approver of the manifest's gate section, under the name signed. */
  registered: boolean;
  reason?: string | undefined;
};

type SignOffPayload = {
  statement: SignOffStatement;
  signer: string;
  algorithm: string;
  keyId: string;
  signature: string;
};

/** The sign-offs of a project's period from the log, each verified; registered when the key is an approver's. */
export async function listSignOffs(
  store: StoreClient,
  parameters: { project: string; period: ReportPeriod; approvers: readonly Approver[] },
): Promise<SignOff[]> {
  const entries = await listLog<SignOffPayload>(store, { action: 'report.signoff' });
  return entries
    .filter(
      (e) =>
        e.payload.statement?.project === parameters.project &&
        e.payload.statement.period?.from === parameters.period.from &&
        e.payload.statement.period?.to === parameters.period.to,
    )
    .map((e) => {
      const p = e.payload;
      let verdict: { valid: boolean; reason?: string };
      try {
        const key =
          p.algorithm === 'ed25519'
            ? parsePublicKey(p.keyId.replace(/^ed25519:/, ''), { algorithm: 'ed25519', where: `log entry ${e.seq}` })
            : parsePublicKey(p.keyId, { algorithm: 'secp256k1', where: `log entry ${e.seq}`, allowAddress: true });
        verdict = verifyApprovalSignature(key, signOffMessage(p.statement), p.signature);
      } catch {
        verdict = { valid: false, reason: 'the key id is malformed' };
      }
      const approver = parameters.approvers.find((a) => a.key.keyId === p.keyId);
      return {
        signer: p.signer,
        keyId: p.keyId,
        algorithm: p.algorithm,
        signedAt: e.at.toISOString(),
        logSeq: e.seq,
        statement: p.statement,
        signature: p.signature,
        valid: verdict.valid,
        registered: approver?.name === p.signer,
        ...(verdict.valid ? {} : { reason: verdict.reason }),
      };
    });
}
