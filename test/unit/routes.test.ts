import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, routeKey, routes, routesOf } from '../../shared/routes';
import { ROLES } from '../../shared/schemas/common';

const parametersOf = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);

describe('the route table', () => {
  it('is not empty', () => {
    // Assess
    expect(routes.length).toBeGreaterThan(0);
  });

  it.each(routes.map((route) => [routeKey(route), route] as const))(
    '%s runs in a known function',
    (_, route) => {
      // Assess
      expect(FUNCTION_NAMES).toContain(route.function);
    },
  );

  it('has no method and path twice', () => {
    // Prepare
    const keys = routes.map(routeKey);
    // Assess
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('has no path twice once parameter names are ignored, so that no route shadows another', () => {
    // Prepare
    const shapes = routes.map((route) => `${route.method} ${route.path.replace(/\{\w+\}/g, '{}')}`);
    // Assess
    expect(new Set(shapes).size).toBe(shapes.length);
  });

  it('has no operationId twice', () => {
    // Prepare
    const ids = routes.map((route) => route.operationId);
    // Assess
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(routes.filter((route) => route.auth).map((route) => [routeKey(route), route] as const))(
    '%s lists the roles that may call it',
    (_, route) => {
      // Assess
      expect(route.roles?.length).toBeGreaterThan(0);
      for (const role of route.roles ?? []) expect(ROLES).toContain(role);
    },
  );

  it('leaves only liveness, the OpenAPI document and its reference page public', () => {
    // Prepare
    const open = routes.filter((route) => !route.auth).map(routeKey);
    // Assess
    expect(open.sort()).toEqual(['GET /docs', 'GET /docs/{asset}', 'GET /health', 'GET /openapi.json']);
  });

  it.each(routes.map((route) => [routeKey(route), route] as const))(
    '%s validates each of its path parameters, and no other',
    (_, route) => {
      // Prepare
      const inPath = parametersOf(route.path).sort();
      const inSchema = Object.keys(route.request?.params?.shape ?? {}).sort();
      // Assess
      expect(inSchema).toEqual(inPath);
    },
  );

  it.each(routes.map((route) => [routeKey(route), route] as const))(
    '%s is a well-formed path template',
    (_, route) => {
      // Assess
      // the AAS API names its modifiers with a leading $ ($value, $history, $recent-changes)
      expect(route.path).toMatch(/^(\/(\$?[a-z0-9.-]+|\{\w+\}))+$/);
      expect(new Set(parametersOf(route.path)).size).toBe(parametersOf(route.path).length);
    },
  );

  it('requires If-Match only on writes that need a token', () => {
    // Prepare
    const conditional = routes.filter((route) => route.ifMatch);
    // Assess
    for (const route of conditional) {
      expect(['POST', 'PUT', 'PATCH', 'DELETE']).toContain(route.method);
      expect(route.auth).toBe(true);
    }
  });

  it('is split between the functions without losing or repeating a route', () => {
    // Act
    const byFunction = FUNCTION_NAMES.flatMap((fn) => routesOf(fn));
    // Assess
    expect(byFunction).toHaveLength(routes.length);
    expect(new Set(byFunction)).toEqual(new Set(routes));
  });
});
