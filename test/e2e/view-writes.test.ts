import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, succeeded as must, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

/**
 * Writes through a view — a role view inside the tenant, a grant across tenants — are held to the
 * view alone (403 naming the field), and their refusals never say where a hidden serial sits.
 */
let api: TestApi;
let owner: string;
let admin: Caller;
let technician: Caller;
let engineer: Caller;
let grantee: Caller;

beforeAll(async () => {
  api = await startApi();
  owner = newTenant('owner');
  admin = await api.as(owner, ['admin']);
  const hvac = await must(
    admin('POST', '/v1/views', {
      body: { name: 'hvac', positions: ['hvac'], twinAttributes: ['livery'], baselines: false },
    }),
  );
  await must(admin('PUT', '/v1/role-views/technician', { body: { viewId: hvac.id } }));
  await must(admin('PUT', '/v1/role-views/engineer', { body: { viewId: hvac.id } }));
  technician = await api.as(owner, ['technician']);
  engineer = await api.as(owner, ['engineer']);
  const contractor = newTenant('contractor');
  await must(
    admin('POST', '/v1/grants', {
      body: {
        grantee: contractor,
        viewId: hvac.id,
        twins: { site: 'TLS' },
        purpose: 'contractor',
        permissions: ['read', 'inspect', 'change'],
      },
    }),
  );
  grantee = await api.as(contractor, ['technician']);
}, 120_000);
afterAll(() => api.stop());

const newTwin = async (serial: string) => must(admin('POST', '/v1/twins', { body: aircraftRecord(serial) }));
const versionOf = async (id: string) => (await admin('GET', `/v1/twins/${id}`)).body.version;

describe('a technician behind a role view', () => {
  it('cannot change a position the view hides (403 naming it), and nothing is written', async () => {
    // Prepare
    const twin = await newTwin('RV-1');
    // Act
    const response = await technician('POST', `/v1/twins/${twin.id}/changes`, {
      headers: { 'if-match': '"1"' },
      body: {
        reason: 'x',
        operations: [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '9.9.9' }],
      },
    });
    // Assess
    expectProblem(response, 403, 'body.operations[0].position');
    expect(JSON.stringify(response.body)).not.toContain('FADEC');
    expect(await versionOf(twin.id)).toBe(1);
  });

  it('changes what the view shows, and cannot move the lifecycle of a twin it sees only part of', async () => {
    // Prepare
    const twin = await newTwin('RV-2');
    const path = `/v1/twins/${twin.id}/changes`;
    // Act
    const inside = await technician('POST', path, {
      headers: { 'if-match': '"1"' },
      body: {
        reason: 'x',
        operations: [{ op: 'update', position: 'hvac/controller', attributes: { note: 'ok' } }],
      },
    });
    const lifecycle = await technician('POST', path, {
      headers: { 'if-match': '"2"' },
      body: { reason: 'x', operations: [{ op: 'lifecycle', to: 'delivered' }] },
    });
    // Assess
    expect(inside.status, JSON.stringify(inside.body)).toBe(200);
    expectProblem(lifecycle, 403);
    expect(await versionOf(twin.id)).toBe(2);
  });

  it('cannot record (or apply) an inspection of a hidden position', async () => {
    // Prepare
    const twin = await newTwin('RV-3');
    const body = {
      performedAt: new Date().toISOString(),
      inspector: 'tech',
      observed: [{ path: 'engine-1/fadec', serialNumber: 'X' }],
    };
    // Act
    const recorded = await technician('POST', `/v1/twins/${twin.id}/inspections`, { body });
    const applied = await technician('POST', `/v1/twins/${twin.id}/inspections?apply=true`, {
      headers: { 'if-match': '"1"' },
      body,
    });
    // Assess
    expectProblem(recorded, 403, 'body.observed[0].path');
    expectProblem(applied, 403, 'body.observed[0].path');
    expect((await admin('GET', `/v1/twins/${twin.id}/inspections`)).body.items).toEqual([]);
  });

  it('cannot link a document to a hidden position', async () => {
    // Prepare
    const twin = await newTwin('RV-4');
    const document = await must(
      admin('POST', '/v1/documents', {
        body: {
          kind: 'job-plan',
          title: 'plan',
          contentType: 'application/pdf',
          size: 1,
          sha256: 'a'.repeat(64),
        },
      }),
    );
    // Act
    const response = await technician('POST', `/v1/twins/${twin.id}/links`, {
      body: { documentId: document.document.id, position: 'engine-1' },
    });
    // Assess
    expectProblem(response, 403, 'body.position');
  });

  it('as an engineer, cannot PATCH attributes the view hides, nor record a baseline it cannot read', async () => {
    // Prepare
    const twin = await newTwin('RV-5');
    // Act
    const hidden = await engineer('PATCH', `/v1/twins/${twin.id}`, {
      headers: { 'if-match': '"1"' },
      body: { attributes: { operator: 'Other Air', livery: 'red' } },
    });
    const shown = await engineer('PATCH', `/v1/twins/${twin.id}`, {
      headers: { 'if-match': '"1"' },
      body: { attributes: { livery: 'red' } },
    });
    const baseline = await engineer('POST', `/v1/twins/${twin.id}/baselines`, { body: { name: 'Q1' } });
    // Assess
    expectProblem(hidden, 403, 'body.attributes.operator');
    expect(shown.status, JSON.stringify(shown.body)).toBe(200);
    expectProblem(baseline, 403);
    expect((await admin('GET', `/v1/twins/${twin.id}`)).body.attributes.operator).toBe('Example Air');
  });
});

describe('refusals to a caller writing through a view', () => {
  const installHere = (serialNumber: string) => ({
    reason: 'probe',
    operations: [
      { op: 'remove', position: 'hvac/controller' },
      {
        op: 'install',
        position: 'hvac/controller',
        component: { partNumber: 'CFM56-5B4', serialNumber, kind: 'electrical' },
      },
    ],
  });

  it('name neither the hidden position of this twin nor another twin where the serial sits (grantee)', async () => {
    // Prepare: the engine serial of this twin sits at a hidden position; another, ungranted twin holds another
    const twin = await newTwin('RV-6');
    const other = await must(admin('POST', '/v1/twins', { body: aircraftRecord('RV-7', { site: 'CDG' }) }));
    const path = `/v1/shared/twins/${owner}/${twin.id}/changes`;
    // Act
    const here = await grantee('POST', path, {
      headers: { 'if-match': '"1"' },
      body: installHere('RV-6-ESN-1'),
    });
    const elsewhere = await grantee('POST', path, {
      headers: { 'if-match': '"1"' },
      body: installHere('RV-7-ESN-2'),
    });
    // Assess
    for (const response of [here, elsewhere]) {
      expectProblem(response, 409);
      const text = JSON.stringify(response.body);
      expect(text).toContain('cannot be installed here: it is installed elsewhere');
      for (const secret of ['engine-1', 'engine-2', other.id, 'of twin', 'this twin'])
        expect(text).not.toContain(secret);
    }
    expect(await versionOf(twin.id)).toBe(1);
  });

  it('name neither the hidden position nor the other twin (role view); the admin is told where', async () => {
    // Prepare
    const twin = await newTwin('RV-8');
    const other = await newTwin('RV-9');
    const path = `/v1/twins/${twin.id}/changes`;
    // Act
    const here = await technician('POST', path, {
      headers: { 'if-match': '"1"' },
      body: installHere('RV-8-ESN-1'),
    });
    const elsewhere = await technician('POST', path, {
      headers: { 'if-match': '"1"' },
      body: installHere('RV-9-ESN-1'),
    });
    const toAdmin = await admin('POST', path, {
      headers: { 'if-match': '"1"' },
      body: installHere('RV-9-ESN-1'),
    });
    // Assess
    for (const response of [here, elsewhere]) {
      expectProblem(response, 409);
      const text = JSON.stringify(response.body);
      expect(text).toContain('it is installed elsewhere');
      for (const secret of ['engine-1', other.id, 'of twin', 'this twin']) expect(text).not.toContain(secret);
    }
    expectProblem(toAdmin, 409);
    expect(toAdmin.body.detail).toContain(`is installed at engine-1 of twin ${other.id}`);
  });

  it('still say where, when the place is a position of this twin the view shows', async () => {
    // Prepare: the HVAC serial sits at hvac/controller, which the view shows
    const twin = await newTwin('RV-10');
    // Act
    const response = await technician('POST', `/v1/twins/${twin.id}/changes`, {
      headers: { 'if-match': '"1"' },
      body: {
        reason: 'probe',
        operations: [
          { op: 'add-position', position: 'hvac/spare' },
          {
            op: 'install',
            position: 'hvac/spare',
            component: { partNumber: 'HVAC-CTL-9', serialNumber: 'RV-10-HVC', kind: 'electrical' },
          },
        ],
      },
    });
    // Assess
    expectProblem(response, 409);
    expect(response.body.detail).toContain('already installed at hvac/controller of this twin');
  });
});
