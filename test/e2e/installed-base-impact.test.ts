import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamodbCalls } from '../../shared/store/clients';
import { type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

/**
 * An OEM's OTA and bulletin impact over its installed base: two airlines share their aircraft with
 * the OEM (paas, supplier), a third shares through a view that hides the software kind, a fourth
 * only for contracting; the OEM's own tenant is empty.
 */
let api: TestApi;
let oem: Caller;
let oemTenant: string;
const airlines = { a: newTenant('air-a'), b: newTenant('air-b'), hidden: newTenant('air-h') };
const other = newTenant('air-c');
const twinIds: Record<string, string> = {};

async function airline(tenant: string, units: { serial: string; site: string; version: string }[]) {
  const admin = await api.as(tenant, ['admin']);
  for (const { serial, site, version } of units) {
    const record = aircraftRecord(serial, { site });
    const created = await admin('POST', '/v1/twins', { body: record });
    expect(created.status, created.text).toBe(201);
    twinIds[serial] = created.body.id;
    const changed = await admin('POST', `/v1/twins/${created.body.id}/changes`, {
      headers: { 'if-match': '"1"' },
      body: {
        reason: 'OTA',
        operations: [{ op: 'update', position: 'engine-2/fadec/sw', softwareVersion: version }],
      },
    });
    expect(changed.status, changed.text).toBe(200);
  }
  return admin;
}

async function share(admin: Caller, view: object, grant: object) {
  const created = await admin('POST', '/v1/views', { body: view });
  expect(created.status, created.text).toBe(201);
  const granted = await admin('POST', '/v1/grants', {
    body: {
      grantee: oemTenant,
      viewId: created.body.id,
      permissions: ['read'],
      twins: { partNumber: 'A320-214' },
      ...grant,
    },
  });
  expect(granted.status, granted.text).toBe(201);
  return granted.body.id as string;
}

beforeAll(async () => {
  api = await startApi();
  oemTenant = newTenant('oem');
  oem = await api.as(oemTenant, ['viewer']);
  // every aircraft carries FADEC-SW 5.2.1 on engine-1; engine-2 as given
  const a = await airline(airlines.a, [
    { serial: 'A-1', site: 'TLS', version: '5.3.0' },
    { serial: 'A-2', site: 'HAM', version: '6.0.0' },
  ]);
  await share(a, { name: 'oem' }, { purpose: 'paas' });
  const b = await airline(airlines.b, [
    { serial: 'B-1', site: 'TLS', version: '5.2.1' },
    { serial: 'B-2', site: 'JFK', version: '5.2.1' },
  ]);
  // only the TLS unit, and only engine-1
  await share(
    b,
    { name: 'engines', positions: ['engine-1'] },
    { purpose: 'supplier', twins: { site: 'TLS' } },
  );
  const hidden = await airline(airlines.hidden, [{ serial: 'H-1', site: 'TLS', version: '5.2.1' }]);
  await share(hidden, { name: 'hardware', kinds: ['mechanical', 'electrical'] }, { purpose: 'paas' });
  const contracting = await airline(other, [{ serial: 'C-1', site: 'TLS', version: '5.2.1' }]);
  await share(contracting, { name: 'all' }, { purpose: 'contractor' });
}, 120_000);
afterAll(() => api.stop());

const impact = (body: object, query = '') => oem('POST', `/v1/installed-base/impact${query}`, { body });

describe('POST /v1/installed-base/impact', () => {
  it('finds the units of every owner that granted paas or supplier, each through its view', async () => {
    const own = await oem('POST', '/v1/fleet/impact', {
      body: { partNumber: 'FADEC-SW', softwareVersion: '>=5.0.0 <5.4.0' },
    });
    expect(own.body.total).toBe(0);

    const response = await impact({ partNumber: 'FADEC-SW', softwareVersion: '>=5.0.0 <5.4.0' });
    expect(response.status, response.text).toBe(200);
    // a: A-1 engine-1 and engine-2, A-2 engine-1; b: B-1 engine-1 only (view and site); hidden kind: none
    expect(response.body.total).toBe(4);
    expect(response.body.byOwner).toEqual({ [airlines.a]: 3, [airlines.b]: 1 });
    expect(response.body.bySite).toEqual({ TLS: 3, HAM: 1 });
    expect(response.body.byProduct).toEqual({ 'A320-214': 4 });
    const listed = response.body.affected.map(
      (entry: { owner: string; serialNumber: string; path: string }) =>
        `${entry.owner === airlines.a ? 'a' : 'b'}:${entry.serialNumber}:${entry.path}`,
    );
    expect(listed.sort()).toEqual(
      [
        'a:A-1:engine-1/fadec/sw',
        'a:A-1:engine-2/fadec/sw',
        'a:A-2:engine-1/fadec/sw',
        'b:B-1:engine-1/fadec/sw',
      ].sort(),
    );
    expect(JSON.stringify(response.body)).not.toContain('H-1');
    expect(JSON.stringify(response.body)).not.toContain('C-1');
  });

  it('narrows to one owner and pages with exact totals on every page', async () => {
    const body = { partNumber: 'FADEC-SW', softwareVersion: '>=5.0.0 <5.4.0', owner: airlines.a };
    const first = await impact(body, '?limit=2');
    expect(first.status, first.text).toBe(200);
    expect(first.body.total).toBe(3);
    expect(first.body.affected).toHaveLength(2);
    const second = await impact(body, `?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.total).toBe(3);
    expect(second.body.affected).toHaveLength(1);
    expect(second.body.nextCursor).toBeUndefined();
    const seen = [...first.body.affected, ...second.body.affected].map(
      (entry: { twinId: string; path: string }) => `${entry.twinId}:${entry.path}`,
    );
    expect(new Set(seen).size).toBe(3);
    expectProblem(await impact(body, `?cursor=${first.body.nextCursor}x`), 400, 'query.cursor');
  });

  it('never matches a component the view hides, not even counted', async () => {
    const response = await impact({ partNumber: 'FADEC-SW', owner: airlines.hidden });
    expect(response.body).toMatchObject({ total: 0, affected: [], byOwner: {} });
    const hardware = await impact({ partNumber: 'FADEC-3', owner: airlines.hidden });
    expect(hardware.body.total).toBe(2);
  });

  it('reads as many items after the owner adds units that do not match', async () => {
    const body = { partNumber: 'FADEC-SW', softwareVersion: '>=5.0.0 <5.4.0' };
    const itemsRead = async () => {
      const before = dynamodbCalls.itemsRead;
      const answer = await impact(body);
      return { items: dynamodbCalls.itemsRead - before, total: answer.body.total };
    };
    const first = await itemsRead();
    const admin = await api.as(airlines.a, ['admin']);
    for (const serial of ['A-10', 'A-11', 'A-12']) {
      const record = aircraftRecord(serial);
      record.configuration[0]!.children![0]!.children![0]!.component!.softwareVersion = '6.1.0';
      record.configuration[1]!.children![0]!.children![0]!.component!.softwareVersion = '4.0.0';
      expect((await admin('POST', '/v1/twins', { body: record })).status).toBe(201);
    }
    expect(await itemsRead()).toEqual(first);
  });

  it('refuses unknown fields with a problem naming them', async () => {
    expectProblem(await impact({ partNumber: 'FADEC-SW', asOf: '2026-01-01T00:00:00Z' }), 400);
    expectProblem(
      await impact({ partNumber: 'FADEC-SW', softwareVersion: 'not a range' }),
      400,
      'body.softwareVersion',
    );
  });
});

describe('GET /v1/installed-base/installations', () => {
  it('lists the installations across owners, projected', async () => {
    const response = await oem(
      'GET',
      '/v1/installed-base/installations?partNumber=FADEC-SW&softwareVersion=5.2.1',
    );
    expect(response.status, response.text).toBe(200);
    const paths = response.body.items.map(
      (item: { serialNumber: string; path: string }) => `${item.serialNumber}:${item.path}`,
    );
    expect(paths.sort()).toEqual(['A-1:engine-1/fadec/sw', 'A-2:engine-1/fadec/sw', 'B-1:engine-1/fadec/sw']);
    expectProblem(
      await oem('GET', '/v1/installed-base/installations?partNumber=FADEC-SW&asOf=x'),
      400,
      'query.asOf',
    );
  });

  it('tells the owner who looked (access events)', async () => {
    const admin = await api.as(airlines.b, ['admin']);
    const events = await admin('GET', `/v1/events?type=twin.accessed&twinId=${twinIds['B-1']}&settled=false`);
    expect(events.body.items.some((event: { grantee: string }) => event.grantee === oemTenant)).toBe(true);
  });
});

describe('GET /v1/documents/{id}/applicability?scope=installed-base', () => {
  it("applies the OEM's own bulletin to the customers' units it can see", async () => {
    const engineer = await api.as(oemTenant, ['engineer']);
    const bulletin = await engineer('POST', '/v1/documents', {
      body: {
        kind: 'service-bulletin',
        title: 'SB FADEC-SW 5.2.x',
        contentType: 'application/pdf',
        size: 10,
        sha256: 'b'.repeat(64),
        effectivity: { partNumber: 'FADEC-SW', softwareVersions: '>=5.2.0 <5.3.0' },
      },
    });
    expect(bulletin.status, bulletin.text).toBe(201);
    const id = bulletin.body.document.id;
    const own = await engineer('GET', `/v1/documents/${id}/applicability`);
    expect(own.body.total).toBe(0);
    const base = await engineer('GET', `/v1/documents/${id}/applicability?scope=installed-base&limit=2`);
    expect(base.status, base.text).toBe(200);
    expect(base.body.total).toBe(3);
    expect(base.body.byOwner).toEqual({ [airlines.a]: 2, [airlines.b]: 1 });
    expect(base.body.items).toHaveLength(2);
    const rest = await engineer(
      'GET',
      `/v1/documents/${id}/applicability?scope=installed-base&limit=2&cursor=${base.body.nextCursor}`,
    );
    expect(rest.body.items).toHaveLength(1);
    expectProblem(await engineer('GET', `/v1/documents/${id}/applicability?scope=world`), 400, 'query.scope');
  });
});
