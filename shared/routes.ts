import { aasRoutes } from './route-table/aas';
import { baselinePolicyRoutes } from './route-table/baseline-policies';
import { complianceRoutes } from './route-table/compliance';
import { conformanceRoutes } from './route-table/conformance';
import { docsRoutes } from './route-table/docs';
import { eventRoutes } from './route-table/events';
import { exchangeRoutes } from './route-table/exchange';
import { fleetRoutes } from './route-table/fleet';
import { ingestRoutes } from './route-table/ingest';
import type { FunctionName, Route, RouteResponse } from './route-table/route';
import { searchRoutes } from './route-table/search';
import { sharingRoutes } from './route-table/sharing';
import { systemRoutes } from './route-table/system';
import { threadRoutes } from './route-table/thread';
import { twinRoutes } from './route-table/twins';
import { typeRoutes } from './route-table/types';
import { usageRoutes } from './route-table/usage';
import { Problem } from './schemas/common';

export * from './route-table/route';

/** The route table: one list, assembled from one module per area. */
export const routes: readonly Route[] = [
  ...systemRoutes,
  ...twinRoutes,
  ...baselinePolicyRoutes,
  ...typeRoutes,
  ...conformanceRoutes,
  ...complianceRoutes,
  ...threadRoutes,
  ...sharingRoutes,
  ...fleetRoutes,
  ...searchRoutes,
  ...ingestRoutes,
  ...eventRoutes,
  ...exchangeRoutes,
  ...docsRoutes,
  ...aasRoutes,
  ...usageRoutes,
];

/** Problem responses every route may give, by status. */
export const PROBLEM_RESPONSES: Record<number, RouteResponse> = {
  400: { description: 'Invalid input', schema: Problem },
  401: { description: 'No or bad token', schema: Problem },
  403: { description: 'Role not allowed', schema: Problem },
  404: { description: 'Unknown or not visible', schema: Problem },
};

export const routeKey = (route: Pick<Route, 'method' | 'path'>): string => `${route.method} ${route.path}`;

export const routesOf = (fn: FunctionName): Route[] => routes.filter((route) => route.function === fn);
