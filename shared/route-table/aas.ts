import type { z } from 'zod';
import {
  AasHistoryQuery,
  AasPageQuery,
  AasRecentChangesPage,
  AasReferencesPage,
  AasResult,
  AasShell,
  AasShellsPage,
  AasSubmodel,
  AasSubmodelElement,
  AasSubmodelsPage,
  AasValue,
  ElementParams,
  OwnerParams,
  RecentChangesQuery,
  SharedElementParams,
  SharedShellParams,
  SharedSubmodelParams,
  ShellParams,
  SubmodelParams,
} from '../schemas/aas-api';
import { READERS, type Route, type RouteResponse } from './route';

/** Where the AAS API read profile is served; a grantee's view of one owner is its own repository below `shared/{owner}`. */
export const AAS_BASE = '/aas/v3';
export const AAS_SHARED_BASE = `${AAS_BASE}/shared/{owner}`;

/** Errors of the AAS API are its Result (application/json), not problem+json. */
const RESULT: RouteResponse = {
  description: 'An AAS API Result',
  schema: AasResult,
  mediaTypes: ['application/json'],
};
const ERRORS: Record<number, RouteResponse> = {
  400: { ...RESULT, description: 'Invalid input (the messages name each field)' },
  401: { ...RESULT, description: 'No or bad token' },
  403: { ...RESULT, description: 'Role not allowed' },
  404: { ...RESULT, description: 'Unknown or not visible' },
  503: { ...RESULT, description: 'The service is busy: retry after Retry-After seconds' },
};

interface AasOperation {
  path: string;
  operationId: string;
  summary: string;
  answer: z.ZodType;
  params?: 'shell' | 'submodel' | 'element';
  query?: z.ZodObject;
  /** Served to the owner only (the feed is the owner's). */
  ownerOnly?: boolean;
}

const OPERATIONS: AasOperation[] = [
  {
    path: '/shells',
    operationId: 'GetAllAssetAdministrationShells',
    summary: 'AAS API: every shell (one per twin), paged',
    answer: AasShellsPage,
    query: AasPageQuery,
  },
  {
    path: '/shells/$recent-changes',
    operationId: 'GetAllAssetAdministrationShellsRecentChanges',
    summary: 'AAS API 3.2: shells changed recently, from the change feed',
    answer: AasRecentChangesPage,
    query: RecentChangesQuery,
    ownerOnly: true,
  },
  {
    path: '/shells/{aasIdentifier}',
    operationId: 'GetAssetAdministrationShellById',
    summary: 'AAS API: one shell, now',
    answer: AasShell,
    params: 'shell',
  },
  {
    path: '/shells/{aasIdentifier}/submodel-refs',
    operationId: 'GetAllSubmodelReferences',
    summary: 'AAS API: the references to the submodels of a shell, paged',
    answer: AasReferencesPage,
    params: 'shell',
    query: AasPageQuery,
  },
  {
    path: '/shells/{aasIdentifier}/$history',
    operationId: 'GetAssetAdministrationShellVersionByIdAndDate',
    summary: 'AAS API 3.2 history: the shell as it was at date (valid time), as recorded now',
    answer: AasShell,
    params: 'shell',
    query: AasHistoryQuery,
  },
  {
    path: '/submodels',
    operationId: 'GetAllSubmodels',
    summary:
      'AAS API: every submodel (nameplate, bill of material, handover documentation of each twin), paged',
    answer: AasSubmodelsPage,
    query: AasPageQuery,
  },
  {
    path: '/submodels/$recent-changes',
    operationId: 'GetAllSubmodelRecentChanges',
    summary: 'AAS API 3.2: submodels changed recently, from the change feed',
    answer: AasRecentChangesPage,
    query: RecentChangesQuery,
    ownerOnly: true,
  },
  {
    path: '/submodels/{submodelIdentifier}',
    operationId: 'GetSubmodelById',
    summary: 'AAS API: one submodel, now',
    answer: AasSubmodel,
    params: 'submodel',
  },
  {
    path: '/submodels/{submodelIdentifier}/$value',
    operationId: 'GetSubmodelById-ValueOnly',
    summary: 'AAS API: one submodel, value-only',
    answer: AasValue,
    params: 'submodel',
  },
  {
    path: '/submodels/{submodelIdentifier}/$history',
    operationId: 'GetSubmodelByIdAndDate',
    summary: 'AAS API 3.2 history: the submodel as it was at date (valid time), as recorded now',
    answer: AasSubmodel,
    params: 'submodel',
    query: AasHistoryQuery,
  },
  {
    path: '/submodels/{submodelIdentifier}/submodel-elements/{idShortPath}',
    operationId: 'GetSubmodelElementByPath',
    summary: 'AAS API: one submodel element by its idShort path',
    answer: AasSubmodelElement,
    params: 'element',
  },
  {
    path: '/submodels/{submodelIdentifier}/submodel-elements/{idShortPath}/$value',
    operationId: 'GetSubmodelElementByPath-ValueOnly',
    summary: 'AAS API: one submodel element, value-only',
    answer: AasValue,
    params: 'element',
  },
];

const PARAMS = {
  own: { shell: ShellParams, submodel: SubmodelParams, element: ElementParams },
  shared: { shell: SharedShellParams, submodel: SharedSubmodelParams, element: SharedElementParams },
};

/** The twinthread operation id of an AAS operation: `aas` + its AAS name (shared: `aasShared`). */
export const aasOperationId = (name: string, shared: boolean) =>
  `${shared ? 'aasShared' : 'aas'}${name.replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase())}`;

function route(operation: AasOperation, shared: boolean): Route {
  const params = operation.params
    ? PARAMS[shared ? 'shared' : 'own'][operation.params]
    : shared
      ? OwnerParams
      : undefined;
  return {
    method: 'GET',
    path: `${shared ? AAS_SHARED_BASE : AAS_BASE}${operation.path}`,
    operationId: aasOperationId(operation.operationId, shared),
    function: 'aas',
    summary: shared
      ? `${operation.summary}: twins shared by owner, through the caller's grants`
      : operation.summary,
    auth: true,
    roles: READERS,
    request: { ...(params ? { params } : {}), ...(operation.query ? { query: operation.query } : {}) },
    responses: { 200: { description: operation.summary, schema: operation.answer }, ...ERRORS },
    twinData: 'export',
    // the operation builds the environment from the twin projected through the caller's view
    projectedByGrant: true,
    errorShape: 'aas-result',
  };
}

/** The AAS API read profile: each operation for the caller's own twins and for each owner's shared ones. */
export const aasRoutes: readonly Route[] = [
  ...OPERATIONS.map((operation) => route(operation, false)),
  ...OPERATIONS.filter((operation) => !operation.ownerOnly).map((operation) => route(operation, true)),
];
