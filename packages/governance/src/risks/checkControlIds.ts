import { closest, controlIds } from '@bulwark/core';
import { UnknownControlError } from './errors.ts';

/**
 * Normalises advisory control ids (`gov-01` → `GOV-01`, duplicates dropped) and checks each is in
 * the catalogue; an unknown one is an error that suggests the nearest id.
 */
export function checkControlIds(ids: readonly string[]): string[] {
  const known = [...controlIds];
  const normalised = [...new Set(ids.map((id) => id.trim().toUpperCase()).filter(Boolean))];
  const unknown = normalised.filter((id) => !controlIds.has(id));
  if (unknown.length > 0)
    throw new UnknownControlError(
      `${unknown.length === 1 ? 'The control' : 'The controls'} ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in the advisory catalogue.`,
      {
        metaMessages: [
          ...unknown.flatMap((id) => {
            const suggestion = closest(id, known);
            return suggestion ? [`Did you mean ${suggestion} instead of ${id}?`] : [];
          }),
          'Known ids: GOV-01…GOV-10, SBD-01…SBD-11, SA-01…SA-06, WAL-01…WAL-10, RES-01…RES-06.',
        ],
        docsPath: 'governance/risk.md#controls',
      },
    );
  return normalised;
}
