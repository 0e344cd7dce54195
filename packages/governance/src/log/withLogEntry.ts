import { appendLog, type LogEntry, type StoreClient, withTransaction } from '@bulwark/store';
import { requireIdentity } from '../identity/requireRole.ts';

export type LogEntryFields = {
  /** Who did it: a person, a key id, `monitor`. */
  actor: string;
  /** Dotted: `risk.add`, `incident.move`. */
  action: string;
  payload: Record<string, unknown>;
  at?: Date | undefined;
};

/**
 * Runs a governance change and appends its log entry in one transaction: the change is never
 * stored without its entry, nor the entry without the change.
 */
export async function withLogEntry<T>(
  store: StoreClient,
  change: (tx: StoreClient) => Promise<T>,
  entry: (result: T) => LogEntryFields,
): Promise<{ result: T; entry: LogEntry }> {
  return withTransaction(store, async (tx) => {
    const result = await change(tx);
    const fields = entry(result);
    // Once people are registered, every action is theirs: an unknown actor rolls the change back.
    await requireIdentity(tx, fields.actor);
    const logged = await appendLog(tx, fields);
    return { result, entry: logged };
  });
}
