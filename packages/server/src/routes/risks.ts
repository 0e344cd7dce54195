import { riskRating } from '@bulwark/governance';
import { listRisks } from '@bulwark/store';
import { listOf, riskSchema } from '../schemas.ts';
import { type ApiRoute, ok } from './route.ts';

export const riskRoutes: readonly ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/v1/risks',
    operationId: 'listRisks',
    summary: 'The risk register, highest score first, with likelihood, impact and rating for the heat map',
    role: 'viewer',
    schema: { response: { 200: listOf(riskSchema) } },
    handler: async ({ store }) =>
      ok((await listRisks(store)).map((risk) => ({ ...risk, rating: riskRating(risk.score) }))),
  },
];
