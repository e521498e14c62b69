import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AAS_SHARED_BASE } from '../../shared/route-table/aas';
import { type Route, routes } from '../../shared/routes';
import { ROLES, type Role } from '../../shared/schemas/common';
import { type ApiResponse, type Caller, startApi, type TestApi } from '../support/api';
import { mismatchesWithDocument } from '../support/openapi-responses';
import {
  granteeRoute,
  requestOf,
  SAMPLES,
  SECRET_DOC,
  seedWorld,
  type World,
} from '../support/route-samples';
import { newTenant } from '../support/tenants';

/**
 * The leak matrix: every authenticated route of the route table × every party that must not see
 * the owner's hidden data. Requests are generated from the route table; a route without a sample
 * request (test/support/route-samples.ts) fails the matrix, so a new route cannot escape it.
 *
 * The owner's twin carries markers: engine serials and part numbers, a commercial attribute, an
 * engine manual, an inspection finding, a change reason, a baseline name, a type. Parties that see
 * nothing of the twin must not see any of them (nor its serial, HVAC parts or visible attributes);
 * the grantee whose view is the HVAC subtree (no history, no baselines, job plans only) and the
 * owner's technicians, whose role view is the same, must not see the engine markers.
 */

let api: TestApi;
const HIDDEN_BY_VIEW = [
  'LEAK-1-ESN-1',
  'LEAK-1-FDC-2',
  'CFM56-5B4',
  'FADEC-3',
  'leaseRate',
  '987654',
  SECRET_DOC,
  'SECRET-FINDING',
  'SECRET-REASON',
  'SECRET-BASELINE',
  'Acme Thermal',
];
const HIDDEN_FROM_ALL = [...HIDDEN_BY_VIEW, 'LEAK-1', 'HVAC-CTL-9', 'R-134a', 'HVAC-JOB-PLAN', 'secret-type'];

let world: World;
/** The owner's other twin, granted (full view) to 'a grantee without a grant for this twin'. */
let otherTwin: string;

/**
 * The AAS API lists what a grant shares in full (shells and submodels carry the configuration): the
 * other twin, shared with one party on purpose, carries the same part numbers. Its entries are
 * legitimately there and are left out of the marker check, which then judges the rest of the page.
 */
function withoutOtherTwin<T extends ApiResponse>(response: T): T {
  const result = response.body?.result;
  if (!Array.isArray(result)) return response;
  const kept = result.filter((item: { id?: string }) => !String(item.id).includes(otherTwin));
  return { ...response, body: { ...response.body, result: kept } };
}

/** Does the route name one of the owner's resources in its path (so another tenant must get 404)? */
const namesOwnerResource = (route: Route) =>
  // a PUT of a client-named policy creates it in the caller's own tenant
  (/\{(id|baselineId|serialNumber|documentId|aasIdentifier|submodelIdentifier)\}/.test(route.path) &&
    route.operationId !== 'putBaselinePolicy') ||
  (route.path.startsWith('/v1/types/') && route.method === 'GET');

/** The answer, and what the request itself said (a 404 may echo the id it was asked for: no leak). */
const send = async (caller: Caller, route: Route): Promise<ApiResponse & { asked: string }> => {
  const { url, options } = await requestOf(route, world);
  const response = await caller(route.method, url, options);
  // every answer of the matrix, refusals and projected bodies alike, is one the document declares
  expect(
    mismatchesWithDocument(route, response),
    `${response.status} ${response.text.slice(0, 400)}`,
  ).toEqual([]);
  return { ...response, asked: decodeURIComponent(url) + JSON.stringify(options.body ?? '') };
};

function expectNoneOf(response: ApiResponse & { asked: string }, markers: readonly string[], label: string) {
  const text = JSON.stringify(response.body ?? '');
  for (const marker of markers.filter((candidate) => !response.asked.includes(candidate)))
    expect(text, `${label} leaks ${marker}: ${text.slice(0, 400)}`).not.toContain(marker);
}

const authenticated = routes.filter((route) => route.auth);
const granteeTwinRoute = (route: Route) =>
  route.path.startsWith('/v1/shared/twins/{owner}') ||
  // an AAS shell or submodel of a twin the owner shares (the lists of a party without a grant are empty)
  (route.path.startsWith(AAS_SHARED_BASE) && /\{(aasIdentifier|submodelIdentifier)\}/.test(route.path));

/** Parties outside the twin, each set up once. */
const parties: Record<string, { tenant?: string; caller?: Caller }> = {
  'another tenant': {},
  'a grantee without a grant for this twin': {},
  'a grantee whose grant expired': {},
  'a grantee whose grant was revoked': {},
  'a grantee whose grant is not valid yet': {},
};
let outsideView: Caller;
/** The owner's technicians, engineers and viewers, each behind the HVAC role view. */
const roleViewCallers: Partial<Record<Role, Caller>> = {};
const isAdminOnly = (route: Route) => route.roles?.every((role) => role === 'admin') === true;
/** What only twin data can carry: the twin's id, its serial, its visible parts. */
const TWIN_DERIVED: ((w: World) => string)[] = [(w) => w.twinId, () => 'LEAK-1', () => 'HVAC-CTL-9'];

beforeAll(async () => {
  process.env.EVENTS_SETTLE_MS = '0';
  api = await startApi();
  const seeded = await seedWorld(api);
  const { grant, hvacViewId, otherTwinId } = seeded;
  world = seeded;
  otherTwin = otherTwinId;
  const fullViewId = world.viewId;
  const put = async (method: string, path: string, body?: unknown) => {
    const response = await world.ownerAdmin(method, path, { body });
    expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
  };
  const day = 86_400_000;
  const tenants = Object.keys(parties).map((label) => [label, newTenant('party')] as const);
  for (const [label, tenant] of tenants) parties[label]!.tenant = tenant;
  await grant(parties['a grantee without a grant for this twin']!.tenant!, fullViewId, {
    twins: { ids: [otherTwinId] },
  });
  await grant(parties['a grantee whose grant expired']!.tenant!, fullViewId, {
    validFrom: new Date(Date.now() - 3 * day).toISOString(),
    validTo: new Date(Date.now() - day).toISOString(),
    purpose: 'paas',
    twins: { partNumber: 'A320-214' },
  });
  const revoked = await grant(parties['a grantee whose grant was revoked']!.tenant!, fullViewId, {
    purpose: 'paas',
  });
  await put('DELETE', `/v1/grants/${revoked.id}`);
  await grant(parties['a grantee whose grant is not valid yet']!.tenant!, fullViewId, {
    validFrom: new Date(Date.now() + day).toISOString(),
    purpose: 'paas',
    twins: { site: 'LHR' },
  });
  world.grantId = revoked.id;
  for (const [label, tenant] of tenants) parties[label]!.caller = await api.as(tenant, ['admin']);

  const contractor = newTenant('contractor');
  await grant(contractor, hvacViewId, { permissions: ['read', 'inspect'], purpose: 'paas' });
  outsideView = await api.as(contractor, ['admin']);

  for (const role of ['technician', 'engineer', 'viewer'] as const) {
    await put('PUT', `/v1/role-views/${role}`, { viewId: hvacViewId });
    roleViewCallers[role] = await api.as(world.owner, [role]);
  }
}, 120_000);
afterAll(() => api.stop());

describe('the leak matrix', () => {
  it('has a sample request for every authenticated route', () => {
    expect(
      authenticated.filter((route) => !SAMPLES[route.operationId]).map((route) => route.operationId),
    ).toEqual([]);
  });

  for (const label of Object.keys(parties)) {
    describe(label, () => {
      for (const route of authenticated) {
        it(`${route.method} ${route.path}`, async () => {
          const response = await send(parties[label]!.caller!, route);
          expect(response.status, JSON.stringify(response.body)).toBeLessThan(500);
          expectNoneOf(withoutOtherTwin(response), HIDDEN_FROM_ALL, `${label} on ${route.operationId}`);
          if (granteeTwinRoute(route) || (namesOwnerResource(route) && !granteeRoute(route)))
            expect(response.status, JSON.stringify(response.body)).toBe(404);
          if (route.method === 'GET' && !namesOwnerResource(route) && response.status === 200)
            expect(JSON.stringify(response.body)).not.toContain(world.twinId);
        });
      }
    });
  }

  describe('a grantee outside the view', () => {
    for (const route of authenticated) {
      it(`${route.method} ${route.path}`, async () => {
        const response = await send(outsideView, route);
        expect(response.status, JSON.stringify(response.body)).toBeLessThan(500);
        // its own tenant's routes reach nothing of the owner; the shared ones only the HVAC subtree
        expectNoneOf(
          response,
          granteeRoute(route) ? HIDDEN_BY_VIEW : HIDDEN_FROM_ALL,
          `outside view on ${route.operationId}`,
        );
        if (namesOwnerResource(route) && !granteeRoute(route)) expect(response.status).toBe(404);
        if (
          [
            'sharedWorkPackage',
            'sharedTwinHistory',
            'changeSharedTwin',
            'recordSharedInspection',
            'getSharedDocument',
            // the HVAC view does not show usage: no usage or life anywhere
            'sharedTwinUsage',
            'sharedLlpStatus',
            'sharedComponentUsage',
            'sharedComponentLife',
          ].includes(route.operationId)
        )
          expect([403, 404]).toContain(response.status);
      });
    }
  });

  describe('a role not allowed, inside the owner tenant', () => {
    for (const route of authenticated.filter((candidate) => candidate.roles !== undefined)) {
      const refused = ROLES.filter((role) => !route.roles!.includes(role));
      if (refused.length === 0) continue;
      it(`${route.method} ${route.path} as ${refused.join(', ')}`, async () => {
        for (const role of refused) {
          const response = await send(await api.as(world.owner, [role as Role]), route);
          expect(response.status, `${role}: ${JSON.stringify(response.body)}`).toBe(403);
          expectNoneOf(response, HIDDEN_FROM_ALL, `${role} on ${route.operationId}`);
        }
      });
    }
  });

  describe('a caller of the owner behind its role view (every route its roles may call)', () => {
    // the role a caller with a view calls the route with: admins never carry a view
    const roleFor = (route: Route): Role | undefined =>
      (['technician', 'engineer', 'viewer'] as const).find((role) => route.roles?.includes(role));
    const covered = authenticated.filter((route) => roleFor(route) !== undefined);
    it('covers every route a role with a view may call', () =>
      expect(covered.length).toBe(authenticated.filter((route) => !isAdminOnly(route)).length));
    for (const route of covered) {
      it(`${route.method} ${route.path} as ${roleFor(route)}`, async () => {
        const response = await send(roleViewCallers[roleFor(route)!]!, route);
        expect(response.status, JSON.stringify(response.body)).toBeLessThan(500);
        expectNoneOf(response, HIDDEN_BY_VIEW, `role view on ${route.operationId}`);
        if (route.twinData && route.method === 'GET') expect([200, 404]).toContain(response.status);
        // an answer carrying the owner's twin data must declare its shape, so that the view projects it
        const text = JSON.stringify(response.body ?? '');
        if (response.status < 300 && TWIN_DERIVED.some((marker) => text.includes(marker(world))))
          expect(
            route.twinData,
            `${route.operationId} answers twin data without a declared shape`,
          ).toBeDefined();
      });
    }
  });
});
