import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '../../shared/config';
import type { IngestObservation } from '../../shared/schemas/ingest';
import { ingest, MAX_ATTEMPTS } from '../../shared/services/ingest-service';
import { documentClient } from '../../shared/store/clients';
import { keys } from '../../shared/store/keys';
import { type Caller, startApi, type TestApi } from '../support/api';
import { feedOf } from '../support/feed';
import { aircraftRecord, wideRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';
import { nodeAt } from '../support/tree';

let api: TestApi;
let tenant: string;
let operator: Caller;
let outsider: Caller;
let outsiderTenant: string;

beforeAll(async () => {
  api = await startApi();
  tenant = newTenant('ingest');
  operator = await api.as(tenant, ['technician']);
  outsiderTenant = newTenant('outsider');
  outsider = await api.as(outsiderTenant, ['admin']);
});
afterAll(() => api.stop());

const idempotencyRecordsOf = async (owner: string) =>
  (
    await documentClient().send(
      new QueryCommand({
        TableName: config.tableName(),
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.idempotencyPartition(owner) },
        ConsistentRead: true,
      }),
    )
  ).Items ?? [];

const admin = () => api.as(tenant, ['admin']);
const newAircraft = async (serial: string) =>
  (await (await admin())('POST', '/v1/twins', { body: aircraftRecord(serial) })).body;
const twinOf = async (id: string, caller?: Caller) =>
  (await (caller ?? (await admin()))('GET', `/v1/twins/${id}`)).body;
const post = (caller: Caller, body: unknown, key?: string) =>
  caller('POST', '/v1/ingest', {
    body,
    ...(key === undefined ? {} : { headers: { 'idempotency-key': key } }),
  });

/** What a telematics pipeline reports of one aircraft: one new FADEC software, one new controller, one match. */
const observationsOf = (twinId: string, serial: string): IngestObservation[] => [
  { twinId, path: 'engine-1/fadec/sw', component: { partNumber: 'FADEC-SW', softwareVersion: '5.3.0' } },
  {
    twinId,
    path: 'hvac/controller',
    component: { partNumber: 'HVAC-CTL-9', serialNumber: `${serial}-HVC-NEW` },
  },
  {
    twinId,
    path: 'engine-2/fadec',
    component: { partNumber: 'FADEC-3', serialNumber: `${serial}-FDC-2` },
  },
];

describe('report', () => {
  it('judges each observation and writes nothing', async () => {
    // Prepare
    const twin = await newAircraft('ING-R1');
    const feedBefore = await feedOf(tenant);
    const observations = [
      ...observationsOf(twin.id, 'ING-R1'),
      { twinSerialNumber: 'ING-R1', path: 'cabin', component: { partNumber: 'SEAT-9' } },
    ];
    // Act
    const response = await post(operator, { mode: 'report', observations });
    // Assess
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.results.map((result: { status: string }) => result.status)).toEqual([
      'discrepancy',
      'discrepancy',
      'match',
      'discrepancy',
    ]);
    expect(response.body.results[0]).toMatchObject({
      index: 0,
      twinId: twin.id,
      discrepancy: { kind: 'version-mismatch', expected: { softwareVersion: '5.2.1' } },
    });
    expect(response.body.results[3]).toMatchObject({
      twinId: twin.id,
      discrepancy: { kind: 'unexpected-serial' },
    });
    expect(response.body.counts).toEqual({ match: 1, discrepancy: 3, applied: 0, error: 0 });
    expect((await twinOf(twin.id)).version).toBe(1);
    expect(await feedOf(tenant)).toHaveLength(feedBefore.length);
  });
});

describe('apply', () => {
  it('records exactly the differences, one change set per twin with reason ingest', async () => {
    // Prepare
    const first = await newAircraft('ING-A1');
    const second = await newAircraft('ING-A2');
    const feedBefore = await feedOf(tenant);
    const observations = [
      ...observationsOf(first.id, 'ING-A1'),
      {
        twinSerialNumber: 'ING-A2',
        productPartNumber: 'A320-214',
        path: 'engine-2/fadec/sw',
        component: { partNumber: 'FADEC-SW', softwareVersion: '5.4.0' },
      },
    ];
    // Act
    const response = await post(operator, { mode: 'apply', observations }, ulid());
    // Assess
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.results.map((result: { status: string }) => result.status)).toEqual([
      'applied',
      'applied',
      'match',
      'applied',
    ]);
    const changed = await twinOf(first.id);
    expect(changed.version).toBe(2);
    expect(nodeAt(changed, 'engine-1/fadec/sw')?.component?.softwareVersion).toBe('5.3.0');
    expect(nodeAt(changed, 'hvac/controller')?.component).toMatchObject({
      partNumber: 'HVAC-CTL-9',
      serialNumber: 'ING-A1-HVC-NEW',
      kind: 'electrical',
    });
    expect(nodeAt(changed, 'engine-2/fadec')?.component?.serialNumber).toBe('ING-A1-FDC-2');
    const history = (await (await admin())('GET', `/v1/twins/${first.id}/history`)).body.items;
    expect(history[0]).toMatchObject({
      reason: 'ingest',
      operations: [
        { op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.3.0' },
        { op: 'replace', position: 'hvac/controller' },
      ],
    });
    expect(response.body.results[0].changeSetId).toBe(history[0].id);
    expect(nodeAt(await twinOf(second.id), 'engine-2/fadec/sw')?.component?.softwareVersion).toBe('5.4.0');
    expect((await feedOf(tenant)).length).toBe(feedBefore.length + 2);
  });

  it('replays the stored answer for the same key and body, writing nothing', async () => {
    // Prepare
    const twin = await newAircraft('ING-I1');
    const key = ulid();
    const body = { mode: 'apply', observations: observationsOf(twin.id, 'ING-I1') };
    const first = await post(operator, body, key);
    const feedAfterFirst = await feedOf(tenant);
    // Act
    const again = await post(operator, body, key);
    // Assess
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect((await twinOf(twin.id)).version).toBe(2);
    expect(await feedOf(tenant)).toHaveLength(feedAfterFirst.length);
    const records = await idempotencyRecordsOf(tenant);
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((record) => record.SK.startsWith('ingest#') && record.status === 'COMPLETED')).toBe(
      true,
    );
    expect(records[0]!.expiresAt).toBeGreaterThan(Date.now() / 1000 + 23 * 3600);
  });

  it('stores and replays an answer larger than a DynamoDB item (1,000 long discrepancies)', async () => {
    // Prepare: 1,000 positions whose part and serial numbers are as long as allowed
    const long = (label: string, index: number) => `${label}-${index}-`.padEnd(128, 'x');
    const record = wideRecord('ING-BIG', 1000);
    record.configuration = record.configuration.map((node, index) => ({
      ...node,
      component: {
        partNumber: long('PN', index),
        serialNumber: long('SN', index),
        kind: 'mechanical' as const,
      },
    }));
    const twin = (await (await admin())('POST', '/v1/twins', { body: record })).body;
    const observations = Array.from({ length: 1000 }, (_, index) => ({
      twinId: twin.id,
      path: `p-${index}`,
      component: {
        partNumber: long('PN', index),
        serialNumber: long('OTHER', index),
        softwareVersion: '1'.repeat(64),
      },
    }));
    const key = ulid();
    // Act
    const first = await post(operator, { mode: 'apply', observations }, key);
    const again = await post(operator, { mode: 'apply', observations }, key);
    // Assess: one twin cannot take 1,000 replacements in one transaction: each item says so
    expect(first.status, JSON.stringify(first.body).slice(0, 500)).toBe(200);
    expect(JSON.stringify(first.body).length).toBeGreaterThan(400 * 1024);
    expect(first.body.counts).toEqual({ match: 0, discrepancy: 0, applied: 0, error: 1000 });
    expect(first.body.results[0].detail).toMatch(/^not applied: This change set needs \d+ writes/);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect((await twinOf(twin.id)).version).toBe(1);
  });

  it('answers 422 to the same key with another body, and writes nothing', async () => {
    // Prepare
    const twin = await newAircraft('ING-I2');
    const key = ulid();
    await post(operator, { mode: 'apply', observations: observationsOf(twin.id, 'ING-I2').slice(0, 1) }, key);
    // Act
    const other = await post(
      operator,
      { mode: 'apply', observations: observationsOf(twin.id, 'ING-I2') },
      key,
    );
    // Assess
    expectProblem(other, 422, 'headers.idempotency-key');
    expect((await twinOf(twin.id)).version).toBe(2);
    expect(nodeAt(await twinOf(twin.id), 'hvac/controller')?.component?.serialNumber).toBe('ING-I2-HVC');
  });

  it('refuses apply without an Idempotency-Key, naming the header', async () => {
    const twin = await newAircraft('ING-K1');
    const response = await post(operator, { mode: 'apply', observations: observationsOf(twin.id, 'ING-K1') });
    expectProblem(response, 400, 'headers.idempotency-key');
    expect((await twinOf(twin.id)).version).toBe(1);
  });

  it('reports unknown twins and positions per item and applies the rest', async () => {
    // Prepare
    const twin = await newAircraft('ING-E1');
    const observations = [
      { twinId: ulid(), path: 'engine-1', component: { partNumber: 'CFM56-5B4' } },
      { twinId: twin.id, path: 'engine-9/fadec', component: { partNumber: 'FADEC-3' } },
      { twinSerialNumber: 'NO-SUCH-SERIAL', path: 'engine-1', component: { partNumber: 'CFM56-5B4' } },
      {
        twinId: twin.id,
        path: 'engine-1/fadec/sw',
        component: { partNumber: 'FADEC-SW', softwareVersion: '6.0.0' },
      },
      {
        twinId: twin.id,
        path: 'engine-1/fadec/sw',
        component: { partNumber: 'FADEC-SW', softwareVersion: '6.1.0' },
      },
    ];
    // Act
    const response = await post(operator, { mode: 'apply', observations }, ulid());
    // Assess
    expect(response.status).toBe(200);
    const [unknownTwin, unknownPosition, unknownSerial, applied, duplicate] = response.body.results;
    expect(unknownTwin).toMatchObject({
      index: 0,
      status: 'error',
      detail: expect.stringMatching(/^no twin /),
    });
    expect(unknownPosition).toMatchObject({
      status: 'error',
      detail: 'the twin has no position engine-9/fadec',
    });
    expect(unknownSerial).toMatchObject({
      status: 'error',
      detail: 'no twin with serial number NO-SUCH-SERIAL',
    });
    expect(applied).toMatchObject({ status: 'applied' });
    expect(duplicate).toMatchObject({ status: 'error', detail: expect.stringContaining('observations[3]') });
    expect(nodeAt(await twinOf(twin.id), 'engine-1/fadec/sw')?.component?.softwareVersion).toBe('6.0.0');
  });

  it('refuses a component installed in another twin for that item alone', async () => {
    // Prepare
    const donor = await newAircraft('ING-C1');
    const twin = await newAircraft('ING-C2');
    const observations = [
      {
        twinId: twin.id,
        path: 'hvac/controller',
        component: { partNumber: 'HVAC-CTL-9', serialNumber: 'ING-C1-HVC' },
      },
      {
        twinId: twin.id,
        path: 'engine-1/fadec/sw',
        component: { partNumber: 'FADEC-SW', softwareVersion: '5.9.0' },
      },
    ];
    // Act
    const response = await post(operator, { mode: 'apply', observations }, ulid());
    // Assess
    expect(response.body.results[0]).toMatchObject({
      status: 'error',
      detail: expect.stringContaining(`installed at hvac/controller of twin ${donor.id}`),
    });
    expect(response.body.results[1]).toMatchObject({ status: 'applied' });
    expect((await twinOf(twin.id)).version).toBe(2);
  });

  it('applies through a concurrent change of the twin by planning again', async () => {
    // Prepare
    const twin = await newAircraft('ING-CC1');
    const engineer = await admin();
    let interfered = 0;
    // Act
    const answer = await ingest(
      tenant,
      { mode: 'apply', observations: observationsOf(twin.id, 'ING-CC1') },
      {
        mode: 'apply',
        now: new Date(),
        actor: { sub: 'test', tenant },
        beforeWrite: async (twinId, attempt) => {
          if (attempt > 1) return;
          interfered++;
          const current = await twinOf(twinId);
          const change = await engineer('POST', `/v1/twins/${twinId}/changes`, {
            headers: { 'if-match': `"${current.version}"` },
            body: {
              reason: 'meanwhile',
              operations: [{ op: 'update', position: 'engine-2/fadec/sw', softwareVersion: '5.2.2' }],
            },
          });
          expect(change.status).toBe(200);
        },
      },
    );
    // Assess
    expect(interfered).toBe(1);
    expect(answer.results.map((result) => result.status)).toEqual(['applied', 'applied', 'match']);
    const changed = await twinOf(twin.id);
    expect(changed.version).toBe(3);
    expect(nodeAt(changed, 'engine-2/fadec/sw')?.component?.softwareVersion).toBe('5.2.2');
    expect(nodeAt(changed, 'engine-1/fadec/sw')?.component?.softwareVersion).toBe('5.3.0');
  });
});

describe('a twin that keeps changing', () => {
  it('gives up after a few attempts with a per-item error, writing nothing of the ingest', async () => {
    // Prepare
    const twin = await newAircraft('ING-CC2');
    const engineer = await admin();
    let attempts = 0;
    // Act
    const answer = await ingest(
      tenant,
      { mode: 'apply', observations: observationsOf(twin.id, 'ING-CC2') },
      {
        mode: 'apply',
        now: new Date(),
        actor: { sub: 'test', tenant },
        beforeWrite: async (twinId) => {
          attempts++;
          const current = await twinOf(twinId);
          await engineer('POST', `/v1/twins/${twinId}/changes`, {
            headers: { 'if-match': `"${current.version}"` },
            body: {
              reason: 'meanwhile',
              operations: [
                { op: 'update', position: 'engine-2/fadec/sw', softwareVersion: `5.2.${attempts}` },
              ],
            },
          });
        },
      },
    );
    // Assess
    expect(attempts).toBe(MAX_ATTEMPTS);
    expect(answer.results.map((result) => result.status)).toEqual(['error', 'error', 'match']);
    expect(answer.results[0]?.detail).toContain('kept changing');
    const changed = await twinOf(twin.id);
    expect(changed.version).toBe(1 + MAX_ATTEMPTS);
    expect(nodeAt(changed, 'engine-1/fadec/sw')?.component?.softwareVersion).toBe('5.2.1');
  });
});

describe('bad input', () => {
  it('refuses more than 1,000 observations, naming the field', async () => {
    const observations = Array.from({ length: 1001 }, () => ({
      twinId: ulid(),
      path: 'engine-1',
      component: { partNumber: 'CFM56-5B4' },
    }));
    const response = await post(operator, { mode: 'report', observations });
    expectProblem(response, 400, 'body.observations');
  });

  it('names a bad observation field and an observation naming no twin', async () => {
    const response = await post(operator, {
      mode: 'report',
      observations: [
        { twinId: ulid(), path: 'Engine 1', component: { partNumber: 'X' } },
        { path: 'engine-1', component: { partNumber: 'X' } },
      ],
    });
    expectProblem(response, 400, 'body.observations[0].path');
    expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(
      'body.observations[1]',
    );
  });

  it('refuses a reader', async () => {
    const viewer = await api.as(tenant, ['viewer']);
    expectProblem(await post(viewer, { mode: 'report', observations: [] }), 403);
  });
});

describe('isolation', () => {
  it("another tenant's observations of my twins are 'not found', as for a missing twin", async () => {
    // Prepare
    const twin = await newAircraft('ING-ISO1');
    const missing = ulid();
    const observations = (twinId: string) => [
      { twinId, path: 'engine-1/fadec/sw', component: { partNumber: 'FADEC-SW', softwareVersion: '9.9.9' } },
    ];
    // Act
    const reported = await post(outsider, { mode: 'report', observations: observations(twin.id) });
    const applied = await post(outsider, { mode: 'apply', observations: observations(twin.id) }, ulid());
    const bySerial = await post(outsider, {
      mode: 'report',
      observations: [
        { twinSerialNumber: 'ING-ISO1', path: 'engine-1', component: { partNumber: 'CFM56-5B4' } },
      ],
    });
    const missingTwin = await post(outsider, { mode: 'report', observations: observations(missing) });
    // Assess
    expect(reported.body.results).toEqual([{ index: 0, status: 'error', detail: `no twin ${twin.id}` }]);
    expect(applied.body.results).toEqual([{ index: 0, status: 'error', detail: `no twin ${twin.id}` }]);
    expect(missingTwin.body.results).toEqual([{ index: 0, status: 'error', detail: `no twin ${missing}` }]);
    expect(bySerial.body.results).toEqual([
      { index: 0, status: 'error', detail: 'no twin with serial number ING-ISO1' },
    ]);
    expect(JSON.stringify([reported.body, applied.body, bySerial.body])).not.toContain('5.2.1');
    expect((await twinOf(twin.id)).version).toBe(1);
  });

  it("does not replay one tenant's answer for another tenant's same key", async () => {
    // Prepare
    const key = ulid();
    const mine = await newAircraft('ING-ISO2');
    const theirs = (await outsider('POST', '/v1/twins', { body: aircraftRecord('ING-ISO2') })).body;
    const body = (twinId: string) => ({
      mode: 'apply',
      observations: observationsOf(twinId, 'ING-ISO2').slice(0, 1),
    });
    // Act
    const first = await post(operator, body(mine.id), key);
    const second = await post(outsider, body(theirs.id), key);
    // Assess
    expect(first.body.results[0]).toMatchObject({ status: 'applied', twinId: mine.id });
    expect(second.status).toBe(200);
    expect(second.body.results[0]).toMatchObject({ status: 'applied', twinId: theirs.id });
    expect((await twinOf(theirs.id, outsider)).version).toBe(2);
  });
});

describe('a technician whose role view shows only the HVAC', () => {
  it('neither sees nor changes what the view hides', async () => {
    // Prepare
    const owner = newTenant('ingest-view');
    const ownerAdmin = await api.as(owner, ['admin']);
    const twin = (await ownerAdmin('POST', '/v1/twins', { body: aircraftRecord('ING-V1') })).body;
    const view = (await ownerAdmin('POST', '/v1/views', { body: { name: 'hvac', positions: ['hvac'] } }))
      .body;
    expect((await ownerAdmin('PUT', '/v1/role-views/technician', { body: { viewId: view.id } })).status).toBe(
      200,
    );
    const technician = await api.as(owner, ['technician']);
    const observations = [
      {
        twinId: twin.id,
        path: 'engine-1/fadec/sw',
        component: { partNumber: 'FADEC-SW', softwareVersion: '9.0.0' },
      },
      {
        twinId: twin.id,
        path: 'hvac/controller',
        component: { partNumber: 'HVAC-CTL-9', serialNumber: 'ING-V1-NEW' },
      },
    ];
    // Act
    const reported = await post(technician, { mode: 'report', observations: observations });
    const applied = await post(technician, { mode: 'apply', observations: observations }, ulid());
    // Assess
    expect(reported.body.results[0]).toEqual({
      index: 0,
      twinId: twin.id,
      status: 'error',
      detail: 'the twin has no position engine-1/fadec/sw',
    });
    expect(reported.body.results[1]).toMatchObject({
      status: 'discrepancy',
      discrepancy: { kind: 'unexpected-serial' },
    });
    expect(JSON.stringify([reported.body, applied.body])).not.toMatch(/5\.2\.1|CFM56|ESN/);
    expect(applied.body.results.map((result: { status: string }) => result.status)).toEqual([
      'error',
      'applied',
    ]);
    const changed = (await ownerAdmin('GET', `/v1/twins/${twin.id}`)).body;
    expect(nodeAt(changed, 'engine-1/fadec/sw')?.component?.softwareVersion).toBe('5.2.1');
    expect(nodeAt(changed, 'hvac/controller')?.component?.serialNumber).toBe('ING-V1-NEW');
  });
});
