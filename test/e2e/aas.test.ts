import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aasEnvironmentOf } from '../../shared/services/aas-export';
import { loadTwin } from '../../shared/store/twin-store';
import { missingTemplateElements } from '../support/aas-templates';
import { expectValidAas } from '../support/aas-valid';
import { type Caller, startApi, type TestApi } from '../support/api';
import { aircraftRecord, wideRecord } from '../support/fixtures';
import { newTenant } from '../support/tenants';

let api: TestApi;
let call: Caller;
let outsider: Caller;
let tenant: string;

beforeAll(async () => {
  api = await startApi();
  tenant = newTenant('aas');
  call = await api.as(tenant, ['admin']);
  outsider = await api.as(newTenant('aas-out'), ['admin']);
});
afterAll(() => api.stop());

const content = Buffer.from('%PDF-1.4 twinthread');
const newDocument = async (caller: Caller, kind: string, title: string, extra: object = {}) =>
  (
    await caller('POST', '/v1/documents', {
      body: {
        kind,
        title,
        contentType: 'application/pdf',
        size: content.length,
        sha256: createHash('sha256').update(content).digest('hex'),
        ...extra,
      },
    })
  ).body;

// biome-ignore lint/suspicious/noExplicitAny: the AAS JSON is walked freely; the library checks its shape
type Json = Record<string, any>;

const element = (elements: Json[] | undefined, idShort: string): Json | undefined =>
  elements?.find((item) => item.idShort === idShort);
const submodel = (json: Json, idShort: string): Json[] =>
  json.submodels.find((sm: Json) => sm.idShort === idShort).submodelElements ?? [];
const entityAt = (json: Json, idShorts: string[]) =>
  idShorts.reduce(
    (entity: Json, idShort) => element(entity.statements, idShort)!,
    element(submodel(json, 'HierarchicalStructures'), 'EntryNode')!,
  );
/** `path|title|content type|file` of each Handover Documentation document, twin documents under ''. */
function documentsOf(json: Json): string[] {
  const handover = json.submodels.find((sm: Json) => sm.idShort === 'HandoverDocumentation');
  const documents: Json[] = element(handover?.submodelElements, 'Documents')?.value ?? [];
  const pathOf = (keys: Json[]) => {
    const idShorts = keys.slice(2).map((key) => key.value);
    return idShorts.length === 0 ? '' : element(entityAt(json, idShorts).statements, 'Path')!.value;
  };
  return documents.flatMap((doc) => {
    const version = element(doc.value, 'DocumentVersions')!.value[0].value;
    const file = element(version, 'DigitalFiles')!.value[0];
    const title = element(version, 'Title')!.value[0].text;
    return (element(doc.value, 'DocumentedEntities')?.value ?? []).map(
      (reference: Json) => `${pathOf(reference.value.keys)}|${title}|${file.contentType}|${file.value}`,
    );
  });
}

describe('the AAS export of a twin from the store', () => {
  it('verifies with zero errors: the tree, a twin inside, serials as asset ids, documents where they are linked, the past', async () => {
    // Prepare: an engine twin, an aircraft carrying it, documents linked four ways
    const engine = (
      await call('POST', '/v1/twins', {
        body: { serialNumber: 'AAS-ESN-9', product: { partNumber: 'APS3200' }, configuration: [] },
      })
    ).body;
    const record = aircraftRecord('AAS-1');
    record.configuration.push({
      position: 'apu.main',
      component: { partNumber: 'APS3200', serialNumber: 'AAS-ESN-9', kind: 'mechanical', twinId: engine.id },
    });
    const aircraft = (await call('POST', '/v1/twins', { body: record })).body;
    const manual = await newDocument(call, 'manual', 'Aircraft manual');
    const uploaded = await fetch(manual.uploadUrl, {
      method: 'PUT',
      headers: manual.uploadHeaders,
      body: content,
    });
    expect(uploaded.status).toBe(200);
    expect((await call('GET', `/v1/documents/${manual.document.id}`)).status).toBe(200);
    const jobPlan = await newDocument(call, 'job-plan', 'FADEC job plan');
    const report = await newDocument(call, 'inspection-report', 'HVAC bench test');
    const bulletin = await newDocument(call, 'service-bulletin', 'SB FADEC-SW', {
      effectivity: { partNumber: 'FADEC-SW', softwareVersions: '>=5.0.0 <6.0.0' },
    });
    await newDocument(outsider, 'service-bulletin', 'Other tenant SB', {
      effectivity: { partNumber: 'FADEC-SW', softwareVersions: '>=5.0.0 <6.0.0' },
    });
    const linksAt = new Date().toISOString();
    for (const body of [
      { documentId: manual.document.id },
      { documentId: jobPlan.document.id, position: 'engine-1/fadec' },
      { documentId: report.document.id, component: { partNumber: 'HVAC-CTL-9', serialNumber: 'AAS-1-HVC' } },
    ])
      expect((await call('POST', `/v1/twins/${aircraft.id}/links`, { body })).status).toBe(201);
    const replaced = await call('POST', `/v1/twins/${aircraft.id}/changes`, {
      body: {
        reason: 'FADEC swap',
        effectiveAt: '2025-01-01T00:00:00Z',
        operations: [
          {
            op: 'replace',
            position: 'engine-1/fadec',
            component: { partNumber: 'FADEC-3', serialNumber: 'AAS-1-FDC-1B', kind: 'electrical' },
          },
        ],
      },
      headers: { 'if-match': '"1"' },
    });
    expect(replaced.status).toBe(200);
    const now = new Date().toISOString();
    const history = (await loadTwin(tenant, aircraft.id))!;

    // Act
    const current = (await aasEnvironmentOf(tenant, history, { asOf: now, knownAt: now })) as Json;
    const past = (await aasEnvironmentOf(tenant, history, {
      asOf: '2024-12-01T00:00:00.000Z',
      knownAt: now,
    })) as Json;
    const beforeLinks = (await aasEnvironmentOf(tenant, history, {
      asOf: '2024-12-01T00:00:00.000Z',
      knownAt: new Date(Date.parse(linksAt) - 1).toISOString(),
    })) as Json;

    // Assess: all three read and verify
    for (const json of [current, past, beforeLinks]) {
      expectValidAas(json);
      for (const template of ['hierarchicalStructures', 'nameplate', 'handoverDocumentation'] as const)
        expect(missingTemplateElements(json, template), template).toEqual([]);
    }
    const shell = current.assetAdministrationShells[0];
    expect(shell.assetInformation.globalAssetId).toBe(`urn:twinthread:twin:${aircraft.id}`);
    expect(shell.assetInformation.specificAssetIds.map((id: Json) => id.value)).toEqual([
      'AAS-1',
      'A320-214',
    ]);
    // the tree: three levels, software, an empty position, a twin inside
    const fadec = entityAt(current, ['engine_1', 'fadec']);
    expect(fadec.specificAssetIds.map((id: Json) => id.value)).toEqual(['AAS-1-FDC-1B', 'FADEC-3']);
    expect(entityAt(past, ['engine_1', 'fadec']).specificAssetIds[0].value).toBe('AAS-1-FDC-1');
    const software = entityAt(current, ['engine_1', 'fadec', 'sw']);
    expect(software.entityType).toBe('CoManagedEntity');
    expect(element(software.statements, 'SoftwareVersion')!.value).toBe('5.2.1');
    expect(entityAt(current, ['cabin']).entityType).toBe('CoManagedEntity');
    expect(element(entityAt(current, ['cabin']).statements, 'PartNumber')).toBeUndefined();
    expect(entityAt(current, ['apu_Dmain']).globalAssetId).toBe(`urn:twinthread:twin:${engine.id}`);
    // documents: where they are linked, the uploaded one pinned to its version; none of the other tenant
    expect(documentsOf(current).sort()).toEqual(
      [
        `|Aircraft manual|application/pdf|/v1/documents/${manual.document.id}?version=1`,
        `engine-1/fadec|FADEC job plan|application/pdf|/v1/documents/${jobPlan.document.id}`,
        `engine-1/fadec/sw|SB FADEC-SW|application/pdf|/v1/documents/${bulletin.document.id}`,
        `engine-2/fadec/sw|SB FADEC-SW|application/pdf|/v1/documents/${bulletin.document.id}`,
        `hvac/controller|HVAC bench test|application/pdf|/v1/documents/${report.document.id}`,
      ].sort(),
    );
    expect(JSON.stringify(current)).not.toContain('Other tenant SB');
    // as known before the links were recorded: neither the twin's nor the position's link (component
    // links are kept with the component without a time the read sees, so they are not filtered)
    const known = documentsOf(beforeLinks).map((entry) => entry.split('|').slice(0, 2).join('|'));
    expect(known).toEqual(
      expect.arrayContaining(['engine-1/fadec/sw|SB FADEC-SW', 'engine-2/fadec/sw|SB FADEC-SW']),
    );
    expect(known).not.toContain('|Aircraft manual');
    expect(known).not.toContain('engine-1/fadec|FADEC job plan');
  });

  it('answers every twin of the acceptance fixtures with an environment that verifies and has every required template element', async () => {
    // Prepare: the fixtures, and an engine twin installed in an aircraft (IsPartOf)
    const engine = (
      await call('POST', '/v1/twins', {
        body: {
          serialNumber: 'AAS-FX-ESN',
          product: { partNumber: 'APS3200' },
          configuration: [{ position: 'core' }],
        },
      })
    ).body;
    const aircraft = aircraftRecord('AAS-FX-1');
    aircraft.configuration.push({
      position: 'apu',
      component: { partNumber: 'APS3200', serialNumber: 'AAS-FX-ESN', kind: 'mechanical', twinId: engine.id },
    });
    const twins = [];
    for (const body of [aircraft, wideRecord('AAS-FX-2', 30), wideRecord('AAS-FX-3', 5, false)])
      twins.push((await call('POST', '/v1/twins', { body })).body);
    twins.push(engine);
    for (const twin of twins) {
      // Act
      const answer = await call('GET', `/v1/twins/${twin.id}/export?format=aas`);
      // Assess
      expect(answer.status).toBe(200);
      expectValidAas(answer.body);
      for (const template of ['hierarchicalStructures', 'nameplate'] as const)
        expect(missingTemplateElements(answer.body, template), `${twin.serialNumber} ${template}`).toEqual(
          [],
        );
    }
    const engineExport = (await call('GET', `/v1/twins/${engine.id}/export?format=aas`)).body;
    const isPartOf = element(
      element(submodel(engineExport, 'HierarchicalStructures'), 'EntryNode')!.statements,
      'IsPartOf',
    )!;
    expect(isPartOf.second.keys.map((key: Json) => key.value)).toEqual([
      `urn:twinthread:twin:${twins[0].id}:submodel:hierarchical-structures`,
      'EntryNode',
      'apu',
    ]);
  });
});
