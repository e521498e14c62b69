import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Route, routes } from '../../shared/routes';
import { ROLES, type Role } from '../../shared/schemas/common';
import { type ApiResponse, type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { newTenant } from '../support/tenants';

/**
 * The leak matrix: every authenticated route of the route table × every party that must not see
 * the owner's hidden data. Requests are generated from the route table; a route without a sample
 * request below fails the matrix, so a new route cannot escape it.
 *
 * The owner's twin carries markers: engine serials and part numbers, a commercial attribute, an
 * engine manual, an inspection finding, a change reason, a baseline name, a type. Parties that see
 * nothing of the twin must not see any of them (nor its serial, HVAC parts or visible attributes);
 * the grantee whose view is the HVAC subtree (no history, no baselines, job plans only) and the
 * owner's technicians, whose role view is the same, must not see the engine markers.
 */

let api: TestApi;
const SECRET_DOC = 'SECRET-ENGINE-MANUAL';
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

interface World {
  owner: string;
  ownerAdmin: Caller;
  twinId: string;
  documentId: string;
  baselineId: string;
  viewId: string;
  grantId: string;
}
let world: World;

/** A sample request for each operation, as the party would send it about the owner's data. */
type Sample = (world: World) => {
  path?: Record<string, string>;
  query?: string;
  body?: unknown;
  headers?: Record<string, string>;
};

const twinParams = (w: World) => ({ id: w.twinId });
const sharedParams = (w: World) => ({ owner: w.owner, id: w.twinId });
const neutralRecord = { serialNumber: 'PROBE-1', product: { partNumber: 'PROBE' }, configuration: [] };
const ifMatch = { 'if-match': '"1"' };
const neutralExport = {
  format: 'twinthread.twin/2',
  exportedAt: '2025-01-01T00:00:00Z',
  source: { tenant: 'probe-source', twinId: 'PROBE-SOURCE-1' },
  record: {
    id: 'PROBE-SOURCE-1',
    serialNumber: 'PROBE-IMPORT-1',
    product: { partNumber: 'PROBE' },
    lifecycle: 'as-built',
    attributes: {},
    version: 1,
    builtAt: '2025-01-01T00:00:00Z',
    createdAt: '2025-01-01T00:00:00Z',
    updatedAt: '2025-01-01T00:00:00Z',
  },
  positions: [],
  installations: [],
  changeSets: [
    {
      id: 'PROBE-CS-1',
      seq: 1,
      reason: 'as-built record',
      effectiveAt: '2025-01-01T00:00:00Z',
      recordedAt: '2025-01-01T00:00:00Z',
      actor: { sub: 'probe', tenant: 'probe-source' },
      operations: [{ op: 'as-built', positions: 0, components: 0 }],
    },
  ],
};

const SAMPLES: Record<string, Sample> = {
  createTwin: () => ({ body: neutralRecord }),
  listTwins: () => ({}),
  getTwin: (w) => ({ path: twinParams(w) }),
  patchTwin: (w) => ({ path: twinParams(w), body: { site: 'X' }, headers: ifMatch }),
  changeTwin: (w) => ({
    path: twinParams(w),
    headers: ifMatch,
    body: { reason: 'probe', operations: [{ op: 'remove', position: 'engine-1/fadec' }] },
  }),
  twinHistory: (w) => ({ path: twinParams(w) }),
  createBaseline: (w) => ({ path: twinParams(w), body: { name: 'probe' } }),
  listBaselines: (w) => ({ path: twinParams(w) }),
  getBaseline: (w) => ({ path: { ...twinParams(w), baselineId: w.baselineId } }),
  diffTwin: (w) => ({ path: twinParams(w), query: 'from=2024-05-01T09:00:00Z' }),
  componentTrace: () => ({ path: { partNumber: 'CFM56-5B4', serialNumber: 'LEAK-1-ESN-1' } }),
  putType: () => ({ path: { name: 'probe-type' }, body: { kind: 'twin', attributes: {} } }),
  getType: () => ({ path: { name: 'secret-type' } }),
  listTypes: () => ({}),
  createDocument: () => ({
    body: { kind: 'other', title: 'probe', contentType: 'text/plain', size: 1, sha256: 'a'.repeat(64) },
  }),
  listDocuments: () => ({}),
  getDocument: (w) => ({ path: { id: w.documentId } }),
  createDocumentVersion: (w) => ({
    path: { id: w.documentId },
    body: { contentType: 'text/plain', size: 1, sha256: 'a'.repeat(64) },
  }),
  recordInspection: (w) => ({
    path: twinParams(w),
    body: { performedAt: '2025-01-01T00:00:00Z', inspector: 'probe', observed: [{ path: 'engine-1' }] },
  }),
  listInspections: (w) => ({ path: twinParams(w) }),
  linkDocument: (w) => ({ path: twinParams(w), body: { documentId: w.documentId, position: 'engine-1' } }),
  twinThread: (w) => ({ path: twinParams(w) }),
  workPackage: (w) => ({ path: twinParams(w), query: 'position=engine-1' }),
  documentApplicability: (w) => ({ path: { id: w.documentId } }),
  createView: () => ({ body: { name: 'probe' } }),
  listViews: () => ({}),
  getView: (w) => ({ path: { id: w.viewId } }),
  updateView: (w) => ({ path: { id: w.viewId }, body: { name: 'probe' } }),
  getRoleViews: () => ({}),
  setRoleView: (w) => ({ path: { role: 'viewer' }, body: { viewId: w.viewId } }),
  createGrant: (w) => ({
    body: {
      grantee: 'probe',
      viewId: w.viewId,
      twins: { ids: [w.twinId] },
      purpose: 'other',
      permissions: ['read'],
    },
  }),
  listGrants: () => ({}),
  getGrant: (w) => ({ path: { id: w.grantId } }),
  revokeGrant: (w) => ({ path: { id: w.grantId } }),
  listSharedTwins: () => ({}),
  getSharedTwin: (w) => ({ path: sharedParams(w) }),
  sharedTwinHistory: (w) => ({ path: sharedParams(w) }),
  sharedTwinThread: (w) => ({ path: sharedParams(w) }),
  sharedWorkPackage: (w) => ({ path: sharedParams(w), query: 'position=engine-1' }),
  listSharedInspections: (w) => ({ path: sharedParams(w) }),
  recordSharedInspection: (w) => ({
    path: sharedParams(w),
    body: { performedAt: '2025-01-01T00:00:00Z', inspector: 'probe', observed: [{ path: 'engine-1' }] },
  }),
  changeSharedTwin: (w) => ({
    path: sharedParams(w),
    headers: ifMatch,
    body: { reason: 'probe', operations: [{ op: 'remove', position: 'engine-1/fadec' }] },
  }),
  exportSharedTwin: (w) => ({ path: sharedParams(w) }),
  getSharedDocument: (w) => ({ path: { ...sharedParams(w), documentId: w.documentId } }),
  listReceivedGrants: () => ({}),
  declineGrant: (w) => ({ path: { id: w.grantId } }),
  installedBase: () => ({}),
  listFleetInstallations: () => ({ query: 'partNumber=CFM56-5B4' }),
  fleetImpact: () => ({ body: { partNumber: 'FADEC-SW', softwareVersion: '>=1.0.0' } }),
  ingest: (w) => ({
    body: {
      mode: 'report',
      observations: [{ twinId: w.twinId, path: 'engine-1', component: { partNumber: 'PROBE' } }],
    },
  }),
  events: () => ({}),
  exportTwin: (w) => ({ path: twinParams(w) }),
  importTwin: () => ({ body: neutralExport }),
  startExport: () => ({}),
  getExport: () => ({ path: { id: '01HZZZZZZZZZZZZZZZZZZZZZZZ' } }),
};

/** Does the route name one of the owner's resources in its path (so another tenant must get 404)? */
const namesOwnerResource = (route: Route) =>
  /\{(id|baselineId|serialNumber|documentId)\}/.test(route.path) ||
  (route.path.startsWith('/v1/types/') && route.method === 'GET');

function requestOf(route: Route) {
  const sample = SAMPLES[route.operationId];
  if (!sample) throw new Error(`The leak matrix has no sample request for ${route.operationId}: add one`);
  const { path = {}, query, body, headers } = sample(world);
  const url = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = path[name];
    if (value === undefined) throw new Error(`No value for {${name}} of ${route.operationId}`);
    return encodeURIComponent(value);
  });
  return { url: query ? `${url}?${query}` : url, options: { body, headers } };
}

/** The answer, and what the request itself said (a 404 may echo the id it was asked for: no leak). */
const send = async (caller: Caller, route: Route): Promise<ApiResponse & { asked: string }> => {
  const { url, options } = requestOf(route);
  const response = await caller(route.method, url, options);
  return { ...response, asked: decodeURIComponent(url) + JSON.stringify(options.body ?? '') };
};

function expectNoneOf(response: ApiResponse & { asked: string }, markers: readonly string[], label: string) {
  const text = JSON.stringify(response.body ?? '');
  for (const marker of markers.filter((candidate) => !response.asked.includes(candidate)))
    expect(text, `${label} leaks ${marker}: ${text.slice(0, 400)}`).not.toContain(marker);
}

const authenticated = routes.filter((route) => route.auth);
const granteeRoute = (route: Route) =>
  route.path.startsWith('/v1/shared/') || route.path === '/v1/installed-base';
const granteeTwinRoute = (route: Route) => route.path.startsWith('/v1/shared/twins/{owner}');

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
  const owner = newTenant('owner');
  const ownerAdmin = await api.as(owner, ['admin']);
  const put = async (method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
    const response = await ownerAdmin(method, path, { body, ...(headers ? { headers } : {}) });
    expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
    return response.body;
  };
  await put('PUT', '/v1/types/secret-type', {
    kind: 'twin',
    attributes: { leaseRate: { type: 'number' } },
    additionalAttributes: true,
  });
  const twin = await put(
    'POST',
    '/v1/twins',
    aircraftRecord('LEAK-1', { site: 'LHR', attributes: { leaseRate: 987654, refrigerant: 'R-134a' } }),
  );
  const other = await put('POST', '/v1/twins', aircraftRecord('OTHER-1', { site: 'CDG' }));
  await put(
    'POST',
    `/v1/twins/${twin.id}/changes`,
    {
      reason: 'SECRET-REASON',
      effectiveAt: '2024-06-01T00:00:00Z',
      operations: [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.3.0' }],
    },
    { 'if-match': '"1"' },
  );
  const document = await put('POST', '/v1/documents', {
    kind: 'manual',
    title: SECRET_DOC,
    contentType: 'application/pdf',
    size: 10,
    sha256: 'b'.repeat(64),
    effectivity: { partNumber: 'CFM56-5B4' },
  });
  await put('POST', `/v1/twins/${twin.id}/links`, { documentId: document.document.id, position: 'engine-1' });
  const jobPlan = await put('POST', '/v1/documents', {
    kind: 'job-plan',
    title: 'HVAC-JOB-PLAN',
    contentType: 'application/pdf',
    size: 10,
    sha256: 'c'.repeat(64),
  });
  await put('POST', `/v1/twins/${twin.id}/links`, { documentId: jobPlan.document.id, position: 'hvac' });
  await put('POST', `/v1/twins/${twin.id}/inspections`, {
    performedAt: '2024-07-01T00:00:00Z',
    inspector: 'owner',
    findings: 'SECRET-FINDING',
    observed: [{ path: 'engine-1', serialNumber: 'LEAK-1-ESN-1' }],
  });
  const baseline = await put('POST', `/v1/twins/${twin.id}/baselines`, { name: 'SECRET-BASELINE' });
  const hvacView = await put('POST', '/v1/views', {
    name: 'hvac',
    positions: ['hvac'],
    twinAttributes: ['refrigerant'],
    componentAttributes: [],
    history: false,
    baselines: false,
    documentKinds: ['job-plan'],
  });
  const fullView = await put('POST', '/v1/views', { name: 'everything' });
  world = {
    owner,
    ownerAdmin,
    twinId: twin.id,
    documentId: document.document.id,
    baselineId: baseline.id,
    viewId: fullView.id,
    grantId: '',
  };

  const grant = async (grantee: string, view: string, terms: object) =>
    put('POST', '/v1/grants', {
      grantee,
      viewId: view,
      purpose: 'contractor',
      permissions: ['read', 'inspect', 'change'],
      twins: { ids: [twin.id] },
      ...terms,
    });
  const day = 86_400_000;
  const tenants = Object.keys(parties).map((label) => [label, newTenant('party')] as const);
  for (const [label, tenant] of tenants) parties[label]!.tenant = tenant;
  await grant(parties['a grantee without a grant for this twin']!.tenant!, fullView.id, {
    twins: { ids: [other.id] },
  });
  await grant(parties['a grantee whose grant expired']!.tenant!, fullView.id, {
    validFrom: new Date(Date.now() - 3 * day).toISOString(),
    validTo: new Date(Date.now() - day).toISOString(),
    purpose: 'paas',
    twins: { partNumber: 'A320-214' },
  });
  const revoked = await grant(parties['a grantee whose grant was revoked']!.tenant!, fullView.id, {
    purpose: 'paas',
  });
  await put('DELETE', `/v1/grants/${revoked.id}`);
  await grant(parties['a grantee whose grant is not valid yet']!.tenant!, fullView.id, {
    validFrom: new Date(Date.now() + day).toISOString(),
    purpose: 'paas',
    twins: { site: 'LHR' },
  });
  world.grantId = revoked.id;
  for (const [label, tenant] of tenants) parties[label]!.caller = await api.as(tenant, ['admin']);

  const contractor = newTenant('contractor');
  await grant(contractor, hvacView.id, { permissions: ['read', 'inspect'], purpose: 'paas' });
  outsideView = await api.as(contractor, ['admin']);

  for (const role of ['technician', 'engineer', 'viewer'] as const) {
    await put('PUT', `/v1/role-views/${role}`, { viewId: hvacView.id });
    roleViewCallers[role] = await api.as(owner, [role]);
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
          expectNoneOf(response, HIDDEN_FROM_ALL, `${label} on ${route.operationId}`);
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
