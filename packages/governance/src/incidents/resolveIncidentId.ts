import { getIncident, type Incident, listIncidents, type StoreClient } from '@bulwark/store';
import { IncidentNotFoundError } from './errors.ts';

/** Finds an incident by its id or a unique prefix of it (ids are UUIDs; the list shows 8 characters). */
export async function resolveIncident(store: StoreClient, idOrPrefix: string): Promise<Incident> {
  const exact = await getIncident(store, idOrPrefix);
  if (exact) return exact;
  const prefix = idOrPrefix.trim().toLowerCase();
  const matches =
    prefix.length < 4 ? [] : (await listIncidents(store)).filter((i) => i.id.toLowerCase().startsWith(prefix));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1)
    throw new IncidentNotFoundError(`The id prefix ${idOrPrefix} matches ${matches.length} incidents.`, {
      metaMessages: [`Give more characters: ${matches.map((m) => m.id).join(', ')}.`],
      docsPath: 'governance/incident.md',
    });
  throw new IncidentNotFoundError(`No incident with id ${idOrPrefix}.`, {
    metaMessages: [
      prefix.length < 4
        ? 'Give the whole id or at least 4 characters of it.'
        : 'Run `bulwark incident list` to see the ids.',
    ],
    docsPath: 'governance/incident.md',
  });
}
