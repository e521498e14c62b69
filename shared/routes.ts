import type { z } from 'zod';
import {
  Baseline,
  BaselineList,
  BaselineListQuery,
  BaselineParams,
  ConfigurationDiff,
  CreateBaselineBody,
  DiffQuery,
} from './schemas/baseline';
import {
  ChangeSetBody,
  ComponentParams,
  ComponentTrace,
  HistoryPage,
  HistoryQuery,
  TimeQuery,
} from './schemas/change';
import { Problem, type Role } from './schemas/common';
import { CreateTwinBody, ListTwinsQuery, PatchTwinBody, Twin, TwinIdParams, TwinList } from './schemas/twin';

/** The Lambda functions: one folder each under functions/. */
export const FUNCTION_NAMES = ['system', 'twins'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteResponse {
  description: string;
  schema?: z.ZodType;
}

/**
 * One route: the single source for the CDK stack, the local gateway and the OpenAPI document.
 * `roles` lists who may call it; an `auth: false` route is public.
 */
export interface Route {
  method: HttpMethod;
  path: string;
  operationId: string;
  function: FunctionName;
  summary: string;
  auth: boolean;
  roles?: readonly Role[];
  /** Requires `If-Match` with the twin's version (428 without it). */
  ifMatch?: boolean;
  request?: {
    params?: z.ZodObject;
    query?: z.ZodObject;
    body?: z.ZodType;
  };
  responses: Record<number, RouteResponse>;
}

const READERS: readonly Role[] = ['admin', 'engineer', 'technician', 'viewer'];
const WRITERS: readonly Role[] = ['admin', 'engineer'];
/** Technicians record the work they do: changes (and, later, inspections), never deletes or grants. */
const MAINTAINERS: readonly Role[] = ['admin', 'engineer', 'technician'];

export const routes: readonly Route[] = [
  {
    method: 'GET',
    path: '/health',
    operationId: 'health',
    function: 'system',
    summary: 'Liveness',
    auth: false,
    responses: { 200: { description: 'Alive' } },
  },
  {
    method: 'GET',
    path: '/openapi.json',
    operationId: 'openapi',
    function: 'system',
    summary: 'This OpenAPI 3.1 document',
    auth: false,
    responses: { 200: { description: 'OpenAPI document' } },
  },
  {
    method: 'POST',
    path: '/v1/twins',
    operationId: 'createTwin',
    function: 'twins',
    summary: 'Create a twin from its as-built record',
    auth: true,
    roles: WRITERS,
    request: { body: CreateTwinBody },
    responses: { 201: { description: 'The twin with its configuration tree', schema: Twin } },
  },
  {
    method: 'GET',
    path: '/v1/twins',
    operationId: 'listTwins',
    function: 'twins',
    summary: 'List twins, filtered by site, product part number, serial number or lifecycle',
    auth: true,
    roles: READERS,
    request: { query: ListTwinsQuery },
    responses: { 200: { description: 'A page of twins', schema: TwinList } },
  },
  {
    method: 'GET',
    path: '/v1/twins/{id}',
    operationId: 'getTwin',
    function: 'twins',
    summary:
      'A twin with its configuration tree, now or at asOf (valid time) as known at knownAt (record time)',
    auth: true,
    roles: READERS,
    request: { params: TwinIdParams, query: TimeQuery },
    responses: { 200: { description: 'The twin', schema: Twin } },
  },
  {
    method: 'PATCH',
    path: '/v1/twins/{id}',
    operationId: 'patchTwin',
    function: 'twins',
    summary: 'Edit site, type or attributes (If-Match required)',
    auth: true,
    roles: WRITERS,
    ifMatch: true,
    request: { params: TwinIdParams, body: PatchTwinBody },
    responses: { 200: { description: 'The updated twin', schema: Twin } },
  },
  {
    method: 'POST',
    path: '/v1/twins/{id}/changes',
    operationId: 'changeTwin',
    function: 'twins',
    summary:
      'Record a change set: install, remove, replace, move, update, add or remove positions, lifecycle',
    auth: true,
    roles: MAINTAINERS,
    ifMatch: true,
    request: { params: TwinIdParams, body: ChangeSetBody },
    responses: { 200: { description: 'The twin after the change', schema: Twin } },
  },
  {
    method: 'GET',
    path: '/v1/twins/{id}/history',
    operationId: 'twinHistory',
    function: 'twins',
    summary: 'Change sets of the twin, newest first; filters position (with its subtree), from, to',
    auth: true,
    roles: READERS,
    request: { params: TwinIdParams, query: HistoryQuery },
    responses: { 200: { description: 'A page of change sets', schema: HistoryPage } },
  },
  {
    method: 'POST',
    path: '/v1/twins/{id}/baselines',
    operationId: 'createBaseline',
    function: 'twins',
    summary: 'Take a named, immutable baseline of the configuration at a time (default now)',
    auth: true,
    roles: WRITERS,
    request: { params: TwinIdParams, body: CreateBaselineBody },
    responses: { 201: { description: 'The baseline with its configuration', schema: Baseline } },
  },
  {
    method: 'GET',
    path: '/v1/twins/{id}/baselines',
    operationId: 'listBaselines',
    function: 'twins',
    summary: 'Baselines of the twin, newest first, without their configuration',
    auth: true,
    roles: READERS,
    request: { params: TwinIdParams, query: BaselineListQuery },
    responses: { 200: { description: 'A page of baselines', schema: BaselineList } },
  },
  {
    method: 'GET',
    path: '/v1/twins/{id}/baselines/{baselineId}',
    operationId: 'getBaseline',
    function: 'twins',
    summary: 'A baseline with its configuration',
    auth: true,
    roles: READERS,
    request: { params: BaselineParams },
    responses: { 200: { description: 'The baseline', schema: Baseline } },
  },
  {
    method: 'GET',
    path: '/v1/twins/{id}/diff',
    operationId: 'diffTwin',
    function: 'twins',
    summary: 'Differences between two times or baselines (baseline:<id>), position by position',
    auth: true,
    roles: READERS,
    request: { params: TwinIdParams, query: DiffQuery },
    responses: { 200: { description: 'The differences', schema: ConfigurationDiff } },
  },
  {
    method: 'GET',
    path: '/v1/components/{partNumber}/{serialNumber}',
    operationId: 'componentTrace',
    function: 'twins',
    summary: 'A serialized component and every installation it ever had, across twins',
    auth: true,
    roles: READERS,
    request: { params: ComponentParams },
    responses: { 200: { description: 'The component and its installations', schema: ComponentTrace } },
  },
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
