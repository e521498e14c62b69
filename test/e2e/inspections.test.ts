import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';
import { nodeAt } from '../support/tree';

let api: TestApi;
let planner: Caller;
let technician: Caller;
let viewer: Caller;
let outsider: Caller;

beforeAll(async () => {
  api = await startApi();
  const tenant = newTenant('mro');
  planner = await api.as(tenant, ['engineer']);
  technician = await api.as(tenant, ['technician']);
  viewer = await api.as(tenant, ['viewer']);
  outsider = await api.as(newTenant('outsider'), ['admin']);
});
afterAll(() => api.stop());

const UNKNOWN_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
const PERFORMED_AT = '2026-02-01T09:00:00Z';

const at = nodeAt;

const newAircraft = async (serial: string) =>
  (await planner('POST', '/v1/twins', { body: aircraftRecord(serial) })).body as {
    id: string;
    version: number;
  };

const inspect = (
  id: string,
  body: unknown,
  options: { caller?: Caller; query?: string; version?: number } = {},
) =>
  (options.caller ?? planner)('POST', `/v1/twins/${id}/inspections${options.query ?? ''}`, {
    body,
    ...(options.version === undefined ? {} : { headers: { 'if-match': `"${options.version}"` } }),
  });

/** One finding of each kind on aircraft `serial`, and one position that matches. */
const oneOfEach = (serial: string) => ({
  performedAt: PERFORMED_AT,
  inspector: 'J. Doe (B1 licence 4711)',
  findings: 'HVAC controller not fitted; engine 1 plate shows another serial',
  observed: [
    { path: 'hvac/controller', serialNumber: null },
    { path: 'engine-1', serialNumber: `${serial}-ESN-X`, partNumber: 'CFM56-5B4' },
    { path: 'engine-1/fadec/sw', softwareVersion: '5.3.0' },
    { path: 'apu', serialNumber: 'APU-1' },
    { path: 'engine-2', serialNumber: `${serial}-ESN-2` },
  ],
});

const ONE_OF_EACH_KINDS = [
  ['hvac/controller', 'missing'],
  ['engine-1', 'unexpected-serial'],
  ['engine-1/fadec/sw', 'version-mismatch'],
  ['apu', 'unknown-position'],
];

const kindsOf = (discrepancies: { path: string; kind: string }[]) =>
  discrepancies.map(({ path, kind }) => [path, kind]);

describe('recording an inspection', () => {
  it('answers exactly the discrepancies found, one of each kind, and keeps the inspection', async () => {
    // Prepare
    const twin = await newAircraft('INS-1');
    // Act
    const response = await inspect(twin.id, oneOfEach('INS-1'));
    // Assess
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(kindsOf(response.body.discrepancies)).toEqual(ONE_OF_EACH_KINDS);
    expect(response.body.discrepancies[0]).toEqual({
      path: 'hvac/controller',
      kind: 'missing',
      expected: { partNumber: 'HVAC-CTL-9', serialNumber: 'INS-1-HVC' },
      observed: null,
    });
    expect(response.body.inspection).toMatchObject({
      id: expect.any(String),
      performedAt: '2026-02-01T09:00:00.000Z',
      recordedAt: expect.any(String),
      inspector: 'J. Doe (B1 licence 4711)',
      actor: { sub: expect.any(String) },
      discrepancies: response.body.discrepancies,
    });
    expect(response.body.twin).toBeUndefined();
    const twinAfter = await planner('GET', `/v1/twins/${twin.id}`);
    expect(twinAfter.body.version).toBe(1);
    const listed = await planner('GET', `/v1/twins/${twin.id}/inspections`);
    expect(listed.body.items).toEqual([response.body.inspection]);
  });

  it('judges against the configuration at performedAt: a later change is not counted', async () => {
    // Prepare: engine 2 is replaced a month after the inspection was performed.
    const twin = await newAircraft('INS-2');
    const changed = await planner('POST', `/v1/twins/${twin.id}/changes`, {
      headers: { 'if-match': '"1"' },
      body: {
        reason: 'engine change',
        effectiveAt: '2026-03-01T00:00:00Z',
        operations: [
          {
            op: 'replace',
            position: 'engine-2',
            component: { partNumber: 'CFM56-5B4', serialNumber: 'INS-2-ESN-NEW', kind: 'mechanical' },
          },
        ],
      },
    });
    expect(changed.status).toBe(200);
    // Act
    const response = await inspect(twin.id, {
      performedAt: PERFORMED_AT,
      inspector: 'J. Doe',
      observed: [{ path: 'engine-2', serialNumber: 'INS-2-ESN-2' }],
    });
    const now = await inspect(twin.id, {
      performedAt: new Date().toISOString(),
      inspector: 'J. Doe',
      observed: [{ path: 'engine-2', serialNumber: 'INS-2-ESN-2' }],
    });
    // Assess
    expect(response.status).toBe(201);
    expect(response.body.discrepancies).toEqual([]);
    expect(kindsOf(now.body.discrepancies)).toEqual([['engine-2', 'unexpected-serial']]);
  });
});

describe('applying an inspection', () => {
  it('applies the discrepancies as one change set with the inspection as reason', async () => {
    // Prepare
    const twin = await newAircraft('INS-3');
    // Act
    const response = await inspect(twin.id, oneOfEach('INS-3'), { query: '?apply=true', version: 1 });
    // Assess
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(kindsOf(response.body.discrepancies)).toEqual(ONE_OF_EACH_KINDS);
    expect(response.headers.get('etag')).toBe('"2"');
    expect(response.body.twin.version).toBe(2);
    const { id, inspector } = response.body.inspection;
    expect(response.body.changeSet).toMatchObject({ seq: 2, reason: `inspection ${id} by ${inspector}` });
    const current = (await planner('GET', `/v1/twins/${twin.id}`)).body;
    expect(current.version).toBe(2);
    expect(at(current, 'hvac/controller')?.component).toBeNull();
    expect(at(current, 'engine-1')?.component).toEqual({
      partNumber: 'CFM56-5B4',
      serialNumber: 'INS-3-ESN-X',
      kind: 'mechanical',
    });
    expect(at(current, 'engine-1/fadec/sw')?.component?.softwareVersion).toBe('5.3.0');
    expect(at(current, 'apu')).toBeUndefined();
    const history = await planner('GET', `/v1/twins/${twin.id}/history`);
    expect(history.body.items[0]).toMatchObject({
      seq: 2,
      reason: `inspection ${id} by ${inspector}`,
      effectiveAt: '2026-02-01T09:00:00.000Z',
      operations: [
        { op: 'remove', position: 'hvac/controller' },
        { op: 'replace', position: 'engine-1' },
        { op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.3.0' },
      ],
    });
  });

  it('needs If-Match (428), refuses a stale one (412) and records nothing then', async () => {
    // Prepare
    const twin = await newAircraft('INS-4');
    // Act
    const missing = await inspect(twin.id, oneOfEach('INS-4'), { query: '?apply=true' });
    const stale = await inspect(twin.id, oneOfEach('INS-4'), { query: '?apply=true', version: 7 });
    // Assess
    expectProblem(missing, 428);
    expectProblem(stale, 412);
    expect((await planner('GET', `/v1/twins/${twin.id}/inspections`)).body.items).toEqual([]);
    expect((await planner('GET', `/v1/twins/${twin.id}`)).body.version).toBe(1);
  });

  it('answers a refused change set (409) and keeps the inspection recorded', async () => {
    // Prepare: the serial found on INS-5 is recorded on INS-6.
    const twin = await newAircraft('INS-5');
    await newAircraft('INS-6');
    // Act
    const response = await inspect(
      twin.id,
      {
        performedAt: PERFORMED_AT,
        inspector: 'J. Doe',
        observed: [{ path: 'engine-1', serialNumber: 'INS-6-ESN-1' }],
      },
      { query: '?apply=true', version: 1 },
    );
    // Assess
    expectProblem(response, 409);
    expect(response.body.detail).toContain('was recorded');
    const listed = await planner('GET', `/v1/twins/${twin.id}/inspections`);
    expect(kindsOf(listed.body.items[0].discrepancies)).toEqual([['engine-1', 'unexpected-serial']]);
    expect((await planner('GET', `/v1/twins/${twin.id}`)).body.version).toBe(1);
  });
});

describe('the list of inspections', () => {
  it('is newest performed first, in pages', async () => {
    // Prepare
    const twin = await newAircraft('INS-7');
    for (const performedAt of ['2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2025-06-01T00:00:00Z']) {
      const recorded = await inspect(twin.id, {
        performedAt,
        inspector: 'J. Doe',
        observed: [{ path: 'cabin' }],
      });
      expect(recorded.status).toBe(201);
    }
    // Act
    const first = await viewer('GET', `/v1/twins/${twin.id}/inspections?limit=2`);
    const second = await viewer(
      'GET',
      `/v1/twins/${twin.id}/inspections?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    // Assess
    expect(first.status).toBe(200);
    expect(first.body.items.map((item: { performedAt: string }) => item.performedAt)).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2025-06-01T00:00:00.000Z',
    ]);
    expect(second.body.items.map((item: { performedAt: string }) => item.performedAt)).toEqual([
      '2025-01-01T00:00:00.000Z',
    ]);
    expect(second.body.nextCursor).toBeUndefined();
    expectProblem(await viewer('GET', `/v1/twins/${twin.id}/inspections?cursor=bm9wZQ`), 400, 'query.cursor');
  });
});

describe('open discrepancies in the work package', () => {
  it('stay open after a later inspection of another position, until judged again or matched', async () => {
    // Prepare: an HVAC pack with a controller (and its software) and an aft temperature sensor
    const record = aircraftRecord('OPEN-1', {
      configuration: [
        {
          position: 'hvac',
          children: [
            {
              position: 'controller',
              component: { partNumber: 'HVAC-CTL-9', serialNumber: 'OPEN-1-HVC', kind: 'electrical' },
              children: [
                {
                  position: 'sw',
                  component: { partNumber: 'HVAC-SW', kind: 'software', softwareVersion: '2.1.0' },
                },
              ],
            },
            {
              position: 'temp-aft',
              component: { partNumber: 'TEMP-S', serialNumber: 'OPEN-1-TS', kind: 'electrical' },
            },
          ],
        },
      ],
    });
    const twin = (await planner('POST', '/v1/twins', { body: record })).body;
    const open = async (position = 'hvac') =>
      kindsOf(
        (await technician('GET', `/v1/twins/${twin.id}/work-package?position=${position}`)).body
          .openDiscrepancies,
      );
    // Act: the inspection at hvac finds temp-aft missing and the software one behind
    const found = await inspect(twin.id, {
      performedAt: '2026-01-10T00:00:00Z',
      inspector: 'J. Doe',
      observed: [
        { path: 'hvac/temp-aft', serialNumber: null },
        { path: 'hvac/controller/sw', softwareVersion: '2.0.0' },
      ],
    });
    expect(kindsOf(found.body.discrepancies)).toEqual([
      ['hvac/temp-aft', 'missing'],
      ['hvac/controller/sw', 'version-mismatch'],
    ]);
    // a later inspection looks only at hvac/controller, and finds it as recorded
    const later = await inspect(twin.id, {
      performedAt: '2026-01-20T00:00:00Z',
      inspector: 'A. Crew',
      observed: [{ path: 'hvac/controller', serialNumber: 'OPEN-1-HVC' }],
    });
    expect(later.body.discrepancies).toEqual([]);
    // Assess: both stay open in the hvac work package, and each in its own position's
    const hvac = await technician('GET', `/v1/twins/${twin.id}/work-package?position=hvac`);
    expect(hvac.body.lastInspection.id).toBe(later.body.inspection.id);
    expect(kindsOf(hvac.body.openDiscrepancies)).toEqual([
      ['hvac/controller/sw', 'version-mismatch'],
      ['hvac/temp-aft', 'missing'],
    ]);
    expect(await open('hvac/controller')).toEqual([['hvac/controller/sw', 'version-mismatch']]);
    // judged again at that same position: the sensor is there after all
    await inspect(twin.id, {
      performedAt: '2026-01-25T00:00:00Z',
      inspector: 'A. Crew',
      observed: [{ path: 'hvac/temp-aft', serialNumber: 'OPEN-1-TS' }],
    });
    expect(await open()).toEqual([['hvac/controller/sw', 'version-mismatch']]);
    // the configuration comes to match what was found: closed
    const changed = await planner('POST', `/v1/twins/${twin.id}/changes`, {
      body: {
        reason: 'record the software found',
        operations: [{ op: 'update', position: 'hvac/controller/sw', softwareVersion: '2.0.0' }],
      },
      headers: { 'if-match': '"1"' },
    });
    expect(changed.status).toBe(200);
    expect(await open()).toEqual([]);
  });
});

describe('bad inspections', () => {
  let twinId: string;
  beforeAll(async () => {
    twinId = (await newAircraft('INS-8')).id;
  });

  it.each([
    ['an invalid path', { observed: [{ path: 'Engine 1' }] }, 'body.observed[0].path'],
    ['a duplicate path', { observed: [{ path: 'cabin' }, { path: 'cabin' }] }, 'body.observed[1].path'],
    ['no observation', { observed: [] }, 'body.observed'],
    ['a time before the twin was built', { performedAt: '2024-04-30T00:00:00Z' }, 'body.performedAt'],
    ['a time in the future', { performedAt: '2099-01-01T00:00:00Z' }, 'body.performedAt'],
    ['findings too long', { findings: 'x'.repeat(10_001) }, 'body.findings'],
  ])('refuses %s (400)', async (_, patch, field) => {
    // Prepare
    const body = { performedAt: PERFORMED_AT, inspector: 'J. Doe', observed: [{ path: 'cabin' }], ...patch };
    // Act
    const response = await inspect(twinId, body);
    // Assess
    expectProblem(response, 400, field);
  });

  it('attaches reports that are documents of the tenant, and refuses unknown ones (400)', async () => {
    // Prepare
    const twin = await newAircraft('INS-DOC');
    const report = (
      await planner('POST', '/v1/documents', {
        body: {
          kind: 'inspection-report',
          title: 'Photos',
          contentType: 'image/jpeg',
          size: 10,
          sha256: 'a'.repeat(64),
        },
      })
    ).body.document;
    // Act
    const attached = await inspect(twin.id, { ...oneOfEach('INS-DOC'), documents: [report.id] });
    const unknown = await inspect(twin.id, { ...oneOfEach('INS-DOC'), documents: [report.id, UNKNOWN_ID] });
    // Assess
    expect(attached.status).toBe(201);
    expect(attached.body.inspection.documents).toEqual([report.id]);
    expectProblem(unknown, 400, 'body.documents[1]');
  });

  it('answers 404 for an unknown twin', async () => {
    // Act
    const posted = await inspect(UNKNOWN_ID, oneOfEach('INS-8'));
    const listed = await planner('GET', `/v1/twins/${UNKNOWN_ID}/inspections`);
    // Assess
    expectProblem(posted, 404);
    expectProblem(listed, 404);
  });
});

describe('who may record inspections', () => {
  it('lets a technician record one and refuses a viewer (403)', async () => {
    // Prepare
    const twin = await newAircraft('INS-9');
    // Act
    const byTechnician = await inspect(twin.id, oneOfEach('INS-9'), { caller: technician });
    const byViewer = await inspect(twin.id, oneOfEach('INS-9'), { caller: viewer });
    // Assess
    expect(byTechnician.status).toBe(201);
    expectProblem(byViewer, 403);
  });

  it('never shows another tenant that the twin exists (404 on POST and GET)', async () => {
    // Prepare
    const twin = await newAircraft('INS-10');
    await inspect(twin.id, oneOfEach('INS-10'));
    // Act
    const posted = await inspect(twin.id, oneOfEach('INS-10'), { caller: outsider });
    const applied = await inspect(twin.id, oneOfEach('INS-10'), {
      caller: outsider,
      query: '?apply=true',
      version: 1,
    });
    const listed = await outsider('GET', `/v1/twins/${twin.id}/inspections`);
    // Assess
    expectProblem(posted, 404);
    expectProblem(applied, 404);
    expectProblem(listed, 404);
    expect(JSON.stringify([posted.body, applied.body, listed.body])).not.toContain('INS-10');
    expect((await planner('GET', `/v1/twins/${twin.id}/inspections`)).body.items).toHaveLength(1);
  });
});
