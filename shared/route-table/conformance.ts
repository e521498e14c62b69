import {
  ConfigurationModel,
  Conformance,
  ConformanceQuery,
  FleetConformancePage,
  FleetConformanceQuery,
  GetModelQuery,
  ModelParams,
  PutConfigurationModelBody,
} from '../schemas/conformance';
import { TwinIdParams } from '../schemas/twin';
import { READERS, type Route } from './route';

/** Allowed configurations: the model of a product, each unit's conformance, the fleet by status. */
export const conformanceRoutes: readonly Route[] = [
  {
    method: 'PUT',
    path: '/v1/configuration-models/{productPartNumber}',
    operationId: 'putConfigurationModel',
    twinData: 'configuration-model',
    function: 'twins',
    summary:
      "Store a new version of a product's allowed configuration (201 for the first, 200 after); the fleet is re-judged in stages",
    auth: true,
    roles: ['admin', 'engineer'],
    request: { params: ModelParams, body: PutConfigurationModelBody },
    responses: {
      200: { description: 'The new version, and its re-judgement of the fleet', schema: ConfigurationModel },
      201: { description: 'The first version', schema: ConfigurationModel },
    },
  },
  {
    method: 'GET',
    path: '/v1/configuration-models/{productPartNumber}',
    operationId: 'getConfigurationModel',
    twinData: 'configuration-model',
    function: 'twins',
    summary:
      'The latest version of a configuration model (or `?version=n`) and where its re-judgement stands',
    auth: true,
    roles: READERS,
    request: { params: ModelParams, query: GetModelQuery },
    responses: { 200: { description: 'The model', schema: ConfigurationModel } },
  },
  {
    method: 'GET',
    path: '/v1/twins/{id}/conformance',
    operationId: 'twinConformance',
    twinData: 'conformance',
    function: 'twins',
    summary:
      'The unit judged against its configuration model: status and findings, now or as of a time (with the model version in force then)',
    auth: true,
    roles: READERS,
    request: { params: TwinIdParams, query: ConformanceQuery },
    responses: { 200: { description: 'Status and findings', schema: Conformance } },
  },
  {
    method: 'GET',
    path: '/v1/fleet/conformance',
    operationId: 'fleetConformance',
    twinData: 'fleet-conformance',
    function: 'fleet',
    summary: 'Units with a conformance status (exact total), paged; reads only the units with that status',
    auth: true,
    roles: READERS,
    request: { query: FleetConformanceQuery },
    responses: { 200: { description: 'A page of units', schema: FleetConformancePage } },
  },
];
