import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

let api: TestApi;
let call: Caller;
let outsider: Caller;

beforeAll(async () => {
  api = await startApi();
  call = await api.as(newTenant('thread'), ['engineer']);
  outsider = await api.as(newTenant('thread-out'), ['admin']);
});
afterAll(() => api.stop());

const content = Buffer.from('%PDF-1.4 service bulletin');
const newDocument = async (kind: string, title: string, effectivity?: unknown, caller = call) =>
  (
    await caller('POST', '/v1/documents', {
      body: {
        kind,
        title,
        contentType: 'application/pdf',
        size: content.length,
        sha256: createHash('sha256').update(content).digest('hex'),
        ...(effectivity ? { effectivity } : {}),
      },
    })
  ).body.document;

/** An aircraft whose FADEC software is at `version`. */
const aircraftAt = async (serial: string, version: string, caller = call) => {
  const record = aircraftRecord(serial);
  for (const engine of [0, 1])
    record.configuration[engine]!.children![0]!.children![0]!.component!.softwareVersion = version;
  return (await caller('POST', '/v1/twins', { body: record })).body;
};

const threadPaths = async (id: string, query = '') =>
  (await call('GET', `/v1/twins/${id}/thread${query}`)).body.documents.map(
    (entry: { document: { title: string }; via: string; path?: string }) =>
      `${entry.document.title}|${entry.via}|${entry.path ?? ''}`,
  );

describe('a service bulletin by effectivity', () => {
  it('shows on every unit carrying the software range, stops when upgraded past it, and finds its units', async () => {
    // Prepare
    const bulletin = await newDocument('service-bulletin', 'SB 73-0042', {
      partNumber: 'FADEC-SW',
      softwareVersions: '>=2.0.0 <2.4.0',
    });
    const low = await aircaftOrFail(aircraftAt('EFF-1', '2.1.0'));
    const mid = await aircaftOrFail(aircraftAt('EFF-2', '2.3.9'));
    const high = await aircaftOrFail(aircraftAt('EFF-3', '2.5.0'));
    // Assess: the thread, unit by unit, with no linking
    expect(await threadPaths(low.id)).toContain('SB 73-0042|effectivity|engine-1/fadec/sw');
    expect(await threadPaths(mid.id)).toContain('SB 73-0042|effectivity|engine-2/fadec/sw');
    expect(await threadPaths(high.id)).toEqual([]);
    const applicable = await call('GET', `/v1/documents/${bulletin.id}/applicability`);
    expect(applicable.body.total).toBe(4);
    expect(new Set(applicable.body.items.map((item: { twinId: string }) => item.twinId))).toEqual(
      new Set([low.id, mid.id]),
    );

    // Act: the low unit is upgraded past the range
    const upgrade = await call('POST', `/v1/twins/${low.id}/changes`, {
      body: {
        reason: 'SB 73-0042 done',
        operations: [
          { op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '2.4.1' },
          { op: 'update', position: 'engine-2/fadec/sw', softwareVersion: '2.4.1' },
        ],
      },
      headers: { 'if-match': '"1"' },
    });
    expect(upgrade.status).toBe(200);
    // Assess
    expect(await threadPaths(low.id)).toEqual([]);
    expect(await threadPaths(low.id, `?asOf=${low.createdAt}`)).toContain(
      'SB 73-0042|effectivity|engine-1/fadec/sw',
    );
    const after = await call('GET', `/v1/documents/${bulletin.id}/applicability?limit=1`);
    expect(after.body.total).toBe(2);
    expect(after.body.items).toHaveLength(1);
    const second = await call(
      'GET',
      `/v1/documents/${bulletin.id}/applicability?limit=1&cursor=${after.body.nextCursor}`,
    );
    expect(second.body.items[0].twinId).toBe(mid.id);
    expect(second.body.nextCursor).toBeUndefined();
  });
});

async function aircaftOrFail(promise: Promise<{ id: string; createdAt: string }>) {
  const twin = await promise;
  expect(twin.id).toBeDefined();
  return twin;
}

describe('links', () => {
  it('puts a job plan on a position, a report on a serial that it follows, and filters by position and kind', async () => {
    // Prepare
    const aircraft = await aircraftAt('LNK-1', '5.2.1');
    const jobPlan = await newDocument('job-plan', 'HVAC job plan');
    const report = await newDocument('inspection-report', 'Controller bench test');
    const manual = await newDocument('manual', 'Aircraft maintenance manual');
    // Act
    const links = [
      { documentId: jobPlan.id, position: 'hvac' },
      { documentId: report.id, component: { partNumber: 'HVAC-CTL-9', serialNumber: 'LNK-1-HVC' } },
      { documentId: manual.id },
    ];
    for (const body of links)
      expect((await call('POST', `/v1/twins/${aircraft.id}/links`, { body })).status).toBe(201);
    // Assess
    expect((await threadPaths(aircraft.id)).sort()).toEqual([
      'Aircraft maintenance manual|link|',
      'Controller bench test|link|hvac/controller',
      'HVAC job plan|link|hvac',
    ]);
    expect((await threadPaths(aircraft.id, '?position=hvac/controller')).sort()).toEqual([
      'Aircraft maintenance manual|link|',
      'Controller bench test|link|hvac/controller',
      'HVAC job plan|link|hvac',
    ]);
    expect(await threadPaths(aircraft.id, '?position=engine-1&kind=job-plan')).toEqual([]);
    expect(await threadPaths(aircraft.id, '?kind=job-plan')).toEqual(['HVAC job plan|link|hvac']);

    // The report follows the controller: once it is replaced, this unit's thread no longer has it.
    await call('POST', `/v1/twins/${aircraft.id}/changes`, {
      body: {
        reason: 'swap',
        operations: [
          {
            op: 'replace',
            position: 'hvac/controller',
            component: { partNumber: 'HVAC-CTL-9', serialNumber: 'LNK-1-HVC2', kind: 'electrical' },
          },
        ],
      },
      headers: { 'if-match': '"1"' },
    });
    expect(await threadPaths(aircraft.id, '?kind=inspection-report')).toEqual([]);
    const thread = await call('GET', `/v1/twins/${aircraft.id}/thread?position=hvac`);
    // the as-built record installed the first controller there: it touched the subtree too
    expect(thread.body.changes.map((change: { reason: string }) => change.reason)).toEqual([
      'swap',
      'as-built record',
    ]);
  });

  it('refuses unknown positions (409), unknown documents (400), components not on the twin (409)', async () => {
    const aircraft = await aircraftAt('LNK-2', '5.2.1');
    const plan = await newDocument('job-plan', 'Plan');
    expectProblem(
      await call('POST', `/v1/twins/${aircraft.id}/links`, {
        body: { documentId: plan.id, position: 'wing' },
      }),
      409,
    );
    expectProblem(
      await call('POST', `/v1/twins/${aircraft.id}/links`, {
        body: { documentId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' },
      }),
      400,
      'body.documentId',
    );
    expectProblem(
      await call('POST', `/v1/twins/${aircraft.id}/links`, {
        body: { documentId: plan.id, component: { partNumber: 'HVAC-CTL-9', serialNumber: 'NOPE' } },
      }),
      409,
    );
  });

  it('shows another tenant nothing (404) and lets it link nothing of ours', async () => {
    const aircraft = await aircraftAt('LNK-3', '2.1.0');
    const bulletin = await newDocument('service-bulletin', 'SB', { partNumber: 'FADEC-SW' });
    expectProblem(await outsider('GET', `/v1/twins/${aircraft.id}/thread`), 404);
    expectProblem(await outsider('GET', `/v1/documents/${bulletin.id}/applicability`), 404);
    expectProblem(
      await outsider('POST', `/v1/twins/${aircraft.id}/links`, { body: { documentId: bulletin.id } }),
      404,
    );
    const theirs = (await outsider('POST', '/v1/twins', { body: aircraftRecord('LNK-3') })).body;
    expectProblem(
      await outsider('POST', `/v1/twins/${theirs.id}/links`, { body: { documentId: bulletin.id } }),
      400,
    );
  });
});

describe('a work package', () => {
  it('gives a crew the installed parts, the job plans and bulletins, the last inspection and what is still open', async () => {
    // Prepare: a tenant of its own, so that only this test's documents apply
    const crew = await api.as(newTenant('wp'), ['engineer']);
    const aircraft = await aircraftAt('WP-1', '2.2.0', crew);
    const effectivity = { partNumber: 'FADEC-SW', softwareVersions: '<3.0.0' };
    const bulletin = await newDocument('service-bulletin', 'SB FADEC', effectivity, crew);
    const jobPlan = await newDocument('job-plan', 'Engine job plan', undefined, crew);
    const manual = await newDocument('manual', 'Manual', undefined, crew);
    await crew('POST', `/v1/twins/${aircraft.id}/links`, {
      body: { documentId: jobPlan.id, position: 'engine-1' },
    });
    await crew('POST', `/v1/twins/${aircraft.id}/links`, {
      body: { documentId: manual.id, position: 'engine-1' },
    });
    const inspection = await crew('POST', `/v1/twins/${aircraft.id}/inspections`, {
      body: {
        performedAt: new Date().toISOString(),
        inspector: 'tech-7',
        observed: [
          { path: 'engine-1/fadec/sw', serialNumber: null },
          { path: 'hvac/controller', serialNumber: 'WP-OTHER' },
        ],
      },
    });
    expect(inspection.status).toBe(201);
    // Act
    const response = await crew('GET', `/v1/twins/${aircraft.id}/work-package?position=engine-1`);
    // Assess
    expect(response.status).toBe(200);
    expect(response.body.installed.map((entry: { path: string }) => entry.path)).toEqual([
      'engine-1',
      'engine-1/fadec',
      'engine-1/fadec/sw',
    ]);
    expect(response.body.installed[2].component).toMatchObject({
      partNumber: 'FADEC-SW',
      softwareVersion: '2.2.0',
    });
    expect(
      response.body.documents.map((entry: { document: { id: string } }) => entry.document.id).sort(),
    ).toEqual([bulletin.id, jobPlan.id].sort());
    expect(response.body.lastInspection.id).toBe(inspection.body.inspection.id);
    expect(response.body.openDiscrepancies).toEqual([
      expect.objectContaining({ path: 'engine-1/fadec/sw', kind: 'missing' }),
    ]);

    // Once the software is recorded as removed, the discrepancy is no longer open.
    await crew('POST', `/v1/twins/${aircraft.id}/changes`, {
      body: { reason: 'as found', operations: [{ op: 'remove', position: 'engine-1/fadec/sw' }] },
      headers: { 'if-match': '"1"' },
    });
    const after = await crew('GET', `/v1/twins/${aircraft.id}/work-package?position=engine-1`);
    expect(after.body.openDiscrepancies).toEqual([]);
    expect(after.body.documents.map((entry: { document: { id: string } }) => entry.document.id)).toEqual([
      jobPlan.id,
    ]);
  });

  it('refuses an unknown position (404), a missing one (400), and another tenant (404)', async () => {
    const aircraft = await aircraftAt('WP-2', '2.2.0');
    expectProblem(await call('GET', `/v1/twins/${aircraft.id}/work-package?position=wing`), 404);
    expectProblem(await call('GET', `/v1/twins/${aircraft.id}/work-package`), 400, 'query.position');
    expectProblem(await outsider('GET', `/v1/twins/${aircraft.id}/work-package?position=engine-1`), 404);
  });
});
