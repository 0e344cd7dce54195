import { closest } from '@bulwark/core';
import { listRisks, type StoreClient } from '@bulwark/store';
import { RiskNotFoundError } from './errors.ts';
import { today } from './reviewDate.ts';
import { type RiskEntry, toRiskEntry } from './riskEntry.ts';

/** One risk of the register; ids are matched without regard to case (`r-3` finds `R-3`). */
export async function getRiskEntry(store: StoreClient, id: string, on: string = today()): Promise<RiskEntry> {
  const risks = await listRisks(store);
  const risk = risks.find((r) => r.id === id) ?? risks.find((r) => r.id.toLowerCase() === id.toLowerCase());
  if (!risk) {
    const suggestion = closest(
      id,
      risks.map((r) => r.id),
    );
    throw new RiskNotFoundError(`No risk with id ${id} in the register.`, {
      metaMessages: [suggestion ? `Did you mean ${suggestion}?` : 'Run `bulwark risk list` to see the ids.'],
      docsPath: 'governance/risk.md',
    });
  }
  return toRiskEntry(risk, on);
}
