import { SharedComponentParams, SharedTwinParams } from '../schemas/sharing';
import {
  ComponentLife,
  ComponentUsage,
  ComponentUsageQuery,
  LlpSheet,
  TwinUsage,
  TwinUsageQuery,
} from '../schemas/usage';
import { READERS, type Route, sharedRoute as shared } from './route';

/**
 * Usage and life of a shared twin for its grantees (docs/usage.md): only through a view with
 * `usage: true`, otherwise 404; a serial's only while installed in the shared twin at a position
 * and of a kind the view shows. Each read leaves the owner an access event.
 */
export const sharedUsageRoutes: Route[] = [
  shared({
    method: 'GET',
    path: '/v1/shared/twins/{owner}/{id}/usage',
    operationId: 'sharedTwinUsage',
    twinData: 'usage',
    summary: 'A shared unit’s own usage totals and latest records (the view must show usage)',
    roles: READERS,
    request: { params: SharedTwinParams, query: TwinUsageQuery },
    responses: { 200: { description: 'The usage of the unit', schema: TwinUsage } },
  }),
  shared({
    method: 'GET',
    path: '/v1/shared/twins/{owner}/{id}/llp-status',
    operationId: 'sharedLlpStatus',
    twinData: 'llp-sheet',
    summary: 'The LLP sheet of a shared unit, inside the view (the view must show usage)',
    roles: READERS,
    request: { params: SharedTwinParams, query: TwinUsageQuery },
    responses: { 200: { description: 'The life-limited parts installed', schema: LlpSheet } },
  }),
  shared({
    method: 'GET',
    path: '/v1/shared/twins/{owner}/{id}/components/{partNumber}/{serialNumber}/usage',
    operationId: 'sharedComponentUsage',
    twinData: 'component-usage',
    summary:
      'TSN, TSO, TSI of a serial installed in a shared unit; its stays in that unit only (the view must show usage)',
    roles: READERS,
    request: { params: SharedComponentParams, query: ComponentUsageQuery },
    responses: { 200: { description: 'The usage of the serial', schema: ComponentUsage } },
  }),
  shared({
    method: 'GET',
    path: '/v1/shared/twins/{owner}/{id}/components/{partNumber}/{serialNumber}/life',
    operationId: 'sharedComponentLife',
    twinData: 'component-life',
    summary: 'Each life limit of a serial installed in a shared unit (the view must show usage)',
    roles: READERS,
    request: { params: SharedComponentParams, query: TwinUsageQuery },
    responses: { 200: { description: 'The life of the serial', schema: ComponentLife } },
  }),
];
