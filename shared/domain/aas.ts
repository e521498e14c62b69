import type { Component, Node } from '../schemas/twin';
import type { DocumentRecord } from './document';
import { mediaTypeOf } from './document';
import type { Twin } from './twin';

/**
 * Asset Administration Shell V3.0 export of a twin: one shell, three submodels (identification,
 * IDTA Hierarchical Structures of the configuration, documentation). Pure: the same twin, documents
 * and times give the same environment. Mapping choices are listed in the README.
 */

/**
 * Semantic IDs of the IDTA templates the export follows (HSEBoM 1.1, Digital Nameplate 3.0, Handover
 * Documentation 2.0; test/fixtures/aas-templates.json lists their required elements), ECLASS where
 * they name it, twinthread's own URNs only for what no template has.
 */
export const AAS_SEMANTICS = {
  hierarchicalStructures: 'https://admin-shell.io/idta/HierarchicalStructures/1/1/Submodel',
  archeType: 'https://admin-shell.io/idta/HierarchicalStructures/ArcheType/1/0',
  entryNode: 'https://admin-shell.io/idta/HierarchicalStructures/EntryNode/1/0',
  node: 'https://admin-shell.io/idta/HierarchicalStructures/Node/1/0',
  hasPart: 'https://admin-shell.io/idta/HierarchicalStructures/HasPart/1/0',
  isPartOf: 'https://admin-shell.io/idta/HierarchicalStructures/IsPartOf/1/0',
  sameAs: 'https://admin-shell.io/idta/HierarchicalStructures/SameAs/1/0',
  /** ECLASS "serial number", as in the IDTA Digital Nameplate. */
  serialNumber: '0173-1#02-AAM556#002',
  /** ECLASS "product article number of manufacturer". */
  partNumber: '0173-1#02-AAO676#003',
  /** ECLASS "software version". */
  softwareVersion: '0173-1#02-AAM737#002',
  nameplate: 'https://admin-shell.io/idta/nameplate/3/0/Nameplate',
  handoverDocumentation: '0173-1#01-AHF578#003',
  configurationAsOf: 'urn:twinthread:aas:semantic:ConfigurationAsOf:1:0',
  configurationKnownAt: 'urn:twinthread:aas:semantic:ConfigurationKnownAt:1:0',
  /** No IDTA template covers time since new/overhaul and life limits: twinthread's own (docs/usage.md). */
  operatingData: 'urn:twinthread:aas:semantic:OperatingData:1:0',
  usagePart: 'urn:twinthread:aas:semantic:OperatingData:Part:1:0',
  timeSinceNew: 'urn:twinthread:aas:semantic:OperatingData:TimeSinceNew:1:0',
  timeSinceOverhaul: 'urn:twinthread:aas:semantic:OperatingData:TimeSinceOverhaul:1:0',
  lifeLimit: 'urn:twinthread:aas:semantic:OperatingData:LifeLimit:1:0',
} as const;

/** Digital Nameplate 3.0 (IDTA 02006-3-0) element semantics. */
const NAMEPLATE = {
  uriOfTheProduct: '0112/2///61987#ABN590#002',
  manufacturerName: '0112/2///61987#ABA565#009',
  manufacturerProductDesignation: '0112/2///61987#ABA567#009',
  addressInformation: 'https://admin-shell.io/zvei/nameplate/1/0/ContactInformations/AddressInformation',
  orderCodeOfManufacturer: '0112/2///61987#ABA950#008',
  productArticleNumberOfManufacturer: '0112/2///61987#ABA581#007',
  serialNumber: '0112/2///61987#ABA951#009',
  yearOfConstruction: '0112/2///61987#ABP000#002',
  dateOfManufacture: '0112/2///61987#ABB757#007',
  hardwareVersion: '0112/2///61987#ABA926#008',
  assetSpecificProperties: '0173-1#02-ABI218#003/0173-1#01-AGZ672#004',
} as const;

/** Handover Documentation 2.0 (IDTA 02004-2-0) element semantics. */
const HANDOVER = {
  documents: '0173-1#02-ABI500#003',
  document: '0173-1#02-ABI500#003/0173-1#01-AHF579#003',
  documentIds: '0173-1#02-ABI501#003',
  documentId: '0173-1#02-ABI501#003/0173-1#01-AHF580#003',
  documentDomainId: '0173-1#02-ABH994#003',
  documentIdentifier: '0173-1#02-AAO099#004',
  documentIsPrimary: '0173-1#02-ABH995#003',
  documentClassifications: '0173-1#02-ABI502#003',
  documentClassification: '0173-1#02-ABI502#003/0173-1#01-AHF581#003',
  classId: '0173-1#02-ABH996#003',
  className: '0173-1#02-ABJ219#002',
  classificationSystem: '0173-1#02-ABH997#003',
  documentVersions: '0173-1#02-ABI503#003',
  documentVersion: '0173-1#02-ABI503#003/0173-1#01-AHF582#003',
  language: '0173-1#02-AAN468#008',
  version: '0173-1#02-AAP003#005',
  title: '0173-1#02-ABG940#003',
  description: '0173-1#02-AAN466#004',
  statusSetDate: '0173-1#02-ABI000#003',
  statusValue: '0173-1#02-ABI001#003',
  organizationShortName: 'https://api.eclass-cdp.com/0173-1-02-ABI002-003',
  organizationOfficialName: '0173-1#02-ABI004#003',
  digitalFiles: '0173-1#02-ABK126#002',
  documentedEntities: 'https://admin-shell.io/vdi/2770/1/0/Document/DocumentedEntities',
  documentedEntity: 'https://admin-shell.io/vdi/2770/1/0/Document/DocumentedEntity',
} as const;

/** VDI 2770 document classes by thread document kind (ClassificationSystem "VDI2770:2020"). */
const VDI_2770_CLASSES: Record<string, [string, string]> = {
  cad: ['02-02', 'Drawings, plans'],
  simulation: ['02-01', 'Technical specification'],
  requirement: ['02-01', 'Technical specification'],
  'change-order': ['04-01', 'Contract documents'],
  'service-bulletin': ['03-05', 'Repair'],
  'airworthiness-directive': ['02-04', 'Certificates, declarations'],
  'job-plan': ['03-04', 'Inspection, maintenance, testing'],
  'inspection-report': ['03-04', 'Inspection, maintenance, testing'],
  'sensor-data': ['03-04', 'Inspection, maintenance, testing'],
  manual: ['03-02', 'Operation'],
  certificate: ['02-04', 'Certificates, declarations'],
  other: ['01-01', 'Identification'],
};

/** The asset id of a twin: tenant-independent (twin ids are ULIDs), stable across exports. */
export const twinAssetId = (twinId: string) => `urn:twinthread:twin:${twinId}`;
export const shellId = (twinId: string) => `${twinAssetId(twinId)}:aas`;
export const submodelId = (
  twinId: string,
  name: 'nameplate' | 'hierarchical-structures' | 'handover-documentation' | 'operating-data',
) => `${twinAssetId(twinId)}:submodel:${name}`;

/** Usage and life an export carries (only when the reader's view shows usage). */
export interface AasUsage {
  /** The unit's own totals up to asOf, per parameter it records. */
  unit: Record<string, number>;
  parts: {
    path: string;
    partNumber: string;
    serialNumber: string;
    usage: Record<string, { tsn: number; tso: number; complete: boolean }>;
    life?: {
      status: string;
      limits: { parameter: string; limit: number; remaining: number; status: string }[];
    };
  }[];
}

/** The metadata of a thread document that the export uses. */
export interface AasDocument {
  document: Pick<
    DocumentRecord,
    'id' | 'kind' | 'title' | 'contentType' | 'latestVersion' | 'availableVersion'
  > &
    Partial<Pick<DocumentRecord, 'createdAt'>>;
  via: 'link' | 'effectivity';
  /** The position it is linked to or applies at; absent: linked to the twin. */
  path?: string;
}

export interface AasExportInput {
  twin: Twin;
  documents: readonly AasDocument[];
  asOf: string;
  knownAt: string;
  /** The organization that keeps the documents (Handover Documentation's OrganizationName): the tenant. */
  organization: string;
  /** Where this twin itself sat at asOf (systems of systems): its EntryNode IsPartOf that node. */
  partOf?: { twinId: string; path: string };
  /** Prefix of the document addresses, e.g. `https://api.example.com`; default: relative. */
  baseUrl?: string;
  /** Where a reader gets a document (e.g. a grantee's route); default `<baseUrl>/v1/documents/<id>?version=`. */
  documentUrl?: (documentId: string, version: number | undefined) => string;
  /** Usage and life: an OperatingData submodel (absent: none). */
  usage?: AasUsage;
}

// ---------------------------------------------------------------------------------------------
// idShorts and strings

/**
 * A position slug as an idShort, reversibly: slugs are lower case, so upper-case letters can mark
 * escapes. `-` → `_`, `.` → `_D`, `_` → `_U`, a leading digit gets a `P`. A 64-character slug
 * stays within the 128 characters of an idShort.
 */
export function slugIdShort(slug: string): string {
  let idShort = /^[0-9]/.test(slug) ? 'P' : '';
  for (const char of slug) {
    if (char === '-') idShort += '_';
    else if (char === '.') idShort += '_D';
    else if (char === '_') idShort += '_U';
    else idShort += char;
  }
  return idShort;
}

const ID_SHORT = /^[a-zA-Z][a-zA-Z0-9_]*$/;

/** 32-bit FNV-1a, hex: a short stable tag that keeps converted names apart. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * An attribute key as an idShort: itself when it is one, else its letters and digits plus a hash
 * of the key (the key itself goes to `displayName`); valid keys first, a counter for what still clashes.
 */
export function attributeIdShorts(keys: readonly string[]): Map<string, string> {
  const valid = (key: string) => ID_SHORT.test(key) && key.length <= 128;
  const names = new Map<string, string>(keys.filter(valid).map((key) => [key, key]));
  const used = new Set(names.values());
  for (const key of keys.filter((key) => !valid(key))) {
    const cleaned = key.replace(/[^a-zA-Z0-9_]/g, '_').slice(0, 100);
    const name = `${/^[a-zA-Z]/.test(cleaned) ? '' : 'a_'}${cleaned}_${fnv1a(key)}`;
    let unique = name;
    for (let n = 2; used.has(unique); n++) unique = `${name}_${n}`;
    used.add(unique);
    names.set(key, unique);
  }
  return names;
}

// Characters an AAS string may hold (AASd-130); anything else becomes U+FFFD.
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const xmlSafe = (text: string) => text.replace(NOT_XML, '\uFFFD');
const clip = (text: string, max: number) => {
  const safe = [...xmlSafe(text)];
  return safe.length <= max ? safe.join('') : `${safe.slice(0, max - 1).join('')}…`;
};

// ---------------------------------------------------------------------------------------------
// the AAS V3.0 JSON serialization, written directly: the AAS library is ~250 KB minified, so it
// only verifies in tests (test/unit/aas.test.ts), and no function bundle carries it

/** A JSON value of the AAS V3.0 serialization. */
export type AasJson = string | boolean | AasJson[] | { [key: string]: AasJson };
type AasObject = { [key: string]: AasJson };

/** Drops absent members: AAS lists must hold at least one item when present, strings one character. */
function object(members: Record<string, AasJson | undefined | null>): AasObject {
  const json: AasObject = {};
  for (const [key, value] of Object.entries(members)) {
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue;
    json[key] = value;
  }
  return json;
}

const names = (text: string | undefined) =>
  text === undefined || text.trim() === '' ? undefined : [{ language: 'en', text: clip(text, 128) }];

const globalReference = (value: string): AasObject => ({
  type: 'ExternalReference',
  keys: [{ type: 'GlobalReference', value }],
});

/** XSD data types the export writes. */
type Xsd = 'xs:anyURI' | 'xs:string' | 'xs:integer' | 'xs:double' | 'xs:boolean' | 'xs:date' | 'xs:dateTime';

function property(idShort: string | undefined, valueType: Xsd, value: string | null, semanticId?: string) {
  return object({
    idShort,
    semanticId: semanticId === undefined ? undefined : globalReference(semanticId),
    valueType,
    value: value === null ? undefined : xmlSafe(value),
    modelType: 'Property',
  });
}

const text = (idShort: string, value: string, semanticId?: string) =>
  property(idShort, 'xs:string', value, semanticId);

const collection = (idShort: string | undefined, value: AasObject[], extra: Record<string, AasJson> = {}) =>
  object({ idShort, ...extra, value, modelType: 'SubmodelElementCollection' });

const DATE = /^[1-9]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DATE_TIME =
  /^([1-9]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))$/;
/** A calendar date that exists (no 30 February). */
const realDate = (date: string) => new Date(`${date}T00:00:00Z`).toISOString().startsWith(date);

/** The XSD type of an attribute value: dates and times are typed, the text stays as written. */
export function xsdTypeOf(value: string | number | boolean): Xsd {
  if (typeof value === 'boolean') return 'xs:boolean';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'xs:integer' : 'xs:double';
  if (DATE.test(value) && realDate(value)) return 'xs:date';
  const dateTime = DATE_TIME.exec(value);
  if (dateTime && realDate(dateTime[1]!)) return 'xs:dateTime';
  return 'xs:string';
}

type Scalar = string | number | boolean | null;
const isScalar = (value: unknown): value is Scalar =>
  value === null || ['string', 'number', 'boolean'].includes(typeof value);
const lexical = (value: string | number | boolean) => (typeof value === 'string' ? value : String(value));

/** One attribute: a Property (null: without a value), an array a SubmodelElementList of Properties. */
function attributeElement(idShort: string, key: string, value: unknown): AasObject {
  const displayName = idShort === key ? undefined : names(key);
  if (Array.isArray(value) && value.every(isScalar)) {
    const present = value.filter((item): item is string | number | boolean => item !== null);
    const types = new Set(present.map(xsdTypeOf));
    const valueType: Xsd = types.size === 1 ? [...types][0]! : 'xs:string';
    return object({
      idShort,
      displayName,
      orderRelevant: true,
      typeValueListElement: 'Property',
      valueTypeListElement: valueType,
      value: value.map((item) => property(undefined, valueType, item === null ? null : lexical(item))),
      modelType: 'SubmodelElementList',
    });
  }
  const element = isScalar(value)
    ? property(
        idShort,
        value === null ? 'xs:string' : xsdTypeOf(value),
        value === null ? null : lexical(value),
      )
    : property(idShort, 'xs:string', JSON.stringify(value));
  return displayName === undefined ? element : { idShort, displayName, ...element };
}

function attributesCollection(attributes: Record<string, unknown> | undefined): AasObject[] {
  const keys = Object.keys(attributes ?? {}).sort();
  if (!attributes || keys.length === 0) return [];
  const idShorts = attributeIdShorts(keys);
  return [
    collection(
      'Attributes',
      keys.map((key) => attributeElement(idShorts.get(key)!, key, attributes[key])),
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// submodels

const submodel = (id: string, idShort: string, semanticId: string, elements: AasObject[]) =>
  object({
    id,
    idShort,
    kind: 'Instance',
    semanticId: globalReference(semanticId),
    submodelElements: elements,
    modelType: 'Submodel',
  });

const timeProperties = (asOf: string, knownAt: string) => [
  property('ConfigurationAsOf', 'xs:dateTime', asOf, AAS_SEMANTICS.configurationAsOf),
  property('ConfigurationKnownAt', 'xs:dateTime', knownAt, AAS_SEMANTICS.configurationKnownAt),
];

const optional = (idShort: string, value: string | undefined, semanticId?: string) =>
  value === undefined ? [] : [text(idShort, value, semanticId)];

const multiLanguage = (idShort: string | undefined, value: string, semanticId: string) =>
  object({
    idShort,
    semanticId: globalReference(semanticId),
    value: [{ language: 'en', text: clip(value.trim() === '' ? '-' : value, 1023) }],
    modelType: 'MultiLanguageProperty',
  });

/**
 * IDTA 02006 Digital Nameplate 3.0 of the unit: manufacturer (the OEM tenant, "unknown" when the
 * twin names none), product designation, part number as order code, serial number, year and date of
 * construction (builtAt), revision as hardware version; twinthread's own fields under
 * AssetSpecificProperties.
 */
function nameplateSubmodel(input: AasExportInput) {
  const { twin } = input;
  return submodel(submodelId(twin.id, 'nameplate'), 'Nameplate', AAS_SEMANTICS.nameplate, [
    property('URIOfTheProduct', 'xs:anyURI', twinAssetId(twin.id), NAMEPLATE.uriOfTheProduct),
    multiLanguage('ManufacturerName', twin.oem ?? 'unknown', NAMEPLATE.manufacturerName),
    multiLanguage(
      'ManufacturerProductDesignation',
      twin.product.name ?? twin.product.partNumber,
      NAMEPLATE.manufacturerProductDesignation,
    ),
    // a drop-in for the manufacturer's address, which twinthread does not keep: present, empty
    collection('AddressInformation', [], { semanticId: globalReference(NAMEPLATE.addressInformation) }),
    text('OrderCodeOfManufacturer', twin.product.partNumber, NAMEPLATE.orderCodeOfManufacturer),
    text(
      'ProductArticleNumberOfManufacturer',
      twin.product.partNumber,
      NAMEPLATE.productArticleNumberOfManufacturer,
    ),
    text('SerialNumber', twin.serialNumber, NAMEPLATE.serialNumber),
    text('YearOfConstruction', twin.builtAt.slice(0, 4), NAMEPLATE.yearOfConstruction),
    property('DateOfManufacture', 'xs:date', twin.builtAt.slice(0, 10), NAMEPLATE.dateOfManufacture),
    ...optional('HardwareVersion', twin.product.revision, NAMEPLATE.hardwareVersion),
    collection(
      'AssetSpecificProperties',
      [
        text('TwinId', twin.id),
        ...optional('ProductName', twin.product.name),
        ...optional('Oem', twin.oem),
        ...optional('Site', twin.site),
        text('Lifecycle', twin.lifecycle),
        ...optional('Type', twin.type),
        property('BuiltAt', 'xs:dateTime', twin.builtAt),
        property('TwinVersion', 'xs:integer', String(twin.version)),
        ...timeProperties(input.asOf, input.knownAt),
        ...attributesCollection(twin.attributes),
      ],
      { semanticId: globalReference(NAMEPLATE.assetSpecificProperties) },
    ),
  ]);
}

/** A model reference to an entity of the hierarchical structures submodel. */
const entityReference = (structureId: string, idShorts: readonly string[]): AasObject => ({
  type: 'ModelReference',
  keys: [
    { type: 'Submodel', value: structureId },
    ...idShorts.map((idShort) => ({ type: 'Entity', value: idShort })),
  ],
});

const relationship = (idShort: string, semanticId: string, first: AasObject, second: AasObject) => ({
  idShort,
  semanticId: globalReference(semanticId),
  first,
  second,
  modelType: 'RelationshipElement',
});

const hasPart = (structureId: string, parent: readonly string[], child: string, index: number) =>
  relationship(
    `HasPart${String(index + 1).padStart(2, '0')}`,
    AAS_SEMANTICS.hasPart,
    entityReference(structureId, parent),
    entityReference(structureId, [...parent, child]),
  );

/** The entity of position `path` in the hierarchical structures of twin `twinId`. */
const positionReference = (twinId: string, path: string) =>
  entityReference(submodelId(twinId, 'hierarchical-structures'), [
    'EntryNode',
    ...path.split('/').map(slugIdShort),
  ]);

const componentStatements = (component: Component) => [
  text('PartNumber', component.partNumber, AAS_SEMANTICS.partNumber),
  ...optional('SerialNumber', component.serialNumber, AAS_SEMANTICS.serialNumber),
  ...optional('Revision', component.revision),
  text('Kind', component.kind),
  ...optional('SoftwareVersion', component.softwareVersion, AAS_SEMANTICS.softwareVersion),
  ...optional('TwinId', component.twinId),
  ...optional('Type', component.type),
  ...attributesCollection(component.attributes),
];

/**
 * A position as a Node entity: self-managed when it holds a component with an identity of its own
 * (a twin: its asset id; a serialized part: part and serial number as specific asset ids),
 * co-managed otherwise (an unserialized component, or an empty position). AASd-014 allows one
 * of global and specific asset ids on a self-managed entity, neither on a co-managed one.
 */
function nodeEntity(node: Node, structureId: string, parentPath: readonly string[]): AasObject {
  const { component } = node;
  const idShort = slugIdShort(node.position);
  const twinId = component?.twinId;
  const serialized = component?.serialNumber === undefined ? undefined : component;
  return object({
    idShort,
    displayName: names(node.name ?? node.position),
    semanticId: globalReference(AAS_SEMANTICS.node),
    statements: [
      text('Path', node.path),
      ...optional('Name', node.name),
      ...(component ? componentStatements(component) : []),
      ...children(node.children, structureId, [...parentPath, idShort]),
      // a twin inside: the same asset as the entry node of its own bill of material
      ...(twinId === undefined
        ? []
        : [
            relationship(
              'SameAs',
              AAS_SEMANTICS.sameAs,
              entityReference(structureId, [...parentPath, idShort]),
              entityReference(submodelId(twinId, 'hierarchical-structures'), ['EntryNode']),
            ),
          ]),
    ],
    entityType: twinId !== undefined || serialized ? 'SelfManagedEntity' : 'CoManagedEntity',
    globalAssetId: twinId === undefined ? undefined : twinAssetId(twinId),
    specificAssetIds:
      twinId === undefined && serialized
        ? assetIds(serialized.partNumber, serialized.serialNumber!)
        : undefined,
    modelType: 'Entity',
  });
}

const children = (nodes: readonly Node[], structureId: string, parent: readonly string[]): AasObject[] => [
  ...nodes.map((child) => nodeEntity(child, structureId, parent)),
  ...nodes.map((child, index) => hasPart(structureId, parent, slugIdShort(child.position), index)),
];

function structureSubmodel(input: AasExportInput) {
  const { twin } = input;
  const id = submodelId(twin.id, 'hierarchical-structures');
  const entryNode = object({
    idShort: 'EntryNode',
    displayName: names(`${twin.product.name ?? twin.product.partNumber} ${twin.serialNumber}`),
    semanticId: globalReference(AAS_SEMANTICS.entryNode),
    statements: [
      ...children(twin.configuration, id, ['EntryNode']),
      // installed in another twin at asOf: part of that twin's node
      ...(input.partOf === undefined
        ? []
        : [
            relationship(
              'IsPartOf',
              AAS_SEMANTICS.isPartOf,
              entityReference(id, ['EntryNode']),
              positionReference(input.partOf.twinId, input.partOf.path),
            ),
          ]),
    ],
    entityType: 'SelfManagedEntity',
    globalAssetId: twinAssetId(twin.id),
    modelType: 'Entity',
  });
  return submodel(id, 'HierarchicalStructures', AAS_SEMANTICS.hierarchicalStructures, [
    text('ArcheType', 'Full', AAS_SEMANTICS.archeType),
    ...timeProperties(input.asOf, input.knownAt),
    entryNode,
  ]);
}

const TOKEN = "[!#$%&'*+\\-.^_`|~0-9a-zA-Z]+";
const MIME = new RegExp(`^${TOKEN}/${TOKEN}([ \\t]*;[ \\t]*${TOKEN}=(${TOKEN}|"[^"\\\\]*"))*$`);

/** The media type as AAS takes it (RFC 2046, ≤ 100 characters): parameters go when they do not fit. */
const aasContentType = (contentType: string) =>
  MIME.test(contentType) && contentType.length <= 100 ? contentType : mediaTypeOf(contentType);

/** One SubmodelElementList of the template: items without idShorts, each with the list's semantics. */
const list = (
  idShort: string,
  semanticId: string,
  itemSemanticId: string,
  items: AasObject[],
  type: string,
) =>
  object({
    idShort,
    semanticId: globalReference(semanticId),
    orderRelevant: false,
    semanticIdListElement: globalReference(itemSemanticId),
    typeValueListElement: type,
    valueTypeListElement: type === 'Property' ? 'xs:string' : undefined,
    value: items.map((item) => ({ ...item, semanticId: globalReference(itemSemanticId) })),
    modelType: 'SubmodelElementList',
  });

const collectionList = (idShort: string, semanticId: string, itemSemanticId: string, items: AasObject[][]) =>
  list(
    idShort,
    semanticId,
    itemSemanticId,
    items.map((value) => collection(undefined, value)),
    'SubmodelElementCollection',
  );

const classification = (classId: string, className: string, system: string) => [
  text('ClassId', classId, HANDOVER.classId),
  multiLanguage('ClassName', className, HANDOVER.className),
  text('ClassificationSystem', system, HANDOVER.classificationSystem),
];

/**
 * One thread document as an IDTA 02004 Document: its id, its VDI 2770 class (and the twinthread kind),
 * the version the export names with its file, and the entities of the bill of material it documents
 * (the entry node for the twin, else each position's node).
 */
function handoverDocument(
  entry: AasDocument,
  entities: readonly string[][],
  structureId: string,
  input: AasExportInput,
) {
  const { document } = entry;
  const version = document.availableVersion;
  const url =
    input.documentUrl?.(document.id, version) ??
    `${input.baseUrl ?? ''}/v1/documents/${encodeURIComponent(document.id)}${version === undefined ? '' : `?version=${version}`}`;
  const [classId, className] = VDI_2770_CLASSES[document.kind] ?? VDI_2770_CLASSES.other!;
  const organization = clip(input.organization, 1000);
  return [
    collectionList('DocumentIds', HANDOVER.documentIds, HANDOVER.documentId, [
      [
        text('DocumentDomainId', 'twinthread', HANDOVER.documentDomainId),
        text('DocumentIdentifier', document.id, HANDOVER.documentIdentifier),
        property('DocumentIsPrimary', 'xs:boolean', 'true', HANDOVER.documentIsPrimary),
      ],
    ]),
    collectionList(
      'DocumentClassifications',
      HANDOVER.documentClassifications,
      HANDOVER.documentClassification,
      [
        classification(classId, className, 'VDI2770:2020'),
        classification(document.kind, document.kind, 'twinthread'),
      ],
    ),
    collectionList('DocumentVersions', HANDOVER.documentVersions, HANDOVER.documentVersion, [
      [
        list(
          'Language',
          HANDOVER.language,
          HANDOVER.language,
          [property(undefined, 'xs:string', 'en')],
          'Property',
        ),
        text('Version', String(version ?? document.latestVersion), HANDOVER.version),
        multiLanguage('Title', document.title, HANDOVER.title),
        multiLanguage('Description', `${document.title} (${document.kind})`, HANDOVER.description),
        property(
          'StatusSetDate',
          'xs:date',
          (document.createdAt ?? input.knownAt).slice(0, 10),
          HANDOVER.statusSetDate,
        ),
        text('StatusValue', version === undefined ? 'InReview' : 'Released', HANDOVER.statusValue),
        text('OrganizationShortName', organization, HANDOVER.organizationShortName),
        text('OrganizationOfficialName', organization, HANDOVER.organizationOfficialName),
        list(
          'DigitalFiles',
          HANDOVER.digitalFiles,
          HANDOVER.digitalFiles,
          [{ contentType: aasContentType(document.contentType), value: url, modelType: 'File' }],
          'File',
        ),
      ],
    ]),
    ...(entities.length === 0
      ? []
      : [
          list(
            'DocumentedEntities',
            HANDOVER.documentedEntities,
            HANDOVER.documentedEntity,
            entities.map((idShorts) => ({
              value: entityReference(structureId, idShorts),
              modelType: 'ReferenceElement',
            })),
            'ReferenceElement',
          ),
        ]),
  ];
}

/** Paths of every position in the tree, to the idShorts of their entities. */
function entityPaths(nodes: readonly Node[], parent: readonly string[], into = new Map<string, string[]>()) {
  for (const node of nodes) {
    const idShorts = [...parent, slugIdShort(node.position)];
    into.set(node.path, idShorts);
    entityPaths(node.children, idShorts, into);
  }
  return into;
}

/**
 * The thread as IDTA 02004 Handover Documentation 2.0: one Document per thread document, documenting
 * every place it is linked to or applies at. Absent when the thread has no documents (the template
 * requires at least one).
 */
function handoverSubmodel(input: AasExportInput): AasObject | undefined {
  const { twin } = input;
  const byDocument = new Map<string, { entry: AasDocument; places: Set<string> }>();
  for (const entry of input.documents) {
    const seen = byDocument.get(entry.document.id);
    if (seen) seen.places.add(entry.path ?? '');
    else byDocument.set(entry.document.id, { entry, places: new Set([entry.path ?? '']) });
  }
  if (byDocument.size === 0) return undefined;
  const structureId = submodelId(twin.id, 'hierarchical-structures');
  const entities = entityPaths(twin.configuration, ['EntryNode']);
  const documents = [...byDocument.values()]
    .sort((a, b) => (a.entry.document.id < b.entry.document.id ? -1 : 1))
    .map(({ entry, places }) => {
      const documented = [...places]
        .sort()
        .flatMap((place) =>
          place === '' ? [['EntryNode']] : (entities.get(place) ?? []).length ? [entities.get(place)!] : [],
        );
      return handoverDocument(entry, documented, structureId, input);
    });
  return submodel(
    submodelId(twin.id, 'handover-documentation'),
    'HandoverDocumentation',
    AAS_SEMANTICS.handoverDocumentation,
    [collectionList('Documents', HANDOVER.documents, HANDOVER.document, documents)],
  );
}

// ---------------------------------------------------------------------------------------------
// usage and life

const double = (idShort: string, value: number, semanticId?: string) =>
  property(idShort, 'xs:double', String(value), semanticId);

/**
 * OperatingData: the unit's own usage totals (UnitUsage, one property per parameter), and per
 * serialized part (Parts) its path, part and serial number, per parameter TSN and TSO (and whether
 * its trace back to birth is complete), and, for a life-limited part, its status and per limit the
 * limit, remaining life and status. Parameter names become idShorts as attribute names do.
 */
function operatingDataSubmodel(input: AasExportInput & { usage: AasUsage }): AasObject {
  const { twin, usage } = input;
  const names = [
    ...new Set([
      ...Object.keys(usage.unit),
      ...usage.parts.flatMap((part) => [
        ...Object.keys(part.usage),
        ...(part.life?.limits ?? []).map((limit) => limit.parameter),
      ]),
    ]),
  ];
  const ids = attributeIdShorts(names);
  const id = (name: string) => ids.get(name)!;
  const parts = usage.parts.map((part) => [
    text('Path', part.path),
    text('PartNumber', part.partNumber, AAS_SEMANTICS.partNumber),
    text('SerialNumber', part.serialNumber, AAS_SEMANTICS.serialNumber),
    collection(
      'Usage',
      Object.entries(part.usage).map(([name, used]) =>
        collection(id(name), [
          double('TSN', used.tsn, AAS_SEMANTICS.timeSinceNew),
          double('TSO', used.tso, AAS_SEMANTICS.timeSinceOverhaul),
          property('Complete', 'xs:boolean', String(used.complete)),
        ]),
      ),
    ),
    ...(part.life === undefined
      ? []
      : [
          collection('Life', [
            text('Status', part.life.status),
            ...part.life.limits.map((limit) =>
              collection(
                id(limit.parameter),
                [
                  double('Limit', limit.limit),
                  double('Remaining', limit.remaining),
                  text('Status', limit.status),
                ],
                { semanticId: globalReference(AAS_SEMANTICS.lifeLimit) },
              ),
            ),
          ]),
        ]),
  ]);
  return submodel(submodelId(twin.id, 'operating-data'), 'OperatingData', AAS_SEMANTICS.operatingData, [
    ...timeProperties(input.asOf, input.knownAt),
    collection(
      'UnitUsage',
      Object.entries(usage.unit).map(([name, total]) => double(id(name), total)),
    ),
    ...(parts.length === 0
      ? []
      : [collectionList('Parts', AAS_SEMANTICS.operatingData, AAS_SEMANTICS.usagePart, parts)]),
  ]);
}

// ---------------------------------------------------------------------------------------------
// the environment

const assetIds = (partNumber: string, serialNumber: string) => [
  {
    name: 'serialNumber',
    value: clip(serialNumber, 2000),
    semanticId: globalReference(AAS_SEMANTICS.serialNumber),
  },
  {
    name: 'partNumber',
    value: clip(partNumber, 2000),
    semanticId: globalReference(AAS_SEMANTICS.partNumber),
  },
];

/** The AAS V3.0 environment (JSON serialization) of a twin as it was at `asOf`, as recorded up to `knownAt`. */
export function aasEnvironment(input: AasExportInput): AasObject {
  const { twin } = input;
  const handover = handoverSubmodel(input);
  const submodels = [
    nameplateSubmodel(input),
    structureSubmodel(input),
    ...(handover ? [handover] : []),
    ...(input.usage ? [operatingDataSubmodel({ ...input, usage: input.usage })] : []),
  ];
  const shell = object({
    id: shellId(twin.id),
    idShort: `Twin_${twin.id.replace(/[^a-zA-Z0-9_]/g, '_')}`,
    displayName: names(`${twin.product.name ?? twin.product.partNumber} ${twin.serialNumber}`),
    assetInformation: object({
      assetKind: 'Instance',
      globalAssetId: twinAssetId(twin.id),
      specificAssetIds: assetIds(twin.product.partNumber, twin.serialNumber),
      assetType: clip(twin.product.partNumber, 2000),
    }),
    submodels: submodels.map((model) => ({
      type: 'ModelReference',
      keys: [{ type: 'Submodel', value: model.id as string }],
    })),
    modelType: 'AssetAdministrationShell',
  });
  return { assetAdministrationShells: [shell], submodels };
}
