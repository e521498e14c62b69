import { ApiDescription, Health } from '../schemas/system';
import type { Route } from './route';

/** Public: liveness and the API description. */
export const systemRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/health',
    operationId: 'health',
    function: 'system',
    summary: 'Liveness',
    auth: false,
    responses: { 200: { description: 'Alive', schema: Health } },
  },
  {
    method: 'GET',
    path: '/openapi.json',
    operationId: 'openapi',
    function: 'system',
    summary: 'This OpenAPI 3.1 document',
    auth: false,
    responses: { 200: { description: 'OpenAPI document', schema: ApiDescription } },
  },
];
