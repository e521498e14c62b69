import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

/** Usage and life end to end: flight logs, TSN across aircraft, corrections, LLPs, removals, MTBUR. */
let api: TestApi;
let call: Caller;

beforeAll(async () => {
  api = await startApi();
  call = await api.as(newTenant('usage'), ['admin']);
  for (const [name, unit] of [
    ['FH', 'h'],
    ['FC', 'cycles'],
  ])
    expect((await call('PUT', `/v1/usage-parameters/${name}`, { body: { unit } })).status).toBe(200);
});
afterAll(() => api.stop());

const aircraft = async (serial: string, extra: unknown[] = []) =>
  (
    await call('POST', '/v1/twins', {
      body: {
        serialNumber: serial,
        product: { partNumber: 'A320-214' },
        builtAt: '2024-01-01T00:00:00Z',
        configuration: [{ position: 'apu' }, ...extra],
      },
    })
  ).body as { id: string };

const change = async (id: string, body: Record<string, unknown>) => {
  const twin = await call('GET', `/v1/twins/${id}`);
  return call('POST', `/v1/twins/${id}/changes`, {
    body: { reason: 'work order', ...body },
    headers: { 'if-match': twin.headers.get('etag')! },
  });
};

const fly = (id: string, records: unknown[], headers?: Record<string, string>) =>
  call('POST', `/v1/twins/${id}/usage`, { body: { records }, ...(headers ? { headers } : {}) });

const apu = (serialNumber: string) => ({ partNumber: 'APU-131', serialNumber, kind: 'mechanical' });

describe('usage and life of serials across aircraft', () => {
  it('accrues flight logs to the serial over its stays, back-dated corrections and all, and guards its life', async () => {
    // Prepare: a serial with a past moves through three aircraft
    const [a1, a2, a3] = [await aircraft('U-A1'), await aircraft('U-A2'), await aircraft('U-A3')];
    expect(
      (
        await change(a1.id, {
          effectiveAt: '2024-02-01T00:00:00Z',
          operations: [
            {
              op: 'install',
              position: 'apu',
              component: apu('APU-1'),
              usageAtInstall: { FH: { tsn: 100 }, FC: { tsn: 50 } },
            },
          ],
        })
      ).status,
    ).toBe(200);
    expect((await fly(a1.id, [{ parameter: 'FH', at: '2024-01-15T10:00:00Z', delta: 7 }])).status).toBe(201); // before install
    const key = { 'idempotency-key': 'log-a1-0210' };
    const logged = await fly(
      a1.id,
      [{ parameter: 'FH', at: '2024-02-10T10:00:00Z', delta: 3, ref: 'AC101' }],
      key,
    );
    expect(logged.status).toBe(201);
    const replay = await fly(
      a1.id,
      [{ parameter: 'FH', at: '2024-02-10T10:00:00Z', delta: 3, ref: 'AC101' }],
      key,
    );
    expect(replay.body).toEqual(logged.body);
    await change(a1.id, {
      effectiveAt: '2024-03-01T00:00:00Z',
      operations: [
        { op: 'remove', position: 'apu', removal: { reason: 'scheduled', condition: 'serviceable' } },
      ],
    });
    await change(a2.id, {
      effectiveAt: '2024-03-05T00:00:00Z',
      operations: [{ op: 'install', position: 'apu', component: apu('APU-1') }],
    });
    await fly(a2.id, [{ parameter: 'FH', at: '2024-03-05T00:00:00Z', delta: 2 }]);
    // a swap: the record at the instant of the replacement goes to the incoming part
    expect(
      (
        await change(a2.id, {
          effectiveAt: '2024-04-01T00:00:00Z',
          operations: [
            {
              op: 'replace',
              position: 'apu',
              component: apu('APU-2'),
              usageAtInstall: { FH: { tsn: 0 }, FC: { tsn: 0 } },
              removal: { reason: 'unscheduled', condition: 'unserviceable', note: 'oil leak' },
            },
          ],
        })
      ).status,
    ).toBe(200);
    await fly(a2.id, [{ parameter: 'FH', at: '2024-04-01T00:00:00Z', delta: 5 }]);
    await change(a3.id, {
      effectiveAt: '2024-05-01T00:00:00Z',
      operations: [{ op: 'install', position: 'apu', component: apu('APU-1') }],
    });
    const a3log = await fly(a3.id, [{ parameter: 'FH', at: '2024-05-02T10:00:00Z', delta: 4 }]);

    // Act and assess: TSN = opening balance + the three stays
    const usage = await call('GET', '/v1/components/APU-131/APU-1/usage?parameter=FH');
    expect(usage.status, JSON.stringify(usage.body)).toBe(200);
    expect(usage.body.parameters.FH).toMatchObject({ tsn: 109, tso: 109, tsi: 4, complete: true, gaps: [] });
    expect(usage.body.parameters.FH.stays.map((stay: { accrued: number }) => stay.accrued)).toEqual([
      3, 2, 4,
    ]);
    expect(
      (await call('GET', '/v1/components/APU-131/APU-2/usage?parameter=FH')).body.parameters.FH.tsn,
    ).toBe(5);
    const midway = await call(
      'GET',
      '/v1/components/APU-131/APU-1/usage?parameter=FH&asOf=2024-03-10T00:00:00Z',
    );
    expect(midway.body.parameters.FH).toMatchObject({ tsn: 105, tsi: 2 });

    // a correction voids and re-records; knownAt before it still answers the old total
    const before = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const record = a3log.body.records[0];
    const corrected = await call('POST', `/v1/twins/${a3.id}/usage`, {
      body: {
        voids: [{ id: record.id, parameter: 'FH', at: record.at }],
        records: [{ parameter: 'FH', at: '2024-05-02T10:00:00Z', delta: 6 }],
      },
    });
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(201);
    expect(
      (await call('GET', '/v1/components/APU-131/APU-1/usage?parameter=FH')).body.parameters.FH.tsn,
    ).toBe(111);
    expect(
      (await call('GET', `/v1/components/APU-131/APU-1/usage?parameter=FH&knownAt=${before}`)).body.parameters
        .FH.tsn,
    ).toBe(109);
    expect((await call('GET', `/v1/twins/${a3.id}/usage`)).body.parameters.FH.total).toBe(6);

    // life: a limit of 112 FH with an alert 5 before
    expect(
      (
        await call('PUT', '/v1/parts/APU-131', {
          body: {
            llp: true,
            lifeLimits: [{ parameter: 'FH', limit: 112, effectiveFrom: '2000-01-01T00:00:00Z' }],
            alertAt: { FH: 5 },
          },
        })
      ).status,
    ).toBe(200);
    const life = await call('GET', '/v1/components/APU-131/APU-1/life');
    expect(life.body).toMatchObject({
      llp: true,
      status: 'alert',
      governing: 'FH',
      limits: [{ accumulated: 111, remaining: 1 }],
    });
    const sheet = await call('GET', `/v1/twins/${a3.id}/llp-status`);
    expect(sheet.body.items).toMatchObject([{ serialNumber: 'APU-1', path: 'apu', status: 'alert' }]);
    const workPackage = await call('GET', `/v1/twins/${a3.id}/work-package?position=apu`);
    expect(workPackage.body.lifeRemaining).toMatchObject([
      { path: 'apu', serialNumber: 'APU-1', status: 'alert' },
    ]);
    const below = await call('POST', '/v1/fleet/life', { body: { remainingBelow: { FH: 50 } } });
    expect(below.body).toMatchObject({
      total: 1,
      items: [{ serialNumber: 'APU-1', remaining: 1, twinId: a3.id }],
    });

    // expired: refused on install (409 naming the rule), an override does not help
    await fly(a3.id, [{ parameter: 'FH', at: '2024-05-20T10:00:00Z', delta: 2 }]);
    expect((await call('GET', '/v1/components/APU-131/APU-1/life')).body.status).toBe('expired');
    await change(a3.id, {
      effectiveAt: '2024-06-01T00:00:00Z',
      operations: [
        { op: 'remove', position: 'apu', removal: { reason: 'scheduled', condition: 'serviceable' } },
      ],
    });
    const refused = await change(a1.id, {
      effectiveAt: '2024-06-02T00:00:00Z',
      operations: [
        { op: 'install', position: 'apu', component: apu('APU-1'), lifeOverride: { reason: 'ferry' } },
      ],
    });
    expectProblem(refused, 409, 'body.operations[0].component');
    expect(refused.body.detail).toContain('life-expired');

    // unknown life: refused without an override, recorded with one
    const unknown = await change(a1.id, {
      effectiveAt: '2024-06-02T00:00:00Z',
      operations: [{ op: 'install', position: 'apu', component: apu('APU-9') }],
    });
    expectProblem(unknown, 409);
    expect(unknown.body.detail).toContain('life-unknown');
    const overridden = await change(a1.id, {
      effectiveAt: '2024-06-02T00:00:00Z',
      operations: [
        {
          op: 'install',
          position: 'apu',
          component: apu('APU-9'),
          lifeOverride: { reason: 'records requested from the lessor' },
        },
      ],
    });
    expect(overridden.status, JSON.stringify(overridden.body)).toBe(200);
    const unknownUsage = await call('GET', '/v1/components/APU-131/APU-9/usage?parameter=FH');
    expect(unknownUsage.body.parameters.FH).toMatchObject({
      complete: false,
      gaps: [{ from: null, to: '2024-06-02T00:00:00.000Z' }],
    });

    // scrapped: never again
    await change(a2.id, {
      effectiveAt: '2024-07-01T00:00:00Z',
      operations: [
        { op: 'remove', position: 'apu', removal: { reason: 'unscheduled', condition: 'scrapped' } },
      ],
    });
    const scrapped = await change(a3.id, {
      effectiveAt: '2024-07-02T00:00:00Z',
      operations: [{ op: 'install', position: 'apu', component: apu('APU-2') }],
    });
    expectProblem(scrapped, 409);
    expect(scrapped.body.detail).toContain('scrapped');

    const trace = await call('GET', '/v1/components/APU-131/APU-2');
    expect(trace.body.lastRemoval).toMatchObject({
      reason: 'unscheduled',
      condition: 'scrapped',
      twinId: a2.id,
      path: 'apu',
    });
    const events = await call('GET', '/v1/events?settled=false&type=life.status-changed&limit=100');
    expect(events.body.items.map((event: { status: string }) => event.status)).toEqual(['alert', 'expired']);

    // reliability: unscheduled removals over the hours the fleet flew the part number
    const removals = await call(
      'GET',
      '/v1/fleet/removals?partNumber=APU-131&from=2024-01-01T00:00:00Z&to=2025-01-01T00:00:00Z',
    );
    expect(removals.status, JSON.stringify(removals.body)).toBe(200);
    expect(removals.body).toMatchObject({
      removals: 4,
      unscheduled: 2,
      byReason: { scheduled: 2, unscheduled: 2 },
    });
    expect(removals.body.accrued).toBe(3 + 2 + 5 + 6 + 2);
    expect(removals.body.mtbur).toBe(18 / 2);
  });

  it('accrues an aircraft usage to the parts of an engine twin while the engine is installed', async () => {
    // Prepare: an engine built with its LLP, installed on an aircraft for a while
    const engine = (
      await call('POST', '/v1/twins', {
        body: {
          serialNumber: 'U-ESN-1',
          product: { partNumber: 'CFM56-5B4' },
          builtAt: '2024-01-01T00:00:00Z',
          configuration: [
            {
              position: 'hpt-disk',
              component: { partNumber: 'DISK-7', serialNumber: 'DSK-1', kind: 'mechanical' },
            },
          ],
        },
      })
    ).body;
    const plane = await aircraft('U-A9', [{ position: 'engine-1' }]);
    await call('PUT', '/v1/parts/DISK-7', {
      body: {
        llp: true,
        lifeLimits: [{ parameter: 'FC', limit: 20000, effectiveFrom: '2000-01-01T00:00:00Z' }],
      },
    });
    const installEngine = await change(plane.id, {
      effectiveAt: '2024-02-01T00:00:00Z',
      operations: [
        {
          op: 'install',
          position: 'engine-1',
          component: {
            partNumber: 'CFM56-5B4',
            serialNumber: 'U-ESN-1',
            kind: 'mechanical',
            twinId: engine.id,
          },
        },
      ],
    });
    expect(installEngine.status, JSON.stringify(installEngine.body)).toBe(200);
    await fly(plane.id, [
      { parameter: 'FC', at: '2024-01-20T00:00:00Z', delta: 9 },
      { parameter: 'FC', at: '2024-02-02T00:00:00Z', reading: 1000 },
      { parameter: 'FC', at: '2024-02-03T00:00:00Z', reading: 1004 },
    ]);
    await change(plane.id, {
      effectiveAt: '2024-03-01T00:00:00Z',
      operations: [{ op: 'remove', position: 'engine-1' }],
    });
    await fly(plane.id, [{ parameter: 'FC', at: '2024-03-02T00:00:00Z', delta: 3 }]);

    // Act
    const disk = await call('GET', '/v1/components/DISK-7/DSK-1/usage?parameter=FC');
    const sheet = await call('GET', `/v1/twins/${engine.id}/llp-status`);

    // Assess: born with the engine's as-built record; only the 4 cycles flown while installed
    expect(disk.body.parameters.FC).toMatchObject({ tsn: 4, complete: true, tsi: 4 });
    expect(sheet.body.items).toMatchObject([
      { serialNumber: 'DSK-1', status: 'ok', limits: [{ remaining: 19996 }] },
    ]);

    // an overhaul of the engine resets its TSO, not its TSN
    await call('POST', '/v1/components/CFM56-5B4/U-ESN-1/overhauls', {
      body: { at: '2024-02-02T12:00:00Z' },
    });
    const esn = await call('GET', '/v1/components/CFM56-5B4/U-ESN-1/usage?parameter=FC');
    expect(esn.body.parameters.FC).toMatchObject({ tsn: 4, tso: 4, complete: false });
  });

  it('refuses bad records, naming the field', async () => {
    const plane = await aircraft('U-BAD');
    expectProblem(
      await fly(plane.id, [{ parameter: 'XX', at: '2024-01-01T00:00:00Z', delta: 1 }]),
      400,
      'body.records[0].parameter',
    );
    expectProblem(
      await fly(plane.id, [{ parameter: 'FH', at: '2024-01-01T00:00:00Z', delta: -1 }]),
      400,
      'body.records[0].delta',
    );
    await fly(plane.id, [{ parameter: 'FC', at: '2024-01-02T00:00:00Z', reading: 10 }]);
    expectProblem(
      await fly(plane.id, [{ parameter: 'FC', at: '2024-01-03T00:00:00Z', reading: 9 }]),
      400,
      'body.records[0].reading',
    );
    expectProblem(await fly(plane.id, [{ parameter: 'FH', at: '2024-01-01T00:00:00Z' }]), 400);
    expect((await call('GET', '/v1/twins/00000000000000000000000000/usage')).status).toBe(404);
  });

  it('takes a month of daily totals in one request, and 60 days as 413 naming the records, writing none', async () => {
    // Prepare
    const plane = await aircraft('U-DAILY');
    const daily = (days: number, from: number) =>
      Array.from({ length: days }, (_, n) => ({
        parameter: 'FH',
        at: new Date(Date.parse('2024-03-01T20:00:00Z') + (from + n) * 86_400_000).toISOString(),
        delta: 2,
      }));
    // Act
    const month = await fly(plane.id, daily(31, 0));
    const twoMonths = await fly(plane.id, daily(60, 31));
    const usage = await call('GET', `/v1/twins/${plane.id}/usage?asOf=2024-12-31T00:00:00Z`);
    // Assess: 31 records + 31 day, 1 month and 1 year items + 2 fit in 100; 60 + 60 + 2 + 1 + 2 do not
    expect(month.status).toBe(201);
    expectProblem(twoMonths, 413, 'body.records');
    expect(usage.body.parameters.FH.total).toBe(62);
  });
});
