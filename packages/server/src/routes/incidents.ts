import { getIncident, getIncidentTimeline, type IncidentState, incidentStates, listIncidents } from '@bulwark/store';
import { ApiError } from '../errors.ts';
import { idParams, incidentEventSchema, incidentSchema, limit, listOf } from '../schemas.ts';
import { type ApiRoute, ok, query } from './route.ts';

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
    handler: async ({ store, query }) =>
      ok(await listIncidents(store, { state: query.state as IncidentState | undefined, limit: query.limit as number })),
  },
  {
    method: 'GET',
    url: '/api/v1/incidents/:id',
    operationId: 'getIncident',
    summary: 'One incident with its timeline',
    role: 'viewer',
    schema: {
      params: idParams,
      response: {
        200: {
          type: 'object',
          additionalProperties: false,
          required: ['incident', 'timeline'],
          properties: { incident: incidentSchema, timeline: listOf(incidentEventSchema) },
        },
      },
    },
    handler: async ({ store, params }) => {
      const incident = await getIncident(store, params.id!);
      if (!incident) throw new ApiError(404, 'not-found', `There is no incident ${params.id}.`);
      return ok({ incident, timeline: await getIncidentTimeline(store, incident.id) });
    },
  },
];
