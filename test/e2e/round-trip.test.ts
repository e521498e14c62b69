import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, type Caller, must, startApi, type TestApi } from '../support/api';
import { aircraftRecord, wideRecord } from '../support/fixtures';
import { expectProblem } from '../support/problems';
import { newTenant } from '../support/tenants';

let api: TestApi;
let source: Caller;
let target: Caller;

beforeAll(async () => {
  api = await startApi();
  source = await api.as(newTenant('source'), ['admin']);
  target = await api.as(newTenant('empty'), ['admin']);
});
afterAll(() => api.stop());

type Json = ApiResponse['body'];

/**
 * A twin with a life: nested positions, a back-dated replacement, software updates, a position
 * added and a component moved into another, a change recorded after a later-effective one, a
 * lifecycle move, two baselines, an inspection, document links on the twin and a position.
 */
async function twinWithALife(serial: string) {
  const twin = await must(source('POST', '/v1/twins', { body: aircraftRecord(serial) }), 201);
  let version = 1;
  const change = async (body: unknown) => {
    const changed = await must(
      source('POST', `/v1/twins/${twin.id}/changes`, { body, headers: { 'if-match': `"${version}"` } }),
    );
    version = changed.version;
  };
  await change({
    reason: 'HVAC controller failure',
    workOrder: 'WO-1',
    effectiveAt: '2025-01-10T10:00:00Z',
    operations: [
      {
        op: 'replace',
        position: 'hvac/controller',
        component: { partNumber: 'HVAC-CTL-9', serialNumber: `${serial}-HVC-2`, kind: 'electrical' },
      },
    ],
  });
  await change({
    reason: 'FADEC SB 73-0042',
    effectiveAt: '2025-02-01T00:00:00Z',
    operations: [{ op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.3.0' }],
  });
  await change({
    reason: 'galley retrofit',
    effectiveAt: '2025-03-01T00:00:00Z',
    operations: [
      { op: 'add-position', position: 'cabin/galley', name: 'Galley' },
      {
        op: 'install',
        position: 'cabin/galley',
        component: { partNumber: 'GALLEY-2', serialNumber: `${serial}-GAL`, kind: 'mechanical' },
      },
    ],
  });
  await change({
    reason: 'galley moved to the cabin slot',
    effectiveAt: '2025-04-01T00:00:00Z',
    operations: [
      { op: 'move', from: 'cabin/galley', to: 'cabin' },
      { op: 'remove-position', position: 'cabin/galley' },
    ],
  });
  // recorded after the move, effective before it: the past changes for later record times only
  await change({
    reason: 'late paperwork: FADEC 2 was swapped in January',
    effectiveAt: '2025-01-20T00:00:00Z',
    operations: [
      {
        op: 'replace',
        position: 'engine-2/fadec',
        component: {
          partNumber: 'FADEC-3',
          serialNumber: `${serial}-FDC-9`,
          kind: 'electrical',
          revision: 'D',
        },
      },
    ],
  });
  await change({
    reason: 'OTA',
    operations: [{ op: 'update', position: 'engine-2/fadec/sw', softwareVersion: '5.4.0-rc.1' }],
  });
  // the twin's own fields travel in time too: a back-dated edit of site and attributes
  version = (
    await must(
      source('PATCH', `/v1/twins/${twin.id}`, {
        body: {
          site: 'HAM',
          attributes: { operator: null, livery: 'blue' },
          reason: 'ferried to Hamburg',
          effectiveAt: '2025-04-15T00:00:00Z',
        },
        headers: { 'if-match': `"${version}"` },
      }),
    )
  ).version;
  await change({ reason: 'delivered', operations: [{ op: 'lifecycle', to: 'delivered' }] });
  await must(
    source('POST', `/v1/twins/${twin.id}/baselines`, {
      body: { name: 'january', at: '2025-01-15T00:00:00Z' },
    }),
    201,
  );
  await must(source('POST', `/v1/twins/${twin.id}/baselines`, { body: { name: 'delivery' } }), 201);
  await must(
    source('POST', `/v1/twins/${twin.id}/inspections`, {
      body: {
        performedAt: '2025-02-15T00:00:00Z',
        inspector: 'A. Crew',
        findings: 'engine 1 as recorded, FADEC software one behind',
        observed: [
          { path: 'engine-1', serialNumber: `${serial}-ESN-1` },
          { path: 'engine-1/fadec/sw', softwareVersion: '5.2.1' },
        ],
      },
    }),
    201,
  );
  const document = async (kind: string, title: string) =>
    (
      await must(
        source('POST', '/v1/documents', {
          body: { kind, title, contentType: 'application/pdf', size: 10, sha256: 'd'.repeat(64) },
        }),
        201,
      )
    ).document;
  const manual = await document('manual', 'Engine manual');
  const certificate = await document('certificate', 'Airworthiness certificate');
  await must(
    source('POST', `/v1/twins/${twin.id}/links`, { body: { documentId: manual.id, position: 'engine-1' } }),
    201,
  );
  await must(source('POST', `/v1/twins/${twin.id}/links`, { body: { documentId: certificate.id } }), 201);
  return twin.id as string;
}

/** The export with every id of the copy replaced by the source's, and the parts that name the exchange left out. */
function comparable(exported: Json, copyToSource: Map<string, string> = new Map()) {
  let text = JSON.stringify(exported);
  for (const [copy, original] of copyToSource) text = text.split(copy).join(original);
  const { exportedAt: _at, source: _source, asOf: _asOf, knownAt: _knownAt, ...rest } = JSON.parse(text);
  const strip = ({ importedFrom: _from, ...record }: Record<string, unknown>) => record;
  return {
    ...rest,
    twin: strip(rest.twin),
    record: strip(rest.record),
    documents: rest.documents.map(strip),
  };
}

describe('export → import into an empty tenant → export', () => {
  it('is identical apart from ids, and both twins answer every asOf/knownAt the same', async () => {
    // Prepare
    const sourceId = await twinWithALife('RT-1');
    const first = await must(source('GET', `/v1/twins/${sourceId}/export`));
    // Act
    const imported = await must(target('POST', '/v1/imports', { body: first }), 201);
    const copyId = imported.twin.id as string;
    const second = await must(target('GET', `/v1/twins/${copyId}/export`));
    // Assess
    expect(copyId).not.toBe(sourceId);
    expect(imported.mapping.twins).toEqual({ [sourceId]: copyId });
    const copyToSource = new Map<string, string>();
    for (const kind of ['twins', 'changeSets', 'baselines', 'inspections', 'documents'])
      for (const [from, to] of Object.entries(imported.mapping[kind] as Record<string, string>))
        copyToSource.set(to, from);
    expect(copyToSource.size).toBe(1 + 9 + 2 + 1 + 2);
    expect(comparable(second, copyToSource)).toEqual(comparable(first));
    expect(second.record.importedFrom).toMatchObject({ twinId: sourceId, exportedAt: first.exportedAt });
    expect(second.positions.some((position: { closedAt?: string }) => position.closedAt)).toBe(true);
    expect(second.twinFields.map((fields: { site: string }) => fields.site)).toEqual(['TLS', 'HAM']);
    // the copy's baseline names are taken as in the source; a new name is not
    const taken = await target('POST', `/v1/twins/${copyId}/baselines`, { body: { name: 'delivery' } });
    expectProblem(taken, 409, 'body.name');
    await must(target('POST', `/v1/twins/${copyId}/baselines`, { body: { name: 'after import' } }), 201);

    // the record times were kept: both twins answer the same at any (asOf, knownAt)
    const recordTimes: string[] = first.changeSets.map(
      (changeSet: { recordedAt: string }) => changeSet.recordedAt,
    );
    const validTimes: string[] = first.changeSets.map(
      (changeSet: { effectiveAt: string }) => changeSet.effectiveAt,
    );
    const around = (times: string[]) =>
      fc.oneof(
        fc.constantFrom(...times),
        fc.constantFrom(...times).map((time) => new Date(Date.parse(time) - 1).toISOString()),
        fc
          .date({
            min: new Date('2024-04-01T00:00:00Z'),
            max: new Date(Date.now() + 60_000),
            noInvalidDate: true,
          })
          .map((date) => date.toISOString()),
      );
    const pairs = fc.sample(fc.tuple(around(validTimes), around(recordTimes)), { numRuns: 50, seed: 7 });
    let answered = 0;
    for (const [asOf, knownAt] of pairs) {
      const query = `asOf=${encodeURIComponent(asOf)}&knownAt=${encodeURIComponent(knownAt)}`;
      const [original, copy] = await Promise.all([
        source('GET', `/v1/twins/${sourceId}?${query}`),
        target('GET', `/v1/twins/${copyId}?${query}`),
      ]);
      expect(copy.status, `${query}: ${JSON.stringify(copy.body)}`).toBe(original.status);
      if (original.status !== 200) continue;
      answered++;
      expect(copy.body.configuration, query).toEqual(original.body.configuration);
      expect(copy.body.lifecycle, query).toBe(original.body.lifecycle);
      expect([copy.body.site, copy.body.attributes], query).toEqual([
        original.body.site,
        original.body.attributes,
      ]);
    }
    expect(answered).toBeGreaterThan(20);
  }, 120_000);

  it('answers a second import of the same export with the first copy, and writes nothing', async () => {
    // Prepare
    const sourceId = await twinWithALife('RT-2');
    const exported = await must(source('GET', `/v1/twins/${sourceId}/export`));
    const first = await must(target('POST', '/v1/imports', { body: exported }), 201);
    // Act
    const again = await must(target('POST', '/v1/imports', { body: exported }));
    // Assess
    expect(again.replayed).toBe(true);
    expect(again.twin.id).toBe(first.twin.id);
    expect(again.mapping).toEqual(first.mapping);
    const listed = await must(target('GET', '/v1/twins?serialNumber=RT-2'));
    expect(listed.items).toHaveLength(1);
  }, 60_000);

  it('refuses a copy whose product serial the tenant already has from elsewhere (409), and writes nothing', async () => {
    // Prepare
    const exported = await must(
      source(
        'GET',
        `/v1/twins/${(await must(source('POST', '/v1/twins', { body: aircraftRecord('RT-3') }), 201)).id}/export`,
      ),
    );
    const other = await api.as(newTenant('holder'), ['admin']);
    await must(other('POST', '/v1/twins', { body: aircraftRecord('RT-3') }), 201);
    // Act
    const refused = await other('POST', '/v1/imports', { body: exported });
    // Assess
    expectProblem(refused, 409, 'body.serialNumber');
    expect((await must(other('GET', '/v1/twins?serialNumber=RT-3'))).items).toHaveLength(1);
    expect((await must(other('GET', '/v1/documents'))).items).toHaveLength(0);
  });

  it('refuses an export whose intervals no store could hold, naming the field', async () => {
    // Prepare
    const exported = await must(
      source(
        'GET',
        `/v1/twins/${(await must(source('POST', '/v1/twins', { body: aircraftRecord('RT-4') }), 201)).id}/export`,
      ),
    );
    const open = exported.installations.find((installation: Json) => installation.path === 'hvac/controller');
    const twice = {
      ...exported,
      installations: [...exported.installations, { ...open, validFrom: '2025-01-01T00:00:00.000Z' }],
    };
    const tampered = { ...exported, source: { ...exported.source, tenant: 'nowhere#else' } };
    // Act
    const inconsistent = await target('POST', '/v1/imports', { body: twice });
    const badSource = await target('POST', '/v1/imports', { body: tampered });
    const engineer = await api.as(newTenant('engineers'), ['engineer']);
    const notAdmin = await engineer('POST', '/v1/imports', { body: exported });
    // Assess
    expectProblem(inconsistent, 400, `body.installations[${exported.installations.length}].path`);
    expectProblem(badSource, 400, 'body.source.tenant');
    expectProblem(notAdmin, 403);
  });

  it('writes a large copy in several transactions, visible only once complete', async () => {
    // Prepare
    const created = await must(source('POST', '/v1/twins', { body: wideRecord('RT-WIDE', 150) }), 201);
    const exported = await must(source('GET', `/v1/twins/${created.id}/export`));
    // Act
    const imported = await must(target('POST', '/v1/imports', { body: exported }), 201);
    // Assess
    expect(imported.transactions).toBeGreaterThan(1);
    expect(imported.twin.configuration).toHaveLength(150);
    const copy = await must(target('GET', `/v1/twins/${imported.twin.id}/export`));
    expect(copy.installations).toHaveLength(150);
    const trace = await must(target('GET', '/v1/components/SERVO/RT-WIDE-S7'));
    expect(trace.installations).toEqual([
      { twinId: imported.twin.id, path: 'p-7', validFrom: exported.record.builtAt, validTo: null },
    ]);
  }, 60_000);
});
