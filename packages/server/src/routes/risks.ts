import { riskRating } from '@bulwark/governance';
import { listRisks } from '@bulwark/store';
import { limit, listOf, riskSchema } from '../schemas.ts';
import { type ApiRoute, ok, query } from './route.ts';
import { sharedAnswer } from './sharedReads.ts';

export const riskRoutes: readonly ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/v1/risks',
    operationId: 'listRisks',
    summary: 'The risk register, highest score first, with likelihood, impact and rating for the heat map',
    role: 'viewer',
    schema: { querystring: query({ limit }), response: { 200: listOf(riskSchema) } },
    handler: sharedAnswer(async ({ store, query }) =>
      ok(
        (await listRisks(store, { limit: query.limit as number })).map((risk) => ({
          ...risk,
          rating: riskRating(risk.score),
        })),
      ),
    ),
  },
];
