import { listAlerts } from '@bulwark/store';
import { alertSchema, limit, listOf } from '../schemas.ts';
import { type ApiRoute, ok, query } from './route.ts';
import { sharedAnswer } from './sharedReads.ts';

export const alertRoutes: readonly ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/v1/alerts',
    operationId: 'listAlerts',
    summary: 'Alerts, newest first',
    role: 'viewer',
    schema: {
      querystring: query({ status: { type: 'string', enum: ['active', 'retracted'] }, limit }),
      response: { 200: listOf(alertSchema) },
    },
    handler: sharedAnswer(async ({ store, query }) =>
      ok(
        await listAlerts(store, {
          status: query.status as 'active' | 'retracted' | undefined,
          limit: query.limit as number,
        }),
      ),
    ),
  },
];
