import { environmentFromJsonable } from '@aas-core-works/aas-core3.0-typescript/jsonization';
import { verify } from '@aas-core-works/aas-core3.0-typescript/verification';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, type Caller, must, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

type Json = ApiResponse['body'];

let api: TestApi;
let owner: string;
let admin: Caller;
let outsider: Caller;
let twinId: string;
let manualId: string;
let jobPlanId: string;

beforeAll(async () => {
  api = await startApi();
  owner = newTenant('exporter');
  admin = await api.as(owner, ['admin']);
  outsider = await api.as(newTenant('outsider'), ['admin']);
  const twin = await must(admin('POST', '/v1/twins', { body: aircraftRecord('EXP-1') }), 201);
  twinId = twin.id;
  await must(
    admin('POST', `/v1/twins/${twinId}/changes`, {
      headers: { 'if-match': '"1"' },
      body: {
        reason: 'ENGINE-SECRET-REASON',
        effectiveAt: '2025-01-10T00:00:00Z',
        operations: [
          {
            op: 'replace',
            position: 'engine-1/fadec',
            component: { partNumber: 'FADEC-3', serialNumber: 'EXP-1-FDC-9', kind: 'electrical' },
          },
        ],
      },
    }),
  );
  const document = async (kind: string, title: string) =>
    (
      await must(
        admin('POST', '/v1/documents', {
          body: { kind, title, contentType: 'application/pdf', size: 10, sha256: 'e'.repeat(64) },
        }),
        201,
      )
    ).document.id as string;
  manualId = await document('manual', 'ENGINE-MANUAL');
  jobPlanId = await document('job-plan', 'HVAC job plan');
  await must(
    admin('POST', `/v1/twins/${twinId}/links`, { body: { documentId: manualId, position: 'engine-1' } }),
    201,
  );
  await must(
    admin('POST', `/v1/twins/${twinId}/links`, { body: { documentId: jobPlanId, position: 'hvac' } }),
    201,
  );
});
afterAll(() => api.stop());

describe('GET /v1/twins/{id}/export', () => {
  it('answers everything recorded, bitemporal: intervals with their record times, change sets, documents', async () => {
    // Act
    const exported = await must(admin('GET', `/v1/twins/${twinId}/export`));
    // Assess
    expect(exported).toMatchObject({
      format: 'twinthread.twin/2',
      source: { tenant: owner, twinId },
      record: { id: twinId, serialNumber: 'EXP-1', version: 2 },
    });
    const closed = exported.installations.find(
      (installation: Json) => installation.path === 'engine-1/fadec' && installation.validTo !== null,
    );
    expect(closed).toMatchObject({
      component: { serialNumber: 'EXP-1-FDC-1' },
      validFrom: '2024-05-01T08:00:00.000Z',
      validTo: '2025-01-10T00:00:00.000Z',
      seq: 1,
      recordedAt: exported.record.createdAt,
      closedAt: exported.changeSets[1].recordedAt,
    });
    expect(exported.changeSets.map((changeSet: Json) => [changeSet.seq, changeSet.paths])).toEqual([
      [1, []],
      [2, ['engine-1/fadec']],
    ]);
    expect(exported.documents.map((document: Json) => document.id).sort()).toEqual(
      [manualId, jobPlanId].sort(),
    );
    expect(exported.links).toHaveLength(2);
  });

  it('assembles the twin as of asOf, and refuses a time before the twin was built', async () => {
    // Act
    const then = await must(admin('GET', `/v1/twins/${twinId}/export?asOf=2024-12-01T00:00:00Z`));
    const before = await admin('GET', `/v1/twins/${twinId}/export?asOf=2020-01-01T00:00:00Z`);
    const unknown = await admin('GET', `/v1/twins/${twinId}/export?format=csv`);
    // Assess
    expect(then.asOf).toBe('2024-12-01T00:00:00.000Z');
    const engine = then.twin.configuration.find((node: Json) => node.path === 'engine-1');
    expect(engine.children[0].component.serialNumber).toBe('EXP-1-FDC-1');
    expectProblem(before, 400, 'query.asOf');
    expectProblem(unknown, 400, 'query.format');
  });

  it('answers format=aas with an Asset Administration Shell V3 environment that verifies', async () => {
    // Act
    const aas = await must(admin('GET', `/v1/twins/${twinId}/export?format=aas`));
    // Assess
    const parsed = environmentFromJsonable(aas);
    expect(parsed.error?.message ?? null).toBeNull();
    expect([...verify(parsed.value!)].map((error) => `${error.path}: ${error.message}`)).toEqual([]);
    expect(JSON.stringify(aas)).toContain('EXP-1');
  });

  it('is 404 for another tenant, with nothing of the twin in the answer', async () => {
    // Act
    const json = await outsider('GET', `/v1/twins/${twinId}/export`);
    const aas = await outsider('GET', `/v1/twins/${twinId}/export?format=aas`);
    // Assess
    expectProblem(json, 404);
    expectProblem(aas, 404);
    expect(JSON.stringify([json.body, aas.body])).not.toContain('EXP-1');
  });
});

/** A view granted (read) on the exported twin to a new tenant named after `label`: that tenant's admin. */
async function granteeOf(label: string, view: object) {
  const grantee = newTenant(label);
  const created = await must(admin('POST', '/v1/views', { body: view }), 201);
  await must(
    admin('POST', '/v1/grants', {
      body: {
        grantee,
        viewId: created.id,
        twins: { ids: [twinId] },
        purpose: 'contractor',
        permissions: ['read'],
      },
    }),
    201,
  );
  return { contractor: await api.as(grantee, ['admin']), view: created };
}

describe('an export through a view', () => {
  it('leaves out, for a grantee, the positions, kinds and documents its view hides', async () => {
    // Prepare
    const { contractor } = await granteeOf('contractor', {
      name: 'hvac crew',
      positions: ['hvac'],
      kinds: ['electrical'],
      documentKinds: ['job-plan'],
    });
    // Act
    const exported = await must(contractor('GET', `/v1/shared/twins/${owner}/${twinId}/export`));
    // Assess
    const paths = (items: Json[]) => [...new Set(items.map((item: Json) => item.path))].sort();
    expect(paths(exported.positions)).toEqual(['hvac', 'hvac/controller']);
    expect(paths(exported.installations)).toEqual(['hvac/controller']);
    expect(exported.changeSets.map((changeSet: Json) => changeSet.seq)).toEqual([1]);
    expect(exported.documents.map((document: Json) => document.id)).toEqual([jobPlanId]);
    expect(exported.links.map((link: Json) => link.documentId)).toEqual([jobPlanId]);
    const text = JSON.stringify(exported);
    for (const hidden of ['ENGINE-SECRET-REASON', 'ENGINE-MANUAL', 'CFM56-5B4', 'EXP-1-FDC-9', manualId])
      expect(text).not.toContain(hidden);
  });

  it('answers format=aas only through a role view that hides nothing', async () => {
    // Prepare
    const view = await must(
      admin('POST', '/v1/views', { body: { name: 'no engines', positions: ['hvac'] } }),
      201,
    );
    await must(admin('PUT', '/v1/role-views/viewer', { body: { viewId: view.id } }));
    const viewer = await api.as(owner, ['viewer']);
    // Act
    const aas = await viewer('GET', `/v1/twins/${twinId}/export?format=aas`);
    const json = await must(viewer('GET', `/v1/twins/${twinId}/export`));
    // Assess
    expectProblem(aas, 404);
    expect(json.twin.configuration.map((node: Json) => node.path)).toEqual(['hvac']);
    expect(JSON.stringify(json)).not.toContain('CFM56-5B4');
  });

  it('is a valid export of what the view shows, which another tenant imports (grantee and role view)', async () => {
    // Prepare
    const { contractor, view } = await granteeOf('importing-contractor', {
      name: 'hvac subtree',
      positions: ['hvac'],
    });
    await must(admin('PUT', '/v1/role-views/viewer', { body: { viewId: view.id } }));
    const viewer = await api.as(owner, ['viewer']);
    const shared = await must(contractor('GET', `/v1/shared/twins/${owner}/${twinId}/export`));
    const trimmed = await must(viewer('GET', `/v1/twins/${twinId}/export`));
    // Act
    const intoGrantee = await contractor('POST', '/v1/imports', { body: shared });
    const intoOther = await (await api.as(newTenant('other-importer'), ['admin']))('POST', '/v1/imports', {
      body: trimmed,
    });
    // Assess
    expect(shared.changeSets[0].operations).toEqual([{ op: 'as-built', positions: 2, components: 1 }]);
    for (const [exported, imported] of [
      [shared, intoGrantee],
      [trimmed, intoOther],
    ] as const) {
      expect(imported.status, JSON.stringify(imported.body)).toBe(201);
      expect(imported.body.twin.configuration).toEqual(exported.twin.configuration);
    }
  });

  it('through a view without history carries only the present, as one record that imports', async () => {
    // Prepare
    const { contractor } = await granteeOf('present-only', {
      name: 'hvac now',
      positions: ['hvac'],
      history: false,
    });
    const ownExport = await must(admin('GET', `/v1/twins/${twinId}/export`));
    // Act
    const exported = await must(contractor('GET', `/v1/shared/twins/${owner}/${twinId}/export`));
    const imported = await contractor('POST', '/v1/imports', { body: exported });
    // Assess
    expect(exported.changeSets).toHaveLength(1);
    expect(exported.changeSets[0]).toMatchObject({
      seq: 1,
      effectiveAt: exported.asOf,
      operations: [{ op: 'as-built', positions: 2, components: 1 }],
    });
    expect(exported.installations.map((item: Json) => item.validFrom)).toEqual([exported.asOf]);
    const text = JSON.stringify(exported);
    for (const past of ownExport.changeSets.map((changeSet: Json) => changeSet.id))
      expect(text).not.toContain(past);
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    expect(imported.body.twin.configuration).toEqual(exported.twin.configuration);
  });
});
