import {
  GetTypeQuery,
  ListTypesQuery,
  PutTypeBody,
  TypeDefinition,
  TypeList,
  TypeNameParams,
} from '../schemas/types';
import { READERS, type Route } from './route';

/** Tenant-defined twin and component types, versioned: what twin and component attributes are checked against. */
export const typeRoutes: readonly Route[] = [
  {
    method: 'PUT',
    path: '/v1/types/{name}',
    operationId: 'putType',
    function: 'twins',
    summary:
      'Store a new version of a type (201 for the first, 200 after); twins written earlier keep theirs',
    auth: true,
    roles: ['admin'],
    request: { params: TypeNameParams, body: PutTypeBody },
    responses: {
      200: { description: 'The new version', schema: TypeDefinition },
      201: { description: 'The first version', schema: TypeDefinition },
    },
  },
  {
    method: 'GET',
    path: '/v1/types/{name}',
    operationId: 'getType',
    twinData: 'type',
    function: 'twins',
    summary: 'The latest version of a type, or `?version=n`',
    auth: true,
    roles: READERS,
    request: { params: TypeNameParams, query: GetTypeQuery },
    responses: { 200: { description: 'The type', schema: TypeDefinition } },
  },
  {
    method: 'GET',
    path: '/v1/types',
    operationId: 'listTypes',
    twinData: 'type-list',
    function: 'twins',
    summary: "The tenant's types (latest version of each), by name",
    auth: true,
    roles: READERS,
    request: { query: ListTypesQuery },
    responses: { 200: { description: 'A page of types', schema: TypeList } },
  },
];
