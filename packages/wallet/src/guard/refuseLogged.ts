import { appendLog, type StoreClient, withTransaction } from '@bulwark/store';
import { type RefusalReason, WalletRefusedError } from './errors.ts';

export type Refusal = { refused: { reason: RefusalReason; message: string } };

/**
 * Runs `fn` in a transaction; a refusal it returns is logged in that transaction (so the attempt
 * is on record) and then thrown, after the commit.
 */
export async function refuseLogged<T>(
  store: StoreClient,
  fn: (
    tx: StoreClient,
    refuse: (reason: RefusalReason, message: string, payload: Record<string, unknown>) => Promise<Refusal>,
  ) => Promise<T | Refusal>,
  log: { actor: string; action: string; at: Date },
): Promise<T> {
  const result = await withTransaction(store, (tx) =>
    fn(tx, async (reason, message, payload) => {
      await appendLog(tx, {
        actor: log.actor,
        action: `${log.action}.refused`,
        payload: { ...payload, reason, message },
        at: log.at,
      });
      return { refused: { reason, message } };
    }),
  );
  if (result && typeof result === 'object' && 'refused' in result)
    throw new WalletRefusedError(result.refused.reason, result.refused.message);
  return result as T;
}
