import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';
import { nodeAt } from '../support/tree';

let api: TestApi;
let planner: Caller;
let outsider: Caller;

beforeAll(async () => {
  api = await startApi();
  const tenant = newTenant('ops');
  planner = await api.as(tenant, ['engineer']);
  outsider = await api.as(newTenant('outsider'), ['admin']);
});
afterAll(() => api.stop());

const at = nodeAt;

const newAircraft = async (serial: string) =>
  (await planner('POST', '/v1/twins', { body: aircraftRecord(serial) })).body;

const change = (id: string, version: number | string, body: unknown, caller = planner) =>
  caller('POST', `/v1/twins/${id}/changes`, { body, headers: { 'if-match': `"${version}"` } });

describe('a work order that replaces the HVAC controller and updates the FADEC software', () => {
  it('applies atomically, keeps the old controller in history, and traces the serials', async () => {
    // Prepare
    const twin = await newAircraft('CHG-1');
    // Act
    const response = await change(twin.id, 1, {
      reason: 'HVAC controller failure; FADEC SB 73-0042',
      workOrder: 'WO-2026-0815',
      effectiveAt: '2026-03-05T10:00:00Z',
      operations: [
        {
          op: 'replace',
          position: 'hvac/controller',
          component: { partNumber: 'HVAC-CTL-9', serialNumber: 'HVC-NEW-1', kind: 'electrical' },
        },
        { op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.3.0' },
      ],
    });
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"2"');
    expect(at(response.body, 'hvac/controller')?.component?.serialNumber).toBe('HVC-NEW-1');
    expect(at(response.body, 'engine-1/fadec/sw')?.component?.softwareVersion).toBe('5.3.0');
    const before = await planner('GET', `/v1/twins/${twin.id}?asOf=2026-03-01T00:00:00Z`);
    expect(at(before.body, 'hvac/controller')?.component?.serialNumber).toBe('CHG-1-HVC');
    expect(at(before.body, 'engine-1/fadec/sw')?.component?.softwareVersion).toBe('5.2.1');

    const oldTrace = await planner('GET', '/v1/components/HVAC-CTL-9/CHG-1-HVC');
    expect(oldTrace.body.installations).toEqual([
      {
        twinId: twin.id,
        path: 'hvac/controller',
        validFrom: '2024-05-01T08:00:00.000Z',
        validTo: '2026-03-05T10:00:00.000Z',
      },
    ]);
    const newTrace = await planner('GET', '/v1/components/HVAC-CTL-9/HVC-NEW-1');
    expect(newTrace.body.installations).toEqual([
      { twinId: twin.id, path: 'hvac/controller', validFrom: '2026-03-05T10:00:00.000Z', validTo: null },
    ]);

    const history = await planner('GET', `/v1/twins/${twin.id}/history`);
    expect(history.body.items.map((item: { seq: number }) => item.seq)).toEqual([2, 1]);
    expect(history.body.items[0]).toMatchObject({
      reason: 'HVAC controller failure; FADEC SB 73-0042',
      workOrder: 'WO-2026-0815',
      effectiveAt: '2026-03-05T10:00:00.000Z',
      actor: { sub: expect.any(String) },
      operations: [{ op: 'replace' }, { op: 'update' }],
    });
  });

  it('moves a serialized component from one twin to another only once it has left the first', async () => {
    const first = await newAircraft('CHG-2');
    const second = await newAircraft('CHG-3');
    const engine = { partNumber: 'CFM56-5B4', serialNumber: 'CHG-2-ESN-1', kind: 'mechanical' };
    const early = await change(second.id, 1, {
      reason: 'engine swap',
      operations: [{ op: 'replace', position: 'engine-1', component: engine }],
    });
    expectProblem(early, 409);
    expect(early.body.detail).toContain(first.id);
    expect((await planner('GET', `/v1/twins/${second.id}`)).body.version).toBe(1);

    expect(
      (
        await change(first.id, 1, {
          reason: 'engine off',
          effectiveAt: '2026-01-10T00:00:00Z',
          operations: [{ op: 'remove', position: 'engine-1' }],
        })
      ).status,
    ).toBe(200);
    // Not before it left the first aircraft...
    expectProblem(
      await change(second.id, 1, {
        reason: 'engine swap',
        effectiveAt: '2026-01-05T00:00:00Z',
        operations: [{ op: 'replace', position: 'engine-1', component: engine }],
      }),
      409,
    );
    // ...but after.
    expect(
      (
        await change(second.id, 1, {
          reason: 'engine swap',
          effectiveAt: '2026-01-12T00:00:00Z',
          operations: [{ op: 'replace', position: 'engine-1', component: engine }],
        })
      ).status,
    ).toBe(200);
    const trace = await planner('GET', '/v1/components/CFM56-5B4/CHG-2-ESN-1');
    expect(
      trace.body.installations.map((stay: { twinId: string; validTo: string | null }) => [
        stay.twinId,
        stay.validTo,
      ]),
    ).toEqual([
      [first.id, '2026-01-10T00:00:00.000Z'],
      [second.id, null],
    ]);
  });
});

describe('time travel', () => {
  it('answers asOf (valid time) and knownAt (record time) separately after a back-dated correction', async () => {
    // Prepare: recorded now, a replacement that really happened on 1 March
    const twin = await newAircraft('TT-1');
    const dispatchedAt = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Act
    expect(
      (
        await change(twin.id, 1, {
          reason: 'correction: controller was replaced on 1 March',
          effectiveAt: '2026-03-01T00:00:00Z',
          operations: [
            {
              op: 'replace',
              position: 'hvac/controller',
              component: { partNumber: 'HVAC-CTL-9', serialNumber: 'TT-HVC-2', kind: 'electrical' },
            },
          ],
        })
      ).status,
    ).toBe(200);
    // Assess
    const serial = async (query: string) =>
      at((await planner('GET', `/v1/twins/${twin.id}?${query}`)).body, 'hvac/controller')?.component
        ?.serialNumber;
    expect(await serial('asOf=2026-03-02T00:00:00Z')).toBe('TT-HVC-2');
    expect(await serial(`asOf=2026-03-02T00:00:00Z&knownAt=${dispatchedAt}`)).toBe('TT-1-HVC');
    expect(await serial('asOf=2026-02-28T00:00:00Z')).toBe('TT-1-HVC');
    expectProblem(await planner('GET', `/v1/twins/${twin.id}?knownAt=2020-01-01T00:00:00Z`), 404);
    expectProblem(await planner('GET', `/v1/twins/${twin.id}?asOf=2020-01-01T00:00:00Z`), 404);
    expectProblem(await planner('GET', `/v1/twins/${twin.id}?asOf=yesterday`), 400, 'query.asOf');
  });

  it('refuses a back-dated change before a later recorded change of the same position (409)', async () => {
    const twin = await newAircraft('TT-2');
    await change(twin.id, 1, {
      reason: 'r',
      effectiveAt: '2026-04-01T00:00:00Z',
      operations: [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '6.0.0' }],
    });
    expectProblem(
      await change(twin.id, 2, {
        reason: 'r',
        effectiveAt: '2026-03-01T00:00:00Z',
        operations: [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.9.0' }],
      }),
      409,
    );
    // Another position is free to be back-dated.
    expect(
      (
        await change(twin.id, 2, {
          reason: 'r',
          effectiveAt: '2026-03-01T00:00:00Z',
          operations: [{ op: 'update', position: 'engine-2/fadec/sw', softwareVersion: '5.9.0' }],
        })
      ).status,
    ).toBe(200);
  });

  it('refuses effectiveAt before builtAt or in the future (400)', async () => {
    const twin = await newAircraft('TT-3');
    const op = [{ op: 'remove', position: 'engine-1' }];
    expectProblem(
      await change(twin.id, 1, { reason: 'r', effectiveAt: '2020-01-01T00:00:00Z', operations: op }),
      400,
      'body.effectiveAt',
    );
    expectProblem(
      await change(twin.id, 1, { reason: 'r', effectiveAt: '2099-01-01T00:00:00Z', operations: op }),
      400,
      'body.effectiveAt',
    );
  });
});

describe('positions and lifecycle', () => {
  it('adds, fills, empties and removes positions; moves components', async () => {
    const twin = await newAircraft('POS-1');
    const response = await change(twin.id, 1, {
      reason: 'modification kit',
      operations: [
        { op: 'add-position', position: 'hvac/sensor', name: 'Cabin temperature sensor' },
        {
          op: 'install',
          position: 'hvac/sensor',
          component: { partNumber: 'TS-1', serialNumber: 'TS-77', kind: 'electrical' },
        },
        { op: 'move', from: 'hvac/sensor', to: 'cabin' },
        { op: 'remove-position', position: 'hvac/sensor' },
      ],
    });
    expect(response.status).toBe(200);
    expect(at(response.body, 'hvac/sensor')).toBeUndefined();
    expect(at(response.body, 'cabin')?.component?.serialNumber).toBe('TS-77');
  });

  it.each([
    [
      'installing into an occupied position',
      [{ op: 'install', position: 'engine-1', component: { partNumber: 'X', kind: 'mechanical' } }],
    ],
    ['removing from an empty position', [{ op: 'remove', position: 'cabin' }]],
    ['a position that does not exist', [{ op: 'remove', position: 'engine-9' }]],
    ['removing a position that is not empty', [{ op: 'remove-position', position: 'engine-1/fadec/sw' }]],
    ['adding a position that exists', [{ op: 'add-position', position: 'cabin' }]],
    ['adding under a missing parent', [{ op: 'add-position', position: 'wing/flap' }]],
    [
      'a lifecycle move backwards',
      [
        { op: 'lifecycle', to: 'delivered' },
        { op: 'lifecycle', to: 'as-built' },
      ],
    ],
    [
      'the same serial in two positions',
      [
        {
          op: 'install',
          position: 'cabin',
          component: { partNumber: 'CFM56-5B4', serialNumber: 'POS-2-ESN-2', kind: 'mechanical' },
        },
      ],
    ],
  ])('refuses %s (409) and writes nothing', async (_label, operations) => {
    const twin = await newAircraft(`POS-2-${Math.random().toString(36).slice(2, 8)}`);
    const ops = JSON.parse(JSON.stringify(operations).replaceAll('POS-2-ESN', `${twin.serialNumber}-ESN`));
    expectProblem(
      await change(twin.id, 1, {
        reason: 'r',
        operations: [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '9' }, ...ops],
      }),
      409,
    );
    const after = await planner('GET', `/v1/twins/${twin.id}`);
    expect(after.body.version).toBe(1);
    expect(at(after.body, 'engine-1/fadec/sw')?.component?.softwareVersion).toBe('5.2.1');
    expect((await planner('GET', `/v1/twins/${twin.id}/history`)).body.items).toHaveLength(1);
  });

  it('goes from as-built to recycled, read-only once retired', async () => {
    const twin = await newAircraft('LIFE-1');
    let version = 1;
    for (const to of [
      'delivered',
      'installed',
      'commissioned',
      'in-service',
      'maintenance',
      'in-service',
      'retired',
    ]) {
      const response = await change(twin.id, version, {
        reason: `to ${to}`,
        operations: [{ op: 'lifecycle', to }],
      });
      expect(response.status).toBe(200);
      expect(response.body.lifecycle).toBe(to);
      version += 1;
    }
    expectProblem(
      await change(twin.id, version, { reason: 'r', operations: [{ op: 'remove', position: 'engine-1' }] }),
      409,
    );
    expectProblem(
      await planner('PATCH', `/v1/twins/${twin.id}`, {
        body: { site: 'X' },
        headers: { 'if-match': `"${version}"` },
      }),
      409,
    );
    expect(
      (
        await change(twin.id, version, {
          reason: 'end of life',
          operations: [{ op: 'lifecycle', to: 'recycled' }],
        })
      ).body.lifecycle,
    ).toBe('recycled');
    expectProblem(
      await change(twin.id, version + 1, {
        reason: 'r',
        operations: [{ op: 'lifecycle', to: 'in-service' }],
      }),
      409,
    );
  });
});

describe('concurrency and limits', () => {
  it('lets exactly one of N concurrent change sets on the same version win; history and version agree', async () => {
    const twin = await newAircraft('CON-1');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        change(twin.id, 1, {
          reason: `writer ${index}`,
          operations: [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: `7.${index}.0` }],
        }),
      ),
    );
    expect(results.map((result) => result.status).sort()).toEqual([200, 412, 412, 412, 412, 412]);
    const current = await planner('GET', `/v1/twins/${twin.id}`);
    expect(current.body.version).toBe(2);
    expect((await planner('GET', `/v1/twins/${twin.id}/history`)).body.items).toHaveLength(2);
  });

  it('requires If-Match (428) and refuses a stale one (412)', async () => {
    const twin = await newAircraft('CON-2');
    const body = { reason: 'r', operations: [{ op: 'remove', position: 'engine-1' }] };
    expectProblem(await planner('POST', `/v1/twins/${twin.id}/changes`, { body }), 428);
    expectProblem(await change(twin.id, 5, body), 412);
  });

  it('refuses bad change sets with 400 naming the field', async () => {
    const twin = await newAircraft('CON-3');
    expectProblem(await change(twin.id, 1, { reason: 'r', operations: [] }), 400, 'body.operations');
    expectProblem(
      await change(twin.id, 1, { reason: 'r', operations: [{ op: 'explode' }] }),
      400,
      'body.operations[0].op',
    );
    expectProblem(
      await change(twin.id, 1, { reason: 'r', operations: [{ op: 'update', position: 'cabin' }] }),
      400,
      'body.operations[0]',
    );
    expectProblem(
      await change(twin.id, 1, { operations: [{ op: 'remove', position: 'engine-1' }] }),
      400,
      'body.reason',
    );
  });

  it('refuses a change set larger than one transaction with 422 naming the limit', async () => {
    const twin = (
      await planner('POST', '/v1/twins', {
        body: {
          ...aircraftRecord('BIG-CS'),
          configuration: Array.from({ length: 25 }, (_, i) => ({
            position: `s-${i}`,
            component: { partNumber: 'P', serialNumber: `BIG-CS-${i}`, kind: 'mechanical' },
          })),
        },
      })
    ).body;
    const operations = Array.from({ length: 25 }, (_, i) => ({
      op: 'replace',
      position: `s-${i}`,
      component: { partNumber: 'P', serialNumber: `BIG-CS-NEW-${i}`, kind: 'mechanical' },
    }));
    const response = await change(twin.id, 1, { reason: 'all at once', operations });
    expectProblem(response, 422, 'body.operations');
    expect(response.body.detail).toContain('100');
  });

  it('lets technicians record changes, not viewers (403)', async () => {
    const tenant = newTenant('roles');
    const engineer = await api.as(tenant, ['engineer']);
    const twin = (await engineer('POST', '/v1/twins', { body: aircraftRecord('CON-4') })).body;
    const body = {
      reason: 'line check',
      operations: [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.2.2' }],
    };
    expectProblem(await change(twin.id, 1, body, await api.as(tenant, ['viewer'])), 403);
    expect((await change(twin.id, 1, body, await api.as(tenant, ['technician']))).status).toBe(200);
  });
});

describe('history by position', () => {
  it('includes the as-built record wherever it installed something, and only there', async () => {
    // Prepare
    const twin = await newAircraft('HIST-POS-1');
    await change(twin.id, 1, {
      reason: 'HVAC controller failure',
      operations: [
        {
          op: 'replace',
          position: 'hvac/controller',
          component: { partNumber: 'HVAC-CTL-9', serialNumber: 'HIST-POS-1-HVC-2', kind: 'electrical' },
        },
      ],
    });
    await change(twin.id, 2, {
      reason: 'OTA',
      operations: [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.3.0' }],
    });
    const seqs = async (position: string) =>
      (await planner('GET', `/v1/twins/${twin.id}/history?position=${position}`)).body.items.map(
        (item: { seq: number }) => item.seq,
      );
    // Act, Assess
    expect(await seqs('hvac')).toEqual([2, 1]);
    expect(await seqs('hvac/controller')).toEqual([2, 1]);
    expect(await seqs('engine-1')).toEqual([3, 1]);
    expect(await seqs('wing')).toEqual([]);
    const thread = await planner('GET', `/v1/twins/${twin.id}/thread?position=hvac`);
    expect(thread.body.changes.map((item: { seq: number }) => item.seq)).toEqual([2, 1]);
  });
});

describe('another tenant', () => {
  it('gets 404 on every endpoint of this issue, and changes nothing', async () => {
    const twin = await newAircraft('ISO-CHG');
    expectProblem(
      await change(
        twin.id,
        1,
        { reason: 'r', operations: [{ op: 'remove', position: 'engine-1' }] },
        outsider,
      ),
      404,
    );
    expectProblem(await outsider('GET', `/v1/twins/${twin.id}/history`), 404);
    expectProblem(await outsider('GET', `/v1/twins/${twin.id}?asOf=2025-01-01T00:00:00Z`), 404);
    expectProblem(await outsider('GET', '/v1/components/HVAC-CTL-9/ISO-CHG-HVC'), 404);
    expect((await planner('GET', `/v1/twins/${twin.id}`)).body.version).toBe(1);
  });
});
