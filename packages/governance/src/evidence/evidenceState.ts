import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Evidence } from '@bulwark/store';
import { sha256Hex } from '../approvals/sha256.ts';

/**
 * - `current`: not expired, and the file (when it can be found) still has the recorded hash;
 * - `expired`: past its expiry day;
 * - `changed`: the file at the recorded path no longer has the recorded hash.
 * A file that is not on this machine does not change the state: the hash in the log is the record.
 */
export type EvidenceState = 'current' | 'expired' | 'changed';

export type EvidenceStatus = Evidence & {
  state: EvidenceState;
  /** Whether the file at the recorded path has the recorded hash; undefined when it is not there. */
  fileMatches: boolean | undefined;
};

export function evidenceStatus(evidence: Evidence, on: string, cwd: string): EvidenceStatus {
  const file = path.resolve(cwd, evidence.file);
  const fileMatches = existsSync(file) ? sha256Hex(readFileSync(file)) === evidence.sha256 : undefined;
  const state: EvidenceState = evidence.expiresOn < on ? 'expired' : fileMatches === false ? 'changed' : 'current';
  return { ...evidence, state, fileMatches };
}
