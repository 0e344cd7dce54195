import {
  addIncidentEvent,
  type LogEntry,
  type ResponderActionKind,
  recordResponderAction,
  type StoreClient,
} from '@bulwark/store';
import { withLogEntry } from '../log/withLogEntry.ts';
import { IncidentInputError } from './errors.ts';
import { resolveIncident } from './resolveIncidentId.ts';

/** The responder kinds the store knows, and `other` for anything done by hand outside them. */
export const incidentActionKinds = ['pause', 'safe-proposal', 'notify', 'other'] as const;
export type IncidentActionKind = (typeof incidentActionKinds)[number];

export type AddIncidentActionParameters = {
  /** The incident's id or a unique prefix. */
  id: string;
  kind: IncidentActionKind;
  /** What was done, in words. */
  description: string;
  /** `done`, `sent`, `mined`, `verified`, `failed`… (default `done`). */
  status?: string | undefined;
  txHash?: string | undefined;
  chainId?: number | undefined;
  address?: string | undefined;
  dryRun?: boolean | undefined;
  actor: string;
  at?: Date | undefined;
};

/**
 * Records a containment action taken by hand and logs `incident.action`. A pause, Safe proposal
 * or notification is stored as a responder action (beside the monitor's, marked `manual`);
 * anything else goes on the timeline as a `manual-action`.
 */
export async function addIncidentAction(
  store: StoreClient,
  parameters: AddIncidentActionParameters,
): Promise<{ actionId: string; entry: LogEntry }> {
  const description = parameters.description.trim();
  if (!description)
    throw new IncidentInputError('An action needs a description of what was done.', {
      metaMessages: ['Pass --description "revoked the relayer key".'],
      docsPath: 'governance/incident.md#actions',
    });
  if (!(incidentActionKinds as readonly string[]).includes(parameters.kind))
    throw new IncidentInputError(
      `The action kind "${parameters.kind}" is not one of ${incidentActionKinds.join(', ')}.`,
      {
        docsPath: 'governance/incident.md#actions',
      },
    );
  const incident = await resolveIncident(store, parameters.id);
  const status = parameters.status?.trim() || 'done';
  const { result, entry } = await withLogEntry(
    store,
    async (tx) => {
      if (parameters.kind === 'other') {
        const event = await addIncidentEvent(tx, {
          incidentId: incident.id,
          kind: 'manual-action',
          actor: parameters.actor,
          at: parameters.at,
          data: { description, status, ...(parameters.txHash ? { txHash: parameters.txHash } : {}) },
        });
        return `event:${event.id}`;
      }
      const action = await recordResponderAction(tx, {
        incidentId: incident.id,
        kind: parameters.kind as ResponderActionKind,
        chainId: parameters.chainId ?? incident.chainId,
        address: parameters.address ?? incident.address,
        dryRun: parameters.dryRun ?? false,
        status,
        txHash: parameters.txHash,
        data: { manual: true, description },
        actor: parameters.actor,
        at: parameters.at,
      });
      return action.id;
    },
    (actionId) => ({
      actor: parameters.actor,
      action: 'incident.action',
      payload: {
        id: incident.id,
        ...(parameters.at ? { at: parameters.at.toISOString() } : {}),
        actionId,
        kind: parameters.kind,
        status,
        description,
        ...(parameters.txHash ? { txHash: parameters.txHash.toLowerCase() } : {}),
      },
    }),
  );
  return { actionId: result, entry };
}
