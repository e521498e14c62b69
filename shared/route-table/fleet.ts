import {
  FleetImpact,
  FleetImpactBody,
  FleetInstallationPage,
  FleetInstallationsQuery,
  FleetPageQuery,
} from '../schemas/fleet';
import { READERS, type Route } from './route';

/** The fleet index: which units carry a part number (by software version range, revision, time). */
export const fleetRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/v1/fleet/installations',
    operationId: 'listFleetInstallations',
    function: 'fleet',
    summary:
      'Installations of a part number across the fleet, ordered by software version or revision; one Query per page',
    auth: true,
    roles: READERS,
    request: { query: FleetInstallationsQuery },
    responses: { 200: { description: 'A page of installations', schema: FleetInstallationPage } },
    twinData: 'fleet-installations',
  },
  {
    method: 'POST',
    path: '/v1/fleet/impact',
    operationId: 'fleetImpact',
    function: 'fleet',
    summary:
      'Which units an OTA update or a bulletin reaches: exact total, counts by site and product, the list paged',
    auth: true,
    roles: READERS,
    request: { query: FleetPageQuery, body: FleetImpactBody },
    responses: {
      200: { description: 'The impact, with a page of affected installations', schema: FleetImpact },
    },
    twinData: 'fleet-impact',
  },
];
