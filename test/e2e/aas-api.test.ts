import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AasApiSchema, aasApiMismatches } from '../support/aas-api-schemas';
import { type ApiResponse, type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord } from '../support/fixtures';
import { newTenant } from '../support/tenants';

// biome-ignore lint/suspicious/noExplicitAny: AAS JSON is walked freely; the AAS API schemas check its shape
type Json = Record<string, any>;

let api: TestApi;
let owner: Caller;
let ownerTenant: string;
let twin: Json;
const YEAR_AGO = new Date(Date.now() - 365 * 86_400_000).toISOString();
const CHANGED_AT = new Date(Date.now() - 100 * 86_400_000).toISOString();
const HSEBOM = 'https://admin-shell.io/idta/HierarchicalStructures/1/1/Submodel';

const b64 = (id: string) => Buffer.from(id).toString('base64url');

/** A GET of the AAS API whose answer validates against the AAS API's own schema for it. */
async function aas(caller: Caller, path: string, schema: AasApiSchema, status = 200): Promise<ApiResponse> {
  const response = await caller('GET', path);
  expect(response.status, response.text.slice(0, 400)).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(aasApiMismatches(schema, response.body), response.text.slice(0, 400)).toEqual([]);
  return response;
}

/** Every page of a paged AAS list, following paging_metadata.cursor. */
async function allPages(caller: Caller, path: string, schema: AasApiSchema): Promise<Json[]> {
  const items: Json[] = [];
  let cursor: string | undefined;
  do {
    const page = await aas(caller, `${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, schema);
    items.push(...page.body.result);
    cursor = page.body.paging_metadata.cursor;
  } while (cursor !== undefined);
  return items;
}

/** path → part number, serial, revision, software version, from the bill of material's entities. */
function bomRows(submodel: Json): string[] {
  const rows: string[] = [];
  const value = (statements: Json[], idShort: string) =>
    statements.find((statement) => statement.idShort === idShort)?.value ?? '';
  const walk = (statements: Json[] = []) => {
    for (const entity of statements.filter((statement) => statement.modelType === 'Entity')) {
      const own: Json[] = entity.statements ?? [];
      rows.push(
        ['Path', 'PartNumber', 'SerialNumber', 'Revision', 'SoftwareVersion']
          .map((name) => value(own, name))
          .join('|'),
      );
      walk(own);
    }
  };
  walk(submodel.submodelElements.find((element: Json) => element.idShort === 'EntryNode').statements);
  return rows.sort();
}

/** The same rows from a twin of the JSON API. */
function treeRows(nodes: Json[]): string[] {
  return nodes
    .flatMap((node) => [
      [
        node.path,
        node.component?.partNumber ?? '',
        node.component?.serialNumber ?? '',
        node.component?.revision ?? '',
        node.component?.softwareVersion ?? '',
      ].join('|'),
      ...treeRows(node.children),
    ])
    .sort();
}

beforeAll(async () => {
  process.env.EVENTS_SETTLE_MS = '0';
  api = await startApi();
  ownerTenant = newTenant('aas-api');
  owner = await api.as(ownerTenant, ['admin']);
  twin = (await owner('POST', '/v1/twins', { body: aircraftRecord('AASAPI-1') })).body;
  await owner('POST', '/v1/twins', { body: aircraftRecord('AASAPI-2') });
  const changed = await owner('POST', `/v1/twins/${twin.id}/changes`, {
    headers: { 'if-match': '"1"' },
    body: {
      reason: 'FADEC swap',
      effectiveAt: CHANGED_AT,
      operations: [
        {
          op: 'replace',
          position: 'engine-1/fadec',
          component: {
            partNumber: 'FADEC-3',
            serialNumber: 'AASAPI-1-FDC-NEW',
            kind: 'electrical',
            revision: 'D',
          },
        },
        { op: 'update', position: 'engine-1/fadec/sw', softwareVersion: '5.3.0' },
      ],
    },
  });
  expect(changed.status, changed.text).toBe(200);
}, 60_000);
afterAll(() => api.stop());

describe('the AAS API read profile', () => {
  it('answers a scripted walk: list shells, open one, read the BOM submodel, read it as of a year ago, as GET /v1/twins/{id}?asOf= says', async () => {
    // Act: list the shells page by page, open ours
    const shells = await allPages(owner, '/aas/v3/shells?limit=1', 'GetAssetAdministrationShellsResult');
    const listed = shells.find(
      (shell) => shell.assetInformation.globalAssetId === `urn:twinthread:twin:${twin.id}`,
    )!;
    const shell = (await aas(owner, `/aas/v3/shells/${b64(listed.id)}`, 'AssetAdministrationShell')).body;
    const references = await allPages(
      owner,
      `/aas/v3/shells/${b64(shell.id)}/submodel-refs?limit=1`,
      'GetReferencesResult',
    );
    const submodels = [];
    for (const reference of references)
      submodels.push(
        (await aas(owner, `/aas/v3/submodels/${b64(reference.keys[0].value)}`, 'Submodel')).body,
      );
    const bom = submodels.find((submodel) => submodel.semanticId.keys[0].value === HSEBOM)!;
    const bomThen = (
      await aas(
        owner,
        `/aas/v3/submodels/${b64(bom.id)}/$history?date=${encodeURIComponent(YEAR_AGO)}`,
        'Submodel',
      )
    ).body;
    const shellThen = (
      await aas(
        owner,
        `/aas/v3/shells/${b64(shell.id)}/$history?date=${encodeURIComponent(YEAR_AGO)}`,
        'AssetAdministrationShell',
      )
    ).body;
    const twinThen = (await owner('GET', `/v1/twins/${twin.id}?asOf=${encodeURIComponent(YEAR_AGO)}`)).body;
    const twinNow = (await owner('GET', `/v1/twins/${twin.id}`)).body;

    // Assess
    expect(shells.map((item) => item.id)).toHaveLength(new Set(shells.map((item) => item.id)).size);
    expect(shells.length).toBeGreaterThanOrEqual(2);
    expect(listed).toEqual(shell);
    expect(references.map((reference) => reference.keys[0].value)).toEqual(
      shell.submodels.map((reference: Json) => reference.keys[0].value),
    );
    expect(bomRows(bomThen)).toEqual(treeRows(twinThen.configuration));
    expect(bomRows(bom)).toEqual(treeRows(twinNow.configuration));
    expect(bomRows(bomThen)).toContain('engine-1/fadec|FADEC-3|AASAPI-1-FDC-1|C|');
    expect(bomRows(bom)).toContain('engine-1/fadec|FADEC-3|AASAPI-1-FDC-NEW|D|');
    expect(shellThen.id).toBe(shell.id);
  });

  it('reads submodel elements by idShort path, value-only too', async () => {
    // Prepare
    const bom = b64(`urn:twinthread:twin:${twin.id}:submodel:hierarchical-structures`);
    const nameplate = b64(`urn:twinthread:twin:${twin.id}:submodel:nameplate`);
    // Act
    const fadec = await aas(
      owner,
      `/aas/v3/submodels/${bom}/submodel-elements/EntryNode.engine_1.fadec`,
      'SubmodelElement_choice',
    );
    const value = await aas(
      owner,
      `/aas/v3/submodels/${bom}/submodel-elements/EntryNode.engine_1.fadec/$value`,
      // SubmodelElementValue is a oneOf whose object members cannot be told apart: the member is checked
      'EntityValue',
    );
    const serial = await aas(
      owner,
      `/aas/v3/submodels/${nameplate}/submodel-elements/SerialNumber/$value`,
      'PropertyValue',
    );
    const whole = await aas(owner, `/aas/v3/submodels/${nameplate}/$value`, 'SubmodelValue');
    // Assess
    expect(fadec.body.modelType).toBe('Entity');
    expect(fadec.body.specificAssetIds[0].value).toBe('AASAPI-1-FDC-NEW');
    expect(value.body.entityType).toBe('SelfManagedEntity');
    expect(value.body.statements.SerialNumber).toBe('AASAPI-1-FDC-NEW');
    expect(value.body.specificAssetIds).toEqual([
      { serialNumber: 'AASAPI-1-FDC-NEW' },
      { partNumber: 'FADEC-3' },
    ]);
    expect(serial.body).toBe('AASAPI-1');
    expect(whole.body.ManufacturerProductDesignation).toEqual([{ en: 'Airbus A320' }]);
  });

  it('pages every submodel exactly once', async () => {
    // Act
    const submodels = await allPages(owner, '/aas/v3/submodels?limit=2', 'GetSubmodelsResult');
    // Assess: two twins without documents, each a nameplate and a bill of material
    expect(submodels.map((submodel) => submodel.idShort).sort()).toEqual([
      'HierarchicalStructures',
      'HierarchicalStructures',
      'Nameplate',
      'Nameplate',
    ]);
    expect(new Set(submodels.map((submodel) => submodel.id)).size).toBe(4);
  });

  it('lists recent changes from the change feed', async () => {
    // Act
    const submodels = await allPages(
      owner,
      '/aas/v3/submodels/$recent-changes?limit=2',
      'GetAllSubmodelRecentChangesResult',
    );
    const shells = await aas(
      owner,
      `/aas/v3/shells/$recent-changes?updatedFrom=${encodeURIComponent(twin.createdAt)}`,
      'GetAllAssetAdministrationShellsRecentChangesResult',
    );
    // Assess
    const bomId = `urn:twinthread:twin:${twin.id}:submodel:hierarchical-structures`;
    expect(submodels.filter((change) => change.id === bomId).map((change) => change.type)).toEqual([
      'CREATED',
      'UPDATED',
    ]);
    expect(
      shells.body.result
        .filter((change: Json) => change.id.includes(twin.id))
        .map((change: Json) => change.type),
    ).toEqual(['CREATED', 'UPDATED']);
  });

  it('answers errors as the AAS Result: unknown, not base64url, no token, unknown parameter', async () => {
    // Act
    const unknown = await aas(
      owner,
      `/aas/v3/shells/${b64('urn:twinthread:twin:01JD3Q6Z8V1K9M2N3P4R5S6T7V:aas')}`,
      'Result',
      404,
    );
    const notBase64 = await aas(owner, '/aas/v3/submodels/not*base64', 'Result', 400);
    const anonymous = await aas(api.call, '/aas/v3/shells', 'Result', 401);
    const badQuery = await aas(owner, '/aas/v3/shells?cursor=forged', 'Result', 400);
    const beforeBuilt = await aas(
      owner,
      `/aas/v3/shells/${b64(`urn:twinthread:twin:${twin.id}:aas`)}/$history?date=2020-01-01T00:00:00Z`,
      'Result',
      404,
    );
    // Assess
    expect(unknown.body.messages[0].code).toBe('404');
    expect(notBase64.body.messages[0].text).toMatch(/^path\.submodelIdentifier/);
    expect(anonymous.body.messages[0].messageType).toBe('Error');
    expect(badQuery.body.messages[0].text).toMatch(/^query\.cursor/);
    expect(beforeBuilt.body.messages[0].correlationId).toBe(beforeBuilt.headers.get('x-request-id'));
  });

  it('serves a grantee the twins an owner shares, through its view, and nothing else', async () => {
    // Prepare: an HVAC-only view granted to a contractor for one twin
    const view = (await owner('POST', '/v1/views', { body: { name: 'HVAC', positions: ['hvac'] } })).body;
    const grantee = newTenant('aas-api-crew');
    const granted = await owner('POST', '/v1/grants', {
      body: {
        grantee,
        viewId: view.id,
        twins: { ids: [twin.id] },
        purpose: 'contractor',
        permissions: ['read'],
      },
    });
    expect(granted.status, granted.text).toBe(201);
    const crew = await api.as(grantee, ['viewer']);
    const base = `/aas/v3/shared/${ownerTenant}`;
    const bom = b64(`urn:twinthread:twin:${twin.id}:submodel:hierarchical-structures`);
    // Act
    const shells = await aas(crew, `${base}/shells`, 'GetAssetAdministrationShellsResult');
    const submodel = await aas(crew, `${base}/submodels/${bom}`, 'Submodel');
    const hidden = await aas(
      crew,
      `${base}/submodels/${bom}/submodel-elements/EntryNode.engine_1`,
      'Result',
      404,
    );
    const own = await aas(crew, '/aas/v3/shells', 'GetAssetAdministrationShellsResult');
    const direct = await aas(crew, `/aas/v3/submodels/${bom}`, 'Result', 404);
    // Assess
    expect(shells.body.result.map((shell: Json) => shell.id)).toEqual([`urn:twinthread:twin:${twin.id}:aas`]);
    expect(
      bomRows(submodel.body)
        .map((row) => row.split('|')[0])
        .sort(),
    ).toEqual(['hvac', 'hvac/controller']);
    expect(JSON.stringify(submodel.body)).not.toContain('CFM56-5B4');
    expect(hidden.body.messages).toHaveLength(1);
    expect(own.body.result).toEqual([]);
    expect(direct.body.messages[0].code).toBe('404');
  });
});
