import { alertRoutes } from './routes/alerts.ts';
import { conformanceRoutes } from './routes/conformance.ts';
import { contractRoutes } from './routes/contracts.ts';
import { incidentRoutes } from './routes/incidents.ts';
import { riskRoutes } from './routes/risks.ts';
import type { ApiRoute } from './routes/route.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { walletRoutes } from './routes/wallet.ts';

export type { ApiRoute, RouteContext } from './routes/route.ts';

/** Every `/api/v1` route, one list per area (`routes/<area>.ts`). */
export const apiRoutes: readonly ApiRoute[] = [
  ...alertRoutes,
  ...incidentRoutes,
  ...walletRoutes,
  ...riskRoutes,
  ...tokenRoutes,
  ...conformanceRoutes,
  ...contractRoutes,
];
