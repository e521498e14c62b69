import { compileErrors, validate } from '@readme/openapi-parser';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { type Route, routeKey, routes } from '../../shared/routes';
import { openApiDocument } from '../../shared/schemas/openapi';

// biome-ignore lint/suspicious/noExplicitAny: the document is walked field by field
type Json = any;

const document = openApiDocument() as Json;

const operationOf = (route: Route): Json => document.paths?.[route.path]?.[route.method.toLowerCase()];

/** A response object, following a `$ref` to `#/components/responses/...`. */
const resolve = (response: Json): Json => {
  const ref: string | undefined = response?.$ref;
  if (!ref) return response;
  const [, , kind, name] = ref.split('/');
  return document.components?.[kind!]?.[name!];
};

/** The problem statuses every route of this kind must document, from DESIGN.md §3. */
const expectedProblems = (route: Route): number[] => {
  const request = route.request ?? {};
  const statuses: number[] = [400];
  if (route.auth) statuses.push(401, 403, 404);
  if (request.params) statuses.push(404);
  if (request.body) statuses.push(413, 415);
  if (route.ifMatch) statuses.push(412, 428);
  statuses.push(
    ...Object.keys(route.responses)
      .map(Number)
      .filter((status) => status >= 400),
  );
  return [...new Set(statuses)];
};

const each = routes.map((route) => [routeKey(route), route] as const);

/** Every `pattern` of the document, wherever it sits. */
const documentPatterns = (node: Json, found = new Set<string>()): Set<string> => {
  if (Array.isArray(node)) for (const item of node) documentPatterns(item, found);
  else if (node && typeof node === 'object')
    for (const [key, value] of Object.entries(node)) {
      if (key === 'pattern' && typeof value === 'string') found.add(value);
      else documentPatterns(value, found);
    }
  return found;
};

/** Every regular expression the server checks in the route table's schemas (requests and answers). */
const serverPatterns = (): RegExp[] => {
  const found: RegExp[] = [];
  const patternsOf = (schema: Json): unknown[] => [
    schema._zod.def.pattern,
    ...(schema._zod.def.checks ?? []).map((check: Json) => check._zod.def.pattern),
  ];
  for (const route of routes) {
    const { params, query, body, headers } = route.request ?? {};
    const schemas = [params, query, body, headers, ...Object.values(route.responses).map((r) => r.schema)];
    for (const schema of schemas.filter((candidate) => candidate !== undefined))
      z.toJSONSchema(schema, {
        unrepresentable: 'any',
        io: 'input',
        cycles: 'ref',
        override: (context) => {
          for (const pattern of patternsOf(context.zodSchema))
            if (pattern instanceof RegExp) found.push(pattern);
        },
      });
  }
  return found;
};

const parameterSchema = (operationId: string, name: string): Json => {
  const route = routes.find((candidate) => candidate.operationId === operationId)!;
  return operationOf(route).parameters.find((parameter: Json) => parameter.name === name).schema;
};

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    // Act
    const result = await validate(structuredClone(document));
    // Assess
    expect(document.openapi).toBe('3.1.0');
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
  });

  it('is rejected by the validator once broken, so that the check above can fail', async () => {
    // Prepare
    const broken = structuredClone(document);
    const [path] = Object.keys(broken.paths);
    broken.paths[path!].get = { responses: { 200: { content: 'not a media type map' } } };
    // Act
    const result = await validate(broken);
    // Assess
    expect(result.valid).toBe(false);
  });

  it('has exactly the paths and methods of the route table', () => {
    // Prepare
    const inDocument = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    // Assess
    expect(inDocument.sort()).toEqual(routes.map(routeKey).sort());
  });

  it.each(each)('%s is in the document under its operationId, summary and area tag', (_, route) => {
    // Act
    const operation = operationOf(route);
    // Assess
    expect(operation, `${routeKey(route)} is missing from the OpenAPI document`).toBeDefined();
    expect(operation.operationId).toBe(route.operationId);
    expect(operation.summary).toBe(route.summary);
    expect(operation.tags).toHaveLength(1);
    expect(document.tags.map((tag: { name: string }) => tag.name)).toContain(operation.tags[0]);
  });

  it.each(each)('%s documents a schema for every success answer that has a body', (_, route) => {
    // Prepare
    const operation = operationOf(route);
    const successes = Object.keys(route.responses).filter((status) => Number(status) < 400);
    // Assess
    expect(successes.length).toBeGreaterThan(0);
    for (const status of successes) {
      const response = resolve(operation.responses[status]);
      if (status === '204' || status === '304') {
        expect(response.content, `${status} has no body`).toBeUndefined();
        continue;
      }
      const media = Object.values(response?.content ?? {}) as Json[];
      expect(media.length, `${routeKey(route)} ${status} lacks a response schema`).toBeGreaterThan(0);
      for (const type of media) expect(type.schema).toBeDefined();
    }
  });

  it.each(each.filter(([, route]) => route.request?.body))(
    '%s documents its required JSON request body',
    (_, route) => {
      // Act
      const body = operationOf(route).requestBody;
      // Assess
      expect(body?.required).toBe(true);
      expect(body?.content?.['application/json']?.schema).toBeDefined();
    },
  );

  it.each(each)('%s documents each of its path and query parameters', (_, route) => {
    // Prepare
    const parameters = (operationOf(route).parameters ?? []) as {
      in: string;
      name: string;
      required?: boolean;
    }[];
    const named = (place: string) =>
      parameters
        .filter((parameter) => parameter.in === place)
        .map((parameter) => parameter.name)
        .sort();
    // Assess
    expect(named('path')).toEqual(Object.keys(route.request?.params?.shape ?? {}).sort());
    expect(named('query')).toEqual(Object.keys(route.request?.query?.shape ?? {}).sort());
    for (const parameter of parameters.filter((p) => p.in === 'path')) expect(parameter.required).toBe(true);
    const headers = [
      ...(route.ifMatch ? ['If-Match'] : []),
      ...Object.keys(route.request?.headers?.shape ?? {}),
    ];
    expect(named('header')).toEqual(headers.sort());
  });

  it.each(each)('%s documents its problem answers (problem+json; the AAS API: its Result)', (_, route) => {
    // Prepare
    const operation = operationOf(route);
    const documented = Object.keys(operation.responses).map(Number);
    const [mediaType, name] =
      route.errorShape === 'aas-result'
        ? ['application/json', 'AasResult']
        : ['application/problem+json', 'Problem'];
    // Assess
    for (const status of expectedProblems(route)) {
      expect(documented, `${routeKey(route)} lacks the ${status} problem`).toContain(status);
    }
    for (const status of documented.filter((code) => code >= 400)) {
      const schema = resolve(operation.responses[status])?.content?.[mediaType]?.schema;
      expect(schema, `${routeKey(route)} ${status}`).toEqual({ $ref: `#/components/schemas/${name}` });
    }
  });

  it('describes the problem shape of RFC 9457 with the field errors', () => {
    // Act
    const problem = document.components.schemas.Problem;
    // Assess
    expect(problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status']));
    expect(Object.keys(problem.properties)).toEqual(
      expect.arrayContaining(['type', 'title', 'status', 'detail', 'errors']),
    );
  });

  it('requires a bearer JWT by default and waives it exactly on the public routes', () => {
    // Prepare
    const waived = routes.filter((route) => operationOf(route).security?.length === 0);
    // Assess
    expect(document.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(document.security).toEqual([{ bearer: [] }]);
    expect(waived.map(routeKey).sort()).toEqual(
      routes
        .filter((route) => !route.auth)
        .map(routeKey)
        .sort(),
    );
    for (const route of routes.filter((candidate) => candidate.auth)) {
      expect(operationOf(route).security).toBeUndefined();
      expect(operationOf(route).description).toContain(`Roles: ${route.roles!.join(', ')}`);
    }
  });

  it('has only tags that some operation uses, each described', () => {
    // Prepare
    const used = new Set(routes.map((route) => operationOf(route).tags[0]));
    // Assess
    expect(new Set(document.tags.map((tag: { name: string }) => tag.name))).toEqual(used);
    for (const tag of document.tags) expect(tag.description, tag.name).toBeTruthy();
  });

  it('documents the Idempotency-Key header of the ingest', () => {
    const ingest = routes.find((route) => route.operationId === 'ingest')!;
    const header = (operationOf(ingest).parameters as { in: string; name: string }[]).find(
      (parameter) => parameter.in === 'header',
    );
    expect(header?.name).toBe('Idempotency-Key');
  });

  it('has only patterns that are ECMA-262 regular expressions without flags, each a check of the server', () => {
    // Prepare
    const server = serverPatterns();
    const inDocument = documentPatterns(document);
    // Assess
    for (const pattern of inDocument) expect(() => new RegExp(pattern, 'u'), pattern).not.toThrow();
    // a flag of the server's regex would be lost in the document (`/…/i` checks more than its source)
    expect(server.filter((pattern) => pattern.flags !== '').map(String)).toEqual([]);
    const sources = new Set(server.map((pattern) => pattern.source));
    expect([...inDocument].filter((pattern) => !sources.has(pattern))).toEqual([]);
    expect(inDocument).toContain('^baseline:[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$');
  });

  it('lets a spec-driven client send the diff a baseline or a time, as the server accepts them', () => {
    // Prepare
    const ajv = addFormats(new Ajv2020({ strict: false }));
    const from = ajv.compile(parameterSchema('diffTwin', 'from'));
    const route = routes.find((candidate) => candidate.operationId === 'diffTwin')!;
    const accepted = (value: string) => route.request!.query!.safeParse({ from: value }).success;
    // Assess
    for (const value of [
      'baseline:01JD3Q6Z8V1K9M2N3P4R5S6T7V',
      'baseline:01jd3q6z8v1k9m2n3p4r5s6t7v',
      '2026-03-01T00:00:00Z',
    ]) {
      expect(from(value), value).toBe(true);
      expect(accepted(value), value).toBe(true);
    }
    for (const value of ['baseline:nope', 'baseline:01JD3Q6Z8V1K9M2N3P4R5S6T7V/i', 'yesterday']) {
      expect(from(value), value).toBe(false);
      expect(accepted(value), value).toBe(false);
    }
  });

  it('declares both answers of an open export, by format: TwinExport or AasEnvironment', () => {
    for (const operationId of ['exportTwin', 'exportSharedTwin']) {
      // Prepare
      const route = routes.find((candidate) => candidate.operationId === operationId)!;
      const schema = operationOf(route).responses['200'].content['application/json'].schema;
      // Assess
      expect(JSON.stringify(schema), operationId).toContain('#/components/schemas/TwinExport');
      expect(JSON.stringify(schema), operationId).toContain('#/components/schemas/AasEnvironment');
    }
  });

  it('declares the 304 of a docs asset asked with If-None-Match, without a body', () => {
    // Prepare
    const route = routes.find((candidate) => candidate.operationId === 'docsAsset')!;
    const operation = operationOf(route);
    // Assess
    expect(operation.responses['304']).toBeDefined();
    expect(operation.responses['304'].content).toBeUndefined();
    expect(operation.parameters.map((parameter: Json) => parameter.name)).toContain('If-None-Match');
  });

  it('names a licence and a contact', () => {
    expect(document.info.license.name).toBeTruthy();
    expect(document.info.contact.name).toBeTruthy();
  });

  it('is generated once and then served from memory', () => {
    // Assess
    expect(openApiDocument()).toBe(document);
  });
});
