import {
  addIncidentNote,
  getIncidentRecord,
  type IncidentNoteField,
  moveIncident,
  withLogEntry,
} from '@bulwark/governance';
import {
  addIncidentEvent,
  getIncident,
  type Incident,
  type IncidentState,
  incidentStates,
  listIncidents,
  type StoreClient,
} from '@bulwark/store';
import { ApiError } from '../errors.ts';
import {
  idParams,
  incidentActionSchema,
  incidentEventSchema,
  incidentSchema,
  limit,
  listOf,
  pauseBodySchema,
  pauseResponseSchema,
  postmortemBodySchema,
  resolveBodySchema,
} from '../schemas.ts';
import { type ApiRoute, ok, query } from './route.ts';
import { sharedAnswer } from './sharedReads.ts';

/** The incident with exactly this id (the API takes whole ids, not the CLI's prefixes). */
async function incidentById(store: StoreClient, id: string): Promise<Incident> {
  const incident = await getIncident(store, id);
  if (!incident) throw new ApiError(404, 'not-found', `There is no incident ${id}.`);
  return incident;
}

const incidentAnswer = (incident: Incident) => ok({ incident });
const incidentAnswerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['incident'],
  properties: { incident: incidentSchema },
};

/** States from which a pause still makes sense: not once the incident is resolved or closed. */
const pausableStates: readonly IncidentState[] = ['detected', 'triaged', 'contained'];

export const incidentRoutes: readonly ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/v1/incidents',
    operationId: 'listIncidents',
    summary: 'Incidents, most recently detected first',
    role: 'viewer',
    schema: {
      querystring: query({ state: { type: 'string', enum: incidentStates }, limit }),
      response: { 200: listOf(incidentSchema) },
    },
    handler: sharedAnswer(async ({ store, query }) =>
      ok(await listIncidents(store, { state: query.state as IncidentState | undefined, limit: query.limit as number })),
    ),
  },
  {
    method: 'GET',
    url: '/api/v1/incidents/:id',
    operationId: 'getIncident',
    summary: 'One incident with its timeline and its containment actions (pauses and their state)',
    role: 'viewer',
    schema: {
      params: idParams,
      response: {
        200: {
          type: 'object',
          additionalProperties: false,
          required: ['incident', 'timeline', 'actions'],
          properties: {
            incident: incidentSchema,
            timeline: listOf(incidentEventSchema),
            actions: listOf(incidentActionSchema),
          },
        },
      },
    },
    handler: async ({ store, params }) => {
      const incident = await incidentById(store, params.id!);
      const record = await getIncidentRecord(store, incident.id);
      return ok({ incident: record.incident, timeline: record.timeline, actions: record.actions });
    },
  },
  {
    method: 'POST',
    url: '/api/v1/incidents/:id/acknowledge',
    operationId: 'acknowledgeIncident',
    summary: 'Acknowledge a detected incident: it moves to triaged (logged with the token’s owner as actor)',
    role: 'operator',
    schema: { params: idParams, response: { 200: incidentAnswerSchema } },
    handler: async ({ store, token, params }) => {
      const incident = await incidentById(store, params.id!);
      const { incident: moved } = await moveIncident(store, { id: incident.id, to: 'triaged', actor: token.name });
      return incidentAnswer(moved);
    },
  },
  {
    method: 'POST',
    url: '/api/v1/incidents/:id/resolve',
    operationId: 'resolveIncident',
    summary: 'Resolve an incident with a summary (the post-mortem’s summary)',
    role: 'operator',
    schema: { params: idParams, body: resolveBodySchema, response: { 200: incidentAnswerSchema } },
    handler: async ({ store, token, params, body }) => {
      const { summary } = body as { summary: string };
      const incident = await incidentById(store, params.id!);
      const { incident: moved } = await moveIncident(store, {
        id: incident.id,
        to: 'resolved',
        notes: { summary },
        actor: token.name,
      });
      return incidentAnswer(moved);
    },
  },
  {
    method: 'POST',
    url: '/api/v1/incidents/:id/postmortem',
    operationId: 'addIncidentPostmortem',
    summary: 'Add post-mortem text to an incident (lessons unless another field is named)',
    role: 'operator',
    schema: {
      params: idParams,
      body: postmortemBodySchema,
      response: { 201: incidentEventSchema },
    },
    handler: async ({ store, token, params, body }) => {
      const { text, field } = body as { text: string; field?: Exclude<IncidentNoteField, 'note'> };
      const incident = await incidentById(store, params.id!);
      const { event } = await addIncidentNote(store, {
        id: incident.id,
        field: field ?? 'lessons',
        text,
        actor: token.name,
      });
      return ok(event, 201);
    },
  },
  {
    method: 'POST',
    url: '/api/v1/incidents/:id/pause',
    operationId: 'pauseIncidentContract',
    summary: "Pause the incident's contract through the monitor's responder; confirm with the contract's address",
    role: 'approver',
    schema: { params: idParams, body: pauseBodySchema, response: { 200: pauseResponseSchema } },
    handler: async ({ store, services, token, params, body }) => {
      const { confirm } = body as { confirm: string };
      const incident = await incidentById(store, params.id!);
      if (!incident.address || incident.chainId === null)
        throw new ApiError(422, 'no-contract', `Incident ${incident.id} names no contract to pause.`);
      if (confirm.toLowerCase() !== incident.address.toLowerCase())
        throw new ApiError(
          422,
          'confirm-mismatch',
          `confirm must be the incident's contract address, ${incident.address}; nothing was paused.`,
        );
      if (!pausableStates.includes(incident.state))
        throw new ApiError(409, 'incident-closed', `Incident ${incident.id} is ${incident.state}; it is not paused.`);
      if (!services.responder)
        throw new ApiError(
          409,
          'no-responder',
          'No pause responder is configured on this server; start `bulwark serve` with a config whose monitor has a responder.',
        );
      const reason = `Paused from the API by ${token.name} for incident ${incident.id}.`;
      // The request is on the incident's timeline and in the log under the caller's name before anything is sent.
      await withLogEntry(
        store,
        (tx) =>
          addIncidentEvent(tx, {
            incidentId: incident.id,
            kind: 'pause-requested',
            actor: token.name,
            data: { chainId: incident.chainId, contract: incident.address },
          }),
        () => ({
          actor: token.name,
          action: 'incident.pause',
          payload: { id: incident.id, chainId: incident.chainId, contract: incident.address },
        }),
      );
      const outcome = await services.responder.respond({
        incidentId: incident.id,
        chainId: incident.chainId!,
        contract: incident.address as `0x${string}`,
        reason,
        dryRun: false,
      });
      return ok({
        kind: outcome.kind,
        status: outcome.status,
        actionId: outcome.actionId ?? null,
        txHash: outcome.txHash ?? null,
        contained: outcome.contained ?? false,
      });
    },
  },
];
