import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { AAS_SHARED_BASE, aasOperationId } from '../../shared/route-table/aas';
import type { Route } from '../../shared/routes';
import type { Caller, TestApi } from './api';
import { aircraftModel } from './conformance';
import { aircraftRecord } from './fixtures';
import { newTenant } from './tenants';

/**
 * One sample request per operation of the route table, in one place: the leak matrix sends it as
 * every party that must not see the owner's data, and the response-validation test sends it as the
 * owner (as the full grantee on grantee routes, without a token on public ones), where it must
 * succeed. A new route adds its sample to SAMPLES; both tests fail for a route without one.
 */

/** The owner's world that the samples talk about, seeded once per test file by seedWorld. */
export interface World {
  owner: string;
  ownerAdmin: Caller;
  twinId: string;
  /** A manual with content, linked to engine-1 and applicable by effectivity. */
  documentId: string;
  /** A document the samples give new versions and links. */
  spareDocumentId: string;
  baselineId: string;
  viewId: string;
  /** A grant of the owner that a sample may revoke. */
  grantId: string;
  /** A grantee with the full view of the twin, permitted to read, inspect and change. */
  grantee: Caller;
  /** The admin of that grantee's tenant (declines grants). */
  granteeAdmin: Caller;
  granteeTenant: string;
  /** An export job of the owner, started on first use. */
  exportId?: string;
}

export interface SampleRequest {
  path?: Record<string, string>;
  query?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A sample request for each operation, as the party would send it about the owner's data. */
export type Sample = (world: World) => SampleRequest | Promise<SampleRequest>;

export const SECRET_DOC = 'SECRET-ENGINE-MANUAL';
const MANUAL_CONTENT = Buffer.from('engine manual, revision 7');

const twinParams = (w: World) => ({ id: w.twinId });
const sharedParams = (w: World) => ({ owner: w.owner, id: w.twinId });
const neutralRecord = { serialNumber: 'PROBE-1', product: { partNumber: 'PROBE' }, configuration: [] };
const neutralDocument = {
  kind: 'other',
  title: 'probe',
  contentType: 'text/plain',
  size: 1,
  sha256: 'a'.repeat(64),
};
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

/** A baseline policy of the owner that selects no twin (the samples never take baselines). */
const PROBE_POLICY = { name: 'probe', selector: { site: 'NOWHERE' }, every: 'yearly' };
const ownerPolicy = async (w: World, id: string) => {
  const put = await w.ownerAdmin('PUT', `/v1/baseline-policies/${id}`, { body: PROBE_POLICY });
  expect(put.status, JSON.stringify(put.body)).toBeLessThan(300);
  return { path: { id } };
};

const engineSerial = { partNumber: 'CFM56-5B4', serialNumber: 'LEAK-1-ESN-1' };
/** The usage parameter the usage samples record (defined by the owner). */
const usageParameter = async (w: World) => {
  const response = await w.ownerAdmin('PUT', '/v1/usage-parameters/FH', { body: { unit: 'h' } });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
};

/** A bulletin of the owner with a requirement the world's twin embodies on one engine (created once per world). */
const bulletins = new WeakMap<World, Promise<string>>();
const ownerBulletin = (w: World) => {
  let id = bulletins.get(w);
  if (!id) {
    id = w
      .ownerAdmin('POST', '/v1/documents', {
        body: {
          kind: 'service-bulletin',
          title: 'probe bulletin',
          contentType: 'application/pdf',
          size: 1,
          sha256: 'a'.repeat(64),
          effectivity: { partNumber: 'CFM56-5B4' },
          requirement: {
            mandatory: true,
            effectiveAt: '2024-01-01T00:00:00Z',
            embodiedWhen: [{ partNumber: 'FADEC-SW', softwareVersions: '>=5.0.0' }],
            recurring: { every: { days: 365 } },
          },
        },
      })
      .then((response) => {
        expect(response.status, JSON.stringify(response.body)).toBe(201);
        return response.body.document.id as string;
      });
    bulletins.set(w, id);
  }
  return id;
};

/** If-Match with the twin's current version, as a client that just read it sends. */
const currentVersion = async (w: World) => {
  const twin = await w.ownerAdmin('GET', `/v1/twins/${w.twinId}`);
  return { 'if-match': twin.headers.get('etag') ?? '"1"' };
};

/** The AAS API samples: the owner's twin's shell and bill of material, base64url-encoded; shared ones name the owner. */
const aasId = (w: World, suffix: string) =>
  Buffer.from(`urn:twinthread:twin:${w.twinId}:${suffix}`).toString('base64url');
const AAS_SAMPLES: Record<string, (w: World) => SampleRequest> = {
  GetAllAssetAdministrationShells: () => ({}),
  GetAllAssetAdministrationShellsRecentChanges: () => ({}),
  GetAssetAdministrationShellById: (w) => ({ path: { aasIdentifier: aasId(w, 'aas') } }),
  GetAllSubmodelReferences: (w) => ({ path: { aasIdentifier: aasId(w, 'aas') } }),
  GetAssetAdministrationShellVersionByIdAndDate: (w) => ({
    path: { aasIdentifier: aasId(w, 'aas') },
    query: 'date=2025-01-01T00:00:00Z',
  }),
  GetAllSubmodels: () => ({}),
  GetAllSubmodelRecentChanges: () => ({}),
  GetSubmodelById: (w) => ({ path: { submodelIdentifier: aasId(w, 'submodel:hierarchical-structures') } }),
  'GetSubmodelById-ValueOnly': (w) => ({ path: { submodelIdentifier: aasId(w, 'submodel:nameplate') } }),
  GetSubmodelByIdAndDate: (w) => ({
    path: { submodelIdentifier: aasId(w, 'submodel:hierarchical-structures') },
    query: 'date=2025-01-01T00:00:00Z',
  }),
  GetSubmodelElementByPath: (w) => ({
    path: { submodelIdentifier: aasId(w, 'submodel:hierarchical-structures'), idShortPath: 'EntryNode.hvac' },
  }),
  'GetSubmodelElementByPath-ValueOnly': (w) => ({
    path: { submodelIdentifier: aasId(w, 'submodel:hierarchical-structures'), idShortPath: 'EntryNode.hvac' },
  }),
};
const aasSamples = (): Record<string, Sample> =>
  Object.fromEntries(
    Object.entries(AAS_SAMPLES).flatMap(([name, sample]) => [
      [aasOperationId(name, false), sample],
      [
        aasOperationId(name, true),
        (w: World) => {
          const own = sample(w);
          return { ...own, path: { ...own.path, owner: w.owner } };
        },
      ],
    ]),
  );

export const SAMPLES: Record<string, Sample> = {
  ...aasSamples(),
  health: () => ({}),
  openapi: () => ({}),
  docsPage: () => ({}),
  docsAsset: () => ({ path: { asset: 'swagger-ui.css' } }),
  createTwin: () => ({ body: neutralRecord }),
  listTwins: () => ({}),
  getTwin: (w) => ({ path: twinParams(w) }),
  patchTwin: async (w) => ({ path: twinParams(w), body: { site: 'X' }, headers: await currentVersion(w) }),
  changeTwin: async (w) => ({
    path: twinParams(w),
    headers: await currentVersion(w),
    body: { reason: 'probe', operations: [{ op: 'remove', position: 'engine-1/fadec' }] },
  }),
  twinHistory: (w) => ({ path: twinParams(w) }),
  createBaseline: (w) => ({ path: twinParams(w), body: { name: 'probe' } }),
  listBaselines: (w) => ({ path: twinParams(w) }),
  getBaseline: (w) => ({ path: { ...twinParams(w), baselineId: w.baselineId } }),
  diffTwin: (w) => ({ path: twinParams(w), query: `from=baseline:${w.baselineId}&to=2024-05-01T09:00:00Z` }),
  putBaselinePolicy: () => ({ path: { id: 'probe' }, body: PROBE_POLICY }),
  getBaselinePolicy: (w) => ownerPolicy(w, 'owner-policy'),
  listBaselinePolicies: () => ({}),
  deleteBaselinePolicy: (w) => ownerPolicy(w, 'owner-policy-delete'),
  componentTrace: () => ({ path: { partNumber: 'CFM56-5B4', serialNumber: 'LEAK-1-ESN-1' } }),
  putType: () => ({ path: { name: 'probe-type' }, body: { kind: 'twin', attributes: {} } }),
  getType: () => ({ path: { name: 'secret-type' } }),
  listTypes: () => ({}),
  putConfigurationModel: () => ({ path: { productPartNumber: 'PROBE' }, body: { positions: [] } }),
  getConfigurationModel: () => ({ path: { productPartNumber: 'A320-214' } }),
  twinConformance: (w) => ({ path: twinParams(w) }),
  fleetConformance: () => ({ query: 'status=amber' }),
  recordCompliance: async (w) => ({
    path: twinParams(w),
    body: { documentId: await ownerBulletin(w), status: 'complied', at: '2025-01-01T00:00:00Z' },
  }),
  twinCompliance: async (w) => {
    await ownerBulletin(w);
    return { path: twinParams(w) };
  },
  documentCompliance: async (w) => ({ path: { id: await ownerBulletin(w) } }),
  createDocument: () => ({ body: neutralDocument }),
  listDocuments: () => ({}),
  getDocument: (w) => ({ path: { id: w.documentId } }),
  createDocumentVersion: (w) => ({
    path: { id: w.spareDocumentId },
    body: { contentType: 'text/plain', size: 1, sha256: 'a'.repeat(64) },
  }),
  recordInspection: (w) => ({
    path: twinParams(w),
    body: { performedAt: '2025-01-01T00:00:00Z', inspector: 'probe', observed: [{ path: 'engine-1' }] },
  }),
  listInspections: (w) => ({ path: twinParams(w) }),
  linkDocument: (w) => ({
    path: twinParams(w),
    body: { documentId: w.spareDocumentId, position: 'engine-1' },
  }),
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
  searchShared: () => ({ query: 'q=leak' }),
  getSharedTwin: (w) => ({ path: sharedParams(w) }),
  sharedTwinHistory: (w) => ({ path: sharedParams(w) }),
  sharedTwinThread: (w) => ({ path: sharedParams(w) }),
  sharedWorkPackage: (w) => ({ path: sharedParams(w), query: 'position=engine-1' }),
  listSharedInspections: (w) => ({ path: sharedParams(w) }),
  recordSharedInspection: (w) => ({
    path: sharedParams(w),
    body: { performedAt: '2025-01-01T00:00:00Z', inspector: 'probe', observed: [{ path: 'engine-1' }] },
  }),
  changeSharedTwin: async (w) => ({
    path: sharedParams(w),
    headers: await currentVersion(w),
    body: {
      reason: 'probe',
      operations: [{ op: 'update', position: 'engine-2/fadec/sw', softwareVersion: '5.3.0' }],
    },
  }),
  exportSharedTwin: (w) => ({ path: sharedParams(w) }),
  getSharedDocument: (w) => ({ path: { ...sharedParams(w), documentId: w.documentId } }),
  listReceivedGrants: () => ({}),
  // a grant of its own to decline, given to the full grantee's tenant for the other twin
  declineGrant: async (w) => {
    const given = await w.ownerAdmin('POST', '/v1/grants', {
      body: {
        grantee: w.granteeTenant,
        viewId: w.viewId,
        twins: { site: 'CDG' },
        purpose: 'other',
        permissions: ['read'],
      },
    });
    expect(given.status, JSON.stringify(given.body)).toBe(201);
    return { path: { id: given.body.id as string } };
  },
  installedBase: () => ({}),
  installedBaseImpact: () => ({ body: { partNumber: 'FADEC-SW', softwareVersion: '>=1.0.0' } }),
  installedBaseInstallations: () => ({ query: 'partNumber=CFM56-5B4' }),
  listFleetInstallations: () => ({ query: 'partNumber=CFM56-5B4' }),
  // lower case: the twin's serial is a prefix of its engine serials, which a view on the HVAC must not match
  search: () => ({ query: 'q=leak' }),
  fleetImpact: () => ({ body: { partNumber: 'FADEC-SW', softwareVersion: '>=1.0.0' } }),
  ingest: (w) => ({
    body: {
      mode: 'report',
      observations: [{ twinId: w.twinId, path: 'engine-1', component: { partNumber: 'PROBE' } }],
    },
  }),
  putUsageParameter: () => ({ path: { name: 'FH' }, body: { unit: 'h' } }),
  listUsageParameters: () => ({}),
  recordUsage: async (w) => {
    await usageParameter(w);
    return {
      path: twinParams(w),
      body: { records: [{ parameter: 'FH', at: '2025-01-01T10:00:00Z', delta: 1.5, ref: 'probe' }] },
    };
  },
  twinUsage: (w) => ({ path: twinParams(w) }),
  componentUsage: async (w) => {
    await usageParameter(w);
    return { path: engineSerial, query: 'parameter=FH' };
  },
  recordOverhaul: () => ({ path: engineSerial, body: { at: '2025-01-01T00:00:00Z' } }),
  componentLife: () => ({ path: engineSerial }),
  llpStatus: (w) => ({ path: twinParams(w) }),
  sharedTwinUsage: (w) => ({ path: sharedParams(w) }),
  sharedLlpStatus: (w) => ({ path: sharedParams(w) }),
  sharedComponentUsage: async (w) => {
    await usageParameter(w);
    return { path: { ...sharedParams(w), ...engineSerial }, query: 'parameter=FH' };
  },
  sharedComponentLife: (w) => ({ path: { ...sharedParams(w), ...engineSerial } }),
  putPart: () => ({ path: { partNumber: 'PROBE-PART' }, body: { llp: false } }),
  getPart: async (w) => {
    await w.ownerAdmin('PUT', '/v1/parts/PROBE-PART', { body: { llp: false } });
    return { path: { partNumber: 'PROBE-PART' } };
  },
  fleetLife: () => ({ body: { remainingBelow: { FC: 500 } } }),
  fleetRemovals: () => ({ query: 'partNumber=CFM56-5B4&from=2020-01-01T00:00:00Z&to=2030-01-01T00:00:00Z' }),
  events: () => ({}),
  exportTwin: (w) => ({ path: twinParams(w) }),
  importTwin: () => ({ body: neutralExport }),
  importRecords: () => ({
    body: {
      type: 'part',
      partNumber: 'PROBE-IMPORTED',
      versions: [
        { partNumber: 'PROBE-IMPORTED', version: 1, recordedAt: '2025-01-01T00:00:00Z', llp: false },
      ],
    },
  }),
  startExport: () => ({}),
  getExport: async (w) => {
    if (!w.exportId) {
      const started = await w.ownerAdmin('POST', '/v1/exports');
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      w.exportId = started.body.id as string;
    }
    return { path: { id: w.exportId } };
  },
};

/** The URL and options of a request to a route. */
export function requestTo(route: Route, { path = {}, query, body, headers }: SampleRequest) {
  const url = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = path[name];
    if (value === undefined) throw new Error(`No value for {${name}} of ${route.operationId}`);
    return encodeURIComponent(value);
  });
  return { url: query ? `${url}?${query}` : url, options: { body, headers } };
}

/** The URL and options of a route's sample request (throws for a route without a sample). */
export async function requestOf(route: Route, world: World) {
  const sample = SAMPLES[route.operationId];
  if (!sample)
    throw new Error(`No sample request for ${route.operationId}: add one to test/support/route-samples.ts`);
  return requestTo(route, await sample(world));
}

/** Grantee routes: the caller reads another tenant's twins through its grants. */
export const granteeRoute = (route: Route) =>
  route.path.startsWith('/v1/shared/') ||
  route.path === '/v1/installed-base' ||
  route.path.startsWith(AAS_SHARED_BASE) ||
  route.path.startsWith('/v1/installed-base/');

/**
 * The owner's twin, with markers: engine serials and part numbers, a commercial attribute, an
 * engine manual, an inspection finding, a change reason, a baseline name, a type; a job plan for
 * the HVAC position, an HVAC view and a full view, and a grantee of the full view.
 */
export async function seedWorld(
  api: TestApi,
): Promise<World & { hvacViewId: string; otherTwinId: string; grant: Grant }> {
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
  // the allowed configuration (warn: the samples' changes break it); the cabin is not in it (amber)
  const model = aircraftModel({ validate: 'warn' });
  model.positions = model.positions.filter((position) => position.path !== 'cabin');
  await put('PUT', '/v1/configuration-models/A320-214', model);
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
    size: MANUAL_CONTENT.length,
    sha256: createHash('sha256').update(MANUAL_CONTENT).digest('hex'),
    effectivity: { partNumber: 'CFM56-5B4' },
  });
  const upload = await fetch(document.uploadUrl, {
    method: 'PUT',
    headers: document.uploadHeaders,
    body: MANUAL_CONTENT,
  });
  expect(upload.status).toBe(200);
  await put('POST', `/v1/twins/${twin.id}/links`, { documentId: document.document.id, position: 'engine-1' });
  const jobPlan = await put('POST', '/v1/documents', {
    kind: 'job-plan',
    title: 'HVAC-JOB-PLAN',
    contentType: 'application/pdf',
    size: 10,
    sha256: 'c'.repeat(64),
  });
  await put('POST', `/v1/twins/${twin.id}/links`, { documentId: jobPlan.document.id, position: 'hvac' });
  const spare = await put('POST', '/v1/documents', neutralDocument);
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
  const fullView = await put('POST', '/v1/views', { name: 'everything', usage: true });
  const grant: Grant = (grantee, view, terms) =>
    put('POST', '/v1/grants', {
      grantee,
      viewId: view,
      purpose: 'contractor',
      permissions: ['read', 'inspect', 'change'],
      twins: { ids: [twin.id] },
      ...terms,
    });
  const granteeTenant = newTenant('grantee');
  await grant(granteeTenant, fullView.id, { purpose: 'paas' });
  const spareGrant = await grant(newTenant('spare'), fullView.id, { twins: { ids: [other.id] } });
  return {
    owner,
    ownerAdmin,
    twinId: twin.id,
    documentId: document.document.id,
    spareDocumentId: spare.document.id,
    baselineId: baseline.id,
    viewId: fullView.id,
    hvacViewId: hvacView.id,
    otherTwinId: other.id,
    grantId: spareGrant.id,
    grantee: await api.as(granteeTenant, ['engineer']),
    granteeAdmin: await api.as(granteeTenant, ['admin']),
    granteeTenant,
    grant,
  };
}

/** Grants the owner's twin (unless `terms` say other twins) to `grantee` through `view`. */
// biome-ignore lint/suspicious/noExplicitAny: the answer is read field by field
export type Grant = (grantee: string, view: string, terms: object) => Promise<any>;
