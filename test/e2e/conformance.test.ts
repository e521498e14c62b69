import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api';
import { aircraftModel } from '../support/conformance';
import { aircraftRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

let api: TestApi;
let admin: Caller;
let viewer: Caller;
let twinId: string;
let version: number;
const PN = 'A320-214';

const change = (operations: unknown[], query = '') =>
  admin('POST', `/v1/twins/${twinId}/changes${query}`, {
    body: { reason: 'test', operations },
    headers: { 'if-match': `"${version}"` },
  });

/** Waits until the re-judgement of a model version has reached every unit. */
async function rejudged(caller: Caller, modelVersion: number) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const model = await caller('GET', `/v1/configuration-models/${PN}?version=${modelVersion}`);
    if (model.body.rejudge?.status === 'done') return model.body.rejudge;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the re-judgement did not finish');
}

beforeAll(async () => {
  api = await startApi();
  const tenant = newTenant('conform');
  admin = await api.as(tenant, ['admin']);
  viewer = await api.as(tenant, ['viewer']);
  const created = await admin('POST', '/v1/twins', { body: aircraftRecord('MSN-1') });
  twinId = created.body.id;
  version = created.body.version;
});
afterAll(() => api.stop());

describe('configuration models', () => {
  it('are versioned: 201 for the first, 200 after, each version readable; the fleet is re-judged', async () => {
    // Act
    const first = await admin('PUT', `/v1/configuration-models/${PN}`, { body: aircraftModel() });
    // Assess
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ productPartNumber: PN, version: 1, validate: 'enforce' });
    expect(first.body.rejudge).toMatchObject({ status: 'running', version: 1 });
    expect(await rejudged(viewer, 1)).toMatchObject({ status: 'done', judged: 1 });
    const conformance = await viewer('GET', `/v1/twins/${twinId}/conformance`);
    expect(conformance.body).toMatchObject({ status: 'green', modelVersion: 1, findings: [] });
  });

  it('refuses a model that is not one (400 naming the field) and writers only', async () => {
    const bad = aircraftModel({ rules: [{ when: { path: 'a', partNumber: 'X' }, level: 'red' }] });
    expectProblem(await admin('PUT', `/v1/configuration-models/${PN}`, { body: bad }), 400, 'body.rules[0]');
    expectProblem(await viewer('PUT', `/v1/configuration-models/${PN}`, { body: aircraftModel() }), 403);
    expectProblem(await viewer('GET', '/v1/configuration-models/NOPE'), 404);
  });
});

describe('validation on every change set', () => {
  it('refuses a part that is not allowed under enforce, naming the operation and the rule (422), writing nothing', async () => {
    // Act
    const refused = await change([
      { op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.2.2' },
      {
        op: 'replace',
        position: 'hvac/controller',
        component: { partNumber: 'HVAC-CTL-1', serialNumber: 'X-1', kind: 'electrical' },
      },
    ]);
    // Assess
    expectProblem(refused, 422, 'body.operations[1]');
    expect(JSON.stringify(refused.body.errors)).toContain('positions[hvac/controller]');
    expect(JSON.stringify(refused.body.errors)).toContain('part-not-allowed');
    expect((await viewer('GET', `/v1/twins/${twinId}`)).body.version).toBe(version);
  });

  it('refuses a rule broken (requires-unmet) and says which rule', async () => {
    const refused = await change([{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '4.1.0' }]);
    expectProblem(refused, 422, 'body.operations[0]');
    expect(JSON.stringify(refused.body.errors)).toContain('fadec3-needs-sw5');
  });

  it('one-way interchangeability: FADEC-4 replaces FADEC-3, FADEC-3 never replaces FADEC-4', async () => {
    // Act
    const upgrade = await change([
      {
        op: 'replace',
        position: 'engine-2/fadec',
        component: { partNumber: 'FADEC-4', serialNumber: 'F4-1', kind: 'electrical' },
      },
    ]);
    expect(upgrade.status).toBe(200);
    version = upgrade.body.version;
    expect(upgrade.body.conformance).toMatchObject({ status: 'green', warnings: [] });
    const back = await change([
      {
        op: 'replace',
        position: 'engine-2/fadec',
        component: { partNumber: 'FADEC-3', serialNumber: 'F3-9', kind: 'electrical', revision: 'C' },
      },
    ]);
    // Assess
    expectProblem(back, 422, 'body.operations[0]');
    expect(JSON.stringify(back.body.errors)).toContain('not-interchangeable');
  });

  it('records a break with warnings under validate=warn: the unit turns red and is listed', async () => {
    // Prepare
    const before = new Date().toISOString();
    // Act
    const warned = await change(
      [
        {
          op: 'replace',
          position: 'hvac/controller',
          component: { partNumber: 'HVAC-CTL-1', serialNumber: 'X-1', kind: 'electrical' },
        },
        { op: 'add-position', position: 'galley' },
      ],
      '?validate=warn',
    );
    // Assess
    expect(warned.status).toBe(200);
    version = warned.body.version;
    expect(warned.body.conformance.status).toBe('red');
    expect(warned.body.conformance.warnings.map((finding: { code: string }) => finding.code).sort()).toEqual([
      'part-not-allowed',
      'position-not-in-model',
    ]);
    const now = await viewer('GET', `/v1/twins/${twinId}/conformance`);
    expect(now.body.status).toBe('red');
    const red = await viewer('GET', '/v1/fleet/conformance?status=red');
    expect(red.body).toMatchObject({ status: 'red', total: 1 });
    expect(red.body.items[0]).toMatchObject({ twinId, serialNumber: 'MSN-1', modelVersion: 1 });
    expect((await viewer('GET', '/v1/fleet/conformance?status=green')).body.total).toBe(0);
    // and as of a past time, the configuration then (with the model then) was green
    const past = await viewer('GET', `/v1/twins/${twinId}/conformance?asOf=${before}`);
    expect(past.body).toMatchObject({ status: 'green', modelVersion: 1, asOf: before });
    const beforeModel = await viewer('GET', `/v1/twins/${twinId}/conformance?asOf=2024-06-01T00:00:00Z`);
    expect(beforeModel.body).toMatchObject({ status: null, modelVersion: null });
  });

  it('a new model version re-judges the fleet in stages and says when it is done', async () => {
    // Act: the new version allows the controller and the galley
    const model = aircraftModel();
    model.positions.push({ path: 'galley', allowed: [] } as never);
    (model.positions.find((position) => position.path === 'hvac/controller')!.allowed as unknown[]).push({
      partNumber: 'HVAC-CTL-1',
    });
    const second = await admin('PUT', `/v1/configuration-models/${PN}`, { body: model });
    expect(second.status).toBe(200);
    // Assess
    expect(await rejudged(viewer, 2)).toMatchObject({ status: 'done', judged: 1 });
    expect((await viewer('GET', '/v1/fleet/conformance?status=red')).body.total).toBe(0);
    expect((await viewer('GET', '/v1/fleet/conformance?status=green')).body.items[0].modelVersion).toBe(2);
  });

  it('the work package lists what the model allows at each position, preferred first', async () => {
    const answer = await viewer('GET', `/v1/twins/${twinId}/work-package?position=engine-1`);
    expect(answer.status).toBe(200);
    const fadec = answer.body.allowedAlternatives.find(
      (entry: { path: string }) => entry.path === 'engine-1/fadec',
    );
    expect(fadec.allowed.map((part: { partNumber: string }) => part.partNumber)).toEqual([
      'FADEC-3',
      'FADEC-4',
    ]);
    expect(answer.body.allowedAlternatives.map((entry: { path: string }) => entry.path)).not.toContain(
      'hvac/controller',
    );
  });

  it('400 for an unknown status or validate value', async () => {
    expectProblem(await viewer('GET', '/v1/fleet/conformance?status=blue'), 400, 'query.status');
    expectProblem(
      await change([{ op: 'add-position', position: 'x' }], '?validate=maybe'),
      400,
      'query.validate',
    );
  });
});

describe('views', () => {
  it('hide conformance unless they show it, and then only the findings at visible positions', async () => {
    // Prepare: a red finding at hvac/controller and one at engine-1
    const broken = await change(
      [
        {
          op: 'replace',
          position: 'hvac/controller',
          component: { partNumber: 'HVAC-CTL-77', serialNumber: 'X-9', kind: 'electrical' },
        },
        { op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '4.5.0' },
      ],
      '?validate=warn',
    );
    expect(broken.status).toBe(200);
    version = broken.body.version;
    const hidden = await admin('POST', '/v1/views', { body: { name: 'hvac only', positions: ['hvac'] } });
    const shown = await admin('POST', '/v1/views', {
      body: { name: 'hvac conformance', positions: ['hvac'], conformance: true },
    });
    // Act / Assess
    expect(
      (await admin('PUT', '/v1/role-views/viewer', { body: { viewId: hidden.body.id } })).status,
    ).toBeLessThan(300);
    expectProblem(await viewer('GET', `/v1/twins/${twinId}/conformance`), 404);
    expect(
      (await admin('PUT', '/v1/role-views/viewer', { body: { viewId: shown.body.id } })).status,
    ).toBeLessThan(300);
    const seen = await viewer('GET', `/v1/twins/${twinId}/conformance`);
    expect(seen.status).toBe(200);
    expect(seen.body.findings.map((finding: { path: string }) => finding.path)).toEqual(['hvac/controller']);
    expect(JSON.stringify(seen.body)).not.toContain('engine-1');
  });
});

describe('every write path is judged', () => {
  it('an inspection applied and an ingest apply are refused under enforce when they fit a part not allowed', async () => {
    // Prepare
    const unit = await admin('POST', '/v1/twins', { body: aircraftRecord('MSN-2') });
    const observed = { path: 'hvac/controller', partNumber: 'HVAC-CTL-55', serialNumber: 'Z-1' };
    // Act
    const inspected = await admin('POST', `/v1/twins/${unit.body.id}/inspections?apply=true`, {
      body: { performedAt: new Date().toISOString(), inspector: 'insp', observed: [observed] },
      headers: { 'if-match': `"${unit.body.version}"` },
    });
    const ingested = await admin('POST', '/v1/ingest', {
      headers: { 'idempotency-key': `conform-${unit.body.id}` },
      body: {
        mode: 'apply',
        observations: [
          {
            twinId: unit.body.id,
            path: 'hvac/controller',
            component: { partNumber: 'HVAC-CTL-55', serialNumber: 'Z-2' },
          },
        ],
      },
    });
    // Assess
    expect(inspected.status, JSON.stringify(inspected.body)).toBe(422);
    expect(JSON.stringify(inspected.body)).toContain('part-not-allowed');
    expect(ingested.status).toBe(200);
    expect(ingested.body.results[0]).toMatchObject({ status: 'error' });
    expect(JSON.stringify(ingested.body.results[0])).toContain('part-not-allowed');
    expect((await admin('GET', `/v1/twins/${unit.body.id}`)).body.version).toBe(unit.body.version);
  });
});
