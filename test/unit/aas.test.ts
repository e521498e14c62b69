import { environmentFromJsonable, type JsonObject } from '@aas-core-works/aas-core3.0-typescript/jsonization';
import { verify } from '@aas-core-works/aas-core3.0-typescript/verification';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AAS_SEMANTICS,
  type AasDocument,
  aasEnvironment,
  attributeIdShorts,
  slugIdShort,
  twinAssetId,
} from '../../shared/domain/aas';
import { applyPlan, planChangeSet, type TwinHistory } from '../../shared/domain/change-set';
import { flattenAsBuilt } from '../../shared/domain/configuration';
import type { DocumentRecord } from '../../shared/domain/document';
import { asBuiltHistory, assembleTwin, newTwinRecord } from '../../shared/domain/twin';
import { SLUG_PATTERN } from '../../shared/schemas/common';
import type { CreateTwinBody, Node } from '../../shared/schemas/twin';
import { missingTemplateElements } from '../support/aas-templates';

const TWIN_ID = '01JD3Q6Z8V1K9M2N3P4R5S6T7V';
const APU_TWIN_ID = '01JD3Q6Z8V1K9M2N3P4R5S6T7W';
const ACTOR = { sub: 'test', tenant: 'test' };
const NOW = new Date('2026-03-01T12:00:00.000Z');
const AT = { asOf: NOW.toISOString(), knownAt: NOW.toISOString() };

/** Four levels, a software component without a serial, a twin inside, an empty position, odd slugs. */
const asBuilt: CreateTwinBody = {
  serialNumber: 'MSN-1001',
  product: { partNumber: 'A320-214', revision: 'B', name: 'Airbus A320' },
  site: 'TLS',
  builtAt: '2024-05-01T08:00:00Z',
  attributes: {
    operator: 'Example Air',
    seats: 180,
    mtow: 78.5,
    etops: true,
    retiredOn: null,
    delivered: '2024-06-30',
    lastCheck: '2025-01-15T10:30:00Z',
    notADate: '2024-02-30',
    zones: [1, 2, 3],
    mixed: ['a', 1, true, null],
    none: [],
    'Max temp (°C)': 85,
    '1st owner': 'Lessor',
  },
  configuration: [
    {
      position: 'engine-1',
      name: 'Engine 1',
      component: {
        partNumber: 'CFM56-5B4',
        serialNumber: 'ESN-1',
        kind: 'mechanical',
        attributes: { thrust: 120.4, cycles: 1200, overhauled: false },
      },
      children: [
        {
          position: 'fadec.v2',
          component: { partNumber: 'FADEC-3', serialNumber: 'FDC-1', kind: 'electrical', revision: 'C' },
          children: [
            {
              position: 'sw_main',
              component: { partNumber: 'FADEC-SW', kind: 'software', softwareVersion: '5.2.1' },
              children: [{ position: 'boot-cfg', component: null }],
            },
          ],
        },
      ],
    },
    {
      position: 'apu',
      component: { partNumber: 'APS3200', serialNumber: 'APU-77', kind: 'mechanical', twinId: APU_TWIN_ID },
    },
    { position: 'cabin', name: 'Cabin', component: null },
    { position: '1st-stage', component: { partNumber: 'BULK-BOLT', kind: 'mechanical' } },
  ],
};

const history = (): TwinHistory =>
  asBuiltHistory(
    newTwinRecord(asBuilt, TWIN_ID, new Date('2024-05-02T00:00:00Z')),
    flattenAsBuilt(asBuilt.configuration),
    ACTOR,
    '01JD3Q6Z8V1K9M2N3P4R5S6T80',
  );

const document = (id: string, overrides: Partial<DocumentRecord> = {}): AasDocument['document'] => ({
  id,
  kind: 'manual',
  title: `Document ${id}`,
  contentType: 'application/pdf',
  latestVersion: 2,
  availableVersion: 2,
  ...overrides,
});

const DOCUMENTS: AasDocument[] = [
  { document: document('01JD3Q6Z8V1K9M2N3P4R5S6T90', { title: 'Aircraft manual' }), via: 'link' },
  {
    document: document('01JD3Q6Z8V1K9M2N3P4R5S6T91', {
      kind: 'job-plan',
      contentType: 'text/plain; charset=utf-8',
    }),
    via: 'link',
    path: 'engine-1/fadec.v2',
  },
  {
    document: document('01JD3Q6Z8V1K9M2N3P4R5S6T92', {
      kind: 'service-bulletin',
      availableVersion: undefined,
    }),
    via: 'effectivity',
    path: 'engine-1/fadec.v2/sw_main',
  },
  // linked and applicable at once: one entry
  {
    document: document('01JD3Q6Z8V1K9M2N3P4R5S6T92', {
      kind: 'service-bulletin',
      availableVersion: undefined,
    }),
    via: 'link',
    path: 'engine-1/fadec.v2/sw_main',
  },
  {
    document: document('01JD3Q6Z8V1K9M2N3P4R5S6T93', {
      kind: 'other',
      contentType: 'application/x-odd;flag',
    }),
    via: 'link',
    path: 'removed-position',
  },
];

// biome-ignore lint/suspicious/noExplicitAny: the AAS JSON is walked freely; the library checks its shape
type Json = Record<string, any>;

/** Parses with the AAS library and verifies: every error, with its path, in the failure message. */
function expectValidAas(json: JsonObject) {
  const parsed = environmentFromJsonable(json);
  expect(parsed.error?.message ?? null, `${parsed.error?.path} ${parsed.error?.message}`).toBeNull();
  const errors = [...verify(parsed.value!)].map((error) => `${error.path}: ${error.message}`);
  expect(errors, errors.join('\n')).toEqual([]);
}

const submodel = (env: Json, idShort: string): Json =>
  env.submodels.find((sm: Json) => sm.idShort === idShort);
const element = (elements: Json[] | undefined, idShort: string): Json | undefined =>
  elements?.find((item) => item.idShort === idShort);
const valueIn = (elements: Json[] | undefined, idShort: string) => element(elements, idShort)?.value;
const entryNode = (env: Json) =>
  element(submodel(env, 'HierarchicalStructures').submodelElements, 'EntryNode')!;
const entities = (statements: Json[] | undefined): Json[] =>
  (statements ?? []).filter((item) => item.modelType === 'Entity');

/** The tree the entities describe: path → their paths below, from the `Path` statements. */
function entityTree(statements: Json[] | undefined): unknown[] {
  return entities(statements).map((entity) => ({
    path: valueIn(entity.statements, 'Path'),
    children: entityTree(entity.statements),
  }));
}
function configurationTree(nodes: readonly Node[]): unknown[] {
  return nodes.map((node) => ({ path: node.path, children: configurationTree(node.children) }));
}

function entityAt(env: Json, path: string): Json {
  let found: Json | undefined;
  const walk = (statements: Json[] | undefined) => {
    for (const entity of entities(statements)) {
      if (valueIn(entity.statements, 'Path') === path) found = entity;
      walk(entity.statements);
    }
  };
  walk(entryNode(env).statements);
  if (!found) throw new Error(`no entity for ${path}`);
  return found;
}

const exportAt = (at = AT, documents = DOCUMENTS, source = history()) =>
  aasEnvironment({ twin: assembleTwin(source, at), documents, ...at, organization: 'tenant-1' }) as Json;

describe('aasEnvironment', () => {
  it('is an AAS V3.0 environment that the AAS library reads and verifies with zero errors', () => {
    // Act
    const json = exportAt();
    // Assess
    expectValidAas(json);
    expect(json.assetAdministrationShells).toHaveLength(1);
    expect(json.submodels.map((sm: Json) => sm.idShort)).toEqual([
      'Nameplate',
      'HierarchicalStructures',
      'HandoverDocumentation',
    ]);
  });

  it('has every element the IDTA templates require (HSEBoM 1.1, Digital Nameplate 3.0, Handover Documentation 2.0)', () => {
    // Act
    const json = exportAt();
    // Assess: the required elements come from the templates (test/support/standards/aas-templates.json)
    for (const template of ['hierarchicalStructures', 'nameplate', 'handoverDocumentation'] as const)
      expect(missingTemplateElements(json, template), template).toEqual([]);
  });

  it('fills the Digital Nameplate 3.0: manufacturer, designation, order code, serial number, year of construction', () => {
    // Act
    const nameplate = submodel(exportAt(), 'Nameplate');
    const elements = nameplate.submodelElements;
    // Assess
    expect(nameplate.semanticId.keys[0].value).toBe('https://admin-shell.io/idta/nameplate/3/0/Nameplate');
    expect(valueIn(elements, 'ManufacturerName')).toEqual([{ language: 'en', text: 'unknown' }]);
    expect(valueIn(elements, 'ManufacturerProductDesignation')).toEqual([
      { language: 'en', text: 'Airbus A320' },
    ]);
    expect(valueIn(elements, 'OrderCodeOfManufacturer')).toBe('A320-214');
    expect(valueIn(elements, 'SerialNumber')).toBe('MSN-1001');
    expect(valueIn(elements, 'YearOfConstruction')).toBe('2024');
    expect(valueIn(elements, 'DateOfManufacture')).toBe('2024-05-01');
    expect(valueIn(elements, 'HardwareVersion')).toBe('B');
    expect(valueIn(elements, 'URIOfTheProduct')).toBe(twinAssetId(TWIN_ID));
  });

  it('identifies the twin: global asset id, serial and part number as specific asset ids, references to its submodels', () => {
    // Act
    const shell = exportAt().assetAdministrationShells[0];
    // Assess
    expect(shell.id).toBe(`urn:twinthread:twin:${TWIN_ID}:aas`);
    expect(shell.assetInformation.assetKind).toBe('Instance');
    expect(shell.assetInformation.globalAssetId).toBe(`urn:twinthread:twin:${TWIN_ID}`);
    expect(shell.assetInformation.specificAssetIds.map((id: Json) => [id.name, id.value])).toEqual([
      ['serialNumber', 'MSN-1001'],
      ['partNumber', 'A320-214'],
    ]);
    expect(shell.submodels.map((ref: Json) => ref.keys[0].value)).toEqual([
      `urn:twinthread:twin:${TWIN_ID}:submodel:nameplate`,
      `urn:twinthread:twin:${TWIN_ID}:submodel:hierarchical-structures`,
      `urn:twinthread:twin:${TWIN_ID}:submodel:handover-documentation`,
    ]);
  });

  it('types the attributes: strings, integers, doubles, booleans, dates, times, null, lists; odd keys keep their name', () => {
    // Act
    const identification = element(
      submodel(exportAt(), 'Nameplate').submodelElements,
      'AssetSpecificProperties',
    )!.value as Json[];
    const attributes: Json[] = element(identification, 'Attributes')!.value;
    const typed = (idShort: string) => {
      const item = element(attributes, idShort)!;
      return [item.modelType, item.valueType ?? item.valueTypeListElement, item.value];
    };
    // Assess
    expect(typed('operator')).toEqual(['Property', 'xs:string', 'Example Air']);
    expect(typed('seats')).toEqual(['Property', 'xs:integer', '180']);
    expect(typed('mtow')).toEqual(['Property', 'xs:double', '78.5']);
    expect(typed('etops')).toEqual(['Property', 'xs:boolean', 'true']);
    expect(typed('retiredOn')).toEqual(['Property', 'xs:string', undefined]);
    expect(typed('delivered')).toEqual(['Property', 'xs:date', '2024-06-30']);
    expect(typed('lastCheck')).toEqual(['Property', 'xs:dateTime', '2025-01-15T10:30:00Z']);
    expect(typed('notADate')).toEqual(['Property', 'xs:string', '2024-02-30']);
    expect(typed('zones').slice(0, 2)).toEqual(['SubmodelElementList', 'xs:integer']);
    expect(element(attributes, 'zones')!.value.map((item: Json) => item.value)).toEqual(['1', '2', '3']);
    expect(element(attributes, 'mixed')!.value.map((item: Json) => [item.valueType, item.value])).toEqual([
      ['xs:string', 'a'],
      ['xs:string', '1'],
      ['xs:string', 'true'],
      ['xs:string', undefined],
    ]);
    expect(typed('none')).toEqual(['SubmodelElementList', 'xs:string', undefined]);
    const odd = attributes.filter((item) => item.displayName !== undefined);
    expect(odd.map((item) => [item.idShort, item.displayName[0].text])).toEqual([
      [attributeIdShorts(['1st owner']).get('1st owner'), '1st owner'],
      [attributeIdShorts(['Max temp (°C)']).get('Max temp (°C)'), 'Max temp (°C)'],
    ]);
    expect(valueIn(identification, 'ConfigurationAsOf')).toBe(AT.asOf);
    expect(valueIn(identification, 'ConfigurationKnownAt')).toBe(AT.knownAt);
  });

  it('mirrors the configuration tree as IDTA Hierarchical Structures entities, with HasPart relations', () => {
    // Prepare
    const twin = assembleTwin(history(), AT);
    // Act
    const json = exportAt();
    const structure = submodel(json, 'HierarchicalStructures');
    const entry = entryNode(json);
    // Assess
    expect(structure.semanticId.keys[0].value).toBe(AAS_SEMANTICS.hierarchicalStructures);
    expect(valueIn(structure.submodelElements, 'ArcheType')).toBe('Full');
    expect(entry.entityType).toBe('SelfManagedEntity');
    expect(entry.globalAssetId).toBe(twinAssetId(TWIN_ID));
    expect(entityTree(entry.statements)).toEqual(configurationTree(twin.configuration));
    expect(entities(entry.statements).map((entity) => entity.idShort)).toEqual([
      'engine_1',
      'apu',
      'cabin',
      'P1st_stage',
    ]);
    const fadec = entityAt(json, 'engine-1/fadec.v2');
    expect(fadec.idShort).toBe('fadec_Dv2');
    expect(entities(fadec.statements).map((entity) => entity.idShort)).toEqual(['sw_Umain']);
    const relations = entry.statements.filter((item: Json) => item.idShort.startsWith('HasPart'));
    expect(relations.map((relation: Json) => relation.second.keys.map((key: Json) => key.value))).toEqual(
      ['engine_1', 'apu', 'cabin', 'P1st_stage'].map((idShort) => [
        `urn:twinthread:twin:${TWIN_ID}:submodel:hierarchical-structures`,
        'EntryNode',
        idShort,
      ]),
    );
  });

  it('gives serialized components their serial numbers as specific asset ids, a twin its asset id', () => {
    // Act
    const json = exportAt();
    const engine = entityAt(json, 'engine-1');
    const apu = entityAt(json, 'apu');
    // Assess
    expect(engine.entityType).toBe('SelfManagedEntity');
    expect(engine.specificAssetIds.map((id: Json) => [id.name, id.value])).toEqual([
      ['serialNumber', 'ESN-1'],
      ['partNumber', 'CFM56-5B4'],
    ]);
    expect(valueIn(engine.statements, 'SerialNumber')).toBe('ESN-1');
    expect(valueIn(engine.statements, 'Kind')).toBe('mechanical');
    expect(element(element(engine.statements, 'Attributes')!.value, 'thrust')!.valueType).toBe('xs:double');
    expect(apu.entityType).toBe('SelfManagedEntity');
    expect(apu.globalAssetId).toBe(`urn:twinthread:twin:${APU_TWIN_ID}`);
    expect(apu.specificAssetIds).toBeUndefined();
    expect(valueIn(apu.statements, 'TwinId')).toBe(APU_TWIN_ID);
    // HSEBoM 1.1: the node is the same asset as the entry node of the APU twin's own bill of material
    const sameAs = element(apu.statements, 'SameAs')!;
    expect(sameAs.semanticId.keys[0].value).toBe(AAS_SEMANTICS.sameAs);
    expect(sameAs.second.keys.map((key: Json) => key.value)).toEqual([
      `urn:twinthread:twin:${APU_TWIN_ID}:submodel:hierarchical-structures`,
      'EntryNode',
    ]);
    expect(element(engine.statements, 'SameAs')).toBeUndefined();
    expect(valueIn(entityAt(json, 'engine-1/fadec.v2').statements, 'Revision')).toBe('C');
  });

  it('keeps software without a serial, unserialized parts and empty positions co-managed', () => {
    // Act
    const json = exportAt();
    const software = entityAt(json, 'engine-1/fadec.v2/sw_main');
    const empty = entityAt(json, 'engine-1/fadec.v2/sw_main/boot-cfg');
    const cabin = entityAt(json, 'cabin');
    // Assess
    expect(software.entityType).toBe('CoManagedEntity');
    expect(valueIn(software.statements, 'SoftwareVersion')).toBe('5.2.1');
    expect(element(software.statements, 'SoftwareVersion')!.semanticId.keys[0].value).toBe(
      AAS_SEMANTICS.softwareVersion,
    );
    expect(valueIn(software.statements, 'Kind')).toBe('software');
    expect(entityAt(json, '1st-stage').entityType).toBe('CoManagedEntity');
    for (const position of [empty, cabin]) {
      expect(position.entityType).toBe('CoManagedEntity');
      expect(element(position.statements, 'PartNumber')).toBeUndefined();
      expect(element(position.statements, 'SerialNumber')).toBeUndefined();
    }
    expect(cabin.displayName).toEqual([{ language: 'en', text: 'Cabin' }]);
  });

  it('lists the thread as Handover Documentation 2.0: one Document each, its class, version, file and the entities it documents', () => {
    // Act
    const json = exportAt();
    const documents: Json[] = valueIn(submodel(json, 'HandoverDocumentation').submodelElements, 'Documents');
    const byId = (id: string) =>
      documents.find(
        (doc) => valueIn(valueIn(doc.value, 'DocumentIds')[0].value, 'DocumentIdentifier') === id,
      )!.value as Json[];
    const versionOf = (id: string) => valueIn(byId(id), 'DocumentVersions')[0].value as Json[];
    const fileOf = (id: string) => valueIn(versionOf(id), 'DigitalFiles')[0];
    const documented = (id: string) =>
      (valueIn(byId(id), 'DocumentedEntities') ?? []).map((reference: Json) =>
        reference.value.keys
          .slice(1)
          .map((key: Json) => key.value)
          .join('/'),
      );
    // Assess: one Document per document, linked and applicable at once counted once
    expect(documents).toHaveLength(4);
    expect(fileOf('01JD3Q6Z8V1K9M2N3P4R5S6T90')).toMatchObject({
      modelType: 'File',
      contentType: 'application/pdf',
      value: '/v1/documents/01JD3Q6Z8V1K9M2N3P4R5S6T90?version=2',
    });
    expect(documented('01JD3Q6Z8V1K9M2N3P4R5S6T90')).toEqual(['EntryNode']);
    expect(fileOf('01JD3Q6Z8V1K9M2N3P4R5S6T91').contentType).toBe('text/plain; charset=utf-8');
    expect(documented('01JD3Q6Z8V1K9M2N3P4R5S6T91')).toEqual(['EntryNode/engine_1/fadec_Dv2']);
    const classes = valueIn(byId('01JD3Q6Z8V1K9M2N3P4R5S6T91'), 'DocumentClassifications').map(
      (item: Json) => [valueIn(item.value, 'ClassificationSystem'), valueIn(item.value, 'ClassId')],
    );
    expect(classes).toEqual([
      ['VDI2770:2020', '03-04'],
      ['twinthread', 'job-plan'],
    ]);
    expect(documented('01JD3Q6Z8V1K9M2N3P4R5S6T92')).toEqual(['EntryNode/engine_1/fadec_Dv2/sw_Umain']);
    expect(valueIn(versionOf('01JD3Q6Z8V1K9M2N3P4R5S6T92'), 'Version')).toBe('2');
    expect(valueIn(versionOf('01JD3Q6Z8V1K9M2N3P4R5S6T92'), 'OrganizationShortName')).toBe('tenant-1');
    expect(fileOf('01JD3Q6Z8V1K9M2N3P4R5S6T92').value).toBe('/v1/documents/01JD3Q6Z8V1K9M2N3P4R5S6T92');
    // a position that is gone has no entity to refer to; an odd media type keeps its type and subtype
    expect(documented('01JD3Q6Z8V1K9M2N3P4R5S6T93')).toEqual([]);
    expect(fileOf('01JD3Q6Z8V1K9M2N3P4R5S6T93').contentType).toBe('application/x-odd');
  });

  it('says which node of another twin this twin is part of (HSEBoM 1.1 IsPartOf)', () => {
    // Act
    const twin = assembleTwin(history(), AT);
    const json = aasEnvironment({
      twin,
      documents: [],
      ...AT,
      organization: 'tenant-1',
      partOf: { twinId: APU_TWIN_ID, path: 'bay-2/unit.a' },
    }) as Json;
    // Assess
    expectValidAas(json);
    const isPartOf = element(entryNode(json).statements, 'IsPartOf')!;
    expect(isPartOf.semanticId.keys[0].value).toBe(AAS_SEMANTICS.isPartOf);
    expect(isPartOf.second.keys.map((key: Json) => key.value)).toEqual([
      `urn:twinthread:twin:${APU_TWIN_ID}:submodel:hierarchical-structures`,
      'EntryNode',
      'bay_2',
      'unit_Da',
    ]);
    expect(element(entryNode(exportAt()).statements, 'IsPartOf')).toBeUndefined();
  });

  it('addresses documents under a base URL or through a given function', () => {
    // Prepare
    const twin = assembleTwin(history(), AT);
    const documents = DOCUMENTS.slice(0, 1);
    // Act
    const absolute = aasEnvironment({
      twin,
      documents,
      ...AT,
      organization: 'tenant-1',
      baseUrl: 'https://api.example.com',
    }) as Json;
    const shared = aasEnvironment({
      twin,
      documents,
      ...AT,
      organization: 'tenant-1',
      documentUrl: (id) => `/v1/shared/twins/owner-1/${TWIN_ID}/documents/${id}`,
    }) as Json;
    // Assess
    const fileOf = (json: Json) =>
      valueIn(
        valueIn(
          valueIn(submodel(json, 'HandoverDocumentation').submodelElements, 'Documents')[0].value,
          'DocumentVersions',
        )[0].value,
        'DigitalFiles',
      )[0].value;
    expect(fileOf(absolute)).toBe(
      'https://api.example.com/v1/documents/01JD3Q6Z8V1K9M2N3P4R5S6T90?version=2',
    );
    expect(fileOf(shared)).toBe(`/v1/shared/twins/owner-1/${TWIN_ID}/documents/01JD3Q6Z8V1K9M2N3P4R5S6T90`);
    expectValidAas(absolute);
    expectValidAas(shared);
  });

  it('exports the configuration of the past: the old serial as of before a replacement, as known before it was recorded', () => {
    // Prepare: ESN-1 replaced by ESN-2 on 2025-01-01, recorded a month later
    const before = history();
    const plan = planChangeSet(
      before,
      {
        reason: 'engine change',
        effectiveAt: '2025-01-01T00:00:00Z',
        operations: [
          {
            op: 'replace',
            position: 'engine-1',
            component: { partNumber: 'CFM56-5B4', serialNumber: 'ESN-2', kind: 'mechanical' },
          },
        ],
      },
      { now: new Date('2025-02-01T00:00:00Z'), actor: ACTOR, changeSetId: '01JD3Q6Z8V1K9M2N3P4R5S6T81' },
    );
    const after = applyPlan(before, plan);
    const serialAt = (at: { asOf: string; knownAt: string }) => {
      const json = exportAt(at, [], after);
      expectValidAas(json);
      return entityAt(json, 'engine-1').specificAssetIds[0].value;
    };
    // Act / Assess
    expect(serialAt(AT)).toBe('ESN-2');
    expect(serialAt({ asOf: '2024-12-31T00:00:00.000Z', knownAt: AT.knownAt })).toBe('ESN-1');
    expect(serialAt({ asOf: '2025-01-15T00:00:00.000Z', knownAt: '2025-01-20T00:00:00.000Z' })).toBe('ESN-1');
    // the fadec below the engine position stays where it was
    expect(valueIn(entityAt(exportAt(AT, [], after), 'engine-1/fadec.v2').statements, 'SerialNumber')).toBe(
      'FDC-1',
    );
  });

  it('is deterministic, and a twin without positions, attributes or documents is still valid', () => {
    // Prepare
    const bare: CreateTwinBody = { serialNumber: 'S 1#?', product: { partNumber: 'P/1' }, configuration: [] };
    const source = asBuiltHistory(
      newTwinRecord(bare, TWIN_ID, NOW),
      flattenAsBuilt([]),
      ACTOR,
      '01JD3Q6Z8V1K9M2N3P4R5S6T80',
    );
    // Act
    const json = exportAt(AT, [], source);
    // Assess
    expect(JSON.stringify(exportAt())).toBe(JSON.stringify(exportAt()));
    expectValidAas(json);
    expect(submodel(json, 'HandoverDocumentation')).toBeUndefined();
    expect(entryNode(json).statements).toBeUndefined();
    // the one required element a unit without positions cannot have
    expect(missingTemplateElements(json, 'hierarchicalStructures')).toEqual([
      'HierarchicalStructures/EntryNode/Node (https://admin-shell.io/idta/HierarchicalStructures/Node/1/0)',
    ]);
    expect(missingTemplateElements(json, 'nameplate')).toEqual([]);
  });
});

describe('idShorts', () => {
  it('turns slugs into distinct valid idShorts of at most 128 characters', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(SLUG_PATTERN), { minLength: 2, maxLength: 20 }),
        (slugs) => {
          const idShorts = slugs.map(slugIdShort);
          expect(new Set(idShorts).size).toBe(slugs.length);
          for (const idShort of idShorts) {
            expect(idShort).toMatch(/^[a-zA-Z][a-zA-Z0-9_]*$/);
            expect(idShort.length).toBeLessThanOrEqual(128);
          }
        },
      ),
    );
    expect(slugIdShort(`9${'.'.repeat(63)}`)).toHaveLength(128);
    expect(['a-b', 'a.b', 'a_b', '1a'].map(slugIdShort)).toEqual(['a_b', 'a_Db', 'a_Ub', 'P1a']);
  });

  it('turns any attribute keys into distinct valid idShorts, keeping valid ones as they are', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 128 }), { maxLength: 30 }), (keys) => {
        const idShorts = attributeIdShorts(keys);
        expect(new Set(idShorts.values()).size).toBe(keys.length);
        for (const key of keys) {
          const idShort = idShorts.get(key)!;
          expect(idShort).toMatch(/^[a-zA-Z][a-zA-Z0-9_]*$/);
          expect(idShort.length).toBeLessThanOrEqual(128);
          if (/^[a-zA-Z][a-zA-Z0-9_]*$/.test(key)) expect(idShort).toBe(key);
        }
      }),
    );
  });

  it('survives characters AAS strings may not hold', () => {
    // Prepare
    const twin = assembleTwin(history(), AT);
    twin.attributes = { control: 'bell\u0007here', long: 'x'.repeat(4096) };
    twin.product = { ...twin.product, name: 'N'.repeat(300) };
    // Act
    const json = aasEnvironment({ twin, documents: [], ...AT, organization: 'tenant-1' }) as Json;
    // Assess
    expectValidAas(json);
    const specific = element(submodel(json, 'Nameplate').submodelElements, 'AssetSpecificProperties')!.value;
    const attributes = element(specific, 'Attributes')!.value;
    expect(valueIn(attributes, 'control')).toBe('bell\uFFFDhere');
    expect(valueIn(attributes, 'long')).toHaveLength(4096);
  });
});
