import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

/** Usage records through /v1/ingest: checked like POST /v1/twins/{id}/usage, report or apply, per-record results. */
let api: TestApi;
let admin: Caller;
let tenant: string;

beforeAll(async () => {
  api = await startApi();
  tenant = newTenant('ingest-usage');
  admin = await api.as(tenant, ['admin']);
  for (const [name, unit] of [
    ['FH', 'h'],
    ['FC', 'cycles'],
  ])
    expect((await admin('PUT', `/v1/usage-parameters/${name}`, { body: { unit } })).status).toBe(200);
});
afterAll(() => api.stop());

const aircraft = async (serial: string) =>
  (await admin('POST', '/v1/twins', { body: aircraftRecord(serial) })).body as { id: string };
const post = (body: unknown, key?: string, caller = admin) =>
  caller('POST', '/v1/ingest', {
    body,
    ...(key === undefined ? {} : { headers: { 'idempotency-key': key } }),
  });
const totalOf = async (twinId: string, parameter: string) =>
  (await admin('GET', `/v1/twins/${twinId}/usage`)).body.parameters[parameter]?.total;

describe('usage records through /v1/ingest', () => {
  it('checks in report, records in apply (by id or serial number), replays the same key and refuses another body', async () => {
    // Prepare
    const a1 = await aircraft('IU-1');
    await aircraft('IU-2');
    const usage = [
      { twinId: a1.id, parameter: 'FH', at: '2024-05-01T10:00:00Z', delta: 2.5, ref: 'AC1' },
      { twinSerialNumber: 'IU-2', parameter: 'FC', at: '2024-05-01T12:00:00Z', delta: 1 },
      { twinId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', parameter: 'FH', at: '2024-05-01T10:00:00Z', delta: 1 },
      { twinId: a1.id, parameter: 'FH', at: '2024-05-02T10:00:00Z', reading: 100 },
    ];
    // Act: report writes nothing
    const report = await post({ mode: 'report', usage });
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    expect(report.body.usage.counts).toEqual({ valid: 3, recorded: 0, error: 1 });
    expect(report.body.usage.results.map((result: { status: string }) => result.status)).toEqual([
      'valid',
      'valid',
      'error',
      'valid',
    ]);
    expect(report.body.usage.results[2].detail).toContain('01ARZ3NDEKTSV4RRFFQ69G5FAV');
    expect(await totalOf(a1.id, 'FH')).toBeUndefined();
    // apply records, once per key
    const applied = await post({ mode: 'apply', usage }, 'flight-log-0501');
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    expect(applied.body.usage.counts).toEqual({ valid: 0, recorded: 3, error: 1 });
    expect(applied.body.usage.results[0]).toMatchObject({ status: 'recorded', twinId: a1.id });
    const replay = await post({ mode: 'apply', usage }, 'flight-log-0501');
    expect(replay.body).toEqual(applied.body);
    expect(await totalOf(a1.id, 'FH')).toBe(2.5);
    expectProblem(await post({ mode: 'apply', usage: usage.slice(0, 1) }, 'flight-log-0501'), 422);
    expectProblem(await post({ mode: 'apply', usage }), 400);
  });

  it('answers 400 naming the bad record and writes nothing, observations of the same request included', async () => {
    // Prepare
    const a3 = await aircraft('IU-3');
    const twin = (await admin('GET', `/v1/twins/${a3.id}`)).body;
    const observation = {
      twinId: a3.id,
      path: 'engine-1/fadec/sw',
      component: { partNumber: 'FADEC-SW', softwareVersion: '9.9.9' },
    };
    const good = { twinId: a3.id, parameter: 'FH', at: '2024-05-01T10:00:00Z', delta: 1 };
    // Act and assess
    const cases: [unknown, string][] = [
      [{ ...good, delta: -1 }, 'body.usage[1].delta'],
      [{ ...good, parameter: 'NOPE' }, 'body.usage[1].parameter'],
      [{ ...good, reading: 5 }, 'body.usage[1]'],
      [{ ...good, at: 'yesterday' }, 'body.usage[1].at'],
    ];
    for (const [bad, field] of cases)
      expectProblem(
        await post({ mode: 'apply', observations: [observation], usage: [good, bad] }, `bad-${field}`),
        400,
        field,
      );
    // a reading below the meter's last
    await post({ mode: 'apply', usage: [{ ...good, delta: undefined, reading: 50 }] }, 'meter-50');
    expectProblem(
      await post({
        mode: 'report',
        usage: [{ ...good, delta: undefined, at: '2024-05-03T00:00:00Z', reading: 40 }],
      }),
      400,
      'body.usage[0].reading',
    );
    expect(await totalOf(a3.id, 'FH')).toBe(0);
    expect((await admin('GET', `/v1/twins/${a3.id}`)).body.version).toBe(twin.version);
  });

  it('splits many records of one unit into transactions that fit, and refuses roles whose view hides usage', async () => {
    // Prepare: monthly totals over eight years (96 records, 96 months)
    const a4 = await aircraft('IU-4');
    const usage = Array.from({ length: 96 }, (_, month) => ({
      twinId: a4.id,
      parameter: 'FH',
      at: new Date(Date.UTC(2016, month, 28)).toISOString(),
      delta: 10,
    }));
    // Act
    const applied = await post({ mode: 'apply', usage }, 'monthly-totals');
    // Assess
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    expect(applied.body.usage.counts.recorded).toBe(96);
    expect(await totalOf(a4.id, 'FH')).toBe(960);
    const view = await admin('POST', '/v1/views', { body: { name: 'no usage' } });
    await admin('PUT', '/v1/role-views/technician', { body: { viewId: view.body.id } });
    const technician = await api.as(tenant, ['technician']);
    expectProblem(await post({ mode: 'report', usage: usage.slice(0, 1) }, undefined, technician), 403);
  });
});
