import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

let api: TestApi;
let planner: Caller;
let viewer: Caller;
let outsider: Caller;

beforeAll(async () => {
  api = await startApi();
  const tenant = newTenant('fleet');
  planner = await api.as(tenant, ['engineer']);
  viewer = await api.as(tenant, ['viewer']);
  outsider = await api.as(newTenant('outsider'), ['admin']);
});
afterAll(() => api.stop());

const UNKNOWN_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
const NO_DIFF = {
  added: [],
  removed: [],
  replaced: [],
  versionChanged: [],
  positionsAdded: [],
  positionsRemoved: [],
};

/** Lets the clock move on, so that a write is recorded strictly after the previous one. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

const newAircraft = async (serial: string) =>
  (await planner('POST', '/v1/twins', { body: aircraftRecord(serial) })).body as {
    id: string;
    version: number;
  };

const takeBaseline = (id: string, body: unknown, caller = planner) =>
  caller('POST', `/v1/twins/${id}/baselines`, { body });

const change = (id: string, version: number, body: unknown) =>
  planner('POST', `/v1/twins/${id}/changes`, { body, headers: { 'if-match': `"${version}"` } });

const diff = (id: string, query: string, caller = planner) => caller('GET', `/v1/twins/${id}/diff?${query}`);

/** The diff lists only, without the two sides. */
const listsOf = ({ from: _from, to: _to, ...lists }: Record<string, unknown>) => lists;

const software = (softwareVersion: string) => ({ partNumber: 'FADEC-SW', kind: 'software', softwareVersion });

describe('a quarterly baseline diffed against today', () => {
  it('shows exactly the replaced controller and the updated FADEC software', async () => {
    // Prepare
    const twin = await newAircraft('BL-1');
    const taken = await takeBaseline(twin.id, { name: 'Q3 2026' });
    await tick();
    const newController = { partNumber: 'HVAC-CTL-9', serialNumber: 'BL-1-HVC-NEW', kind: 'electrical' };
    const changed = await change(twin.id, 1, {
      reason: 'HVAC controller failure; FADEC SB 73-0042',
      operations: [
        { op: 'replace', position: 'hvac/controller', component: newController },
        { op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.3.0' },
      ],
    });
    // Act
    const response = await diff(twin.id, `from=baseline:${taken.body.id}`);
    // Assess
    expect(taken.status).toBe(201);
    expect(taken.headers.get('location')).toBe(`/v1/twins/${twin.id}/baselines/${taken.body.id}`);
    expect(taken.body).toMatchObject({
      id: expect.stringMatching(/^[0-9A-Z]{26}$/),
      name: 'Q3 2026',
      actor: { sub: expect.any(String), tenant: expect.any(String) },
    });
    expect(taken.body.knownAt).toBe(taken.body.createdAt);
    expect(taken.body.at).toBe(taken.body.createdAt);
    expect(changed.status).toBe(200);
    expect(response.status).toBe(200);
    expect(response.body.from).toEqual({
      asOf: taken.body.at,
      knownAt: taken.body.knownAt,
      baseline: { id: taken.body.id, name: 'Q3 2026' },
    });
    expect(response.body.to).toEqual({ asOf: expect.any(String), knownAt: response.body.to.asOf });
    expect(listsOf(response.body)).toEqual({
      ...NO_DIFF,
      replaced: [
        {
          path: 'hvac/controller',
          from: {
            partNumber: 'HVAC-CTL-9',
            serialNumber: 'BL-1-HVC',
            kind: 'electrical',
            attributes: { supplier: 'Acme Thermal' },
          },
          to: newController,
        },
      ],
      versionChanged: [{ path: 'engine-1/fadec/sw', from: software('5.2.1'), to: software('5.3.0') }],
    });
    const stored = await planner('GET', `/v1/twins/${twin.id}/baselines/${taken.body.id}`);
    expect(stored.body).toEqual(taken.body);
  });

  it('diffs two times: positions and components added and removed, both ways', async () => {
    // Prepare
    const twin = await newAircraft('BL-2');
    const sensor = { partNumber: 'TS-1', serialNumber: 'BL-2-TS', kind: 'electrical' };
    await change(twin.id, 1, {
      reason: 'modification kit; engine 2 off for shop visit',
      effectiveAt: '2026-01-10T00:00:00Z',
      operations: [
        { op: 'add-position', position: 'hvac/sensor' },
        { op: 'install', position: 'hvac/sensor', component: sensor },
        { op: 'remove', position: 'engine-2' },
      ],
    });
    // Act
    const forward = await diff(twin.id, 'from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00%2B01:00');
    const backward = await diff(twin.id, 'from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z');
    const untilNow = await diff(twin.id, 'from=2026-01-09T00:00:00Z');
    // Assess
    const engine = { partNumber: 'CFM56-5B4', serialNumber: 'BL-2-ESN-2', kind: 'mechanical' };
    expect(forward.body.from).toEqual({ asOf: '2026-01-01T00:00:00.000Z', knownAt: expect.any(String) });
    expect(forward.body.to.asOf).toBe('2026-01-31T23:00:00.000Z');
    expect(listsOf(forward.body)).toEqual({
      ...NO_DIFF,
      added: [{ path: 'hvac/sensor', from: null, to: sensor }],
      removed: [{ path: 'engine-2', from: engine, to: null }],
      positionsAdded: ['hvac/sensor'],
    });
    expect(listsOf(backward.body)).toEqual({
      ...NO_DIFF,
      added: [{ path: 'engine-2', from: null, to: engine }],
      removed: [{ path: 'hvac/sensor', from: sensor, to: null }],
      positionsRemoved: ['hvac/sensor'],
    });
    expect(listsOf(untilNow.body)).toEqual(listsOf(forward.body));
  });
});

describe('a baseline at a past time', () => {
  it('shows the configuration then, and keeps it through later and back-dated changes', async () => {
    // Prepare
    const twin = await newAircraft('BL-3');
    await change(twin.id, 1, {
      reason: 'FADEC software 5.3.0',
      effectiveAt: '2026-02-01T00:00:00Z',
      operations: [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.3.0' }],
    });
    const taken = await takeBaseline(twin.id, { name: 'January', at: '2026-01-15T00:00:00Z' });
    await tick();
    // Act: a change today, then a correction back-dated before the baseline's time
    await change(twin.id, 2, {
      reason: 'controller swap',
      operations: [
        {
          op: 'replace',
          position: 'hvac/controller',
          component: { partNumber: 'HVAC-CTL-9', serialNumber: 'BL-3-HVC-NEW', kind: 'electrical' },
        },
      ],
    });
    const corrected = await change(twin.id, 3, {
      reason: 'correction: engine 2 software was loaded on 10 January',
      effectiveAt: '2026-01-10T00:00:00Z',
      operations: [{ op: 'update', position: 'engine-2/fadec/sw', softwareVersion: '5.9.0' }],
    });
    const later = await planner('GET', `/v1/twins/${twin.id}/baselines/${taken.body.id}`);
    const sinceBaseline = await diff(twin.id, `from=baseline:${taken.body.id}&to=2026-01-15T00:00:00Z`);
    const itself = await diff(twin.id, `from=baseline:${taken.body.id}&to=baseline:${taken.body.id}`);
    // Assess
    expect(taken.status).toBe(201);
    expect(taken.body.at).toBe('2026-01-15T00:00:00.000Z');
    const sw = (
      nodes: { path: string; component: unknown; children: unknown[] }[],
      path: string,
    ): unknown => {
      for (const node of nodes) {
        if (node.path === path) return node.component;
        const found = sw(node.children as typeof nodes, path);
        if (found) return found;
      }
      return undefined;
    };
    expect(sw(taken.body.configuration, 'engine-1/fadec/sw')).toEqual(software('5.2.1'));
    expect(corrected.status).toBe(200);
    expect(later.body).toEqual(taken.body);
    expect(sw(later.body.configuration, 'engine-2/fadec/sw')).toEqual(software('5.2.1'));
    // The same valid time as known now does show the correction: that is what knownAt is for.
    expect(listsOf(sinceBaseline.body)).toEqual({
      ...NO_DIFF,
      versionChanged: [{ path: 'engine-2/fadec/sw', from: software('5.2.1'), to: software('5.9.0') }],
    });
    expect(sinceBaseline.body.to).toEqual({ asOf: '2026-01-15T00:00:00.000Z', knownAt: expect.any(String) });
    expect(listsOf(itself.body)).toEqual(NO_DIFF);
  });

  it('refuses a time before the twin was built or in the future (400 naming body.at)', async () => {
    // Prepare
    const twin = await newAircraft('BL-4');
    // Act
    const early = await takeBaseline(twin.id, { name: 'too early', at: '2024-04-30T00:00:00Z' });
    const future = await takeBaseline(twin.id, { name: 'too late', at: '2099-01-01T00:00:00Z' });
    const malformed = await takeBaseline(twin.id, { name: 'bad', at: 'last quarter' });
    // Assess
    expectProblem(early, 400, 'body.at');
    expectProblem(future, 400, 'body.at');
    expectProblem(malformed, 400, 'body.at');
    expectProblem(await takeBaseline(twin.id, { name: '' }), 400, 'body.name');
    expectProblem(await takeBaseline(twin.id, { name: 'x'.repeat(129) }), 400, 'body.name');
    expectProblem(await takeBaseline(twin.id, { name: 'ok', configuration: [] }), 400, 'body.configuration');
  });
});

describe('baseline names and pages', () => {
  it('refuses a name already taken on the twin (409), not on another twin', async () => {
    // Prepare
    const twin = await newAircraft('BL-5');
    const other = await newAircraft('BL-6');
    await takeBaseline(twin.id, { name: 'Delivery' });
    // Act
    const again = await takeBaseline(twin.id, { name: 'Delivery', at: '2025-01-01T00:00:00Z' });
    const elsewhere = await takeBaseline(other.id, { name: 'Delivery' });
    // Assess
    expectProblem(again, 409, 'body.name');
    expect(elsewhere.status).toBe(201);
    expect((await planner('GET', `/v1/twins/${twin.id}/baselines`)).body.items).toHaveLength(1);
  });

  it('records exactly one of 20 concurrent takes of one name; the others are 409', async () => {
    // Prepare
    const twin = await newAircraft('BL-RACE');
    // Act
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => takeBaseline(twin.id, { name: 'Handover' })),
    );
    // Assess
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1);
    for (const answer of answers.filter((answer) => answer.status !== 201))
      expectProblem(answer, 409, 'body.name');
    expect((await planner('GET', `/v1/twins/${twin.id}/baselines`)).body.items).toHaveLength(1);
  });

  it('lists newest first without configurations, page by page; a foreign cursor is 400', async () => {
    // Prepare
    const twin = await newAircraft('BL-7');
    const other = await newAircraft('BL-8');
    const ids: string[] = [];
    for (const name of ['Q1', 'Q2', 'Q3']) {
      ids.push((await takeBaseline(twin.id, { name })).body.id);
      await takeBaseline(other.id, { name });
      await tick();
    }
    // Act
    const first = await planner('GET', `/v1/twins/${twin.id}/baselines?limit=2`);
    const second = await planner(
      'GET',
      `/v1/twins/${twin.id}/baselines?limit=2&cursor=${first.body.nextCursor}`,
    );
    const all = await viewer('GET', `/v1/twins/${twin.id}/baselines`);
    const foreign = (await planner('GET', `/v1/twins/${other.id}/baselines?limit=1`)).body.nextCursor;
    // Assess
    expect(first.body.items.map((item: { name: string }) => item.name)).toEqual(['Q3', 'Q2']);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(second.body.items.map((item: { id: string }) => item.id)).toEqual([ids[0]]);
    expect(second.body.nextCursor).toBeUndefined();
    expect(all.body.items.map((item: { id: string }) => item.id)).toEqual([...ids].reverse());
    expect(Object.keys(all.body.items[0]).sort()).toEqual([
      'actor',
      'at',
      'createdAt',
      'id',
      'knownAt',
      'name',
    ]);
    expectProblem(
      await planner('GET', `/v1/twins/${twin.id}/baselines?cursor=${foreign}`),
      400,
      'query.cursor',
    );
    expectProblem(await planner('GET', `/v1/twins/${twin.id}/baselines?cursor=nope`), 400, 'query.cursor');
    expectProblem(await planner('GET', `/v1/twins/${twin.id}/baselines?limit=0`), 400, 'query.limit');
    expectProblem(await planner('GET', `/v1/twins/${twin.id}/baselines?limit=101`), 400, 'query.limit');
  });
});

describe('bad references and roles', () => {
  it('answers 404 for an unknown baseline, 400 for a malformed from or to', async () => {
    // Prepare
    const twin = await newAircraft('BL-9');
    const other = await newAircraft('BL-10');
    const othersBaseline = (await takeBaseline(other.id, { name: 'theirs' })).body.id;
    // Act / Assess
    expectProblem(await planner('GET', `/v1/twins/${twin.id}/baselines/${UNKNOWN_ID}`), 404);
    expectProblem(await planner('GET', `/v1/twins/${twin.id}/baselines/${othersBaseline}`), 404);
    expectProblem(await diff(twin.id, `from=baseline:${UNKNOWN_ID}`), 404);
    expectProblem(await diff(twin.id, `from=2026-01-01T00:00:00Z&to=baseline:${othersBaseline}`), 404);
    expectProblem(await diff(twin.id, 'from=last-quarter'), 400, 'query.from');
    expectProblem(await diff(twin.id, 'from=baseline:nope'), 400, 'query.from');
    expectProblem(await diff(twin.id, 'from=2020-01-01T00:00:00Z'), 400, 'query.from');
    expectProblem(await diff(twin.id, 'from=2026-01-01T00:00:00Z&to=tomorrow'), 400, 'query.to');
    expectProblem(await planner('GET', `/v1/twins/${twin.id}/diff`), 400, 'query.from');
    expectProblem(await planner('GET', `/v1/twins/${twin.id}/baselines/not-an-id`), 400, 'path.baselineId');
  });

  it('lets a viewer read baselines and diffs but not take one (403)', async () => {
    // Prepare
    const twin = await newAircraft('BL-11');
    const id = (await takeBaseline(twin.id, { name: 'Hand-over' })).body.id;
    // Act
    const refused = await takeBaseline(twin.id, { name: 'by a viewer' }, viewer);
    // Assess
    expectProblem(refused, 403);
    expect((await viewer('GET', `/v1/twins/${twin.id}/baselines`)).status).toBe(200);
    expect((await viewer('GET', `/v1/twins/${twin.id}/baselines/${id}`)).status).toBe(200);
    expect((await diff(twin.id, `from=baseline:${id}`, viewer)).status).toBe(200);
    expect((await planner('GET', `/v1/twins/${twin.id}/baselines`)).body.items).toHaveLength(1);
  });
});

describe('another tenant', () => {
  it('gets 404 on all four endpoints for this twin, and writes nothing', async () => {
    // Prepare
    const twin = await newAircraft('BL-12');
    const id = (await takeBaseline(twin.id, { name: 'Confidential Q4' })).body.id;
    // Act
    const answers = [
      await takeBaseline(twin.id, { name: 'stolen' }, outsider),
      await outsider('GET', `/v1/twins/${twin.id}/baselines`),
      await outsider('GET', `/v1/twins/${twin.id}/baselines/${id}`),
      await diff(twin.id, `from=baseline:${id}`, outsider),
      await diff(twin.id, 'from=2026-01-01T00:00:00Z', outsider),
    ];
    const none = await outsider('GET', `/v1/twins/${UNKNOWN_ID}/baselines/${id}`);
    // Assess
    for (const answer of answers) {
      expectProblem(answer, 404);
      expect(JSON.stringify(answer.body)).not.toContain('Confidential');
      expect(answer.body.detail.replace(twin.id, '<id>')).toBe(none.body.detail.replace(UNKNOWN_ID, '<id>'));
    }
    const items = (await planner('GET', `/v1/twins/${twin.id}/baselines`)).body.items;
    expect(items.map((item: { name: string }) => item.name)).toEqual(['Confidential Q4']);
  });
});

describe('the OpenAPI document', () => {
  it('describes the baseline and diff paths with the exact templates', async () => {
    // Act
    const document = (await api.call('GET', '/openapi.json')).body;
    // Assess
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/v1/twins/{id}/baselines',
        '/v1/twins/{id}/baselines/{baselineId}',
        '/v1/twins/{id}/diff',
      ]),
    );
  });
});
