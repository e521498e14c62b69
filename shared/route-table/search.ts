import { SearchQuery, SearchResults, SharedSearchQuery } from '../schemas/search';
import { READERS, type Route } from './route';

/** Search: the tenant's own index (fleet function: read-only, tenant-wide), and the grantee's (sharing function). */
export const searchRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/v1/search',
    operationId: 'search',
    function: 'fleet',
    summary:
      'Twins, components (installed or not), documents and inspections of the tenant matching q, ranked and paged',
    auth: true,
    roles: READERS,
    request: { query: SearchQuery },
    responses: { 200: { description: 'A page of ranked hits', schema: SearchResults } },
    twinData: 'search',
    // matches the role view hides are dropped before ranking (by the operation, through the one projection)
    projectedByGrant: true,
  },
  {
    method: 'GET',
    path: '/v1/shared/search',
    operationId: 'searchShared',
    function: 'sharing',
    summary:
      'Grantee: twins, components and inspections of the twins shared with my tenant matching q, each through its grant view',
    auth: true,
    roles: READERS,
    request: { query: SharedSearchQuery },
    responses: { 200: { description: 'A page of ranked hits', schema: SearchResults } },
    twinData: 'search',
    projectedByGrant: true,
  },
];
