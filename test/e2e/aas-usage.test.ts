import type { JsonObject } from '@aas-core-works/aas-core3.0-typescript/jsonization';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectValidAas } from '../support/aas-valid';
import { type Caller, startApi, type TestApi } from '../support/api';
import { newTenant } from '../support/tenants';

/** Usage and life in the AAS export: an OperatingData submodel, only when the reader's view shows usage. */
let api: TestApi;
let admin: Caller;
let tenant: string;
let twinId: string;

// biome-ignore lint/suspicious/noExplicitAny: the AAS JSON is walked freely; the library checks its shape
type Json = Record<string, any>;
const ok = async (response: Promise<{ status: number; body: Json }>) => {
  const answer = await response;
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
  return answer.body;
};
const operatingData = (environment: Json): Json | undefined =>
  environment.submodels.find((model: Json) => model.idShort === 'OperatingData');
const element = (elements: Json[], idShort: string) => elements.find((item) => item.idShort === idShort)!;

beforeAll(async () => {
  api = await startApi();
  tenant = newTenant('aas-usage');
  admin = await api.as(tenant, ['admin']);
  for (const [name, unit] of [
    ['FH', 'h'],
    ['operating-hours', 'h'],
  ])
    await ok(admin('PUT', `/v1/usage-parameters/${name}`, { body: { unit } }));
  await ok(
    admin('PUT', '/v1/parts/APU-131', {
      body: {
        llp: true,
        lifeLimits: [{ parameter: 'FH', limit: 100, effectiveFrom: '2000-01-01T00:00:00Z' }],
      },
    }),
  );
  const twin = await admin('POST', '/v1/twins', {
    body: {
      serialNumber: 'AU-1',
      product: { partNumber: 'A320-214' },
      builtAt: '2024-01-01T00:00:00Z',
      configuration: [
        { position: 'apu', component: { partNumber: 'APU-131', serialNumber: 'APU-7', kind: 'mechanical' } },
      ],
    },
  });
  twinId = twin.body.id;
  await admin('POST', `/v1/twins/${twinId}/usage`, {
    body: { records: [{ parameter: 'FH', at: '2024-02-01T10:00:00Z', delta: 12.5 }] },
  });
});
afterAll(() => api.stop());

describe('usage and life in the AAS export', () => {
  it('carries the unit totals and each part TSN, TSO and life as a valid OperatingData submodel', async () => {
    // Act
    const environment = await ok(admin('GET', `/v1/twins/${twinId}/export?format=aas`));
    // Assess
    expectValidAas(environment as JsonObject);
    const model = operatingData(environment)!;
    expect(
      environment.assetAdministrationShells[0].submodels.map((ref: Json) => ref.keys[0].value),
    ).toContain(model.id);
    expect(element(element(model.submodelElements, 'UnitUsage').value, 'FH').value).toBe('12.5');
    const [part] = element(model.submodelElements, 'Parts').value;
    expect(element(part.value, 'SerialNumber').value).toBe('APU-7');
    const fh = element(element(part.value, 'Usage').value, 'FH').value;
    expect(element(fh, 'TSN').value).toBe('12.5');
    expect(element(fh, 'TSO').value).toBe('12.5');
    const life = element(part.value, 'Life').value;
    expect(element(life, 'Status').value).toBe('ok');
    expect(element(element(life, 'FH').value, 'Remaining').value).toBe('87.5');
  });

  it('leaves it out for a role or a grantee whose view does not show usage, and shows it to one whose view does', async () => {
    // Prepare
    const hidden = await ok(admin('POST', '/v1/views', { body: { name: 'no usage' } }));
    const shown = await ok(admin('POST', '/v1/views', { body: { name: 'usage', usage: true } }));
    await ok(admin('PUT', '/v1/role-views/viewer', { body: { viewId: hidden.id } }));
    const viewer = await api.as(tenant, ['viewer']);
    const [lessor, mro] = [newTenant('lessor'), newTenant('mro')];
    for (const [grantee, view] of [
      [lessor, hidden.id],
      [mro, shown.id],
    ])
      expect(
        (
          await admin('POST', '/v1/grants', {
            body: {
              grantee,
              viewId: view,
              purpose: 'contractor',
              permissions: ['read'],
              twins: { ids: [twinId] },
            },
          })
        ).status,
      ).toBe(201);
    const shared = `/v1/shared/twins/${tenant}/${twinId}/export?format=aas`;
    // Act
    const ofViewer = await ok(viewer('GET', `/v1/twins/${twinId}/export?format=aas`));
    const ofLessor = await ok((await api.as(lessor, ['viewer']))('GET', shared));
    const ofMro = await ok((await api.as(mro, ['viewer']))('GET', shared));
    // Assess
    expect(operatingData(ofViewer)).toBeUndefined();
    expect(JSON.stringify(ofViewer)).not.toContain('operating-data');
    expectValidAas(ofViewer as JsonObject);
    expect(operatingData(ofLessor)).toBeUndefined();
    expectValidAas(ofMro as JsonObject);
    expect(element(operatingData(ofMro)!.submodelElements, 'UnitUsage').value).toHaveLength(1);
  });
});
