import type { z } from 'zod';
import type { Role } from '../schemas/common';

/** The Lambda functions: one folder each under functions/. */
export const FUNCTION_NAMES = [
  'system',
  'twins',
  'thread',
  'sharing',
  'fleet',
  'ingest',
  'events',
  'exchange',
  'docs',
  'aas',
  'usage',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteResponse {
  description: string;
  schema?: z.ZodType;
  /**
   * Media types of the body, for answers that are not JSON (the docs page and its assets).
   * @default ['application/json'] (['application/problem+json'] for statuses from 400)
   */
  mediaTypes?: readonly string[];
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
    /** Request headers the operation reads itself (documented in OpenAPI; If-Match comes from `ifMatch`). */
    headers?: z.ZodObject;
  };
  responses: Record<number, RouteResponse>;
  /**
   * The shape of twin data this route answers with, if any. A caller whose role carries a view
   * gets the answer projected through it (`shared/domain/view.ts`), and the leak matrix covers
   * every route that declares one.
   */
  twinData?: TwinDataShape;
  /** The operation itself projects its answer through the caller's grants (grantee routes). */
  projectedByGrant?: boolean;
  /**
   * How errors are answered: `application/problem+json` (default), or the AAS API's Result as
   * `application/json` (the /aas routes).
   */
  errorShape?: 'problem' | 'aas-result';
}

/** Answers that carry twin data, each projected through a view in its own way. */
export type TwinDataShape =
  | 'twin'
  | 'twin-list'
  | 'history'
  | 'diff'
  | 'baseline'
  | 'baseline-list'
  | 'thread'
  | 'inspection'
  | 'inspection-list'
  | 'work-package'
  | 'component-trace'
  | 'events'
  | 'fleet-installations'
  | 'fleet-impact'
  | 'export'
  | 'document'
  | 'document-list'
  | 'applicability'
  | 'type'
  | 'type-list'
  | 'ingest'
  | 'usage'
  | 'component-usage'
  | 'component-life'
  | 'llp-sheet'
  | 'fleet-life'
  | 'fleet-removals'
  | 'search'
  | 'configuration-model'
  | 'conformance'
  | 'fleet-conformance'
  | 'compliance'
  | 'compliance-record'
  | 'document-compliance';

export const READERS: readonly Role[] = ['admin', 'engineer', 'technician', 'viewer'];
export const WRITERS: readonly Role[] = ['admin', 'engineer'];
/** Technicians record the work they do: changes (and, later, inspections), never deletes or grants. */
export const MAINTAINERS: readonly Role[] = ['admin', 'engineer', 'technician'];

/** A grantee route: its answer is projected by the operation through the caller's grants. */
export const sharedRoute = (route: Omit<Route, 'function' | 'auth' | 'projectedByGrant'>): Route => ({
  ...route,
  function: 'sharing',
  auth: true,
  projectedByGrant: true,
});
