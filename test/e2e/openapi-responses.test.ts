import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Route, routeKey, routes } from '../../shared/routes';
import type { ApiResponse, Caller, CallOptions, TestApi } from '../support/api';
import { startApi } from '../support/api';
import { mismatchesWithDocument } from '../support/openapi-responses';
import {
  granteeRoute,
  requestOf,
  requestTo,
  type SampleRequest,
  seedWorld,
  type World,
} from '../support/route-samples';

/**
 * Real answers against /openapi.json: for every operation of the route table, its sample request
 * (test/support/route-samples.ts) must succeed, and an unknown query parameter (and, on
 * authenticated routes, a missing token) must give a problem, each with a status, media type and
 * body the document declares for that operation (Ajv, JSON Schema 2020-12, formats on). There is
 * no list of exceptions: where they disagree, the document or the server is wrong.
 */

let api: TestApi;
let world: World;
const checked = { success: new Set<string>(), problem: new Set<string>() };

beforeAll(async () => {
  process.env.EVENTS_SETTLE_MS = '0';
  api = await startApi();
  world = await seedWorld(api);
}, 120_000);
afterAll(() => api.stop());

/**
 * Who sends a route's sample: nobody on public routes, the full grantee on grantee routes (its admin
 * where only admins may), else the owner.
 */
const callerOf = (route: Route): Caller =>
  !route.auth
    ? (method, path, options) => api.call(method, path, options)
    : granteeRoute(route)
      ? route.roles?.includes('engineer') === false
        ? world.granteeAdmin
        : world.grantee
      : world.ownerAdmin;

const shown = (response: ApiResponse) => `${response.status} ${response.text.slice(0, 600)}`;

/** Sends the request and expects the document to describe its answer exactly. */
async function sendChecked(route: Route, caller: Caller, url: string, options: Omit<CallOptions, 'token'>) {
  const response = await caller(route.method, url, options);
  expect(mismatchesWithDocument(route, response), shown(response)).toEqual([]);
  return response;
}

const withQuery = (url: string, parameter: string) => `${url}${url.includes('?') ? '&' : '?'}${parameter}`;

/** More answers worth checking than one per operation: each format, conditional requests. */
const VARIANTS: {
  operationId: string;
  label: string;
  request: (w: World) => SampleRequest | Promise<SampleRequest>;
  status: number;
}[] = [
  {
    operationId: 'exportTwin',
    label: 'format=aas',
    status: 200,
    request: async (w) => ({ path: { id: w.twinId }, query: 'format=aas' }),
  },
  {
    operationId: 'exportSharedTwin',
    label: 'format=aas',
    status: 200,
    request: async (w) => ({ path: { owner: w.owner, id: w.twinId }, query: 'format=aas' }),
  },
  {
    operationId: 'twinHistory',
    label: 'entries of its stay in another twin (installed-in, removed-from)',
    status: 200,
    request: async (w) => {
      const serial = `ESN-MOUNT-${w.twinId.slice(-6)}`;
      const engine = await w.ownerAdmin('POST', '/v1/twins', {
        body: {
          serialNumber: serial,
          product: { partNumber: 'CFM56-MOUNT' },
          builtAt: '2024-01-01T00:00:00Z',
          configuration: [{ position: 'fan' }],
        },
      });
      const aircraft = await w.ownerAdmin('POST', '/v1/twins', {
        body: {
          serialNumber: `MSN-MOUNT-${w.twinId.slice(-6)}`,
          product: { partNumber: 'A320-MOUNT' },
          builtAt: '2024-02-01T00:00:00Z',
          configuration: [
            {
              position: 'engine-1',
              component: {
                partNumber: 'CFM56-MOUNT',
                serialNumber: serial,
                kind: 'mechanical',
                twinId: engine.body.id,
              },
            },
          ],
        },
      });
      const removed = await w.ownerAdmin('POST', `/v1/twins/${aircraft.body.id}/changes`, {
        body: { reason: 'engine change', operations: [{ op: 'remove', position: 'engine-1' }] },
        headers: { 'if-match': '"1"' },
      });
      expect(removed.status, JSON.stringify(removed.body)).toBe(200);
      return { path: { id: engine.body.id } };
    },
  },
  {
    operationId: 'docsAsset',
    label: 'If-None-Match of the current copy',
    status: 304,
    request: async () => {
      const first = await api.call('GET', '/docs/swagger-ui.css');
      return {
        path: { asset: 'swagger-ui.css' },
        headers: { 'if-none-match': first.headers.get('etag') ?? '' },
      };
    },
  },
];

describe('every answer is the one /openapi.json declares', () => {
  for (const route of routes) {
    it(`${routeKey(route)}: its sample request succeeds as declared`, async () => {
      // Prepare
      const { url, options } = await requestOf(route, world);
      // Act
      const response = await sendChecked(route, callerOf(route), url, options);
      // Assess
      expect(response.status, shown(response)).toBeLessThan(400);
      checked.success.add(route.operationId);
    });

    it(`${routeKey(route)}: its problems are as declared`, async () => {
      // Prepare
      const { url, options } = await requestOf(route, world);
      // Act
      const unknownParameter = await sendChecked(
        route,
        callerOf(route),
        withQuery(url, 'probe-unknown=1'),
        options,
      );
      const anonymous = route.auth ? await sendChecked(route, api.call, url, options) : undefined;
      // Assess
      expect(unknownParameter.status, shown(unknownParameter)).toBe(400);
      if (route.errorShape === 'aas-result')
        // the AAS API's Result: one message per bad field
        expect(unknownParameter.body.messages.map((message: { text: string }) => message.text)).toContain(
          'query.probe-unknown: unknown field',
        );
      else
        expect(unknownParameter.body.errors).toContainEqual({
          path: 'query.probe-unknown',
          message: 'unknown field',
        });
      if (anonymous) expect(anonymous.status, shown(anonymous)).toBe(401);
      checked.problem.add(route.operationId);
    });
  }

  for (const variant of VARIANTS) {
    const route = routes.find((candidate) => candidate.operationId === variant.operationId)!;
    it(`${routeKey(route)} with ${variant.label} answers ${variant.status} as declared`, async () => {
      // Prepare
      const { url, options } = requestTo(route, await variant.request(world));
      // Act
      const response = await sendChecked(route, callerOf(route), url, options);
      // Assess
      expect(response.status, shown(response)).toBe(variant.status);
    });
  }

  it('ends the gateway’s own problems with a newline too', async () => {
    // Act
    const response = await api.call('GET', '/v1/no-such-route');
    // Assess
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.text.endsWith('}\n')).toBe(true);
  });

  it('checked a success and a problem of every operation of the route table', () => {
    const all = routes.map((route) => route.operationId);
    expect(
      all.filter((operationId) => !checked.success.has(operationId)),
      'without a checked success',
    ).toEqual([]);
    expect(
      all.filter((operationId) => !checked.problem.has(operationId)),
      'without a checked problem',
    ).toEqual([]);
  });
});
