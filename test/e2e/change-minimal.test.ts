import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, succeeded as must, startApi, type TestApi } from '../support/api';
import { aircraftModel } from '../support/conformance';
import { aircraftRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';
import { nodeAt } from '../support/tree';

// POST .../changes with `Prefer: return=minimal`: 204 and the new version as ETag, the twin not read
// beyond the positions the change touches; every check holds as without it.

let api: TestApi;
let admin: Caller;
let technician: Caller;

beforeAll(async () => {
  api = await startApi();
  const tenant = newTenant('minimal');
  admin = await api.as(tenant, ['admin']);
  const hvac = await must(admin('POST', '/v1/views', { body: { name: 'hvac', positions: ['hvac'] } }));
  await must(admin('PUT', '/v1/role-views/technician', { body: { viewId: hvac.id } }));
  technician = await api.as(tenant, ['technician']);
});
afterAll(() => api.stop());

const minimal = (caller: Caller, id: string, version: number, body: unknown, query = '') =>
  caller('POST', `/v1/twins/${id}/changes${query}`, {
    body,
    headers: { 'if-match': `"${version}"`, prefer: 'return=minimal' },
  });

describe('a change set with Prefer: return=minimal', () => {
  it('answers 204 with the new version, records the change, and refuses a stale version', async () => {
    // Prepare
    const twin = await must(admin('POST', '/v1/twins', { body: aircraftRecord('MIN-1') }));
    const body = {
      reason: 'SB 73-0042',
      operations: [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.3.0' }],
    };
    // Act
    const answer = await minimal(admin, twin.id, 1, body);
    const stale = await minimal(admin, twin.id, 1, body);
    // Assess
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
    expect(answer.headers.get('etag')).toBe('"2"');
    expect(answer.headers.get('preference-applied')).toBe('return=minimal');
    expectProblem(stale, 412);
    const read = await must(admin('GET', `/v1/twins/${twin.id}`));
    expect(read.version).toBe(2);
    expect(nodeAt(read, 'engine-1/fadec/sw')?.component?.softwareVersion).toBe('5.3.0');
  });

  it('holds a role view to what it shows, as without the preference', async () => {
    // Prepare
    const twin = await must(admin('POST', '/v1/twins', { body: aircraftRecord('MIN-2') }));
    // Act
    const hidden = await minimal(technician, twin.id, 1, {
      reason: 'x',
      operations: [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '9.9.9' }],
    });
    const inside = await minimal(technician, twin.id, 1, {
      reason: 'x',
      operations: [{ op: 'update', position: 'hvac/controller', attributes: { note: 'ok' } }],
    });
    // Assess
    expectProblem(hidden, 403, 'body.operations[0].position');
    expect(inside.status).toBe(204);
    expect((await admin('GET', `/v1/twins/${twin.id}`)).body.version).toBe(2);
  });

  it('judges a change against a model stored after this process knew the twin: refused under enforce', async () => {
    // Prepare: the twin read and changed without a model (what the process then knows of it), then a model
    const tenant = newTenant('minimal-model');
    const owner = await api.as(tenant, ['admin']);
    const twin = await must(owner('POST', '/v1/twins', { body: aircraftRecord('MIN-5') }));
    await must(owner('GET', `/v1/twins/${twin.id}`));
    const software = (softwareVersion: string) => ({
      reason: 'software load',
      operations: [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion }],
    });
    expect((await minimal(owner, twin.id, 1, software('5.3.0'))).status).toBe(204);
    await must(
      owner('PUT', `/v1/configuration-models/${twin.product.partNumber}`, { body: aircraftModel() }),
    );
    // Act: FADEC-3 needs software 5 under the model
    const refused = await minimal(owner, twin.id, 2, software('4.1.0'));
    // Assess
    expectProblem(refused, 422, 'body.operations[0]');
    expect(JSON.stringify(refused.body.errors)).toContain('fadec3-needs-sw5');
    const read = await must(owner('GET', `/v1/twins/${twin.id}`));
    expect(read.version).toBe(2);
    expect(nodeAt(read, 'engine-1/fadec/sw')?.component?.softwareVersion).toBe('5.3.0');
  });

  it('answers the conformance warnings it recorded (200, minimal body), 204 when there are none to tell', async () => {
    // Prepare: a configuration model for the product; a controller it does not allow
    const tenant = newTenant('minimal-warn');
    const owner = await api.as(tenant, ['admin']);
    const twin = await must(owner('POST', '/v1/twins', { body: aircraftRecord('MIN-3') }));
    await must(
      owner('PUT', `/v1/configuration-models/${twin.product.partNumber}`, { body: aircraftModel() }),
    );
    const hvac = await must(owner('POST', '/v1/views', { body: { name: 'hvac', positions: ['hvac'] } }));
    await must(owner('PUT', '/v1/role-views/technician', { body: { viewId: hvac.id } }));
    const crew = await api.as(tenant, ['technician']);
    const swap = (serialNumber: string) => ({
      reason: 'swap',
      operations: [
        {
          op: 'replace',
          position: 'hvac/controller',
          component: { partNumber: 'HVAC-CTL-1', serialNumber, kind: 'electrical' },
        },
      ],
    });
    // Act (from the second change on, this process knows the product: the model comes in the same
    // snapshot as META, and is still judged by)
    const clean = await minimal(owner, twin.id, 1, {
      reason: 'note',
      operations: [{ op: 'update', position: 'engine-1/fadec/sw', attributes: { note: 'ok' } }],
    });
    const refused = await minimal(owner, twin.id, 2, swap('W-3'), '?validate=enforce');
    const unseen = await minimal(crew, twin.id, 2, swap('W-2'), '?validate=warn');
    const warned = await minimal(
      owner,
      twin.id,
      3,
      { reason: 'galley', operations: [{ op: 'add-position', position: 'galley' }] },
      '?validate=warn',
    );
    // Assess
    expect(clean.status).toBe(204);
    expect(clean.headers.get('etag')).toBe('"2"');
    expectProblem(refused, 422, 'body.operations[0]');
    // a role view that does not show conformance is told nothing of it
    expect(unseen.status).toBe(204);
    expect(unseen.headers.get('etag')).toBe('"3"');
    expect(warned.status).toBe(200);
    expect(warned.headers.get('etag')).toBe('"4"');
    expect(warned.headers.get('preference-applied')).toBe('return=minimal');
    expect(warned.body).toMatchObject({
      id: twin.id,
      version: 4,
      conformance: { status: 'red', validate: 'warn' },
    });
    expect(warned.body.conformance.warnings.map((finding: { code: string }) => finding.code)).toEqual([
      'position-not-in-model',
    ]);
    expect(warned.body.configuration).toBeUndefined();
  });
});
