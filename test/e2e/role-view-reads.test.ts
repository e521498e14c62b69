import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, succeeded as must, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { newTenant } from '../support/tenants';

/** Owner routes read through the caller's role view: the feed, the document register, applicability. */
let api: TestApi;
let admin: Caller;
let technician: Caller;
let twinId: string;
let manualId: string;
let planId: string;

beforeAll(async () => {
  process.env.EVENTS_SETTLE_MS = '0';
  api = await startApi();
  const owner = newTenant('owner');
  admin = await api.as(owner, ['admin']);
  const view = await must(
    admin('POST', '/v1/views', { body: { name: 'hvac', positions: ['hvac'], documentKinds: ['job-plan'] } }),
  );
  await must(admin('PUT', '/v1/role-views/technician', { body: { viewId: view.id } }));
  technician = await api.as(owner, ['technician']);
  twinId = (await must(admin('POST', '/v1/twins', { body: aircraftRecord('RVR-1') }))).id;
  const document = (kind: string, title: string, effectivity?: object) =>
    must(
      admin('POST', '/v1/documents', {
        body: { kind, title, contentType: 'application/pdf', size: 1, sha256: 'a'.repeat(64), effectivity },
      }),
    );
  manualId = (await document('manual', 'ENGINE-MANUAL', { partNumber: 'CFM56-5B4' })).document.id;
  planId = (await document('job-plan', 'HVAC-PLAN', { partNumber: 'HVAC-CTL-9' })).document.id;
  for (const path of ['engine-1/fadec', 'hvac/controller'])
    await must(
      admin('POST', `/v1/twins/${twinId}/inspections`, {
        body: {
          performedAt: new Date().toISOString(),
          inspector: 'x',
          observed: [{ path, serialNumber: 'WRONG' }],
        },
      }),
    );
}, 120_000);
afterAll(() => api.stop());

describe('a technician behind a role view', () => {
  it('reads in the change feed only the inspections of positions it sees', async () => {
    // Act
    const everything = await must(
      admin('GET', `/v1/events?twinId=${twinId}&type=inspection.recorded&settled=false`),
    );
    const seen = await must(
      technician('GET', `/v1/events?twinId=${twinId}&type=inspection.recorded&settled=false`),
    );
    // Assess
    expect(everything.items).toHaveLength(2);
    expect(seen.items).toHaveLength(1);
    expect(seen.items[0]).toMatchObject({ paths: ['hvac/controller'], discrepancies: 1 });
    expect(JSON.stringify(seen.items)).not.toContain('engine-1');
  });

  it('lists and reads only documents of the kinds it sees', async () => {
    // Act
    const listed = await must(technician('GET', '/v1/documents'));
    const manual = await technician('GET', `/v1/documents/${manualId}`);
    const version = await technician('POST', `/v1/documents/${manualId}/versions`, {
      body: { contentType: 'application/pdf', size: 1, sha256: 'b'.repeat(64) },
    });
    const created = await technician('POST', '/v1/documents', {
      body: { kind: 'manual', title: 't', contentType: 'application/pdf', size: 1, sha256: 'a'.repeat(64) },
    });
    // Assess
    expect(listed.items.map((document: { id: string }) => document.id)).toEqual([planId]);
    expect(manual.status).toBe(404);
    expect(version.status).toBe(404);
    expect(created.status).toBe(403);
    expect(created.body.errors[0].path).toBe('body.kind');
  });

  it('gets the applicability of a document it sees at the places it sees, and none of a hidden kind', async () => {
    // Act
    const hidden = await technician('GET', `/v1/documents/${manualId}/applicability`);
    const plan = await must(technician('GET', `/v1/documents/${planId}/applicability`));
    const toAdmin = await must(admin('GET', `/v1/documents/${planId}/applicability`));
    // Assess
    expect(hidden.status).toBe(404);
    expect(plan.items.map((item: { path: string }) => item.path)).toEqual(['hvac/controller']);
    expect(plan).not.toHaveProperty('total');
    expect(toAdmin).toMatchObject({ total: 1, document: { id: planId, kind: 'job-plan' } });
  });
});
