import { closeRisk as closeStoredRisk, type LogEntry, type StoreClient } from '@bulwark/store';
import { withLogEntry } from '../log/withLogEntry.ts';
import { RiskInputError } from './errors.ts';
import { getRiskEntry } from './getRiskEntry.ts';
import { today } from './reviewDate.ts';
import { type RiskEntry, toRiskEntry } from './riskEntry.ts';

/**
 * Retires a risk from the register with a reason (the asset is gone, the threat no longer applies):
 * it leaves the open register and its reviews, stays readable, and the log records who closed it and why.
 */
export async function closeRisk(
  store: StoreClient,
  parameters: { id: string; reason: string; actor: string; now?: Date | undefined },
): Promise<{ risk: RiskEntry; entry: LogEntry }> {
  const now = parameters.now ?? new Date();
  const reason = parameters.reason.trim();
  if (!reason)
    throw new RiskInputError('Closing a risk needs a reason.', {
      metaMessages: ['Say why it no longer applies, e.g. --reason "vault retired on 2026-05-01".'],
      docsPath: 'governance/risk.md#closing',
    });
  const current = await getRiskEntry(store, parameters.id, today(now));
  if (current.status === 'closed')
    throw new RiskInputError(
      `Risk ${current.id} was already closed on ${current.closedAt?.toISOString().slice(0, 10)}.`,
      {
        metaMessages: [`Its reason: ${current.closedReason}`],
        docsPath: 'governance/risk.md#closing',
      },
    );
  const { result, entry } = await withLogEntry(
    store,
    (tx) => closeStoredRisk(tx, current.id, { reason, at: now }),
    (risk) => ({ actor: parameters.actor, action: 'risk.close', payload: { id: risk.id, reason, score: risk.score } }),
  );
  return { risk: toRiskEntry(result, today(now)), entry };
}
