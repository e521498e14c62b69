import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type ResponseConfig,
  type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { PROBLEM_RESPONSES, type Route, type RouteResponse, routes } from '../routes';
import { Problem } from './common';

/**
 * The areas of the API, each a tag of the reference; the first whose pattern matches a path wins.
 * The reference lists them in the order the route table first names them.
 */
export const API_AREAS: readonly { name: string; description: string; paths: RegExp }[] = [
  {
    name: 'System',
    description: 'Liveness, this document and its interactive reference',
    paths: /^\/(health|openapi\.json|docs)(\/|$)/,
  },
  {
    name: 'Shared twins',
    description: 'Grantees read (and, where granted, write) other tenants’ twins through a view',
    paths: /^\/v1\/(shared\/twins|installed-base)(\/|$)/,
  },
  {
    name: 'Export and import',
    description:
      'Open data: a twin or the whole tenant as JSON or as an Asset Administration Shell, and back',
    paths: /\/export$|^\/v1\/(exports|imports)(\/|$)/,
  },
  {
    name: 'Baselines',
    description: 'Named snapshots of a configuration',
    paths: /^\/v1\/twins\/\{id\}\/baselines/,
  },
  {
    name: 'Baseline policies',
    description:
      'Baselines on a schedule: monthly, quarterly, yearly or cron, exactly once per twin and period',
    paths: /^\/v1\/baseline-policies(\/|$)/,
  },
  {
    name: 'Inspections',
    description: 'Observed configurations compared with the record',
    paths: /^\/v1\/twins\/\{id\}\/inspections/,
  },
  {
    name: 'Thread',
    description: 'Document links, the digital thread and work packages',
    paths: /^\/v1\/twins\/\{id\}\/(links|thread|work-package)/,
  },
  {
    name: 'Usage and life',
    description:
      'Usage records, time since new and overhaul back to birth, part masters, life limits, removals',
    paths:
      /^\/v1\/(usage-parameters|parts)(\/|$)|^\/v1\/twins\/\{id\}\/(usage|llp-status)$|^\/v1\/components\/.*\/(usage|life|overhauls)$|^\/v1\/fleet\/(life|removals)$/,
  },
  {
    name: 'Conformance',
    description: 'Allowed configurations of a product, each unit judged against them, the fleet by status',
    paths: /^\/v1\/(configuration-models|fleet\/conformance)(\/|$|\?)|^\/v1\/twins\/\{id\}\/conformance$/,
  },
  {
    name: 'Twins',
    description: 'As-built records, configurations in time, change sets, history, diffs, components',
    paths: /^\/v1\/(twins|components)(\/|$)/,
  },
  { name: 'Types', description: 'Dynamic, versioned types of twins and components', paths: /^\/v1\/types/ },
  {
    name: 'Documents',
    description: 'Document metadata and versions, uploads and downloads with presigned URLs',
    paths: /^\/v1\/documents/,
  },
  {
    name: 'Sharing',
    description: 'Views, role views and grants (admin), grants received',
    paths: /^\/v1\/(views|role-views|grants|shared\/grants)(\/|$)/,
  },
  {
    name: 'Fleet',
    description: 'Installations across the fleet, OTA and bulletin impact',
    paths: /^\/v1\/fleet/,
  },
  {
    name: 'Search',
    description: 'Twins, components, documents and inspections by serial, part number or words; grantees too',
    paths: /^\/v1\/(shared\/)?search$/,
  },
  { name: 'Ingest', description: 'Observed configurations in bulk', paths: /^\/v1\/ingest/ },
  { name: 'Events', description: 'The tenant’s change feed', paths: /^\/v1\/events/ },
  {
    name: 'AAS API',
    description: 'The AAS API 3.1 read profile (AAS and Submodel Repository) with the 3.2 history profile',
    paths: /^\/aas\//,
  },
];

/** The tag of a route: its area, else its function. */
export const areaOf = (route: Pick<Route, 'path' | 'function'>): string =>
  API_AREAS.find((area) => area.paths.test(route.path))?.name ?? route.function;

/** Problems beyond PROBLEM_RESPONSES, each given by the routes that can answer it (see problemsOf). */
const MORE_PROBLEMS: Record<number, string> = {
  409: 'Conflicts with the stored state (the detail says which), or with a concurrent write (retry)',
  412: 'If-Match does not match the current version: read it again',
  413: 'The body is larger than 6 MB',
  415: 'The body is not application/json',
  428: 'If-Match is missing',
  503: 'The service is busy: retry after Retry-After seconds',
};

const PROBLEM_NAMES: Record<number, string> = {
  400: 'InvalidInput',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  412: 'PreconditionFailed',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  428: 'PreconditionRequired',
  503: 'ServiceUnavailable',
};

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The problem statuses a route can answer with besides those it declares itself. */
export function problemsOf(route: Route): number[] {
  const request = route.request ?? {};
  // every route refuses unknown query parameters, also those that declare none
  const statuses: number[] = [400];
  if (route.auth) statuses.push(401, 403);
  if (route.auth || request.params) statuses.push(404);
  if (route.auth && WRITES.has(route.method)) statuses.push(409);
  if (route.ifMatch) statuses.push(412);
  if (request.body) statuses.push(413, 415);
  if (route.ifMatch) statuses.push(428);
  if (route.auth) statuses.push(503);
  return statuses;
}

const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });
const REQUEST_ID = { 'x-request-id': headerRef('RequestId') };
const PROBLEM_HEADERS: Record<number, Record<string, { $ref: string }>> = {
  401: { ...REQUEST_ID, 'www-authenticate': headerRef('WwwAuthenticate') },
  503: { ...REQUEST_ID, 'retry-after': headerRef('RetryAfter') },
};

function response(status: number, declared: RouteResponse): ResponseConfig {
  const isProblem = status >= 400;
  const schema = declared.schema ?? (isProblem ? Problem : undefined);
  const types = declared.mediaTypes ?? [isProblem ? 'application/problem+json' : 'application/json'];
  return {
    description: declared.description,
    headers: PROBLEM_HEADERS[status] ?? REQUEST_ID,
    ...(schema ? { content: Object.fromEntries(types.map((type) => [type, { schema }])) } : {}),
  };
}

/** What the summary does not say: who may call it, and whether views apply. */
function describe(route: Route): string {
  const lines: string[] = [];
  if (route.auth) lines.push(`Roles: ${(route.roles ?? []).join(', ')}.`);
  else lines.push('Public: no token needed.');
  if (route.twinData) lines.push('Answers through the caller’s view (role view or grant), if it has one.');
  return lines.join('\n\n');
}

function routeConfig(route: Route): RouteConfig {
  const responses: RouteConfig['responses'] = {};
  for (const [status, declared] of Object.entries(route.responses)) {
    responses[status] = response(Number(status), declared);
  }
  for (const status of problemsOf(route)) {
    responses[status] ??= { $ref: `#/components/responses/${PROBLEM_NAMES[status]}` };
  }
  const request = route.request ?? {};
  return {
    method: route.method.toLowerCase() as RouteConfig['method'],
    path: route.path,
    operationId: route.operationId,
    summary: route.summary,
    description: describe(route),
    tags: [areaOf(route)],
    // the document's default is the bearer token; public routes waive it
    ...(route.auth ? {} : { security: [] }),
    request: {
      ...(request.params ? { params: request.params } : {}),
      ...(request.query ? { query: request.query } : {}),
      ...(route.ifMatch || request.headers
        ? {
            headers: z.object({
              ...(route.ifMatch
                ? {
                    'If-Match': z
                      .string()
                      .meta({ description: 'The `ETag` of the twin as read', example: '"3"' }),
                  }
                : {}),
              ...request.headers?.shape,
            }),
          }
        : {}),
      ...(request.body
        ? { body: { required: true, content: { 'application/json': { schema: request.body } } } }
        : {}),
    },
    responses,
  };
}

function registerShared(registry: OpenAPIRegistry) {
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'A JWT (RS256 or ES256) of the configured issuer, carrying the tenant and the roles: an ID token naming the audience, or an access token (no aud) of an accepted client_id',
  });
  registry.registerComponent('headers', 'RequestId', {
    description: 'Identifies the request in the logs; on every response',
    schema: { type: 'string' },
  });
  registry.registerComponent('headers', 'WwwAuthenticate', { schema: { type: 'string', example: 'Bearer' } });
  registry.registerComponent('headers', 'RetryAfter', {
    description: 'Seconds to wait before retrying',
    schema: { type: 'integer' },
  });
  const descriptions: Record<number, string> = {
    ...Object.fromEntries(Object.entries(PROBLEM_RESPONSES).map(([status, r]) => [status, r.description])),
    ...MORE_PROBLEMS,
  };
  for (const [status, name] of Object.entries(PROBLEM_NAMES)) {
    registry.registerComponent('responses', name, {
      description: descriptions[Number(status)] ?? name,
      headers: PROBLEM_HEADERS[Number(status)] ?? REQUEST_ID,
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    });
  }
}

let document: Record<string, unknown> | undefined;

/** The OpenAPI 3.1 document, generated once from the route table's zod schemas. */
export function openApiDocument(): Record<string, unknown> {
  if (document) return document;
  const registry = new OpenAPIRegistry();
  registerShared(registry);
  for (const route of routes) registry.registerPath(routeConfig(route));
  const used = new Set(routes.map(areaOf));
  // Problem by its meta id, so that the shared problem responses can refer to it
  const definitions = [...registry.definitions, { type: 'schema' as const, schema: Problem }];
  document = new OpenApiGeneratorV31(definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'twinthread',
      version: '1.0.0',
      // the package is UNLICENSED (private): the API is offered under the operator's terms
      license: { name: 'Proprietary: all rights reserved' },
      contact: { name: 'twinthread maintainers' },
      description:
        'Digital Twin configurations of serialized products and their Digital Thread. Errors are ' +
        '`application/problem+json` (RFC 9457); lists page with `limit` (1–100, default 25) and an opaque `cursor`.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: [...used].map((name) => ({
      name,
      description: API_AREAS.find((area) => area.name === name)?.description,
    })),
  }) as unknown as Record<string, unknown>;
  return document;
}
